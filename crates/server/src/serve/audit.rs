//! `--audit-log FILE`: one JSON line per change the proxy forwarded or refused, appended and
//! fsync'd before the editor gets its answer, and read back by `GET /api/_stagecraft/audit`.
//!
//! A line:
//! `{"time":"2026-12-02T06:00:00.123Z","user":"alice","identity":"header","target":{"kind":"aws","region":"eu-west-1","account":null,"endpoint":null},"operation":"UpdateStage","restApiId":"a1","stage":"prod","patchOperations":[…],"status":200,"result":"ok","requestId":"…"}`
//! with `error` (`{"type","message"}`) when the target refused (`result: "failed"`) or the proxy did
//! (`result: "refused"`), `request` (the body) for changes other than UpdateStage, and for an UpdateStage
//! that went through, `before` (the stage read just before it) and `after` (the target's answer).
//!
//! The log may be rotated by moving the file away (logrotate's default): the next entry goes to a
//! new file at the same path. `history` reads the file backwards, so a page of recent entries costs
//! the same however long the log has grown.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

use super::account::Account;

/// What was called: `kind` (`emulator`, `aws`, `endpoint`), region, account when known, endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// `emulator`, `aws` or `endpoint`.
    pub kind: String,
    /// Signing region.
    pub region: String,
    /// AWS account id (the emulator's, or STS `GetCallerIdentity`'s for AWS and `--endpoint`).
    pub account: Option<String>,
    /// `--endpoint`.
    pub endpoint: Option<String>,
}

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The target accepted it (2xx).
    Ok,
    /// The target refused it or could not be reached.
    Failed,
    /// `stagecraft serve` refused it (read-only, rules).
    Refused,
}

/// An error in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `x-amzn-ErrorType` (without AWS's `:url` suffix).
    #[serde(rename = "type")]
    pub kind: String,
    /// `message`.
    pub message: String,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    /// The user (null for the local user, the token holder or anonymous; see `identity`).
    pub user: Option<String>,
    /// How the user was identified.
    pub identity: String,
    /// Where the change went (filled in by the log).
    pub target: Option<TargetInfo>,
    /// AWS operation name.
    pub operation: String,
    /// REST API id.
    pub rest_api_id: String,
    /// Stage name (absent for an API-wide change).
    pub stage: Option<String>,
    /// UpdateStage's operations, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_operations: Option<Value>,
    /// For UpdateStage, the stage just before the change (GetStage) and the target's answer: the
    /// History view reverts a change with core's diff of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// See `before`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// Other changes' request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// HTTP status answered.
    pub status: u16,
    /// How it ended.
    pub result: Outcome,
    /// The error, unless `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// The target's `x-amzn-RequestId`, or the one `stagecraft serve` gave its own refusal.
    pub request_id: String,
}

/// One stage's lock (see [`AuditLog::lock_stage`]).
type StageLock = Arc<tokio::sync::Mutex<()>>;

/// The open log.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
    /// Recorded in every entry, with the account filled in from `account`.
    target: TargetInfo,
    account: Arc<Account>,
    stages: Arc<Mutex<HashMap<(String, String), StageLock>>>,
}

fn open_for_append(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open the audit log {}: {e}", path.display()))
}

/// Whether `file` is no longer the file at `path` (it was moved away or deleted).
#[cfg(unix)]
fn rotated(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => (open.dev(), open.ino()) != (named.dev(), named.ino()),
        _ => true,
    }
}

#[cfg(not(unix))]
fn rotated(_file: &File, path: &Path) -> bool {
    !path.exists()
}

impl AuditLog {
    /// Opens (creates) `path` for appending; entries name `target` and the account `account` gives.
    ///
    /// # Errors
    /// It cannot be opened for writing.
    pub fn open(path: &Path, target: TargetInfo, account: Account) -> Result<Self, String> {
        Ok(Self {
            path: path.to_path_buf(),
            file: Arc::new(Mutex::new(open_for_append(path)?)),
            target,
            account: Arc::new(account),
            stages: Arc::default(),
        })
    }

