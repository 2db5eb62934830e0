//! Stage JSON text in one pass over its bytes: validated and, when asked, read into a [`Stage`] at the
//! same time (no serde visitors, no `serde_json::Value` but for unknown fields, kept as they came).
//!
//! The checks are the `Value` path's own ([`super::stage`]), applied in document order, so both report
//! the same issues in the same order; text that is not JSON gets serde_json's error, word for word
//! ([`super::scan`]).

use std::borrow::Cow;

use serde_json::Value;

use super::Report;
use super::scan::{Bail, JsonError, Key, Read, Reader};
use super::stage::{
    Walker, access_log_rule, canary_scalar, entry_problem, method_setting_key, stage_scalar,
    string_rule, tag, tags_end, variable, variables_end,
};
use crate::model::{
    AccessLogSettings, CanarySettings, MethodSetting, SortedMap, Stage, Stored, Timestamp,
};
use crate::scalar::Scalar;
use crate::settings::{METHOD_SETTINGS, ValueKind};

/// The stage's own members, by their bit in [`Seen`]: the objects, then the scalars that
/// [`stage_scalar`] checks.
const STAGE_FIELDS: [&str; 17] = [
    "methodSettings",
    "variables",
    "accessLogSettings",
    "canarySettings",
    "tags",
    "cacheClusterEnabled",
    "tracingEnabled",
    "createdDate",
    "lastUpdatedDate",
    "stageName",
    "deploymentId",
    "clientCertificateId",
    "description",
    "documentationVersion",
    "webAclArn",
    "cacheClusterSize",
    "cacheClusterStatus",
];

/// The table's field names, in table order.
const FIELDS: [&str; METHOD_SETTINGS.len()] = {
    let mut fields = [""; METHOD_SETTINGS.len()];
    let mut i = 0;
    while i < fields.len() {
        fields[i] = METHOD_SETTINGS[i].field;
        i += 1;
    }
    fields
};

/// Why stage JSON text could not be read into a [`Stage`].
#[derive(Debug)]
pub enum StageTextError {
    /// Not JSON: serde_json's error, with line and column.
    Syntax(JsonError),
    /// JSON, but not a valid stage: every issue.
    Invalid(Report),
    /// A valid stage the model still refuses (a repeated stage field, a number out of range or a lone
    /// surrogate in an unknown field), as serde_json's reading of a [`Stage`] words it.
    Model(JsonError),
}

/// Validates stage JSON text and reads it into a [`Stage`], in one pass.
///
/// ```
/// use stagecraft_core::validate::{StageTextError, stage_from_str};
///
/// let stage = stage_from_str(r#"{"stageName": "prod", "methodSettings": {"*/*": {"cacheTtlInSeconds": 60}}}"#)?;
/// assert_eq!(stage.stage_name.as_deref(), Some("prod"));
/// let Err(StageTextError::Invalid(report)) = stage_from_str(r#"{"stageName": "a b"}"#) else { panic!() };
/// assert_eq!(report.errors[0].path.as_str(), "/stageName");
/// assert!(matches!(stage_from_str("{"), Err(StageTextError::Syntax(_))));
/// # Ok::<(), StageTextError>(())
/// ```
///
/// # Errors
/// [`StageTextError`]: not JSON, an invalid stage (every issue), or a stage the model refuses.
pub fn stage_from_str(text: &str) -> Result<Stage, StageTextError> {
    let pass = read(text, true).map_err(StageTextError::Syntax)?;
    if !pass.w.clean() {
        return Err(StageTextError::Invalid(pass.w.report()));
    }
    match pass.model {
        Some(e) => Err(StageTextError::Model(e)),
        None => Ok(pass.stage),
    }
}

