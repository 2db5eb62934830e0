//! Faults injected under the journal: a full disk (a write that stops half-way), a failing `fsync`,
//! values that cannot be encoded, handlers that fail after committing. Each test drives the router
//! and then replays the file as a restart would.

use std::fs::{File, OpenOptions as FileOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::log::Disk;
use super::{Journal, OpenMode};
use crate::store::{Record, Store};
use crate::{AppState, Config, Error};

#[derive(Clone, Default)]
struct Faults {
    full: Arc<AtomicBool>,
    fail_sync: Arc<AtomicBool>,
    /// Every other append fails as on a full disk, starting with the next one.
    flaky: Arc<AtomicBool>,
    appends: Arc<AtomicU64>,
}

impl Faults {
    fn set(&self, full: bool, fail_sync: bool) {
        self.full.store(full, Ordering::SeqCst);
        self.fail_sync.store(fail_sync, Ordering::SeqCst);
    }
}

/// The state file, except that a "full" disk takes half of a write and then fails with ENOSPC,
/// and `fsync` can be made to fail with EIO.
struct FaultyDisk {
    file: File,
    faults: Faults,
}

impl Disk for FaultyDisk {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let flaky = self.faults.flaky.load(Ordering::SeqCst)
            && self
                .faults
                .appends
                .fetch_add(1, Ordering::SeqCst)
                .is_multiple_of(2);
        if flaky || self.faults.full.load(Ordering::SeqCst) {
            self.file.write_all(&bytes[..bytes.len() / 2])?;
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device",
            ));
        }
        self.file.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.faults.fail_sync.load(Ordering::SeqCst) {
            return Err(io::Error::other("Input/output error (fsync)"));
        }
        self.file.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }
}

fn temp_path(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stagecraft-journal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.log")
}

/// An emulator (signatures off) journaling to `path` through a [`FaultyDisk`], seeded with the demo.
fn faulty_app(path: &Path, faults: &Faults) -> (AppState, Router, String) {
    let file = FileOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let disk = FaultyDisk {
        file,
        faults: faults.clone(),
    };
    let parts = Journal::start(Store::default(), Box::new(disk), 0).unwrap();
    let config = Config {
        verify_signatures: false,
        ..Config::default()
    };
    let state = AppState::with_parts(config, parts);
    let api = crate::seed_demo(&state).unwrap();
    (state.clone(), crate::app(state), api)
}

async fn call(app: &Router, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn set_variable(name: &str) -> Value {
    json!({"patchOperations": [{"op": "replace", "path": format!("/variables/{name}"), "value": "1"}]})
}

/// The stage's variables after a restart from the file (a full replay, no repair).
fn replayed_variables(path: &Path, api: &str) -> Vec<String> {
    let (store, _journal) = Journal::open(path, OpenMode::default()).unwrap();
    let store = store.read().unwrap();
    store.apis[api].stages["prod"]
        .variables
        .keys()
        .cloned()
        .collect()
}

async fn live_variables(app: &Router, api: &str) -> Value {
    let (status, stage) = call(app, "GET", &format!("/restapis/{api}/stages/prod"), None).await;
    assert_eq!(status, 200);
    stage["variables"].clone()
}

async fn fault_then_recover(name: &str, full: bool, fail_sync: bool) {
    let path = temp_path(name);
    let faults = Faults::default();
    let (_state, app, api) = faulty_app(&path, &faults);
    let stage = format!("/restapis/{api}/stages/prod");
    assert_eq!(
        call(&app, "PATCH", &stage, Some(set_variable("before")))
            .await
            .0,
        200
    );
    let before = live_variables(&app, &api).await;

    faults.set(full, fail_sync);
    let (status, body) = call(&app, "PATCH", &stage, Some(set_variable("lost"))).await;
    assert_eq!(status, 500, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Could not persist the change"),
        "{body}"
    );
    let (status, _) = call(&app, "POST", "/restapis", Some(json!({"name": "x"}))).await;
    assert_eq!(status, 500);
    // Reads keep working, and show nothing of the failed writes.
    assert_eq!(live_variables(&app, &api).await, before);
    let (status, apis) = call(&app, "GET", "/restapis", None).await;
    assert_eq!((status, apis["item"].as_array().unwrap().len()), (200, 1));

    faults.set(false, false);
    assert_eq!(
        call(&app, "PATCH", &stage, Some(set_variable("after")))
            .await
            .0,
        200
    );
    let mut expected = before;
    expected["after"] = json!("1");
    assert_eq!(live_variables(&app, &api).await, expected);
    // The file holds exactly what was acknowledged: no half-written line, no failed change.
    let keys: Vec<String> = expected.as_object().unwrap().keys().cloned().collect();
    assert_eq!(replayed_variables(&path, &api), keys);
}

#[tokio::test]
async fn a_full_disk_fails_the_write_changes_nothing_and_recovers() {
    fault_then_recover("full", true, false).await;
}

#[tokio::test]
async fn a_failing_fsync_fails_the_write_changes_nothing_and_recovers() {
    fault_then_recover("fsync", false, true).await;
}

/// Waves of 30 concurrent writers: on a good disk, on one where every other group write fails, and on
/// a good disk again. Every acknowledged update is in memory and on disk, every failed one in neither
/// (mutations queued behind a failed write fail with it, since they may build on it).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_across_failures_see_all_or_nothing() {
    let path = temp_path("concurrent");
    let faults = Faults::default();
    let (_state, app, api) = faulty_app(&path, &faults);
    let stage = format!("/restapis/{api}/stages/prod");
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    // 90 variables: a stage holds at most 100, and the demo's prod has two.
    for wave in 0..3 {
        faults.flaky.store(wave == 1, Ordering::SeqCst);
        let tasks: Vec<_> = (0..30)
            .map(|i| {
                let app = app.clone();
                let stage = stage.clone();
                tokio::spawn(async move {
                    let name = format!("w{wave}_{i}");
                    let (status, body) =
                        call(&app, "PATCH", &stage, Some(set_variable(&name))).await;
                    (name, status, body)
                })
            })
            .collect();
        for t in tasks {
            let (name, status, body) = t.await.unwrap();
            match status {
                200 => ok.push(name),
                500 => failed.push(name),
                other => panic!("unexpected status {other}: {body}"),
            }
        }
    }
    assert!(failed.iter().all(|n| n.starts_with("w1_")), "{failed:?}");
    assert!(!failed.is_empty() && ok.len() >= 60, "{failed:?}");
    let written = |k: &String| k.starts_with('w');
    let live = live_variables(&app, &api).await;
    let mut live: Vec<String> = live.as_object().unwrap().keys().cloned().collect();
    live.retain(written);
    ok.sort();
    live.sort();
    assert_eq!(live, ok);
    let mut disk = replayed_variables(&path, &api);
    disk.retain(written);
    assert_eq!(disk, ok);
}

