//! Every export as a plain Rust function over JSON text and [`Value`]s, with errors as [`Failure`]s.
//!
//! The wasm32 exports only move values across the boundary and call these; the native tests call them
//! directly. Nothing here may panic on any input: sizes and depths are bounded, and every core error is
//! turned into a [`Failure`].

use serde_json::Value;
use stagecraft_core::validate::{JsonError, StageTextError};
use stagecraft_core::{METHOD_SETTINGS, PatchOperation, Stage};

use crate::mirror::{Failure, JsMethodSettingField, JsParsedKey, JsReport};

/// The largest JSON text (or string argument) accepted, in bytes: 32 MiB. API Gateway's own request limit
/// is 10 MB; the bound keeps a runaway input from exhausting wasm memory (which would abort the module).
pub const MAX_INPUT_BYTES: usize = 32 << 20;

/// Checks the size of a text argument.
///
/// # Errors
/// A `RangeError` above [`MAX_INPUT_BYTES`].
pub fn check_size(what: &str, len: usize) -> Result<(), Failure> {
    if len > MAX_INPUT_BYTES {
        return Err(Failure::range(format!(
            "{what} is too large: {len} bytes (the limit is {MAX_INPUT_BYTES} bytes)"
        )));
    }
    Ok(())
}

/// Parses JSON text, bounded in size (and in depth by serde_json).
///
/// # Errors
/// A `RangeError` for an oversized text, a `SyntaxError` with line and column for bad JSON.
pub fn parse_text(what: &str, text: &str) -> Result<Value, Failure> {
    check_size(what, text.len())?;
    stagecraft_core::validate::value_from_str(text).map_err(|e| syntax(what, &e))
}

/// The message of a JSON text that does not parse.
fn syntax(what: &str, e: &JsonError) -> Failure {
    Failure::syntax(format!("{what}: invalid JSON: {e}"))
}

/// `validateStage` of JSON text: core's one-pass reader reads the text directly (no [`Value`] is
/// built).
///
/// # Errors
/// A `RangeError` for an oversized text, a `SyntaxError` with line and column for bad JSON.
pub fn validate_stage_text(text: &str) -> Result<JsReport, Failure> {
    check_size("stage", text.len())?;
    let report = stagecraft_core::validate_stage_str(text).map_err(|e| syntax("stage", &e))?;
    Ok(JsReport::from(&report))
}

/// `validateStage` of a parsed document.
#[must_use]
pub fn validate_stage_value(doc: &Value) -> JsReport {
    JsReport::from(&stagecraft_core::validate_stage(doc))
}

/// `validatePatch` of a parsed array of operations (or `{ patchOperations }`).
#[must_use]
pub fn validate_patch_value(doc: &Value) -> JsReport {
    JsReport::from(&stagecraft_core::validate_patch(doc))
}

/// A stage argument as JSON text: validated and read into core's model in one pass
/// ([`stagecraft_core::validate::stage_from_str`]; no [`Value`] in between).
///
/// # Errors
/// A `SyntaxError` for bad JSON; a `ValidationError` naming `which` (`stage`, `before`, `after`) and the
/// first issue.
pub fn stage_from_text(which: &str, text: &str) -> Result<Stage, Failure> {
    check_size(which, text.len())?;
    stagecraft_core::validate::stage_from_str(text).map_err(|e| match e {
        StageTextError::Syntax(e) => syntax(which, &e),
        StageTextError::Invalid(report) => Failure::invalid_stage(which, &report),
        StageTextError::Model(e) => {
            Failure::validation(format!("{which} is not a valid stage: {e}"))
        }
    })
}

/// A patch argument (array or `{ patchOperations }`): validated, then read as typed operations.
///
/// # Errors
/// A `BadRequestException` with AWS's text for the first operation AWS would refuse.
pub fn ops_from_value(mut doc: Value) -> Result<Vec<PatchOperation>, Failure> {
    // `take` rather than `Map::remove`: the latter links the B-tree's rebalancing code (~4 KB of WASM).
    if let Some(ops) = doc.get_mut("patchOperations").map(Value::take) {
        doc = ops;
    }
    stagecraft_core::validate::patch_operations(&doc)
        .map_err(|report| Failure::invalid_ops(&report))
}