/// Validates stage JSON text in one pass over its bytes (no `serde_json::Value`).
///
/// ```
/// use stagecraft_core::{IssueCode, validate_stage_str};
///
/// let report = validate_stage_str(
///     r#"{"stageName": "prod", "methodSettings": {"*/*": {"cacheTtlInSeconds": 7200}}}"#,
/// )?;
/// assert!(!report.valid);
/// let issue = &report.errors[0];
/// assert_eq!(issue.path.as_str(), "/methodSettings/*~1*/cacheTtlInSeconds");
/// assert_eq!(issue.code, IssueCode::InvalidTtl);
/// assert_eq!(issue.message, "Invalid time-to-live setting, must be an integer no greater than 3600");
///
/// assert!(validate_stage_str(r#"{"stageName": "prod"}"#)?.valid);
/// let err = validate_stage_str("{\"stageName\": }").unwrap_err(); // not JSON
/// assert_eq!(err.to_string(), "expected value at line 1 column 15");
/// # Ok::<(), stagecraft_core::validate::JsonError>(())
/// ```
///
/// # Errors
/// serde_json's syntax error (with line and column) for text that is not JSON.
pub fn validate_stage_str(text: &str) -> Result<Report, JsonError> {
    read(text, false).map(|pass| pass.w.report())
}

/// One pass over `text`: every issue, and when `build`, the stage (or why the model refuses it).
fn read(text: &str, build: bool) -> Result<Pass<'_>, JsonError> {
    let mut pass = Pass {
        r: Reader::new(text),
        w: Walker::default(),
        build,
        model: None,
        stage: Stage::default(),
    };
    match pass.document() {
        Ok(()) => Ok(pass),
        Err(Bail) => Err(pass.r.error_text()),
    }
}

/// The reader, the issues, and the stage being built.
struct Pass<'a> {
    r: Reader<'a>,
    w: Walker,
    build: bool,
    /// The first thing the model refuses, once building has stopped for it.
    model: Option<JsonError>,
    stage: Stage,
}

/// Bits of the stage fields read so far, for the model's refusal of a repeated one.
#[derive(Default)]
struct Seen(u32);

impl<'a> Pass<'a> {
    /// Whether the value being read still matters: building, no issue and no refusal so far.
    fn building(&self) -> bool {
        self.build && self.model.is_none() && self.w.clean()
    }

    /// Marks field `bit` (named `name`) of an object as read; while building, a repeat is the model's
    /// refusal, at the key (as serde_json places it).
    fn once(&mut self, seen: &mut Seen, bit: u32, name: &str) {
        if self.building() && seen.0 & (1 << bit) != 0 {
            let mut message = String::from("duplicate field `");
            message.push_str(name);
            message.push('`');
            self.model = Some(JsonError::at(self.r.text(), self.r.key_end(), message));
        }
        seen.0 |= 1 << bit;
    }

    /// The top level: an object, then nothing but whitespace.
    fn document(&mut self) -> Read<()> {
        if self.r.peek() == Some(b'{') {
            self.r.open()?;
            self.stage_members()?;
        } else {
            let value = self.r.scalar()?;
            self.w.wrong_type("object", &value);
        }
        self.r.end()
    }

    /// Reads the next value as an object whose members `members` reads (positioned inside it); any other
    /// type is an issue and gives `T::default()`.
    fn nested<T: Default>(&mut self, members: impl FnOnce(&mut Self) -> Read<T>) -> Read<T> {
        let mark = self.w.descend();
        let out = if self.r.peek() == Some(b'{') {
            self.r.open()?;
            members(self)?
        } else {
            let value = self.r.scalar()?;
            self.w.wrong_type("object", &value);
            T::default()
        };
        self.w.leave(mark);
        Ok(out)
    }

    /// The next value (an unknown field): read as a `Value` to keep while building, else skipped.
    fn unknown(&mut self) -> Read<Option<Value>> {
        self.unknown_as(Reader::skip)
    }

