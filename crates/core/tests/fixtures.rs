//! Runs the shared fixture corpus in `tests/fixtures/` against the native core.

use serde_json::{Value, json};
use stagecraft_core::{PatchOperation, Stage, apply, diff, validate_stage, validate_stage_str};

fn corpus(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../tests/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(!cases.is_empty(), "{path} has no cases");
    cases
}

fn stage(v: &Value) -> Stage {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn valid_documents_have_no_issues_and_round_trip() {
    for case in corpus("valid") {
        let report = validate_stage(&case["document"]);
        assert!(report.valid, "{}: {:?}", case["name"], report.errors);
        let text = case["document"].to_string();
        assert!(
            validate_stage_str(&text).unwrap().valid,
            "{} (from text)",
            case["name"]
        );
        let parsed = stage(&case["document"]);
        let reparsed = stage(&serde_json::to_value(&parsed).unwrap());
        assert_eq!(parsed, reparsed, "{}", case["name"]);
    }
}

#[test]
fn invalid_documents_report_exact_issues() {
    for case in corpus("invalid") {
        let report = validate_stage(&case["document"]);
        assert!(!report.valid, "{}", case["name"]);
        assert_eq!(json!(report.errors), case["errors"], "{}", case["name"]);
        let text = serde_json::to_string_pretty(&case["document"]).unwrap();
        assert_eq!(
            validate_stage_str(&text).unwrap(),
            report,
            "{} (from text)",
            case["name"]
        );
    }
}

#[test]
fn diff_cases_give_exact_ops_that_apply_back() {
    for case in corpus("diff") {
        let (before, after) = (stage(&case["before"]), stage(&case["after"]));
        match diff(&before, &after) {
            Ok(ops) => {
                assert_eq!(json!(ops), case["ops"], "{}", case["name"]);
                assert_eq!(apply(&before, &ops).unwrap(), after, "{}", case["name"]);
            }
            Err(e) => assert_eq!(
                json!({"field": e.field, "message": e.message}),
                case["error"],
                "{}",
                case["name"]
            ),
        }
    }
}

#[test]
fn apply_cases_follow_update_stage_semantics() {
    for case in corpus("apply") {
        let before = stage(&case["stage"]);
        let ops: Vec<PatchOperation> = serde_json::from_value(case["ops"].clone()).unwrap();
        match apply(&before, &ops) {
            Ok(next) => assert_eq!(next, stage(&case["result"]), "{}", case["name"]),
            Err(e) => assert_eq!(
                json!({"type": e.error_type.code(), "message": e.message}),
                case["error"],
                "{}",
                case["name"]
            ),
        }
    }
}
