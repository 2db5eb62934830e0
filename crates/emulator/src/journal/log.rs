//! Appending to the state file so that a failed write leaves nothing behind.

use std::fs::File;
use std::io::{self, Write};

/// The three file operations the journal uses; the state file implements them, and tests put a
/// failing stand-in (a full disk, a failing `fsync`) in its place.
pub trait Disk: Send + 'static {
    /// Writes all of `bytes` at the end (or fails, possibly after writing part of them).
    ///
    /// # Errors
    /// The write fails.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// `fdatasync`.
    ///
    /// # Errors
    /// The sync fails.
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes.
    ///
    /// # Errors
    /// The truncation fails.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

impl Disk for File {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
}

/// An append-only log on a [`Disk`] that knows its durable length.
///
/// After a failed append (a full disk, a failing `fsync`) whatever part of it reached the file is
/// cut off again, before anything else is written, so the log never holds a partial or
/// unacknowledged line in its middle and a later append succeeds once the disk has room again.
pub struct Log {
    disk: Box<dyn Disk>,
    /// Bytes known to be durable: every acknowledged line and nothing else.
    durable: u64,
    /// A failed append may have left bytes after `durable`.
    dirty: bool,
}

impl Log {
    /// A log whose file currently holds `len` durable bytes.
    pub fn new(disk: Box<dyn Disk>, len: u64) -> Self {
        Self {
            disk,
            durable: len,
            dirty: false,
        }
    }

    /// Appends `bytes` and syncs them; on failure the file is cut back to its durable length.
    ///
    /// # Errors
    /// The write, the sync, or the clean-up of an earlier failure failed.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.dirty {
            self.cut()?;
        }
        self.dirty = true;
        let result = self.disk.append(bytes).and_then(|()| self.disk.sync());
        match result {
            Ok(()) => {
                self.durable += bytes.len() as u64;
                self.dirty = false;
                Ok(())
            }
            Err(e) => {
                // Best effort now; retried before the next append if it fails.
                let _ = self.cut();
                Err(e)
            }
        }
    }

    /// Cuts the file back to its durable length and syncs that.
    fn cut(&mut self) -> io::Result<()> {
        self.disk.truncate(self.durable)?;
        self.disk.sync()?;
        self.dirty = false;
        Ok(())
    }
}