/// `diffStages` of two stages as JSON text: the UpdateStage operations that take `before` to `after`.
///
/// # Errors
/// `SyntaxError` for bad JSON, `ValidationError` for an invalid stage, `UnsupportedChangeError` for a
/// change UpdateStage cannot make.
pub fn diff_texts(before: &str, after: &str) -> Result<Vec<PatchOperation>, Failure> {
    let before = stage_from_text("before", before)?;
    let after = stage_from_text("after", after)?;
    Ok(stagecraft_core::diff(&before, &after)?)
}

/// `applyPatch` of a stage as JSON text: the stage after UpdateStage applies `ops`, atomically.
///
/// # Errors
/// `ValidationError` for an invalid stage, `BadRequestException` (AWS's text) for a refused operation.
pub fn apply_text(stage: &str, ops: Value) -> Result<Stage, Failure> {
    let stage = stage_from_text("stage", stage)?;
    let ops = ops_from_value(ops)?;
    Ok(stagecraft_core::apply(&stage, &ops)?)
}

/// [`diff_texts`] of parsed documents (the native tests' entry point).
///
/// # Errors
/// See [`diff_texts`].
pub fn diff_values(before: Value, after: Value) -> Result<Vec<PatchOperation>, Failure> {
    diff_texts(&before.to_string(), &after.to_string())
}

/// [`apply_text`] of a parsed document.
///
/// # Errors
/// See [`apply_text`].
pub fn apply_values(stage: Value, ops: Value) -> Result<Stage, Failure> {
    apply_text(&stage.to_string(), ops)
}

/// `methodSettingKey`.
///
/// # Errors
/// A `RangeError` for an oversized argument.
pub fn method_setting_key(resource_path: &str, http_method: &str) -> Result<String, Failure> {
    check_size("resourcePath", resource_path.len())?;
    check_size("httpMethod", http_method.len())?;
    Ok(stagecraft_core::method_setting_key(
        resource_path,
        http_method,
    ))
}

/// `effectiveMethodSettings` of a stage as JSON text: the ten settings in force for one method
/// (its own entry, else `*/*`, else AWS's defaults), each with its source, as
/// [`stagecraft_core::effective::EffectiveSettings::to_json`] writes them.
///
/// # Errors
/// `SyntaxError` for bad JSON, `ValidationError` for an invalid stage, a `RangeError` for an
/// oversized argument.
pub fn effective_method_settings(
    stage: &str,
    resource_path: &str,
    http_method: &str,
) -> Result<Value, Failure> {
    let key = method_setting_key(resource_path, http_method)?;
    let stage = stage_from_text("stage", stage)?;
    Ok(stagecraft_core::effective::effective_settings(&stage, &key).to_json())
}

/// `parseMethodSettingKey`: `None` for a malformed key.
///
/// # Errors
/// A `RangeError` for an oversized argument.
pub fn parse_method_setting_key(key: &str) -> Result<Option<JsParsedKey>, Failure> {
    check_size("key", key.len())?;
    Ok(stagecraft_core::parse_method_setting_key(key).map(JsParsedKey::from))
}

/// `methodSettingFields`: core's table, one row per setting.
#[must_use]
pub fn method_setting_fields() -> Vec<JsMethodSettingField> {
    METHOD_SETTINGS
        .iter()
        .map(JsMethodSettingField::from)
        .collect()
}

