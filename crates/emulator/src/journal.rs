//! Durability: an append-only log of committed mutations.
//!
//! File format: one line per mutation, `{len:x} {crc32:08x} {json}\n`, where `json` is the array of the
//! mutation's [`Record`]s, `len` its byte length and `crc32` its CRC-32. One line per mutation makes a
//! mutation atomic on disk.
//!
//! Writes go to one writer thread that appends every queued line, calls `fdatasync` once for the
//! whole group (group commit) and only then releases the waiting requests, so a response is sent only
//! after its mutation is on disk.
//!
//! On start the log is replayed. A record that is incomplete or fails its length/checksum is skipped
//! with a warning on stderr (a torn last write after a crash is the expected case); replay never
//! panics. The replayed state is then compacted: written as a fresh log to `FILE.tmp`, synced and
//! renamed over `FILE`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};

use tokio::sync::oneshot;

use crate::store::{Record, Store};

/// A queued write: the encoded line and who waits for it.
struct Batch {
    line: Vec<u8>,
    done: oneshot::Sender<io::Result<()>>,
}

/// The log writer, or nothing for an in-memory emulator.
pub struct Journal {
    tx: Option<Mutex<Sender<Batch>>>,
}

/// Resolves when a submitted mutation is durable.
pub type Ticket = std::pin::Pin<Box<dyn std::future::Future<Output = io::Result<()>> + Send>>;

/// Encodes one mutation as a log line.
#[must_use]
pub fn encode(records: &[Record]) -> Vec<u8> {
    let json = serde_json::to_vec(records).unwrap_or_else(|_| b"[]".to_vec());
    let mut line = format!("{:x} {:08x} ", json.len(), crc32fast::hash(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    line
}

/// Decodes one line (without its `\n`).
fn decode(line: &[u8]) -> Result<Vec<Record>, String> {
    let text = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_owned())?;
    let mut parts = text.splitn(3, ' ');
    let (Some(len), Some(crc), Some(json)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("malformed header".into());
    };
    let len = usize::from_str_radix(len, 16).map_err(|_| "bad length")?;
    let crc = u32::from_str_radix(crc, 16).map_err(|_| "bad checksum field")?;
    if json.len() != len {
        return Err(format!("length {} does not match header {len}", json.len()));
    }
    if crc32fast::hash(json.as_bytes()) != crc {
        return Err("checksum mismatch".into());
    }
    serde_json::from_str(json).map_err(|e| format!("bad record: {e}"))
}

/// Replays a log's bytes into a store; returns the store and how many records were skipped.
#[must_use]
pub fn replay(bytes: &[u8], origin: &Path) -> (Store, usize) {
    let mut store = Store::default();
    let mut skipped = 0;
    let mut rest = bytes;
    let mut line_no = 0;
    while !rest.is_empty() {
        line_no += 1;
        let (line, next, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        rest = next;
        let result = if complete {
            decode(line)
        } else {
            Err("incomplete (no line end)".into())
        };
        match result {
            Ok(records) => records.into_iter().for_each(|r| store.apply(r)),
            Err(why) => {
                skipped += 1;
                let which = if rest.is_empty() {
                    "torn last record"
                } else {
                    "corrupt record"
                };
                tracing::warn!(
                    "{}: dropping {which} at line {line_no}: {why}",
                    origin.display()
                );
            }
        }
    }
    (store, skipped)
}

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

fn writer(mut file: File, rx: &Receiver<Batch>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut buf = Vec::with_capacity(batch.iter().map(|b| b.line.len()).sum());
        for b in &batch {
            buf.extend_from_slice(&b.line);
        }
        let result = file.write_all(&buf).and_then(|()| file.sync_data());
        for b in batch {
            let r = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            };
            let _ = b.done.send(r);
        }
    }
}

impl Journal {
    /// No file: state lives in memory only.
    #[must_use]
    pub fn memory() -> Self {
        Self { tx: None }
    }

    /// Replays `path` (if it exists), compacts it and opens it for appending.
    ///
    /// # Errors
    /// The file cannot be read, written, synced or renamed.
    pub fn open(path: PathBuf) -> io::Result<(Store, Self)> {
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let (store, _skipped) = replay(&bytes, &path);

        let mut tmp_name = path.clone().into_os_string();
        tmp_name.push(".tmp");
        let tmp = PathBuf::from(tmp_name);
        {
            let mut f = File::create(&tmp)?;
            for group in store.snapshot() {
                f.write_all(&encode(&group))?;
            }
            f.sync_all()?;
        }
        fs::rename(&tmp, &path)?;
        sync_dir(&path);

        let file = OpenOptions::new().append(true).open(&path)?;
        let (tx, rx) = mpsc::channel::<Batch>();
        std::thread::Builder::new()
            .name("stagecraft-journal".into())
            .spawn(move || writer(file, &rx))?;
        Ok((
            store,
            Self {
                tx: Some(Mutex::new(tx)),
            },
        ))
    }

    /// Queues a mutation's records (call while holding the store lock, so log order = apply order).
    /// `None` when there is nothing to wait for (no records, or no file).
    #[must_use]
    pub fn submit(&self, records: Vec<Record>) -> Option<Ticket> {
        if records.is_empty() {
            return None;
        }
        let tx = self.tx.as_ref()?;
        let (done, wait) = oneshot::channel();
        let line = encode(&records);
        let sent = tx
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(Batch { line, done });
        Some(Box::pin(async move {
            if sent.is_err() {
                return Err(io::Error::other("the journal writer has stopped"));
            }
            wait.await
                .unwrap_or_else(|_| Err(io::Error::other("the journal writer has stopped")))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_core::api::RestApi;

    fn put(id: &str) -> Record {
        Record::PutApi {
            seq: 1,
            api: RestApi {
                id: id.into(),
                name: id.into(),
                ..RestApi::default()
            },
        }
    }

    #[test]
    fn round_trips_and_drops_torn_tail() {
        let mut log = encode(&[put("a")]);
        log.extend(encode(&[put("b")]));
        let torn = encode(&[put("c")]);
        log.extend_from_slice(&torn[..torn.len() / 2]);
        let (store, skipped) = replay(&log, Path::new("test.log"));
        assert_eq!(store.apis.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(skipped, 1);
    }

    #[test]
    fn skips_corrupt_record() {
        let mut log = encode(&[put("a")]);
        let mut bad = encode(&[put("b")]);
        let n = bad.len();
        bad[n - 5] ^= 0x20;
        log.extend(bad);
        log.extend(encode(&[put("c")]));
        let (store, skipped) = replay(&log, Path::new("test.log"));
        assert_eq!(store.apis.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(skipped, 1);
    }
}
