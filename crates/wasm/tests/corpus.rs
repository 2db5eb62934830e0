//! The shared fixture corpus through the bindings' conversion layer ([`stagecraft_wasm::api`]), natively.
//! `tests/wasm.rs` runs the same corpus through the real exports in Node and Chromium.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::{Value, json};
use stagecraft_core::Stage;
use stagecraft_core::write::{WriteJson, to_json_string};
use stagecraft_wasm::api;

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// What JS gets: the JSON text the package writes, parsed.
fn written<T: WriteJson + ?Sized>(value: &T) -> Value {
    serde_json::from_str(&to_json_string(value)).unwrap()
}

fn corpus(name: &str) -> Vec<Value> {
    let file = format!("{name}.json");
    let text = FIXTURES
        .iter()
        .find(|(n, _)| *n == file)
        .unwrap_or_else(|| panic!("tests/fixtures/{file} is not in the build-time listing"))
        .1;
    let cases: Vec<Value> = serde_json::from_str(text).unwrap();
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

fn stage(v: &Value) -> Stage {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn valid_documents_are_valid_from_text_and_value() {
    for case in corpus("valid") {
        let doc = &case["document"];
        assert!(api::validate_stage_value(doc).valid, "{}", case["name"]);
        assert!(
            api::validate_stage_text(&doc.to_string()).unwrap().valid,
            "{}",
            case["name"]
        );
    }
}

#[test]
fn invalid_documents_report_exact_issues() {
    for case in corpus("invalid") {
        let report = api::validate_stage_text(&case["document"].to_string()).unwrap();
        assert!(!report.valid, "{}", case["name"]);
        assert_eq!(written(&report.errors), case["errors"], "{}", case["name"]);
    }
}

#[test]
fn diff_cases() {
    for case in corpus("diff") {
        match api::diff_values(case["before"].clone(), case["after"].clone()) {
            Ok(ops) => {
                let ops = written(&ops);
                assert_eq!(ops, case["ops"], "{}", case["name"]);
                let applied = api::apply_values(case["before"].clone(), ops).unwrap();
                assert_eq!(applied, stage(&case["after"]), "{}", case["name"]);
            }
            Err(e) => {
                assert_eq!(e.name, "UnsupportedChangeError", "{}", case["name"]);
                assert_eq!(
                    json!({"field": e.field, "message": e.message}),
                    case["error"],
                    "{}",
                    case["name"]
                );
            }
        }
    }
}

#[test]
fn apply_cases() {
    for case in corpus("apply") {
        match api::apply_values(case["stage"].clone(), case["ops"].clone()) {
            Ok(next) => assert_eq!(next, stage(&case["result"]), "{}", case["name"]),
            Err(e) => assert_eq!(
                json!({"type": e.name, "message": e.message}),
                case["error"],
                "{}",
                case["name"]
            ),
        }
    }
}