/// `stageSchema`: core's JSON Schema of a stage document, as JSON text serialized at build time
/// (smaller than the code that builds it).
pub const STAGE_SCHEMA_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/schema.json"));

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_fast_path_equals_value_path() {
        let doc = json!({"stageName": "bad name", "methodSettings": {"~1pets/GET": {"cacheTtlInSeconds": 4000}}});
        assert_eq!(
            validate_stage_text(&doc.to_string()).unwrap(),
            validate_stage_value(&doc)
        );
    }

    #[test]
    fn effective_settings_name_their_source() {
        let stage = json!({"methodSettings": {
            "*/*": {"throttlingBurstLimit": 7},
            "~1pets/GET": {"cacheTtlInSeconds": 60}
        }})
        .to_string();
        let e = effective_method_settings(&stage, "/pets", "get").unwrap();
        assert_eq!(e["key"], "~1pets/GET");
        let s = &e["settings"];
        assert_eq!(
            s["cacheTtlInSeconds"],
            json!({"value": 60, "source": "method"})
        );
        assert_eq!(
            s["throttlingBurstLimit"],
            json!({"value": 7, "source": "*/*"})
        );
        assert_eq!(
            s["throttlingRateLimit"],
            json!({"value": 10000.0, "source": "default"})
        );
        assert_eq!(
            s.as_object().map(serde_json::Map::len),
            Some(METHOD_SETTINGS.len())
        );
        let bad = effective_method_settings("{\"stageName\": \"a b\"}", "/", "GET");
        assert_eq!(bad.unwrap_err().name, "ValidationError");
    }

    #[test]
    fn bad_json_is_a_syntax_error_with_position() {
        let e = validate_stage_text("{\"stageName\": }").unwrap_err();
        assert_eq!(e.name, "SyntaxError");
        assert!(e.message.contains("line 1 column 15"), "{}", e.message);
    }

    #[test]
    fn deep_text_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        assert_eq!(validate_stage_text(&deep).unwrap_err().name, "SyntaxError");
    }

    #[test]
    fn oversized_text_is_a_range_error() {
        let huge = " ".repeat(MAX_INPUT_BYTES + 1);
        assert_eq!(validate_stage_text(&huge).unwrap_err().name, "RangeError");
        assert_eq!(
            method_setting_key(&huge, "GET").unwrap_err().name,
            "RangeError"
        );
    }

    #[test]
    fn diff_and_apply_round_trip() {
        let before = json!({"stageName": "prod", "deploymentId": "d1", "methodSettings": {}});
        let after = json!({"stageName": "prod", "deploymentId": "d2", "methodSettings": {"*/*": {"cacheTtlInSeconds": 60}}});
        let ops = diff_values(before.clone(), after.clone()).unwrap();
        assert!(!ops.is_empty());
        let applied = apply_values(before, serde_json::to_value(&ops).unwrap()).unwrap();
        let expected: Stage = serde_json::from_value(after).unwrap();
        assert_eq!(applied.deployment_id, expected.deployment_id);
        assert_eq!(
            applied.method_settings["*/*"].fields()["cacheTtlInSeconds"],
            json!(60)
        );
    }

    #[test]
    fn diff_refuses_tags_with_the_field() {
        let e = diff_values(json!({"tags": {"a": "1"}}), json!({"tags": {"a": "2"}})).unwrap_err();
        assert_eq!(
            (e.name.as_str(), e.field.as_deref()),
            ("UnsupportedChangeError", Some("/tags"))
        );
    }

    #[test]
    fn invalid_stage_arguments_are_validation_errors() {
        let e = diff_values(
            json!({}),
            json!({"methodSettings": {"*/*": {"cacheTtlInSeconds": 4000}}}),
        )
        .unwrap_err();
        assert_eq!(e.name, "ValidationError");
        assert_eq!(
            e.message,
            "after is not a valid stage: /methodSettings/*~1*/cacheTtlInSeconds: Invalid time-to-live setting, must be an integer no greater than 3600"
        );
        assert_eq!(
            apply_values(json!([]), json!([])).unwrap_err().name,
            "ValidationError"
        );
    }

    #[test]
    fn refused_operations_are_bad_requests_with_aws_text() {
        let e = apply_values(
            json!({"methodSettings": {}}),
            json!([{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "3601"}]),
        )
        .unwrap_err();
        assert_eq!(e.name, "BadRequestException");
        assert_eq!(
            e.message,
            "Invalid time-to-live setting, must be an integer no greater than 3600"
        );
        let e = apply_values(
            json!({"methodSettings": {}}),
            json!({"patchOperations": [{"op": "remove", "path": "/*/*"}]}),
        )
        .unwrap_err();
        assert_eq!(
            (e.name.as_str(), e.message.as_str()),
            (
                "BadRequestException",
                "Cannot remove method setting */* because there is no method setting for this method "
            )
        );
    }

    #[test]
    fn schema_text_is_cores_schema() {
        let schema: Value = serde_json::from_str(STAGE_SCHEMA_JSON).unwrap();
        assert_eq!(schema, stagecraft_core::schema::stage_schema());
    }

    #[test]
    fn keys() {
        assert_eq!(
            method_setting_key("/pets/{petId}", "get").unwrap(),
            "~1pets~1{petId}/GET"
        );
        let k = parse_method_setting_key("~1/GET").unwrap().unwrap();
        assert_eq!(
            (
                k.resource_path.as_str(),
                k.http_method.as_str(),
                k.canonical
            ),
            ("/", "GET", true)
        );
        assert_eq!(parse_method_setting_key("GET").unwrap(), None);
    }
}
