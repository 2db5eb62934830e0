//! The shapes JS sees, as this crate's own types (written as camelCase JSON by [`WriteJson`], without
//! serde), converted from core's types.
//!
//! Keeping a mirror means a refactor of core's internals cannot silently change the npm package's wire
//! shapes: the TypeScript in `src/ts/stagecraft.d.ts` describes these structs, and the tests pin them.

use stagecraft_core::settings::{DefaultValue, Setting, ValueKind};
use stagecraft_core::write::{WriteJson, write_key, write_str};
use stagecraft_core::{ApiError, DiffError, Issue, IssueCode, MethodSettingKey, Report};

/// One problem of a validated document: `{ path, code, message }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsIssue {
    /// JSON Pointer into the document.
    pub path: String,
    /// Stable machine code (`invalid_ttl`).
    pub code: IssueCode,
    /// AWS's message where AWS has one.
    pub message: String,
}

impl From<&Issue> for JsIssue {
    fn from(issue: &Issue) -> Self {
        Self {
            path: issue.path.as_str().to_owned(),
            code: issue.code,
            message: issue.message.clone(),
        }
    }
}

/// `{ valid, errors }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsReport {
    /// No issue found.
    pub valid: bool,
    /// Every issue, ordered by path.
    pub errors: Vec<JsIssue>,
}

impl From<&Report> for JsReport {
    fn from(report: &Report) -> Self {
        Self {
            valid: report.valid,
            errors: report.errors.iter().map(JsIssue::from).collect(),
        }
    }
}

/// `{ resourcePath, httpMethod, canonical }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsParsedKey {
    /// `/pets/{petId}`, `/` or `*`.
    pub resource_path: String,
    /// `GET`, `ANY` or `*`.
    pub http_method: String,
    /// Whether the key is in the encoded form that binds to a real method.
    pub canonical: bool,
}

impl From<MethodSettingKey> for JsParsedKey {
    fn from(key: MethodSettingKey) -> Self {
        Self {
            resource_path: key.resource_path,
            http_method: key.http_method,
            canonical: key.canonical,
        }
    }
}

/// A setting's default value.
#[derive(Clone, Debug, PartialEq)]
pub enum JsDefault {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A double.
    Double(f64),
    /// An enum string.
    Text(&'static str),
}

/// One row of core's `METHOD_SETTINGS` table, for UIs.
#[derive(Clone, Debug, PartialEq)]
pub struct JsMethodSettingField {
    /// GetStage field name (`cacheTtlInSeconds`).
    pub field: &'static str,
    /// Patch path suffix (`caching/ttlInSeconds`).
    pub patch_suffix: &'static str,
    /// The group (`caching`): the suffix's first segment.
    pub group: String,
    /// The group as the UI shows it (`Caching`).
    pub group_label: &'static str,
    /// JSON type of the value (`type`).
    pub json_type: &'static str,
    /// Smallest accepted number.
    pub minimum: Option<f64>,
    /// Largest accepted number.
    pub maximum: Option<f64>,
    /// The accepted strings (`enum`).
    pub options: Option<&'static [&'static str]>,
    /// The value AWS stores for a new key (absent: the field stays unset).
    pub default: Option<JsDefault>,
    /// Short label.
    pub label: &'static str,
    /// Help text.
    pub help: &'static str,
}

impl From<&'static Setting> for JsMethodSettingField {
    fn from(s: &'static Setting) -> Self {
        let (minimum, maximum, options) = match s.kind {
            ValueKind::Bool => (None, None, None),
            ValueKind::Integer { min, max } => (Some(min as f64), Some(max as f64), None),
            ValueKind::Double { min, max } => (Some(min), Some(max), None),
            ValueKind::Enum(options) => (None, None, Some(options)),
        };
        Self {
            field: s.field,
            patch_suffix: s.patch_suffix,
            group: s.group.label().to_ascii_lowercase(),
            group_label: s.group.label(),
            json_type: s.json_type(),
            minimum,
            maximum,
            options,
            default: s.default.map(|d| match d {
                DefaultValue::Bool(b) => JsDefault::Bool(b),
                DefaultValue::Integer(i) => JsDefault::Integer(i),
                DefaultValue::Double(d) => JsDefault::Double(d),
                DefaultValue::Text(t) => JsDefault::Text(t),
            }),
            label: s.label,
            help: s.help,
        }
    }
}

impl WriteJson for JsIssue {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        write_key(out, &mut first, "path");
        write_str(out, &self.path);
        write_key(out, &mut first, "code");
        write_str(out, self.code.as_str());
        write_key(out, &mut first, "message");
        write_str(out, &self.message);
        out.push('}');
    }
}

impl WriteJson for JsReport {
    fn write_json(&self, out: &mut String) {
        out.push_str(if self.valid {
            "{\"valid\":true,\"errors\":"
        } else {
            "{\"valid\":false,\"errors\":"
        });
        self.errors.write_json(out);
        out.push('}');
    }
}