    /// What entries record as their target (asks STS for the account the first time, if it must).
    pub async fn target(&self) -> TargetInfo {
        TargetInfo {
            account: self.account.get().await,
            ..self.target.clone()
        }
    }

    /// Held while one change to a stage is read, forwarded and recorded, so that no other change
    /// through this server comes between the `before` an entry records and the change itself.
    pub async fn lock_stage(
        &self,
        rest_api_id: &str,
        stage: &str,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self
            .stages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((rest_api_id.to_owned(), stage.to_owned()))
            .or_default()
            .clone();
        lock.lock_owned().await
    }

    /// Appends `entry` as one line and waits until it is on disk (reopening the path first if the
    /// file was rotated away).
    ///
    /// # Errors
    /// Writing or syncing failed.
    pub async fn append(&self, entry: &Entry) -> Result<(), String> {
        let mut line = serde_json::to_vec(entry).map_err(|e| e.to_string())?;
        line.push(b'\n');
        let file = self.file.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
            if rotated(&file, &path) {
                *file = open_for_append(&path)?;
            }
            file.write_all(&line)
                .and_then(|()| file.sync_data())
                .map_err(|e| format!("cannot write the audit log: {e}"))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// The newest `limit` entries for `rest_api_id` (and `stage`, when given), newest first.
    /// Lines that are not entries are skipped.
    ///
    /// # Errors
    /// The file cannot be read.
    pub async fn history(
        &self,
        rest_api_id: String,
        stage: Option<String>,
        limit: usize,
    ) -> Result<Vec<Entry>, String> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let cannot =
                |e: std::io::Error| format!("cannot read the audit log {}: {e}", path.display());
            let mut found = Vec::new();
            for line in
                LinesBackwards::new(File::open(&path).map_err(cannot)?, LinesBackwards::BLOCK)
                    .map_err(cannot)?
            {
                if found.len() == limit {
                    break;
                }
                let Ok(entry) = serde_json::from_slice::<Entry>(&line.map_err(cannot)?) else {
                    continue;
                };
                if entry.rest_api_id == rest_api_id
                    && stage
                        .as_ref()
                        .is_none_or(|s| entry.stage.as_ref() == Some(s))
                {
                    found.push(entry);
                }
            }
            Ok(found)
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

/// A file's non-empty lines, last first, read backwards in blocks.
struct LinesBackwards {
    file: File,
    /// Where the part not yet read ends.
    unread: u64,
    /// Read but not yet yielded: the start of a line whose beginning is still unread, or whole lines.
    pending: Vec<u8>,
    block: usize,
}

impl LinesBackwards {
    /// The first block's size.
    const BLOCK: usize = 64 * 1024;

    /// Reads `file` from its end, `block` bytes first.
    fn new(mut file: File, block: usize) -> std::io::Result<Self> {
        let unread = file.seek(SeekFrom::End(0))?;
        Ok(Self {
            file,
            unread,
            pending: Vec::new(),
            block: block.max(1),
        })
    }

    /// Prepends the block before the pending bytes (blocks double while no line ends in them).
    fn read_block(&mut self) -> std::io::Result<()> {
        let n = self.unread.min(self.block as u64);
        self.unread -= n;
        self.file.seek(SeekFrom::Start(self.unread))?;
        let mut block = vec![0; usize::try_from(n).unwrap_or(usize::MAX)];
        self.file.read_exact(&mut block)?;
        if !block.contains(&b'\n') {
            self.block = self.block.saturating_mul(2);
        }
        block.append(&mut self.pending);
        self.pending = block;
        Ok(())
    }
}

impl Iterator for LinesBackwards {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(at) = self.pending.iter().rposition(|&b| b == b'\n') {
                let line = self.pending.split_off(at + 1);
                self.pending.pop();
                if line.is_empty() {
                    continue;
                }
                return Some(Ok(line));
            }
            if self.unread == 0 {
                return (!self.pending.is_empty()).then(|| Ok(std::mem::take(&mut self.pending)));
            }
            if let Err(e) = self.read_block() {
                self.unread = 0;
                self.pending.clear();
                return Some(Err(e));
            }
        }
    }
}

