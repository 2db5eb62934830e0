//! The `#[wasm_bindgen]` exports (wasm32 only). Each one moves its arguments into Rust, calls
//! [`crate::api`], and moves the result back; a [`Failure`] becomes a thrown JS error.
//!
//! Boundary (measured, see docs/benchmarks.md "WASM"): values cross as JSON text.
//! - JSON text arguments are read by core's one-pass reader inside wasm (no JS objects are built; bad
//!   JSON gets serde_json's message, line and column).
//! - Object arguments are turned into JSON text by the engine's `JSON.stringify` (one call at native
//!   speed; a cyclic object or a BigInt makes it throw, which becomes a `TypeError`), then read the
//!   same way. Walking the object with serde-wasm-bindgen instead (one boundary call per value) measured
//!   no faster (0.8-1.1x) and costs code size.
//! - Stage objects (`validateStage`, `diffStages`) first go through a pre-pass in JS (`js/crossing.js`,
//!   driven by data from core: the settings table, [`KEY_PATTERN`], [`ALL_METHODS_KEY`]) that leaves
//!   out the method-setting entries core would certainly find nothing in (validate) or that are
//!   identical, complete and valid in both stages (diff), so that only the rest is stringified and
//!   read. The answer is the same as for the whole text: whatever the reduced documents do not give
//!   an answer for (too large with what was left out, refused by `JSON.stringify` or by core, whose
//!   syntax errors carry positions) is retried whole.
//! - Results are written as JSON text by core's [`stagecraft_core::write`] (no serde) and built by the
//!   engine's `JSON.parse`.

use js_sys::{Array, JSON, JsString, Reflect};
use serde_json::Value;
use stagecraft_core::PatchOperation;
use stagecraft_core::key::{ALL_METHODS_KEY, KEY_PATTERN};
use stagecraft_core::write::{WriteJson, to_json_string};
use wasm_bindgen::prelude::*;

use crate::api;
use crate::mirror::{ErrorClass, Failure, JsReport};

#[wasm_bindgen(typescript_custom_section)]
const TS_HANDWRITTEN: &str = crate::HANDWRITTEN_TS;

#[wasm_bindgen(typescript_custom_section)]
const TS_GENERATED: &str = crate::GENERATED_TS;