impl WriteJson for JsParsedKey {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        write_key(out, &mut first, "resourcePath");
        write_str(out, &self.resource_path);
        write_key(out, &mut first, "httpMethod");
        write_str(out, &self.http_method);
        write_key(out, &mut first, "canonical");
        self.canonical.write_json(out);
        out.push('}');
    }
}

impl WriteJson for JsDefault {
    fn write_json(&self, out: &mut String) {
        match self {
            Self::Bool(b) => b.write_json(out),
            Self::Integer(i) => i.write_json(out),
            Self::Double(d) => d.write_json(out),
            Self::Text(t) => write_str(out, t),
        }
    }
}

impl WriteJson for JsMethodSettingField {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        for (name, value) in [
            ("field", self.field),
            ("patchSuffix", self.patch_suffix),
            ("group", &self.group),
            ("groupLabel", self.group_label),
            ("type", self.json_type),
        ] {
            write_key(out, &mut first, name);
            write_str(out, value);
        }
        for (name, value) in [("minimum", self.minimum), ("maximum", self.maximum)] {
            if let Some(value) = value {
                write_key(out, &mut first, name);
                value.write_json(out);
            }
        }
        if let Some(options) = self.options {
            write_key(out, &mut first, "enum");
            out.push('[');
            for (i, option) in options.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, option);
            }
            out.push(']');
        }
        if let Some(default) = &self.default {
            write_key(out, &mut first, "default");
            default.write_json(out);
        }
        write_key(out, &mut first, "label");
        write_str(out, self.label);
        write_key(out, &mut first, "help");
        write_str(out, self.help);
        out.push('}');
    }
}

/// The JS class an error is thrown as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// `Error` with `name` set (AWS error types, `UnsupportedChangeError`, `ValidationError`).
    Error,
    /// `SyntaxError` (JSON text that does not parse).
    Syntax,
    /// `TypeError` (a value JSON cannot represent: cycles, BigInt, functions; a non-string key).
    Type,
    /// `RangeError` (input too large or nested too deeply).
    Range,
}

/// An error to throw in JS (boxed, so that `Result<_, Failure>` stays small).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure(Box<FailureData>);

impl std::ops::Deref for Failure {
    type Target = FailureData;

    fn deref(&self) -> &FailureData {
        &self.0
    }
}

impl From<FailureData> for Failure {
    fn from(data: FailureData) -> Self {
        Self(Box::new(data))
    }
}

/// What a [`Failure`] carries: a class, a `name`, AWS's `message`, and extra properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureData {
    /// The JS class.
    pub class: ErrorClass,
    /// `error.name`: `BadRequestException`, `UnsupportedChangeError`, `ValidationError`, `SyntaxError`, …
    pub name: String,
    /// `error.message`: AWS's exact text for AWS errors.
    pub message: String,
    /// `error.field`: the stage field (JSON Pointer) a diff cannot change.
    pub field: Option<String>,
    /// `error.path`: where the first issue is, for `ValidationError` and rejected patch operations.
    pub path: Option<String>,
    /// `error.errors`: every issue, for `ValidationError` and rejected patch operations.
    pub errors: Option<Vec<JsIssue>>,
}

/// `error.name` of a diff that UpdateStage cannot express.
pub const UNSUPPORTED_CHANGE: &str = "UnsupportedChangeError";
/// `error.name` of a stage argument that is not a valid stage document.
pub const VALIDATION_ERROR: &str = "ValidationError";

impl FailureData {
    fn plain(class: ErrorClass, name: &str, message: impl Into<String>) -> Self {
        Self {
            class,
            name: name.to_owned(),
            message: message.into(),
            field: None,
            path: None,
            errors: None,
        }
    }
}

impl Failure {
    /// A `SyntaxError`.
    pub fn syntax(message: impl Into<String>) -> Self {
        FailureData::plain(ErrorClass::Syntax, "SyntaxError", message).into()
    }

    /// A `TypeError`.
    pub fn type_error(message: impl Into<String>) -> Self {
        FailureData::plain(ErrorClass::Type, "TypeError", message).into()
    }

    /// A `RangeError`.
    pub fn range(message: impl Into<String>) -> Self {
        FailureData::plain(ErrorClass::Range, "RangeError", message).into()
    }

    /// A `ValidationError` with only a message.
    pub fn validation(message: impl Into<String>) -> Self {
        FailureData {
            errors: Some(Vec::new()),
            ..FailureData::plain(ErrorClass::Error, VALIDATION_ERROR, message)
        }
        .into()
    }

    /// A stage argument (`which`: `stage`, `before`, `after`) that does not validate.
    #[must_use]
    pub fn invalid_stage(which: &str, report: &Report) -> Self {
        let first = report.errors.first();
        let detail = first.map_or_else(String::new, |i| {
            if i.path.as_str().is_empty() {
                format!(": {}", i.message)
            } else {
                format!(": {}: {}", i.path, i.message)
            }
        });
        FailureData {
            path: first.map(|i| i.path.as_str().to_owned()),
            errors: Some(JsReport::from(report).errors),
            ..FailureData::plain(
                ErrorClass::Error,
                VALIDATION_ERROR,
                format!("{which} is not a valid stage{detail}"),
            )
        }
        .into()
    }

