//! `--audit-log FILE`: one JSON line per change the proxy forwarded or refused, appended and
//! fsync'd before the editor gets its answer, and read back by `GET /api/_stagecraft/audit`.
//!
//! A line:
//! `{"time":"2026-12-02T06:00:00.123Z","user":"alice","identity":"header","target":{"kind":"aws","region":"eu-west-1","account":null,"endpoint":null},"operation":"UpdateStage","restApiId":"a1","stage":"prod","patchOperations":[…],"status":200,"result":"ok","requestId":"…"}`
//! with `error` (`{"type","message"}`) when the target refused (`result: "failed"`) or the proxy did
//! (`result: "refused"`), `request` (the body) for changes other than UpdateStage, and for an UpdateStage
//! that went through, `before` (the stage read just before it) and `after` (the target's answer).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

/// What was called: `kind` (`emulator`, `aws`, `endpoint`), region, account when known, endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// `emulator`, `aws` or `endpoint`.
    pub kind: String,
    /// Signing region.
    pub region: String,
    /// AWS account id (known for the embedded emulator only).
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

/// The open log.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
    /// Recorded in every entry.
    pub target: TargetInfo,
}

impl AuditLog {
    /// Opens (creates) `path` for appending.
    ///
    /// # Errors
    /// It cannot be opened for writing.
    pub fn open(path: &Path, target: TargetInfo) -> Result<Self, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the audit log {}: {e}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Arc::new(Mutex::new(file)),
            target,
        })
    }

    /// Appends `entry` as one line and waits until it is on disk.
    ///
    /// # Errors
    /// Writing or syncing failed.
    pub async fn append(&self, entry: &Entry) -> Result<(), String> {
        let mut line = serde_json::to_vec(entry).map_err(|e| e.to_string())?;
        line.push(b'\n');
        let file = self.file.clone();
        tokio::task::spawn_blocking(move || {
            let mut file = file
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            file.write_all(&line)?;
            file.sync_data()
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot write the audit log: {e}"))
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
            let file = File::open(&path)
                .map_err(|e| format!("cannot read the audit log {}: {e}", path.display()))?;
            let mut found: Vec<Entry> = BufReader::new(file)
                .lines()
                .map_while(Result::ok)
                .filter_map(|line| serde_json::from_str::<Entry>(&line).ok())
                .filter(|e| {
                    e.rest_api_id == rest_api_id
                        && stage.as_ref().is_none_or(|s| e.stage.as_ref() == Some(s))
                })
                .collect();
            found.reverse();
            found.truncate(limit);
            Ok(found)
        })
        .await
        .map_err(|e| e.to_string())?
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
        let log = AuditLog::open(&path, target()).unwrap();
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
}