/// Now as RFC 3339 in UTC with milliseconds.
#[must_use]
pub fn now() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let at = |secs: i64, millis: i64| {
            rfc3339(
                OffsetDateTime::from_unix_timestamp(secs).unwrap()
                    + time::Duration::milliseconds(millis),
            )
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(at(1_796_184_000, 123), "2026-12-02T04:00:00.123Z");
    }

    fn target() -> TargetInfo {
        TargetInfo {
            kind: "emulator".into(),
            region: "us-east-1".into(),
            account: None,
            endpoint: None,
        }
    }

    fn entry(api: &str, stage: &str, status: u16) -> Entry {
        Entry {
            time: now(),
            user: Some("alice".into()),
            identity: "header".into(),
            target: Some(target()),
            operation: "UpdateStage".into(),
            rest_api_id: api.into(),
            stage: Some(stage.into()),
            patch_operations: Some(
                serde_json::json!([{"op":"replace","path":"/description","value":"x"}]),
            ),
            request: None,
            before: None,
            after: None,
            status,
            result: Outcome::Ok,
            error: None,
            request_id: "r1".into(),
        }
    }

    #[tokio::test]
    async fn lines_are_appended_and_read_back_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, target(), Account::fixed("123456789012".into())).unwrap();
        log.append(&entry("a1", "dev", 200)).await.unwrap();
        log.append(&entry("a1", "prod", 201)).await.unwrap();
        log.append(&entry("b2", "dev", 202)).await.unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"not json\n")
            .unwrap();
        log.append(&entry("a1", "dev", 203)).await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5);
        let dev = log
            .history("a1".into(), Some("dev".into()), 10)
            .await
            .unwrap();
        assert_eq!(dev.iter().map(|e| e.status).collect::<Vec<_>>(), [203, 200]);
        let all = log.history("a1".into(), None, 2).await.unwrap();
        assert_eq!(all.iter().map(|e| e.status).collect::<Vec<_>>(), [203, 201]);
    }

    #[tokio::test]
    async fn a_rotated_log_continues_in_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, target(), Account::fixed("1".into())).unwrap();
        log.append(&entry("a1", "dev", 200)).await.unwrap();
        let old = dir.path().join("audit.jsonl.1");
        std::fs::rename(&path, &old).unwrap();
        log.append(&entry("a1", "dev", 201)).await.unwrap();
        assert_eq!(std::fs::read_to_string(&old).unwrap().lines().count(), 1);
        let page = log.history("a1".into(), None, 10).await.unwrap();
        assert_eq!(page.iter().map(|e| e.status).collect::<Vec<_>>(), [201]);
        assert_eq!(log.target().await.account.as_deref(), Some("1"));
    }

    #[tokio::test]
    async fn history_reads_back_past_megabytes_of_damaged_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, target(), Account::fixed("1".into())).unwrap();
        log.append(&entry("a1", "dev", 200)).await.unwrap();
        // Megabytes of unreadable lines (a damaged start) before the recent entries.
        let junk = format!("{}\n", "x".repeat(1 << 20)).repeat(8);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(junk.as_bytes())
            .unwrap();
        for status in 201..=203 {
            log.append(&entry("a1", "dev", status)).await.unwrap();
        }
        let page = log.history("a1".into(), None, 2).await.unwrap();
        assert_eq!(
            page.iter().map(|e| e.status).collect::<Vec<_>>(),
            [203, 202]
        );
        let all = log.history("a1".into(), None, 10).await.unwrap();
        assert_eq!(
            all.iter().map(|e| e.status).collect::<Vec<_>>(),
            [203, 202, 201, 200]
        );
    }

    proptest::proptest! {
        #[test]
        fn lines_backwards_are_the_lines_reversed(
            text in "[ab\n]{0,64}",
            block in 1usize..9,
        ) {
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(text.as_bytes()).unwrap();
            let read: Vec<String> = LinesBackwards::new(file, block)
                .unwrap()
                .map(|l| String::from_utf8(l.unwrap()).unwrap())
                .collect();
            let expected: Vec<String> =
                text.split('\n').filter(|l| !l.is_empty()).rev().map(str::to_owned).collect();
            proptest::prop_assert_eq!(read, expected);
        }
    }
}
