//! Stage JSON text in one pass over its bytes: validated and, when asked, read into a [`Stage`] at the
//! same time (no `serde_json::Value`, no serde visitors; only unknown fields, kept as they came, are
//! parsed by serde_json).
//!
//! The checks are the `Value` path's own ([`super::stage`]), applied in document order, so both report
//! the same issues in the same order. Text the [`Reader`] does not take (not JSON, numbers out of range,
//! surrogate escapes, deep nesting) and repeated stage fields while building go through the serde path,
//! which gives the exact error or answer.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use super::Report;
use super::scan::{Bail, Read, Reader};
use super::stage::{
    Walker, access_log_rule, canary_scalar, entry_value, is_stage_scalar, method_setting_key,
    stage_scalar, string_rule, tag, tags_end, variable, variables_end,
};
use crate::model::{AccessLogSettings, CanarySettings, MethodSetting, Stage, Stored, Timestamp};
use crate::scalar::Scalar;
use crate::settings::METHOD_SETTINGS;

/// Why stage JSON text could not be read into a [`Stage`].
#[derive(Debug)]
pub enum StageTextError {
    /// Not JSON: serde_json's error, with line and column.
    Syntax(serde_json::Error),
    /// JSON, but not a valid stage: every issue.
    Invalid(Report),
    /// A valid stage the model still refuses (a repeated stage field): serde_json's error.
    Model(serde_json::Error),
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
/// [`StageTextError`]: not JSON, an invalid stage (every issue), or a repeated stage field.
pub fn stage_from_str(text: &str) -> Result<Stage, StageTextError> {
    match read(text, true) {
        Ok((_, Some(stage))) => Ok(stage),
        Ok((walker, None)) => Err(StageTextError::Invalid(walker.report())),
        Err(Bail) => {
            let report =
                super::stage::validate_stage_serde(text).map_err(StageTextError::Syntax)?;
            if !report.valid {
                return Err(StageTextError::Invalid(report));
            }
            serde_json::from_str(text).map_err(StageTextError::Model)
        }
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
/// assert!(validate_stage_str("{").is_err()); // not JSON
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// serde_json's syntax error (with line and column) for text that is not JSON.
pub fn validate_stage_str(text: &str) -> Result<Report, serde_json::Error> {
    match read(text, false) {
        Ok((walker, _)) => Ok(walker.report()),
        Err(Bail) => super::stage::validate_stage_serde(text),
    }
}

/// One pass over `text`: the walker with every issue, and the stage if `build` and there is none.
fn read(text: &str, build: bool) -> Read<(Walker, Option<Stage>)> {
    let mut pass = Pass {
        r: Reader::new(text),
        w: Walker::default(),
        build,
        stage: Stage::default(),
    };
    pass.document()?;
    let valid = pass.w.clean();
    let stage = (build && valid).then_some(pass.stage);
    Ok((pass.w, stage))
}

/// The reader, the issues, and the stage being built.
struct Pass<'a> {
    r: Reader<'a>,
    w: Walker,
    build: bool,
    stage: Stage,
}

/// Marks field `bit` of an object as read; a repeat while building bails (the model refuses it).
fn once(seen: &mut u32, bit: u32, build: bool) -> Read<()> {
    if build && *seen & (1 << bit) != 0 {
        return Err(Bail);
    }
    *seen |= 1 << bit;
    Ok(())
}

impl<'a> Pass<'a> {
    /// Whether the value being read still matters: building, and no issue so far.
    fn building(&self) -> bool {
        self.build && self.w.clean()
    }

    /// The top level: an object, then nothing but whitespace.
    fn document(&mut self) -> Read<()> {
        if self.r.peek() == Some(b'{') {
            self.r.begin_object()?;
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
            self.r.begin_object()?;
            members(self)?
        } else {
            let value = self.r.scalar()?;
            self.w.wrong_type("object", &value);
            T::default()
        };
        self.w.leave(mark);
        Ok(out)
    }

    /// The next value as a `Value` when building (an unknown field, kept), else skipped.
    fn unknown(&mut self) -> Read<Option<Value>> {
        if !self.building() {
            return self.r.skip().map(|()| None);
        }
        self.r.peek();
        let start = self.r.pos();
        self.r.skip()?;
        let raw = self.r.slice(start, self.r.pos());
        serde_json::from_str(raw).map(Some).map_err(|_| Bail)
    }

    fn stage_members(&mut self) -> Read<()> {
        let mut first = true;
        let mut seen = 0;
        let build = self.build;
        while let Some(key) = self.r.next_key(&mut first)? {
            self.w.at(&key);
            match &*key {
                "methodSettings" => {
                    once(&mut seen, 0, build)?;
                    let map = self.nested(Self::method_settings)?;
                    self.stage.method_settings = map;
                }
                "variables" => {
                    once(&mut seen, 1, build)?;
                    let map =
                        self.nested(|p| p.strings(variable, |w, n| variables_end(w, true, n)))?;
                    self.stage.variables = map;
                }
                "accessLogSettings" => {
                    once(&mut seen, 2, build)?;
                    let access = self.nested(Self::access_log)?;
                    self.stage.access_log_settings = Some(access);
                }
                "canarySettings" => {
                    once(&mut seen, 3, build)?;
                    let canary = self.nested(Self::canary)?;
                    self.stage.canary_settings = Some(canary);
                }
                "tags" => {
                    once(&mut seen, 4, build)?;
                    let map = self.nested(|p| p.strings(tag, tags_end))?;
                    self.stage.tags = map;
                }
                name if is_stage_scalar(name) => {
                    let value = self.r.scalar()?;
                    stage_scalar(&mut self.w, name, &value);
                    if self.building() {
                        self.set_scalar(name, value, &mut seen)?;
                    }
                }
                _ => {
                    if let Some(value) = self.unknown()? {
                        self.stage.extra.insert(key.into_owned(), value);
                    }
                }
            }
            self.w.at_object();
        }
        Ok(())
    }

    /// Stores a checked scalar member of the stage.
    fn set_scalar(&mut self, name: &str, value: Scalar<'_>, seen: &mut u32) -> Read<()> {
        let s = &mut self.stage;
        let (bit, slot) = match name {
            "cacheClusterEnabled" => {
                once(seen, 5, true)?;
                s.cache_cluster_enabled = value.as_bool().ok_or(Bail)?;
                return Ok(());
            }
            "tracingEnabled" => {
                once(seen, 6, true)?;
                s.tracing_enabled = value.as_bool().ok_or(Bail)?;
                return Ok(());
            }
            "createdDate" | "lastUpdatedDate" => {
                let time = match &value {
                    Scalar::Str(text) => Timestamp::parse_iso8601(text),
                    other => other.as_f64().map(Timestamp),
                };
                let (bit, slot) = if name == "createdDate" {
                    (7, &mut s.created_date)
                } else {
                    (8, &mut s.last_updated_date)
                };
                once(seen, bit, true)?;
                *slot = Some(time.ok_or(Bail)?);
                return Ok(());
            }
            "stageName" => (9, &mut s.stage_name),
            "deploymentId" => (10, &mut s.deployment_id),
            "clientCertificateId" => (11, &mut s.client_certificate_id),
            "description" => (12, &mut s.description),
            "documentationVersion" => (13, &mut s.documentation_version),
            "webAclArn" => (14, &mut s.web_acl_arn),
            "cacheClusterSize" => (15, &mut s.cache_cluster_size),
            "cacheClusterStatus" => (16, &mut s.cache_cluster_status),
            _ => return Err(Bail),
        };
        once(seen, bit, true)?;
        *slot = Some(owned(value)?);
        Ok(())
    }

    /// `methodSettings`: entries by key. The hot loop of large stages.
    fn method_settings(&mut self) -> Read<BTreeMap<String, MethodSetting>> {
        let mut out = BTreeMap::new();
        let mut first = true;
        while let Some(key) = self.r.next_key(&mut first)? {
            self.w.at(&key);
            method_setting_key(&mut self.w, &key);
            let entry = self.nested(|p| p.entry(&key))?;
            if self.building() {
                out.insert(key.into_owned(), entry);
            }
            self.w.at_object();
        }
        Ok(out)
    }

    /// One method-setting entry (`key` names it in messages).
    fn entry(&mut self, key: &str) -> Read<MethodSetting> {
        let mut out = MethodSetting::default();
        let mut first = true;
        while let Some(name) = self.r.next_key(&mut first)? {
            self.w.at(&name);
            match METHOD_SETTINGS.iter().position(|s| s.field == name) {
                Some(i) => {
                    let setting = &METHOD_SETTINGS[i];
                    let value = self.r.scalar()?;
                    if entry_value(&mut self.w, key, setting, &value) && self.building() {
                        out.set_row(i, Stored::from_scalar(setting, &value).ok_or(Bail)?);
                    }
                }
                None => {
                    if let Some(value) = self.unknown()? {
                        out.insert_unknown(name.into_owned(), value);
                    }
                }
            }
            self.w.at_object();
        }
        Ok(out)
    }

    /// A map of strings (`variables`, `stageVariableOverrides`, `tags`): `check` for each member,
    /// `end` with their number.
    fn strings(
        &mut self,
        check: fn(&mut Walker, &str, &Scalar<'_>),
        end: impl FnOnce(&mut Walker, usize),
    ) -> Read<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        let mut first = true;
        let mut count = 0;
        while let Some(name) = self.r.next_key(&mut first)? {
            count += 1;
            self.w.at(&name);
            let value = self.r.scalar()?;
            check(&mut self.w, &name, &value);
            if self.building() {
                out.insert(name.into_owned(), owned(value)?);
            }
            self.w.at_object();
        }
        end(&mut self.w, count);
        Ok(out)
    }

    fn access_log(&mut self) -> Read<AccessLogSettings> {
        let mut out = AccessLogSettings::default();
        let mut first = true;
        let mut seen = 0;
        while let Some(name) = self.r.next_key(&mut first)? {
            self.w.at(&name);
            if let Some(rule) = access_log_rule(&name) {
                let value = self.r.scalar()?;
                string_rule(&mut self.w, rule, &value);
                if self.building() {
                    let (bit, slot) = if name == "format" {
                        (0, &mut out.format)
                    } else {
                        (1, &mut out.destination_arn)
                    };
                    once(&mut seen, bit, true)?;
                    *slot = Some(owned(value)?);
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
        let mut seen = 0;
        let build = self.build;
        while let Some(name) = self.r.next_key(&mut first)? {
            self.w.at(&name);
            match &*name {
                "stageVariableOverrides" => {
                    once(&mut seen, 0, build)?;
                    out.stage_variable_overrides =
                        self.nested(|p| p.strings(variable, |w, n| variables_end(w, false, n)))?;
                }
                "percentTraffic" | "deploymentId" | "useStageCache" => {
                    let value = self.r.scalar()?;
                    canary_scalar(&mut self.w, &name, &value);
                    if self.building() {
                        match &*name {
                            "percentTraffic" => {
                                once(&mut seen, 1, true)?;
                                out.percent_traffic = value.as_f64().ok_or(Bail)?;
                            }
                            "deploymentId" => {
                                once(&mut seen, 2, true)?;
                                out.deployment_id = Some(owned(value)?);
                            }
                            _ => {
                                once(&mut seen, 3, true)?;
                                out.use_stage_cache = value.as_bool().ok_or(Bail)?;
                            }
                        }
                    }
                }
                _ => {
                    if let Some(value) = self.unknown()? {
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
fn owned(value: Scalar<'_>) -> Read<String> {
    match value {
        Scalar::Str(s) => Ok(Cow::into_owned(s)),
        _ => Err(Bail),
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

    /// What the serde path answers.
    fn reference(text: &str) -> Result<Stage, StageTextError> {
        let report = validate_stage_serde(text).map_err(StageTextError::Syntax)?;
        if !report.valid {
            return Err(StageTextError::Invalid(report));
        }
        serde_json::from_str(text).map_err(StageTextError::Model)
    }

    /// Both paths agree on `text`, for validation and for reading a stage; returns whether the reader
    /// itself took it (no fallback).
    fn same(text: &str) -> bool {
        let fast = read(text, false).ok().map(|(w, _)| w.report());
        let expected = validate_stage_serde(text).map_err(|e| e.to_string());
        if let Some(fast) = &fast {
            assert_eq!(Ok(fast), expected.as_ref(), "validate {text}");
        }
        assert_eq!(
            validate_stage_str(text).map_err(|e| e.to_string()),
            expected,
            "validate_stage_str {text}"
        );
        assert_eq!(
            format!("{:?}", stage_from_str(text)),
            format!("{:?}", reference(text)),
            "stage_from_str {text}"
        );
        fast.is_some()
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
    fn fixture_corpus_reads_the_same_and_without_fallback() {
        let docs = fixture_documents();
        assert!(docs.len() > 30, "{}", docs.len());
        for doc in docs {
            let compact = doc.to_string();
            assert!(same(&compact), "fell back on {compact}");
            assert!(read(&compact, true).is_ok(), "fell back reading {compact}");
            same(&serde_json::to_string_pretty(&doc).unwrap());
        }
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
        ] {
            same(text);
        }
        let deep = format!("{{\"x\": {}{}}}", "[".repeat(126), "]".repeat(126));
        same(&deep);
        let bench = json!({"deploymentId": "dep1", "stageName": "prod", "cacheClusterEnabled": false,
            "cacheClusterStatus": "NOT_AVAILABLE", "tracingEnabled": false, "createdDate": 1_700_000_000,
            "methodSettings": {"~1r~1{id}/GET": {"metricsEnabled": true, "throttlingRateLimit": 10000.0}},
            "variables": {"backend": "example.com"}});
        assert!(matches!(read(&bench.to_string(), true), Ok((_, Some(_)))));
        let tags: Map<String, Value> = (0..51).map(|i| (format!("t{i}"), json!("v"))).collect();
        assert!(same(&json!({ "tags": tags }).to_string()));
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
            prop_assert!(same(&text), "fell back on {}", text);
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
