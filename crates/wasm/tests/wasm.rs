//! The exports through the real JS boundary, under wasm-bindgen-test: in Node by default, in headless
//! Chromium with `WASM_BINDGEN_USE_BROWSER=1` (both run by `cargo xtask ci`). Same fixture corpus as the
//! native tests, plus the error contract and hostile inputs (cycles, BigInt, huge strings, wrong types).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, JSON, Object, Reflect};
use serde_json::{Value, json};
use stagecraft_core::Stage;
use stagecraft_wasm::exports::{
    apply_patch, diff_stages, effective_method_settings, method_setting_fields, method_setting_key,
    parse_method_setting_key, stage_schema, validate_patch, validate_stage,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

fn corpus(name: &str) -> Vec<Value> {
    let file = format!("{name}.json");
    let text = FIXTURES
        .iter()
        .find(|(n, _)| *n == file)
        .expect("fixture file listed")
        .1;
    let cases: Vec<Value> = serde_json::from_str(text).unwrap();
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

/// A JS object built by the engine from a Rust JSON value.
fn js(v: &Value) -> JsValue {
    JSON::parse(&v.to_string()).unwrap()
}

/// A JS value back as JSON.
fn rs(v: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(v).unwrap())).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn stage(v: &Value) -> Stage {
    serde_json::from_value(v.clone()).unwrap()
}

/// The thrown value must be a real `Error` with this `name` (and class, for the built-in ones).
fn assert_error(err: &JsValue, name: &str) {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    assert_eq!(text(err, "name"), name, "message: {}", text(err, "message"));
    match name {
        "TypeError" => assert!(err.is_instance_of::<js_sys::TypeError>()),
        "SyntaxError" => assert!(err.is_instance_of::<js_sys::SyntaxError>()),
        "RangeError" => assert!(err.is_instance_of::<js_sys::RangeError>()),
        _ => {}
    }
}

/// After a hostile input the module must still answer normally.
fn still_works() {
    let r = validate_stage(&JsValue::from_str(r#"{"stageName":"prod"}"#)).unwrap();
    assert_eq!(get(&r, "valid"), JsValue::TRUE);
}

#[wasm_bindgen_test]
fn valid_fixtures_from_object_and_text() {
    for case in corpus("valid") {
        let doc = &case["document"];
        let r = validate_stage(&js(doc)).unwrap();
        assert_eq!(
            rs(&r),
            json!({"valid": true, "errors": []}),
            "{}",
            case["name"]
        );
        let r = validate_stage(&JsValue::from_str(&doc.to_string())).unwrap();
        assert_eq!(get(&r, "valid"), JsValue::TRUE, "{}", case["name"]);
    }
}

#[wasm_bindgen_test]
fn invalid_fixtures_report_exact_issues() {
    for case in corpus("invalid") {
        for input in [
            js(&case["document"]),
            JsValue::from_str(&case["document"].to_string()),
        ] {
            let r = rs(&validate_stage(&input).unwrap());
            assert_eq!(r["valid"], json!(false), "{}", case["name"]);
            assert_eq!(r["errors"], case["errors"], "{}", case["name"]);
        }
    }
}

#[wasm_bindgen_test]
fn diff_fixtures() {
    for case in corpus("diff") {
        match diff_stages(&js(&case["before"]), &js(&case["after"])) {
            Ok(ops) => {
                assert_eq!(rs(&ops), case["ops"], "{}", case["name"]);
                let applied = apply_patch(&js(&case["before"]), &ops).unwrap();
                assert_eq!(
                    stage(&rs(&applied)),
                    stage(&case["after"]),
                    "{}",
                    case["name"]
                );
                assert!(
                    get(&validate_patch(&ops).unwrap(), "valid").is_truthy(),
                    "{}",
                    case["name"]
                );
            }
            Err(e) => {
                assert_error(&e, "UnsupportedChangeError");
                assert_eq!(
                    json!({"field": text(&e, "field"), "message": text(&e, "message")}),
                    case["error"],
                    "{}",
                    case["name"]
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn apply_fixtures() {
    for case in corpus("apply") {
        let before = js(&case["stage"]);
        let snapshot = rs(&before);
        match apply_patch(&before, &js(&case["ops"])) {
            Ok(next) => assert_eq!(
                stage(&rs(&next)),
                stage(&case["result"]),
                "{}",
                case["name"]
            ),
            Err(e) => {
                assert!(e.is_instance_of::<js_sys::Error>(), "{}", case["name"]);
                assert_eq!(
                    json!({"type": text(&e, "name"), "message": text(&e, "message")}),
                    case["error"],
                    "{}",
                    case["name"]
                );
            }
        }
        assert_eq!(
            rs(&before),
            snapshot,
            "{}: the input object must be untouched",
            case["name"]
        );
    }
}

#[wasm_bindgen_test]
fn bad_request_is_an_error_named_after_the_aws_type() {
    let ops = js(&json!([{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "3601"}]));
    let e = apply_patch(&js(&json!({"methodSettings": {}})), &ops).unwrap_err();
    assert_error(&e, "BadRequestException");
    assert_eq!(
        text(&e, "message"),
        "Invalid time-to-live setting, must be an integer no greater than 3600"
    );
    assert_eq!(text(&e, "path"), "/0/value");
    assert_eq!(Array::from(&get(&e, "errors")).length(), 1);
    // String(error) is "BadRequestException: …", as AWS SDKs print it.
    let shown: String = e.unchecked_ref::<js_sys::Error>().to_string().into();
    assert!(
        shown.starts_with("BadRequestException: Invalid time-to-live"),
        "{shown}"
    );

    let e = apply_patch(
        &js(&json!({})),
        &js(&json!({"patchOperations": [{"op": "remove", "path": "/*/*"}]})),
    )
    .unwrap_err();
    assert_error(&e, "BadRequestException");
    assert_eq!(
        text(&e, "message"),
        "Cannot remove method setting */* because there is no method setting for this method "
    );
}

#[wasm_bindgen_test]
fn unsupported_change_names_the_field() {
    let e = diff_stages(
        &js(&json!({"tags": {"a": "1"}})),
        &js(&json!({"tags": {"a": "2"}})),
    )
    .unwrap_err();
    assert_error(&e, "UnsupportedChangeError");
    assert_eq!(text(&e, "field"), "/tags");
}

#[wasm_bindgen_test]
fn invalid_stage_arguments_are_validation_errors() {
    let e = diff_stages(&js(&json!({})), &js(&json!({"stageName": "a b"}))).unwrap_err();
    assert_error(&e, "ValidationError");
    assert_eq!(
        text(&e, "message"),
        "after is not a valid stage: /stageName: Stage name only allows a-zA-Z0-9_"
    );
    let e = apply_patch(&JsValue::from_f64(1.0), &Array::new()).unwrap_err();
    assert_error(&e, "ValidationError");
}

#[wasm_bindgen_test]
fn wrong_types_are_reported_or_thrown_never_panics() {
    // JSON values of the wrong type are validation reports, not exceptions.
    for v in [
        JsValue::NULL,
        JsValue::from_f64(42.0),
        JsValue::TRUE,
        Array::new().into(),
    ] {
        let r = rs(&validate_stage(&v).unwrap());
        assert_eq!(r["errors"][0]["code"], "invalid_type");
        let r = rs(&validate_patch(&v).unwrap());
        assert_eq!(
            r["valid"],
            json!(matches!(r["errors"].as_array().map(Vec::len), Some(0)))
        );
    }
    // Values JSON cannot hold are TypeErrors.
    let symbol = js_sys::Symbol::for_("x");
    let function = js_sys::Function::new_no_args("return 1");
    for v in [
        JsValue::UNDEFINED,
        symbol.into(),
        function.into(),
        JsValue::bigint_from_str("12"),
    ] {
        assert_error(&validate_stage(&v).unwrap_err(), "TypeError");
        assert_error(&diff_stages(&v, &Object::new()).unwrap_err(), "TypeError");
        assert_error(
            &method_setting_key(&v, &JsValue::from_str("GET")).unwrap_err(),
            "TypeError",
        );
        assert_error(&parse_method_setting_key(&v).unwrap_err(), "TypeError");
        still_works();
    }
    // A nested BigInt too.
    let doc = Object::new();
    Reflect::set(
        &doc,
        &"createdDate".into(),
        &JsValue::bigint_from_str("1700000000"),
    )
    .unwrap();
    assert_error(&validate_stage(&doc).unwrap_err(), "TypeError");
    // Wrong field types are reported with their pointer.
    let r = rs(&validate_stage(&js(
        &json!({"methodSettings": {"*/*": {"cachingEnabled": "yes"}}}),
    ))
    .unwrap());
    assert_eq!(
        r["errors"][0]["path"],
        "/methodSettings/*~1*/cachingEnabled"
    );
    still_works();
}

#[wasm_bindgen_test]
fn cyclic_objects_throw_type_error() {
    let doc = Object::new();
    let ms = Object::new();
    Reflect::set(&doc, &"methodSettings".into(), &ms).unwrap();
    Reflect::set(&ms, &"*/*".into(), &doc).unwrap();
    assert_error(&validate_stage(&doc).unwrap_err(), "TypeError");
    assert_error(&apply_patch(&doc, &Array::new()).unwrap_err(), "TypeError");
    let ops = Array::new();
    ops.push(&ops);
    assert_error(&validate_patch(&ops).unwrap_err(), "TypeError");
    still_works();
}

/// The message of a `ValidationReport`'s first issue.
fn first_message(report: &JsValue) -> String {
    let errors = Reflect::get(report, &"errors".into()).unwrap();
    let first = Reflect::get(&errors, &0.into()).unwrap();
    Reflect::get(&first, &"message".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn deep_nesting_is_reported_or_refused_never_overflows() {
    // The streaming validator skips values it does not descend into without recursion: a deep array is
    // reported by type, wherever it is.
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let root = validate_stage(&JsValue::from_str(&deep)).unwrap();
    assert_eq!(first_message(&root), "Expected object, got array");
    let field = format!(r#"{{"methodSettings": {{"*/*": {{"metricsEnabled": {deep}}}}}}}"#);
    let report = validate_stage(&JsValue::from_str(&field)).unwrap();
    assert_eq!(first_message(&report), "Expected boolean, got array");
    // An unknown field may hold anything; reading it into the model (diff, apply) is depth-bounded.
    let unknown = format!(r#"{{"someNewAwsField": {deep}}}"#);
    assert!(validate_stage(&JsValue::from_str(&unknown)).is_ok());
    assert_error(
        &diff_stages(&JsValue::from_str(&unknown), &js(&json!({}))).unwrap_err(),
        "ValidationError",
    );
    let mut v = JsValue::from_f64(1.0);
    for _ in 0..1_000 {
        let a = Array::new();
        a.push(&v);
        v = a.into();
    }
    let r = validate_stage(&js(&json!({"description": "x"})));
    assert!(r.is_ok());
    let report = validate_stage(&v).unwrap();
    assert_eq!(first_message(&report), "Expected object, got array");
    // Bad JSON is still a SyntaxError, however deep.
    let unclosed = "[".repeat(50_000);
    assert_error(
        &validate_stage(&JsValue::from_str(&unclosed)).unwrap_err(),
        "SyntaxError",
    );
    still_works();
}

#[wasm_bindgen_test]
fn huge_strings_are_range_errors() {
    let huge = JsValue::from(js_sys::JsString::from("x").repeat(33 << 20));
    assert_error(&validate_stage(&huge).unwrap_err(), "RangeError");
    assert_error(
        &method_setting_key(&huge, &JsValue::from_str("GET")).unwrap_err(),
        "RangeError",
    );
    let doc = Object::new();
    Reflect::set(&doc, &"description".into(), &huge).unwrap();
    assert_error(&validate_stage(&doc).unwrap_err(), "RangeError");
    // Big but under the limit: answered.
    let big = format!(r#"{{"description": "{}"}}"#, "y".repeat(4 << 20));
    assert!(get(&validate_stage(&JsValue::from_str(&big)).unwrap(), "valid").is_truthy());
    still_works();
}

#[wasm_bindgen_test]
fn bad_json_text_is_a_syntax_error_with_position() {
    let e = validate_stage(&JsValue::from_str("{\"stageName\": }")).unwrap_err();
    assert_error(&e, "SyntaxError");
    assert!(
        text(&e, "message").contains("line 1 column 15"),
        "{}",
        text(&e, "message")
    );
}

#[wasm_bindgen_test]
fn text_crosses_as_utf8_whatever_its_characters() {
    let text = r#"{"stageName": "prod", "description": "é😀 ✓", "variables": {"v": "x"}}"#;
    let stage = apply_patch(&JsValue::from_str(text), &js(&json!([]))).unwrap();
    assert_eq!(rs(&stage)["description"], "é😀 ✓");
    // A lone surrogate in a JS string arrives as U+FFFD, as in any JS-to-Rust string.
    let lone = js_sys::JsString::from_char_code1(0xD800);
    let text = js_sys::JsString::from("{\"description\": \"a")
        .concat(&lone)
        .concat(&"\"}".into());
    let stage = apply_patch(&text, &js(&json!([]))).unwrap();
    assert_eq!(rs(&stage)["description"], "a\u{fffd}");
    let long = format!(r#"{{"description": "{}é"}}"#, "a".repeat(100_000));
    assert!(rs(&validate_stage(&JsValue::from_str(&long)).unwrap())["valid"] == true);
}

#[wasm_bindgen_test]
fn effective_settings_through_the_boundary() {
    let stage = js(&json!({"methodSettings": {"*/*": {"loggingLevel": "INFO"}}}));
    let e = rs(&effective_method_settings(&stage, &"/pets".into(), &"GET".into()).unwrap());
    assert_eq!(e["key"], "~1pets/GET");
    assert_eq!(
        e["settings"]["loggingLevel"],
        json!({"value": "INFO", "source": "*/*"})
    );
    assert_eq!(
        e["settings"]["cacheTtlInSeconds"],
        json!({"value": 300, "source": "default"})
    );
    let bad = js(&json!({"stageName": "a b"}));
    assert_error(
        &effective_method_settings(&bad, &"/".into(), &"GET".into()).unwrap_err(),
        "ValidationError",
    );
}

#[wasm_bindgen_test]
fn keys_table_and_schema() {
    let key = method_setting_key(&"/pets/{petId}".into(), &"get".into()).unwrap();
    assert_eq!(key.as_string().as_deref(), Some("~1pets~1{petId}/GET"));
    let parsed = rs(&parse_method_setting_key(&"~1/GET".into()).unwrap());
    assert_eq!(
        parsed,
        json!({"resourcePath": "/", "httpMethod": "GET", "canonical": true})
    );
    assert!(parse_method_setting_key(&"GET".into()).unwrap().is_null());

    let fields = rs(&method_setting_fields().unwrap());
    assert_eq!(
        fields.as_array().map(Vec::len),
        Some(stagecraft_core::METHOD_SETTINGS.len())
    );
    assert_eq!(fields[6]["field"], "cacheTtlInSeconds");
    assert_eq!(fields[6]["maximum"].as_f64(), Some(3600.0));

    let schema = rs(&stage_schema().unwrap());
    assert_eq!(schema, rs(&js(&stagecraft_core::schema::stage_schema())));
}

#[wasm_bindgen_test]
fn validate_patch_reports_aws_texts() {
    let r = rs(&validate_patch(&js(
        &json!([{"op": "move", "path": "/description", "from": "/x"}]),
    ))
    .unwrap());
    assert_eq!(r["errors"][0]["path"], "/0/op");
    assert_eq!(
        r["errors"][0]["message"],
        "Invalid move operation with path: /description"
    );
    let r = rs(&validate_patch(&JsValue::from_str(r#"{"patchOperations": []}"#)).unwrap());
    assert_eq!(r, json!({"valid": true, "errors": []}));
}