    /// [`Pass::unknown`] where validation reads the value with `check` ([`Reader::skip`], or
    /// [`Reader::scalar`] where the checks read any member as a value).
    ///
    /// Validation takes some text that serde_json's `Value` refuses (in a skipped value: a lone
    /// surrogate escape, a number out of range, deep nesting): then the stage is valid and the model
    /// refuses it.
    fn unknown_as<T>(&mut self, check: fn(&mut Reader<'a>) -> Read<T>) -> Read<Option<Value>> {
        if !self.building() {
            return check(&mut self.r).map(|_| None);
        }
        let mark = self.r.mark();
        match self.r.value() {
            Ok(value) => Ok(Some(value)),
            Err(Bail) => {
                let refused = self.r.failure();
                self.r.rewind(mark);
                check(&mut self.r)?;
                self.model = Some(refused.error(self.r.text()));
                Ok(None)
            }
        }
    }

    fn stage_members(&mut self) -> Read<()> {
        let mut first = true;
        let mut seen = Seen::default();
        let mut hint = 0;
        while let Some(key) = self.r.next_key_among(&mut first, &STAGE_FIELDS, hint)? {
            let bit = match key {
                Key::Known(bit) => bit,
                Key::Other(key) => {
                    if let Some(value) = self.unknown()? {
                        self.stage.extra.insert(key.into_owned(), value);
                    }
                    continue;
                }
            };
            hint = bit + 1;
            let name = STAGE_FIELDS[bit];
            self.w.at(name);
            #[allow(clippy::cast_possible_truncation)]
            self.once(&mut seen, bit as u32, name);
            match bit {
                0 => {
                    let map = self.nested(Self::method_settings)?;
                    self.stage.method_settings = map;
                }
                1 => {
                    let map =
                        self.nested(|p| p.strings(variable, |w, n| variables_end(w, true, n)))?;
                    self.stage.variables = map;
                }
                2 => {
                    let access = self.nested(Self::access_log)?;
                    self.stage.access_log_settings = Some(access);
                }
                3 => {
                    let canary = self.nested(Self::canary)?;
                    self.stage.canary_settings = Some(canary);
                }
                4 => {
                    let map = self.nested(|p| p.strings(tag, tags_end))?;
                    self.stage.tags = map;
                }
                _ => self.stage_scalar_member(name)?,
            }
            self.w.at_object();
        }
        Ok(())
    }

    /// Checks and stores a scalar member of the stage.
    fn stage_scalar_member(&mut self, name: &str) -> Read<()> {
        let value = self.r.scalar()?;
        stage_scalar(&mut self.w, name, &value);
        if !self.building() {
            return Ok(());
        }
        let s = &mut self.stage;
        let slot = match name {
            "cacheClusterEnabled" => {
                s.cache_cluster_enabled = value.as_bool().unwrap_or_default();
                return Ok(());
            }
            "tracingEnabled" => {
                s.tracing_enabled = value.as_bool().unwrap_or_default();
                return Ok(());
            }
            "createdDate" | "lastUpdatedDate" => {
                let time = match &value {
                    Scalar::Str(text) => Timestamp::parse_iso8601(text),
                    other => other.as_f64().map(Timestamp),
                };
                if name == "createdDate" {
                    s.created_date = time;
                } else {
                    s.last_updated_date = time;
                }
                return Ok(());
            }
            "stageName" => &mut s.stage_name,
            "deploymentId" => &mut s.deployment_id,
            "clientCertificateId" => &mut s.client_certificate_id,
            "description" => &mut s.description,
            "documentationVersion" => &mut s.documentation_version,
            "webAclArn" => &mut s.web_acl_arn,
            "cacheClusterSize" => &mut s.cache_cluster_size,
            _ => &mut s.cache_cluster_status,
        };
        *slot = Some(owned(value));
        Ok(())
    }

    /// `methodSettings`: entries by key. The hot loop of large stages.
    fn method_settings(&mut self) -> Read<SortedMap<String, MethodSetting>> {
        let mut out = Vec::new();
        let mut first = true;
        // One entry read into at a time, moved out while building (validating leaves it empty).
        let mut entry = MethodSetting::default();
        while let Some(key) = self.r.next_key(&mut first)? {
            self.w.at(&key);
            method_setting_key(&mut self.w, &key);
            self.nested(|p| p.entry(&key, &mut entry))?;
            if self.building() {
                out.push((key.into_owned(), std::mem::take(&mut entry)));
            }
            self.w.at_object();
        }
        Ok(SortedMap::from_vec(out))
    }

    /// One method-setting entry into `out` (`key` names it in messages). Members are matched in place against the
    /// table's fields, expecting them in the order the previous member suggests; the walker moves to a
    /// member only to report an issue there (most have none).
    fn entry(&mut self, key: &str, out: &mut MethodSetting) -> Read<()> {
        let mut first = true;
        let mut hint = 0;
        while let Some(name) = self.r.next_key_among(&mut first, &FIELDS, hint)? {
            let i = match name {
                Key::Known(i) => i,
                Key::Other(name) => {
                    if let Some(value) = self.unknown()? {
                        out.insert_unknown(name.into_owned(), value);
                    }
                    continue;
                }
            };
            hint = i + 1;
            let setting = &METHOD_SETTINGS[i];
            let choice = match setting.kind {
                ValueKind::Enum(options) => self.r.string_among(options),
                _ => None,
            };
            let stored = match choice {
                Some(choice) => u8::try_from(choice).ok().map(Stored::Choice),
                None => {
                    let value = match self.r.simple_scalar() {
                        Some(value) => value,
                        None => self.r.scalar()?,
                    };
                    match setting.problem_scalar(&value) {
                        None if self.building() => Stored::from_scalar(setting, &value),
                        None => None,
                        Some(problem) => {
                            self.w.at(setting.field);
                            entry_problem(&mut self.w, key, setting, problem, &value);
                            self.w.at_object();
                            None
                        }
                    }
                }
            };
            if self.building()
                && let Some(stored) = stored
            {
                out.set_row(i, stored);
            }
        }
        Ok(())
    }

    /// A map of strings (`variables`, `stageVariableOverrides`, `tags`): `check` for each member,
    /// `end` with their number.
    fn strings(
        &mut self,
        check: fn(&mut Walker, &str, &Scalar<'_>),
        end: impl FnOnce(&mut Walker, usize),
    ) -> Read<SortedMap<String, String>> {
        let mut out = Vec::new();
        let mut first = true;
        let mut count = 0;
        while let Some(name) = self.r.next_key(&mut first)? {
            count += 1;
            self.w.at(&name);
            let value = self.r.scalar()?;
            check(&mut self.w, &name, &value);
            if self.building() {
                out.push((name.into_owned(), owned(value)));
            }
            self.w.at_object();
        }
        end(&mut self.w, count);
        Ok(SortedMap::from_vec(out))
    }

    fn access_log(&mut self) -> Read<AccessLogSettings> {
        let mut out = AccessLogSettings::default();
        let mut first = true;
        let mut seen = Seen::default();
        while let Some(name) = self.r.next_key(&mut first)? {
            self.w.at(&name);
            if let Some(rule) = access_log_rule(&name) {
                let format = name == "format";
                self.once(&mut seen, u32::from(!format), &name);
                let value = self.r.scalar()?;
                string_rule(&mut self.w, rule, &value);
                if self.building() {
                    let slot = if format {
                        &mut out.format
                    } else {
                        &mut out.destination_arn
                    };
                    *slot = Some(owned(value));
                }
            } else if let Some(value) = self.unknown()? {
                out.extra.insert(name.into_owned(), value);
            }
            self.w.at_object();
        }
        Ok(out)
    }

    fn canary(&mut self) -> Read<CanarySettings> {
        let mut out = CanarySettings::default();
        let mut first = true;
        let mut seen = Seen::default();
        while let Some(name) = self.r.next_key(&mut first)? {
            self.w.at(&name);
            match &*name {
                "stageVariableOverrides" => {
                    self.once(&mut seen, 0, &name);
                    out.stage_variable_overrides =
                        self.nested(|p| p.strings(variable, |w, n| variables_end(w, false, n)))?;
                }
                "percentTraffic" | "deploymentId" | "useStageCache" => {
                    let bit = match &*name {
                        "percentTraffic" => 1,
                        "deploymentId" => 2,
                        _ => 3,
                    };
                    self.once(&mut seen, bit, &name);
                    let value = self.r.scalar()?;
                    canary_scalar(&mut self.w, &name, &value);
                    if self.building() {
                        match bit {
                            1 => out.percent_traffic = value.as_f64().unwrap_or_default(),
                            2 => out.deployment_id = Some(owned(value)),
                            _ => out.use_stage_cache = value.as_bool().unwrap_or_default(),
                        }
                    }
                }
                _ => {
                    // The checks read any canary member as a value (skipping only what it holds).
                    if let Some(value) = self.unknown_as(Reader::scalar)? {
                        out.extra.insert(name.into_owned(), value);
                    }
                }
            }
            self.w.at_object();
        }
        Ok(out)
    }
}

/// A checked string value, owned.
fn owned(value: Scalar<'_>) -> String {
    match value {
        Scalar::Str(s) => Cow::into_owned(s),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    //! Differential tests: the one-pass reader against the serde path (`validate_stage_serde`, then
    //! `serde_json::from_str::<Stage>`) over the fixture corpus and random and mutated documents.

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::validate::stage::validate_stage_serde;

    /// What the serde path answers (`validate_stage_serde`, then `serde_json::from_str::<Stage>`), as
    /// text.
    fn reference(text: &str) -> String {
        match validate_stage_serde(text) {
            Err(e) => format!("syntax: {e}"),
            Ok(report) if !report.valid => format!("invalid: {report:?}"),
            Ok(_) => match serde_json::from_str::<Stage>(text) {
                Ok(stage) => format!("{stage:?}"),
                Err(e) => format!("model: {e}"),
            },
        }
    }

    /// What [`stage_from_str`] answers, as text (and a stage is written as serde writes it).
    fn answer(text: &str) -> String {
        match stage_from_str(text) {
            Err(StageTextError::Syntax(e)) => format!("syntax: {e}"),
            Err(StageTextError::Invalid(report)) => format!("invalid: {report:?}"),
            Err(StageTextError::Model(e)) => format!("model: {e}"),
            Ok(stage) => {
                assert_eq!(
                    crate::write::to_json_string(&stage),
                    serde_json::to_string(&stage).unwrap(),
                    "written {text}"
                );
                format!("{stage:?}")
            }
        }
    }

    /// Both paths agree on `text`, for validation and for reading a stage, word for word.
    fn same(text: &str) {
        assert_eq!(
            validate_stage_str(text).map_err(|e| e.to_string()),
            validate_stage_serde(text).map_err(|e| e.to_string()),
            "validate_stage_str {text}"
        );
        assert_eq!(answer(text), reference(text), "stage_from_str {text}");
    }

    fn fixture_documents() -> Vec<Value> {
        let mut docs = Vec::new();
        for name in ["valid", "invalid", "diff", "apply"] {
            let path = format!(
                "{}/../../tests/fixtures/{name}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).expect("fixture corpus");
            let cases: Vec<Value> = serde_json::from_str(&text).expect("fixture JSON");
            for case in cases {
                for field in ["document", "before", "after", "stage", "result"] {
                    if let Some(doc) = case.get(field) {
                        docs.push(doc.clone());
                    }
                }
            }
        }
        docs
    }

    #[test]
    fn fixture_corpus_reads_the_same() {
        let docs = fixture_documents();
        assert!(docs.len() > 30, "{}", docs.len());
        for doc in docs {
            same(&doc.to_string());
            same(&serde_json::to_string_pretty(&doc).unwrap());
        }
    }

    #[test]
    fn stage_fields_are_the_objects_then_the_scalars() {
        use crate::validate::stage::is_stage_scalar;
        assert!(STAGE_FIELDS[..5].iter().all(|f| !is_stage_scalar(f)));
        assert!(STAGE_FIELDS[5..].iter().all(|f| is_stage_scalar(f)));
    }

    #[test]
    fn edge_cases_agree() {
        for text in [
            "",
            "[]",
            "7",
            "\"x\"",
            "null",
            "{}",
            "{} x",
            r#"{"stageName": "a", "stageName": "b"}"#,
            r#"{"stageName": "a b", "stageName": "b"}"#,
            r#"{"methodSettings": {}, "methodSettings": {}}"#,
            r#"{"canarySettings": {"useStageCache": true, "useStageCache": false}}"#,
            r#"{"accessLogSettings": {"format": "$context.requestId", "format": "$context.requestId"}}"#,
            r#"{"methodSettings": {"*/*": {"cacheTtlInSeconds": 1, "cacheTtlInSeconds": 2, "x": 1, "x": [2]}}}"#,
            r#"{"variables": {"a": "1", "a": "2"}, "zz": 1, "zz": {"b": null}}"#,
            r#"{"createdDate": -0, "lastUpdatedDate": 1e3, "description": "\ud83d\ude00"}"#,
            r#"{"description": "\ud800"}"#,
            r#"{"x": "\ud800"}"#,
            r#"{"methodSettings": {"*/*": {"throttlingRateLimit": 1e400}}}"#,
            r#"{"methodSettings": {"*/*": {"throttlingRateLimit": 18446744073709551616}}}"#,
            r#"{"methodSettings": {"*/*": {"throttlingBurstLimit": -9223372036854775809}}}"#,
            r#"{"methodSettings": {"~1a/GET": {"cacheTtlInSeconds": 3600.0}}}"#,
            r#"{"canarySettings": {"percentTraffic": 100, "x": {"y": [1, {"z": 2}]}}}"#,
            r#"{"tags": {"a": 1}, "variables": [1, 2], "accessLogSettings": "x"}"#,
            "{\"description\": \"a\u{1}\"}",
            "{\"stageName\": \"prod\"\n}\n",
            "{\"stageName\": \"a\",\n \"stageName\"  \n : \"b\"}",
            r#"{"x": 1e400, "y": -1e999}"#,
            r#"{"canarySettings": {"z": [1e400]}, "stageName": "a", "stageName": "b"}"#,
            r#"{"methodSettings": {"*/*": {"x": "\udc00"}}}"#,
            r#"{"accessLogSettings": {"x": {"a": 1, "a": 2}, "y": [0.1e-999999999999]}}"#,
            r#"{"stageName": [1, {"a": [2, 3]}, ], "x": 1}"#,
            r#"{"stageName": {"a" 1}}"#,
            r#"{"x": {"a": 1,}}"#,
            r#"{"x": [1,]}"#,
            r#"{"tags": {"a": "b",}}"#,
            "{\"x\": \"\\u00\"}",
            "{\"x\": -}",
            "{\"x\": 1.}",
            "{\"x\": 1e}",
            "{\"stageName\": -}",
            "{\"stageName\": 1.}",
            "{\"stageName\": 1e}",
            "{\"stageName\": 1.",
            "{\"x\": 1.",
            "{\"x\": tru}",
            "{\"x\": nul",
            // Entry members matched in place, and what must not be taken for them.
            r#"{"methodSettings": {"*/*": {"metrics\u0045nabled": 1, "loggingLevel": "INF\u004F", "x": 2}}}"#,
            r#"{"methodSettings": {"*/*": {"cacheTtlInSeconds": 0300}}}"#,
            r#"{"methodSettings": {"*/*": {"cacheTtlInSeconds": 3601, "throttlingBurstLimit": 2147483648}}}"#,
            r#"{"methodSettings": {"*/*": {"throttlingRateLimit": 1234567890123456, "cacheTtlInSeconds": 1e2}}}"#,
            r#"{"methodSettings": {"*/*": {"throttlingRateLimit": 12345678901234.5, "throttlingBurstLimit": 1.0}}}"#,
            r#"{"methodSettings": {"*/*": {"throttlingRateLimit": 0.000000000000001, "cacheTtlInSeconds": -0}}}"#,
            r#"{"methodSettings": {"*/*": {"loggingLevel": "INFOx", "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADERS"}}}"#,
            r#"{"methodSettings": {"*/*": {"loggingLevel": "INFO\"", "metricsEnabled": "true"}}}"#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled": truex}}}"#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled": fals}}}"#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled":true,"metricsEnabled":false}}}"#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled": true, "cacheTtlInSeconds": 5."#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled": true, "cacheTtlInSeconds"#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled": true, "loggingLevel": "OFF"#,
            r#"{"methodSettings": {"*/*": {"metricsEnabled": tr"#,
            r#"{"methodSettings": {"*/*": {"cachingEnabled": true, "cacheDataEncrypted": false, "metricsEnabled": null, "dataTraceEnabled": true}}}"#,
            "{\"methodSettings\": {\"*/*\": {\n  \"metricsEnabled\" : true ,\n  \"loggingLevel\"\t:\t\"ERROR\" }}}",
        ] {
            same(text);
        }
        for depth in [125, 126, 127, 128, 300] {
            for field in ["x", "stageName", "methodSettings"] {
                let deep = format!(
                    "{{\"{field}\": {}{}}}",
                    "[".repeat(depth),
                    "]".repeat(depth)
                );
                same(&deep);
                let deep = format!(
                    "{{\"{field}\": {}1{}}}",
                    "{\"a\":".repeat(depth),
                    "}".repeat(depth)
                );
                same(&deep);
            }
        }
        let bench = json!({"deploymentId": "dep1", "stageName": "prod", "cacheClusterEnabled": false,
            "cacheClusterStatus": "NOT_AVAILABLE", "tracingEnabled": false, "createdDate": 1_700_000_000,
            "methodSettings": {"~1r~1{id}/GET": {"metricsEnabled": true, "throttlingRateLimit": 10000.0}},
            "variables": {"backend": "example.com"}});
        assert!(stage_from_str(&bench.to_string()).is_ok());
        let tags: Map<String, Value> = (0..51).map(|i| (format!("t{i}"), json!("v"))).collect();
        same(&json!({ "tags": tags }).to_string());
    }

    const STAGE_KEYS: &[&str] = &[
        "stageName",
        "deploymentId",
        "clientCertificateId",
        "description",
        "documentationVersion",
        "webAclArn",
        "cacheClusterSize",
        "cacheClusterStatus",
        "cacheClusterEnabled",
        "tracingEnabled",
        "createdDate",
        "lastUpdatedDate",
        "methodSettings",
        "variables",
        "accessLogSettings",
        "canarySettings",
        "tags",
        "unknownField",
    ];
    const NAMES: &[&str] = &[
        "*/*",
        "~1/GET",
        "~1pets/GET",
        "GET",
        "a/",
        "~1a~0b/PUT",
        "x",
        "a-b",
        "",
        "é/é",
        "format",
        "destinationArn",
        "percentTraffic",
        "deploymentId",
        "useStageCache",
        "stageVariableOverrides",
        "cacheTtlInSeconds",
        "loggingLevel",
        "throttlingRateLimit",
        "throttlingBurstLimit",
        "metricsEnabled",
        "unauthorizedCacheControlHeaderStrategy",
    ];
    const STRINGS: &[&str] = &[
        "prod",
        "a b",
        "",
        "0.5",
        "237",
        "AVAILABLE",
        "INFO",
        "OFF",
        "FAIL_WITH_403",
        "2023-11-14T22:13:20+00:00",
        "yesterday",
        "$context.requestId",
        "arn:aws:logs:us-east-1:123456789012:log-group:g",
        "\u{1}\"\\/é😀",
    ];

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-5i64..4000).prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            prop_oneof![
                Just(-0.0),
                Just(0.5),
                Just(10000.0),
                Just(1e300),
                -1e6f64..1e6
            ]
            .prop_map(Value::from),
            proptest::sample::select(STRINGS).prop_map(Value::from),
        ]
    }

    fn any_value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((proptest::sample::select(NAMES), inner), 0..4).prop_map(
                    |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                ),
            ]
        })
    }

    fn object_of(values: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
        prop_oneof![
            4 => proptest::collection::vec((proptest::sample::select(NAMES), values), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            1 => any_value(),
        ]
        .boxed()
    }

    /// Stage-shaped documents: known members with mostly the right shapes, and anything else.
    fn document() -> impl Strategy<Value = Value> {
        let entry = object_of(prop_oneof![3 => scalar(), 1 => any_value()].boxed());
        let member = prop_oneof![
            3 => scalar(),
            1 => object_of(scalar().boxed()),
            2 => object_of(entry),
            1 => any_value(),
        ];
        prop_oneof![
            9 => proptest::collection::vec((proptest::sample::select(STAGE_KEYS), member), 0..10)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            1 => any_value(),
        ]
    }

    const INSERTS: &[&str] = &[
        ",",
        "}",
        "]",
        "{",
        "\"",
        ":",
        " ",
        "\\",
        "\\u00e9",
        "\\ud800",
        "-0",
        "1e400",
        "01",
        "null",
        "{\"stageName\": \"x\"}",
        "\"stageName\": 1,",
        "\u{1}",
        "é",
    ];

    proptest! {
        #[test]
        fn random_documents_agree(doc in document(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
            same(&text);
        }

        #[test]
        fn mutated_documents_agree(
            doc in document(),
            cut in any::<prop::sample::Index>(),
            len in 0usize..4,
            insert in proptest::sample::select(INSERTS),
        ) {
            let text = doc.to_string();
            let mut at = cut.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let mutated = format!("{}{insert}{}", &text[..at], &text[end..]);
            same(&mutated);
        }
    }
}
