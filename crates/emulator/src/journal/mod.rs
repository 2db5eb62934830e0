//! Durability: an append-only log of committed mutations (`--state FILE`).
//!
//! # Guarantees
//!
//! - **An acknowledged write is on disk.** A mutation's response is sent only after its line has been
//!   written and `fdatasync`ed. Writes go to one writer thread that appends every queued line and
//!   syncs once for the whole group (group commit).
//! - **A failed write changes nothing.** When the journal cannot take a mutation (a full disk, a
//!   failing `fsync`, a value that cannot be encoded) the request fails with a 500
//!   `InternalFailure` and the mutation is undone in memory too, together with any mutation applied
//!   after it that was still waiting for the same or a later write (it may build on the failed one).
//!   Whatever part of the failed write reached the file is cut off again before anything else is
//!   appended. Reads keep working meanwhile, and writes succeed again once the disk has room.
//!   Mutations are applied in memory and queued to the log under one lock, so log order is apply
//!   order; a read may observe a mutation while its write is in flight.
//! - **Replay reads everything or refuses.** On start the whole log is read back. A last line
//!   without its line end is a write cut short by a crash (never acknowledged): it is dropped with a
//!   warning. Any other line that cannot be read (bad length, checksum or JSON) stops the start with
//!   its byte offset and the reason, and the file is left untouched. With `--repair` the original is
//!   first copied to `FILE.corrupt-SECONDS`, the unreadable lines are skipped (each named on stderr),
//!   and the rest is kept.
//! - **Compaction never drops data that was not read.** After a replay that read every line, the
//!   state is written as a fresh log to `FILE.tmp`, synced and renamed over `FILE`.
//!
//! The line format is in [`codec`].

pub mod codec;
pub mod log;
#[cfg(test)]
mod tests;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;

use crate::error::Error;
use crate::store::{Store, Tx};
use codec::{Replay, encode, replay};
use log::{Disk, Log};

/// A queued write: the encoded line, the mutation it settles and who waits for it.
struct Batch {
    line: Vec<u8>,
    id: u64,
    done: oneshot::Sender<io::Result<()>>,
}

/// The log writer, or nothing for an in-memory emulator.
pub struct Journal {
    tx: Option<Sender<Batch>>,
}

/// Resolves when a submitted mutation is durable.
pub type Ticket = std::pin::Pin<Box<dyn std::future::Future<Output = io::Result<()>> + Send>>;

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn warn(path: &Path, message: &str) {
    tracing::warn!("{}: {message}", path.display());
}

/// Reads the log at `path` (an absent file is an empty log), refusing unreadable lines unless
/// `repair` is set; with `repair`, copies the original aside before anything is dropped.
fn read_log(path: &Path, repair: bool) -> io::Result<Replay> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let replayed = replay(&bytes, repair).map_err(|bad| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "unreadable record at {bad}; the file was left untouched. \
                 Start with --repair to keep the readable records (the original is copied aside first)"
            ),
        )
    })?;
    if !replayed.dropped.is_empty() {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = with_suffix(path, &format!(".corrupt-{secs}"));
        fs::copy(path, &aside)?;
        File::open(&aside)?.sync_all()?;
        warn(
            path,
            &format!(
                "--repair: copied the original to {}; kept {} records, dropping {} unreadable:",
                aside.display(),
                replayed.applied,
                replayed.dropped.len()
            ),
        );
        for bad in &replayed.dropped {
            tracing::warn!("  {bad}");
        }
    }
    if let Some(tail) = &replayed.torn_tail {
        warn(
            path,
            &format!("dropping a torn last record (a write cut short) at {tail}"),
        );
    }
    Ok(replayed)
}