fn throw(f: Failure) -> JsValue {
    let err: js_sys::Error = match f.class {
        ErrorClass::Syntax => js_sys::SyntaxError::new(&f.message).into(),
        ErrorClass::Type => js_sys::TypeError::new(&f.message).into(),
        ErrorClass::Range => js_sys::RangeError::new(&f.message).into(),
        ErrorClass::Error => {
            let e = js_sys::Error::new(&f.message);
            e.set_name(&f.name);
            e
        }
    };
    if let Some(field) = &f.field {
        let _ = Reflect::set(&err, &JsValue::from_str("field"), &JsValue::from_str(field));
    }
    if let Some(path) = &f.path {
        let _ = Reflect::set(&err, &JsValue::from_str("path"), &JsValue::from_str(path));
    }
    if let Some(errors) = &f.errors
        && let Ok(list) = to_js(errors)
    {
        let _ = Reflect::set(&err, &JsValue::from_str("errors"), &list);
    }
    err.into()
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

#[wasm_bindgen]
extern "C" {
    /// The engine's UTF-8 encoder.
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    /// Encodes as much of `source` as fits into `destination`.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, destination: &mut [u8]) -> EncodeResult;

    /// `{ read, written }` of `encodeInto`.
    type EncodeResult;

    /// UTF-16 code units read.
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> u32;

    /// Bytes written.
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// `s` as UTF-8, encoded by the engine straight into wasm memory: one native `encodeInto` (lone
/// surrogates become U+FFFD, as in any JS-to-Rust string). wasm-bindgen's own copy walks the string one
/// code unit at a time in JS first, which took a third of a small validation.
fn utf8(s: &JsString) -> String {
    let units = s.length() as usize;
    ENCODER.with(|encoder| {
        // Most stage JSON is ASCII: one byte per unit; otherwise at most three.
        let mut bytes = vec![0; units];
        let mut done = encoder.encode_into(s, &mut bytes);
        if (done.read() as usize) < units {
            bytes = vec![0; units * 3];
            done = encoder.encode_into(s, &mut bytes);
        }
        bytes.truncate(done.written() as usize);
        // The encoder writes UTF-8 only; an empty string stands for what cannot happen.
        String::from_utf8(bytes).unwrap_or_default()
    })
}

/// A JS string argument, bounded in size before it is copied into wasm memory.
fn string_arg(what: &str, v: &JsValue) -> Result<String, Failure> {
    let Some(s) = v.dyn_ref::<JsString>() else {
        return Err(Failure::type_error(format!("{what} must be a string")));
    };
    // UTF-16 length; the UTF-8 copy is at most three times that, and checked again below.
    api::check_size(what, s.length() as usize)?;
    let s = utf8(s);
    api::check_size(what, s.len())?;
    Ok(s)
}

/// A document argument as JSON text: a string as it is, any other JS value through the engine's
/// `JSON.stringify`.
fn text_arg(what: &str, v: &JsValue) -> Result<String, Failure> {
    if v.is_string() {
        return string_arg(what, v);
    }
    if v.is_undefined() || v.is_function() || v.is_symbol() {
        return Err(Failure::type_error(format!(
            "{what} must be a JSON value or JSON text"
        )));
    }
    let text = JSON::stringify(v).map_err(|e| {
        Failure::type_error(format!("{what} is not a JSON value: {}", js_message(&e)))
    })?;
    if !text.is_string() {
        return Err(Failure::type_error(format!(
            "{what} must be a JSON value or JSON text"
        )));
    }
    string_arg(what, &text)
}

#[wasm_bindgen(module = "/js/crossing.js")]
extern "C" {
    /// Compiles core's data (the `methodSettingFields()` rows, the key pattern, the `*/*` key, the
    /// size limit) into the plan the pre-pass reads.
    #[wasm_bindgen(catch, js_name = crossingPlan)]
    fn crossing_plan(
        fields: &JsValue,
        key_pattern: &str,
        all_methods_key: &str,
        max_bytes: f64,
    ) -> Result<JsValue, JsValue>;

    /// The JSON text of the reduced stage, or `undefined` to send the stage whole.
    #[wasm_bindgen(catch, js_name = reducedStageText)]
    fn reduced_stage_text(plan: &JsValue, stage: &JsValue) -> Result<JsValue, JsValue>;

    /// `[reduced before text, reduced after text]`, or `undefined` to send the stages whole.
    #[wasm_bindgen(catch, js_name = reducedPairTexts)]
    fn reduced_pair_texts(
        plan: &JsValue,
        before: &JsValue,
        after: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// A fresh `{ valid: true, errors: [] }`.
    #[wasm_bindgen(js_name = validReport)]
    fn valid_report() -> JsValue;
}

thread_local! {
    /// The pre-pass's plan, compiled once (`undefined` if that failed: then nothing is left out).
    static PLAN: JsValue = to_js(&api::method_setting_fields())
        .and_then(|fields| {
            crossing_plan(&fields, KEY_PATTERN, ALL_METHODS_KEY, api::MAX_INPUT_BYTES as f64)
        })
        .unwrap_or(JsValue::UNDEFINED);
}

/// `validateStage` of a stage object without the method-setting entries core would find nothing in
/// (stringified by the pre-pass, one crossing): the same report as for the whole object, or `None` to
/// take the whole one (a refusal is retried whole, so that an error reads exactly as it does for the
/// whole text, positions included).
fn validate_reduced(stage: &JsValue) -> Option<JsReport> {
    if !stage.is_object() {
        return None;
    }
    let text = PLAN.with(|plan| reduced_stage_text(plan, stage)).ok()?;
    api::validate_stage_text(&string_arg("stage", &text).ok()?).ok()
}

/// `diffStages` of two stage objects without the method-setting entries identical, complete and valid
/// in both: the same operations as for the whole objects, or `None` to take the whole ones (any
/// refusal is retried whole, as in [`validate_reduced`]).
fn diff_reduced(before: &JsValue, after: &JsValue) -> Option<Vec<PatchOperation>> {
    if !before.is_object() || !after.is_object() {
        return None;
    }
    let texts = PLAN
        .with(|plan| reduced_pair_texts(plan, before, after))
        .ok()?
        .dyn_into::<Array>()
        .ok()?;
    let before = string_arg("before", &texts.get(0)).ok()?;
    let after = string_arg("after", &texts.get(1)).ok()?;
    api::diff_texts(&before, &after).ok()
}

/// A document argument parsed into a [`Value`] (patch operations).
fn value_arg(what: &str, v: &JsValue) -> Result<Value, Failure> {
    api::parse_text(what, &text_arg(what, v)?)
}

fn to_js<T: WriteJson + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    JSON::parse(&to_json_string(value))
}

fn result<T: WriteJson>(r: Result<T, Failure>) -> Result<JsValue, JsValue> {
    to_js(&r.map_err(throw)?)
}

/// A report as a fresh JS object. A valid one is built by the snippet in one call: it needs no JSON
/// text (writing, decoding and `JSON.parse` it were a tenth of a small validation).
fn report_js(report: &JsReport) -> Result<JsValue, JsValue> {
    if report.valid {
        Ok(valid_report())
    } else {
        to_js(report)
    }
}

/// Validates a stage document (GetStage JSON as the API or the AWS CLI returns it), given as an object or
/// as JSON text (faster: parsed inside wasm). Reports every problem with a JSON Pointer, a stable code and
/// AWS's exact message; a document that is not an object is reported, not thrown.
///
/// @throws {SyntaxError} JSON text that does not parse (with line and column).
/// @throws {TypeError} a value JSON cannot represent (cyclic object, BigInt).
/// @throws {RangeError} input over 32 MiB.
#[wasm_bindgen(js_name = validateStage, unchecked_return_type = "ValidationReport")]
pub fn validate_stage(
    #[wasm_bindgen(unchecked_param_type = "Stage | string")] stage: &JsValue,
) -> Result<JsValue, JsValue> {
    if let Some(report) = validate_reduced(stage) {
        return report_js(&report);
    }
    match text_arg("stage", stage).and_then(|text| api::validate_stage_text(&text)) {
        Ok(report) => report_js(&report),
        Err(failure) => Err(throw(failure)),
    }
}

/// Validates UpdateStage patch operations (an array, `{ patchOperations }`, or JSON text of either):
/// structure, paths, ops and values, with AWS's messages. Stage-dependent errors (removing a key that is
/// not stored) show only in {@link applyPatch}.
///
/// @throws {SyntaxError} JSON text that does not parse.
/// @throws {TypeError} a value JSON cannot represent.
/// @throws {RangeError} input over 32 MiB.
#[wasm_bindgen(js_name = validatePatch, unchecked_return_type = "ValidationReport")]
pub fn validate_patch(
    #[wasm_bindgen(unchecked_param_type = "PatchOperation[] | PatchOperations | string")]
    ops: &JsValue,
) -> Result<JsValue, JsValue> {
    result(value_arg("ops", ops).map(|doc| api::validate_patch_value(&doc)))
}

/// The minimal, AWS-valid `patchOperations` that take `before` to `after` when UpdateStage applies them.
///
/// @throws {StagecraftError} `ValidationError` if a stage does not validate; `UnsupportedChangeError`
///   (with `field`) for a change UpdateStage cannot make (stageName, tags, webAclArn, unknown fields).
#[wasm_bindgen(js_name = diffStages, unchecked_return_type = "PatchOperation[]")]
pub fn diff_stages(
    #[wasm_bindgen(unchecked_param_type = "Stage | string")] before: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Stage | string")] after: &JsValue,
) -> Result<JsValue, JsValue> {
    if let Some(ops) = diff_reduced(before, after) {
        return to_js(&ops);
    }
    result(
        text_arg("before", before)
            .and_then(|b| Ok((b, text_arg("after", after)?)))
            .and_then(|(b, a)| api::diff_texts(&b, &a)),
    )
}

/// The stage after UpdateStage applies `ops` in order, with AWS semantics. Atomic: on error nothing is
/// applied and the input is untouched.
///
/// @throws {StagecraftError} `BadRequestException` with AWS's exact message for a refused operation;
///   `ValidationError` if the stage does not validate.
#[wasm_bindgen(js_name = applyPatch, unchecked_return_type = "Stage")]
pub fn apply_patch(
    #[wasm_bindgen(unchecked_param_type = "Stage | string")] stage: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "PatchOperation[] | PatchOperations | string")]
    ops: &JsValue,
) -> Result<JsValue, JsValue> {
    result(
        text_arg("stage", stage)
            .and_then(|s| Ok((s, value_arg("ops", ops)?)))
            .and_then(|(s, o)| api::apply_text(&s, o)),
    )
}

/// The method-setting key of a resource path and HTTP method: (`/pets/{petId}`, `get`) →
/// `~1pets~1{petId}/GET`; (`/`, `GET`) → `~1/GET`; (`*`, `*`) → `*` + `/` + `*`.
///
/// @throws {TypeError} a non-string argument.
#[wasm_bindgen(js_name = methodSettingKey, unchecked_return_type = "string")]
pub fn method_setting_key(
    #[wasm_bindgen(js_name = resourcePath, unchecked_param_type = "string")]
    resource_path: &JsValue,
    #[wasm_bindgen(js_name = httpMethod, unchecked_param_type = "string")] http_method: &JsValue,
) -> Result<JsValue, JsValue> {
    let key = string_arg("resourcePath", resource_path)
        .and_then(|r| Ok((r, string_arg("httpMethod", http_method)?)))
        .and_then(|(r, m)| api::method_setting_key(&r, &m))
        .map_err(throw)?;
    Ok(JsValue::from_str(&key))
}

/// The ten method settings in force for one method of a stage, each with where it comes from: the
/// method's own entry (`"method"`), the stage-wide entry (source `*` + `/` + `*`) or AWS's default
/// (`"default"`), resolved per field as AWS does; stage-wide caching covers GET methods only.
// (No star-slash in these doc comments: they become JS comments in the generated glue.)
///
/// @throws {SyntaxError} malformed JSON text.
/// @throws {ValidationError} an invalid stage (its `errors` list the issues).
/// @throws {TypeError} a non-string resource path or method.
#[wasm_bindgen(js_name = effectiveMethodSettings, unchecked_return_type = "EffectiveMethodSettings")]
pub fn effective_method_settings(
    #[wasm_bindgen(unchecked_param_type = "Stage | string")] stage: &JsValue,
    #[wasm_bindgen(js_name = resourcePath, unchecked_param_type = "string")]
    resource_path: &JsValue,
    #[wasm_bindgen(js_name = httpMethod, unchecked_param_type = "string")] http_method: &JsValue,
) -> Result<JsValue, JsValue> {
    result(
        text_arg("stage", stage)
            .and_then(|s| {
                Ok((
                    s,
                    string_arg("resourcePath", resource_path)?,
                    string_arg("httpMethod", http_method)?,
                ))
            })
            .and_then(|(s, r, m)| api::effective_method_settings(&s, &r, &m)),
    )
}

/// Decodes a method-setting key; `null` if it is malformed (no `/`, or an empty resource or method).
///
/// @throws {TypeError} a non-string argument.
#[wasm_bindgen(js_name = parseMethodSettingKey, unchecked_return_type = "ParsedMethodSettingKey | null")]
pub fn parse_method_setting_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: &JsValue,
) -> Result<JsValue, JsValue> {
    match string_arg("key", key)
        .and_then(|k| api::parse_method_setting_key(&k))
        .map_err(throw)?
    {
        Some(parsed) => to_js(&parsed),
        None => Ok(JsValue::NULL),
    }
}

/// The declarative table of the method settings (field, patch suffix, group, type, bounds, AWS default,
/// label, help), for building forms.
#[wasm_bindgen(js_name = methodSettingFields, unchecked_return_type = "MethodSettingField[]")]
pub fn method_setting_fields() -> Result<JsValue, JsValue> {
    to_js(&api::method_setting_fields())
}

/// The JSON Schema (draft 2020-12) of a stage document, generated from the same rules.
#[wasm_bindgen(js_name = stageSchema, unchecked_return_type = "JsonSchema")]
pub fn stage_schema() -> Result<JsValue, JsValue> {
    JSON::parse(api::STAGE_SCHEMA_JSON)
}
