//! The `validate`, `diff`, `apply` and `schema` subcommands, run as a user would.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{Value, json};

fn stagecraft() -> Command {
    Command::cargo_bin("stagecraft").unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// A stage as `aws apigateway get-stage` prints it (ISO dates).
const CLI_STAGE: &str = r#"{
    "deploymentId": "abc123",
    "stageName": "prod",
    "cacheClusterEnabled": false,
    "cacheClusterStatus": "NOT_AVAILABLE",
    "methodSettings": {
        "*/*": {
            "metricsEnabled": false, "dataTraceEnabled": false, "throttlingBurstLimit": 5000,
            "throttlingRateLimit": 10000.0, "cachingEnabled": true, "cacheTtlInSeconds": 300,
            "cacheDataEncrypted": false, "requireAuthorizationForCacheControl": true,
            "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"
        }
    },
    "tracingEnabled": false,
    "createdDate": "2023-11-14T22:13:20+00:00",
    "lastUpdatedDate": "2023-11-14T22:15:00+00:00"
}"#;

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn validate_accepts_aws_cli_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "stage.json", CLI_STAGE);
    let out = stagecraft().arg("validate").arg(&file).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("stage.json: valid\n"));
}

#[test]
fn validate_reports_paths_codes_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "bad.json",
        &CLI_STAGE.replace("\"cacheTtlInSeconds\": 300", "\"cacheTtlInSeconds\": 4000"),
    );
    let out = stagecraft()
        .args(["validate", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_json(&out),
        json!({"valid": false, "errors": [{
            "path": "/methodSettings/*~1*/cacheTtlInSeconds", "code": "invalid_ttl",
            "message": "Invalid time-to-live setting, must be an integer no greater than 3600"}]})
    );
    let text = stagecraft().arg("validate").arg(&file).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&text.stdout),
        "/methodSettings/*~1*/cacheTtlInSeconds: Invalid time-to-live setting, must be an integer no greater than 3600 [invalid_ttl]\n"
    );
}

#[test]
fn validate_reads_stdin_and_reports_syntax_errors_with_position() {
    let out = stagecraft()
        .arg("validate")
        .write_stdin("{\n  \"stageName\": \"prod\",\n}")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("<stdin>: invalid JSON at line 3, column 1"),
        "{err}"
    );
}

#[test]
fn validate_checks_patches() {
    let out = stagecraft()
        .args(["validate", "--patch", "--format", "json", "-"])
        .write_stdin(r#"{"patchOperations":[{"op":"replace","path":"/description","value":"x"},{"op":"remove","path":"/description"}]}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_json(&out)["errors"],
        json!([{"path": "/patchOperations/1/path", "code": "cannot_remove",
                "message": "Cannot remove method setting description because there is no method setting for this method "}])
    );
    let out = stagecraft()
        .args(["validate", "--patch", "-"])
        .write_stdin(r#"[{"op":"replace","path":"/tags/a","value":"x"}]"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = stagecraft()
        .args(["validate", "/nonexistent/stage.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/stage.json"));
}

#[test]
fn diff_prints_update_stage_operations() {
    let dir = tempfile::tempdir().unwrap();
    let before = write(&dir, "before.json", CLI_STAGE);
    let mut after: Value = serde_json::from_str(CLI_STAGE).unwrap();
    after["methodSettings"]["~1pets~1{petId}/GET"] = after["methodSettings"]["*/*"].clone();
    after["methodSettings"]["~1pets~1{petId}/GET"]["cacheTtlInSeconds"] = json!(60);
    after["variables"] = json!({"backend": "example.com"});
    let after = write(&dir, "after.json", &after.to_string());
    let out = stagecraft()
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout_json(&out),
        json!([
            {"op": "replace", "path": "/variables/backend", "value": "example.com"},
            {"op": "replace", "path": "/~1pets~1{petId}/GET/caching/ttlInSeconds", "value": "60"}
        ])
    );

    // The printed operations applied to BEFORE give AFTER.
    let ops = write(&dir, "ops.json", &String::from_utf8_lossy(&out.stdout));
    let applied = stagecraft()
        .arg("apply")
        .arg(&before)
        .arg(&ops)
        .output()
        .unwrap();
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&after).unwrap()).unwrap();
    let mut applied = stdout_json(&applied);
    // Dates come back as epoch seconds.
    applied["createdDate"] = expected["createdDate"].clone();
    applied["lastUpdatedDate"] = expected["lastUpdatedDate"].clone();
    assert_eq!(applied, expected);
}

#[test]
fn diff_refuses_tag_changes_and_names_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let before = write(&dir, "before.json", CLI_STAGE);
    let mut after: Value = serde_json::from_str(CLI_STAGE).unwrap();
    after["tags"] = json!({"team": "payments"});
    let after = write(&dir, "after.json", &after.to_string());
    let out = stagecraft()
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TagResource"));
}

#[test]
fn apply_prints_aws_error_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let stage = write(&dir, "stage.json", CLI_STAGE);
    let ops = write(
        &dir,
        "ops.json",
        r#"{"patchOperations":[{"op":"remove","path":"/~1orders/POST"}]}"#,
    );
    let out = stagecraft()
        .arg("apply")
        .arg(&stage)
        .arg(&ops)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "BadRequestException: Cannot remove method setting ~1orders/POST because there is no method setting for this method \n"
    );
}

#[test]
fn schema_is_draft_2020_12() {
    let out = stagecraft().arg("schema").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        stdout_json(&out)["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}