    /// Patch operations that AWS would refuse before looking at the stage: a `BadRequestException` with
    /// the first issue's AWS message (as `stagecraft apply` reports it), and every issue in `errors`.
    #[must_use]
    pub fn invalid_ops(report: &Report) -> Self {
        let first = report.errors.first();
        FailureData {
            path: first.map(|i| i.path.as_str().to_owned()),
            errors: Some(JsReport::from(report).errors),
            ..FailureData::plain(
                ErrorClass::Error,
                stagecraft_core::ErrorType::BadRequest.code(),
                first.map_or_else(String::new, |i| i.message.clone()),
            )
        }
        .into()
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        FailureData::plain(ErrorClass::Error, e.error_type.code(), e.message).into()
    }
}

impl From<DiffError> for Failure {
    fn from(e: DiffError) -> Self {
        FailureData {
            field: Some(e.field),
            ..FailureData::plain(ErrorClass::Error, UNSUPPORTED_CHANGE, e.message)
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use stagecraft_core::METHOD_SETTINGS;
    use stagecraft_core::write::to_json_string;

    /// What JS gets: the written JSON text, parsed.
    fn js<T: WriteJson>(value: &T) -> Value {
        serde_json::from_str(&to_json_string(value)).unwrap()
    }

    #[test]
    fn report_mirror_has_the_cli_shape() {
        let report = stagecraft_core::validate_stage(
            &json!({"methodSettings": {"*/*": {"cacheTtlInSeconds": 3601}}}),
        );
        let js = js(&JsReport::from(&report));
        assert_eq!(
            js,
            json!({"valid": false, "errors": [{
                "path": "/methodSettings/*~1*/cacheTtlInSeconds",
                "code": "invalid_ttl",
                "message": "Invalid time-to-live setting, must be an integer no greater than 3600"
            }]})
        );
        assert_eq!(
            js,
            serde_json::to_value(&report).unwrap(),
            "mirror must equal core's own JSON"
        );
    }

    #[test]
    fn table_mirror_follows_every_row() {
        let rows: Vec<_> = METHOD_SETTINGS
            .iter()
            .map(JsMethodSettingField::from)
            .collect();
        assert_eq!(rows.len(), METHOD_SETTINGS.len());
        let ttl = js(rows
            .iter()
            .find(|r| r.field == "cacheTtlInSeconds")
            .unwrap());
        assert_eq!(ttl["patchSuffix"], "caching/ttlInSeconds");
        assert_eq!(ttl["group"], "caching");
        assert_eq!(ttl["groupLabel"], "Caching");
        assert_eq!(ttl["type"], "integer");
        assert_eq!(
            (ttl["minimum"].as_f64(), ttl["maximum"].as_f64()),
            (Some(0.0), Some(3600.0))
        );
        assert_eq!(ttl["default"], 300);
        let level = js(rows.iter().find(|r| r.field == "loggingLevel").unwrap());
        assert_eq!(level["enum"], json!(["OFF", "ERROR", "INFO"]));
        assert!(level.get("default").is_none());
    }

    #[test]
    fn api_errors_keep_type_and_text() {
        let f = Failure::from(ApiError::bad_request(
            "Invalid time-to-live setting, must be an integer no greater than 3600",
        ));
        assert_eq!(
            (f.class, f.name.as_str()),
            (ErrorClass::Error, "BadRequestException")
        );
        assert_eq!(
            f.message,
            "Invalid time-to-live setting, must be an integer no greater than 3600"
        );
        let f = Failure::from(ApiError::not_found("Invalid stage identifier specified"));
        assert_eq!(f.name, "NotFoundException");
    }

    #[test]
    fn diff_errors_name_the_field() {
        let f = Failure::from(DiffError {
            field: "/tags".into(),
            message: "use TagResource".into(),
        });
        assert_eq!(
            (f.name.as_str(), f.field.as_deref()),
            (UNSUPPORTED_CHANGE, Some("/tags"))
        );
    }

    #[test]
    fn invalid_stage_message_names_the_first_issue() {
        let report =
            stagecraft_core::validate_stage(&json!({"stageName": "bad name", "tracingEnabled": 1}));
        let f = Failure::invalid_stage("after", &report);
        assert_eq!(f.name, VALIDATION_ERROR);
        assert!(
            f.message
                .starts_with("after is not a valid stage: /stageName: "),
            "{}",
            f.message
        );
        assert_eq!(f.errors.as_ref().map(Vec::len), Some(2));
        let root = Failure::invalid_stage("stage", &stagecraft_core::validate_stage(&json!(7)));
        assert_eq!(
            root.message,
            "stage is not a valid stage: Expected object, got number"
        );
        assert_eq!(root.path.as_deref(), Some(""));
    }
}