/// Writes `store` as a fresh log to `FILE.tmp`, syncs it and renames it over `path`. Returns its length.
fn compact(store: &Store, path: &Path) -> io::Result<u64> {
    let tmp = with_suffix(path, ".tmp");
    let mut len = 0;
    {
        let mut f = File::create(&tmp)?;
        for group in store.snapshot() {
            let line = encode(&group).map_err(io::Error::other)?;
            f.write_all(&line)?;
            len += line.len() as u64;
        }
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(path);
    Ok(len)
}

/// Appends each group of queued lines, syncs once, then settles the group's mutations, or on
/// failure undoes every pending mutation and fails every queued request.
fn writer(mut log: Log, store: &RwLock<Store>, rx: &Receiver<Batch>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut buf = Vec::with_capacity(batch.iter().map(|b| b.line.len()).sum());
        for b in &batch {
            buf.extend_from_slice(&b.line);
        }
        let result = log.append(&buf);
        {
            let mut guard = store.write().unwrap_or_else(PoisonError::into_inner);
            match &result {
                Ok(()) => guard.settle(batch.last().map_or(0, |b| b.id)),
                Err(_) => {
                    guard.roll_back_pending();
                    // Everything queued since was applied on top of the failed mutations: it fails too.
                    // New mutations queue only under the store lock, which is held here.
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                }
            }
        }
        for b in batch {
            let r = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            };
            let _ = b.done.send(r);
        }
    }
}

/// How to open a state file.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenMode {
    /// Keep the readable records of a log with unreadable ones (after copying it aside) instead of
    /// refusing to start.
    pub repair: bool,
}

impl Journal {
    /// No file: state lives in memory only.
    #[must_use]
    pub fn memory() -> (Arc<RwLock<Store>>, Self) {
        (Arc::new(RwLock::new(Store::default())), Self { tx: None })
    }

    /// Replays `path` (if it exists), compacts it and opens it for appending.
    ///
    /// # Errors
    /// The file cannot be read, has an unreadable record (unless `mode.repair`), or cannot be
    /// written, synced or renamed.
    pub fn open(path: &Path, mode: OpenMode) -> io::Result<(Arc<RwLock<Store>>, Self)> {
        let replayed = read_log(path, mode.repair)?;
        let len = compact(&replayed.store, path)?;
        let file = OpenOptions::new().append(true).open(path)?;
        Self::start(replayed.store, Box::new(file), len)
    }

    /// Starts the writer thread on `disk`, which holds `len` durable bytes.
    fn start(
        store: Store,
        disk: Box<dyn Disk>,
        len: u64,
    ) -> io::Result<(Arc<RwLock<Store>>, Self)> {
        let store = Arc::new(RwLock::new(store));
        let (tx, rx) = mpsc::channel::<Batch>();
        let shared = Arc::clone(&store);
        let log = Log::new(disk, len);
        std::thread::Builder::new()
            .name("stagecraft-journal".into())
            .spawn(move || writer(log, &shared, &rx))?;
        Ok((store, Self { tx: Some(tx) }))
    }

    /// Runs a mutation under the store's write lock: `f` checks the request and commits records.
    /// When `f` fails its changes are undone. Otherwise the records are encoded and queued to the
    /// log before the lock is released (so log order = apply order); the returned ticket resolves
    /// when they are durable, or with the error that undid them.
    ///
    /// # Errors
    /// `f`'s error, or a 500 when the records cannot be encoded.
    pub fn run<T>(
        &self,
        store: &RwLock<Store>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<(T, Option<Ticket>), Error> {
        let mut guard = store.write().unwrap_or_else(PoisonError::into_inner);
        let mut tx = Tx::new(&mut guard);
        let value = match f(&mut tx) {
            Ok(v) => v,
            Err(e) => {
                tx.roll_back();
                return Err(e);
            }
        };
        let Some(sender) = &self.tx else {
            tx.keep();
            return Ok((value, None));
        };
        if tx.records().is_empty() {
            tx.keep();
            return Ok((value, None));
        }
        let line = match encode(tx.records()) {
            Ok(line) => line,
            Err(why) => {
                tx.roll_back();
                return Err(Error::internal(format!(
                    "Could not persist the change: {why}"
                )));
            }
        };
        let id = tx.keep_pending();
        let (done, wait) = oneshot::channel();
        if sender.send(Batch { line, id, done }).is_err() {
            guard.roll_back_pending();
            return Err(Error::internal(
                "Could not persist the change: the journal writer has stopped",
            ));
        }
        Ok((
            value,
            Some(Box::pin(async move {
                wait.await
                    .unwrap_or_else(|_| Err(io::Error::other("the journal writer has stopped")))
            })),
        ))
    }
}