#[tokio::test]
async fn a_change_that_cannot_be_encoded_fails_and_is_undone() {
    let state = AppState::open(Config::default(), temp_path("encode")).unwrap();
    let api = crate::seed_demo(&state).unwrap();
    let before = state.read(|s| s.apis[&api].stages["prod"].clone());
    let result = state
        .mutate(|tx| {
            let mut stage = tx.store().apis[&api].stages["prod"].clone();
            stage.description = Some("changed".into());
            stage.canary_settings = Some(stagecraft_core::CanarySettings {
                percent_traffic: f64::NAN,
                ..stagecraft_core::CanarySettings::default()
            });
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(stage),
            });
            Ok(())
        })
        .await;
    let err = result.unwrap_err();
    assert_eq!(err.status, 500);
    assert!(
        err.message.contains("does not read back"),
        "{}",
        err.message
    );
    assert_eq!(state.read(|s| s.apis[&api].stages["prod"].clone()), before);
}

#[tokio::test]
async fn a_handler_error_undoes_what_it_committed() {
    let state = AppState::in_memory(Config::default());
    let api = crate::seed_demo(&state).unwrap();
    let result: Result<(), Error> = state
        .mutate(|tx| {
            tx.commit(Record::DeleteStage {
                api: api.clone(),
                name: "prod".into(),
            });
            tx.commit(Record::DeleteApi { id: api.clone() });
            Err(Error::bad_request("no"))
        })
        .await;
    assert_eq!(result.unwrap_err().status, 400);
    assert!(state.read(|s| s.apis[&api].stages.contains_key("prod")));
}

#[test]
fn a_corrupt_middle_record_is_refused_untouched_and_repair_keeps_the_rest() {
    use super::codec::encode;
    use stagecraft_core::api::RestApi;
    let put = |id: &str| {
        encode(&[Record::PutApi {
            seq: 1,
            api: RestApi {
                id: id.into(),
                ..RestApi::default()
            },
        }])
        .unwrap()
    };
    let path = temp_path("corrupt");
    let mut log = put("a");
    let offset = log.len();
    let mut bad = put("b");
    bad[offset / 2] ^= 0x04;
    log.extend(bad);
    log.extend(put("c"));
    std::fs::write(&path, &log).unwrap();

    let err = Journal::open(&path, OpenMode::default()).err().unwrap();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "unreadable record at byte offset {offset} (line 2"
        )),
        "{message}"
    );
    assert!(message.contains("--repair"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), log, "the file was changed");

    let (store, _journal) = Journal::open(&path, OpenMode { repair: true }).unwrap();
    let ids: Vec<String> = store.read().unwrap().apis.keys().cloned().collect();
    assert_eq!(ids, ["a", "c"]);
    let dir = path.parent().unwrap();
    let aside: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), log);
    // The repaired log now reads without --repair.
    assert!(Journal::open(&path, OpenMode::default()).is_ok());
}
