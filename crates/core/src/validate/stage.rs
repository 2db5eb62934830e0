//! Validation of stage documents in one streaming pass, over JSON text or a `serde_json::Value`.
//!
//! No `Value` is built from text: keys and strings are borrowed where the input allows, and a JSON
//! Pointer is materialised only for a value with a problem. Issues are reported ordered by path, so
//! text and `Value` input give the same report.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Issue, IssueCode, Report};
use crate::key::{is_valid_key, setting_path};
use crate::messages;
use crate::model::{CACHE_CLUSTER_STATUSES, Timestamp};
use crate::pointer::{JsonPointer, push_escaped};
use crate::rules::{self, MAX_TAGS, MAX_VARIABLES, RuleError};
use crate::scalar::{Scalar, ScalarVisitor};
use crate::settings::{Setting, ValueProblem};

/// Validates a stage document (GetStage JSON as the API or the AWS CLI returns it).
#[must_use]
pub fn validate_stage(doc: &Value) -> Report {
    let mut walker = Walker::default();
    // A `&Value` deserializer cannot fail on its own and the seeds never fail.
    let _ = Object {
        w: &mut walker,
        fields: StageFields,
    }
    .deserialize(doc);
    walker.report()
}

/// Validates stage JSON text without building a `serde_json::Value`.
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
    let mut walker = Walker::default();
    let mut de = serde_json::Deserializer::from_str(text);
    Object {
        w: &mut walker,
        fields: StageFields,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(walker.report())
}

/// The current position and the issues found so far.
///
/// The position is the escaped pointer of the enclosing object plus the current member's key, kept
/// unescaped in a reused buffer: most members are scalars without issues, so escaping waits until a
/// pointer is needed (an issue, or descending into a nested object).
#[derive(Default)]
struct Walker {
    path: String,
    key: String,
    at_key: bool,
    issues: Vec<Issue>,
}

impl Walker {
    /// Positions the walker at member `key` of the current object.
    fn at(&mut self, key: &str) {
        self.key.clear();
        self.key.push_str(key);
        self.at_key = true;
    }

    /// Back at the current object itself.
    fn at_object(&mut self) {
        self.at_key = false;
    }

    /// Makes the current member the current object; returns the mark to [`Walker::leave`] with.
    fn descend(&mut self) -> usize {
        let mark = self.path.len();
        if self.at_key {
            push_escaped(&mut self.path, &self.key);
            self.at_key = false;
        }
        mark
    }

    fn leave(&mut self, mark: usize) {
        self.path.truncate(mark);
    }

    fn push(&mut self, code: IssueCode, message: impl Into<String>) {
        let mut path = self.path.clone();
        if self.at_key {
            push_escaped(&mut path, &self.key);
        }
        let path = JsonPointer::from_escaped(path);
        self.issues.push(Issue {
            path,
            code,
            message: message.into(),
        });
    }

    fn wrong_type(&mut self, expected: &str, got: &Scalar<'_>) {
        self.push(
            IssueCode::InvalidType,
            format!("Expected {expected}, got {}", got.type_name()),
        );
    }

    fn rule(&mut self, result: Result<(), RuleError>) {
        if let Err((code, message)) = result {
            self.push(code, message);
        }
    }

    fn string<'s>(&mut self, value: &'s Scalar<'_>) -> Option<&'s str> {
        let s = value.as_str();
        if s.is_none() {
            self.wrong_type("string", value);
        }
        s
    }

    fn boolean(&mut self, value: &Scalar<'_>) {
        if value.as_bool().is_none() {
            self.wrong_type("boolean", value);
        }
    }

    fn report(mut self) -> Report {
        // Order by path, comparing unescaped tokens as object keys sort; ties keep their order.
        self.issues
            .sort_by(|a, b| a.path.segments().cmp(b.path.segments()));
        Report::from_issues(self.issues)
    }
}

/// The members of one kind of object.
trait Fields {
    /// Checks the value of `key`, reading it from `map` (the walker is positioned at `key`).
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error>;

    /// Checks the object as a whole after its members (the walker is positioned at the object).
    fn end(&mut self, w: &mut Walker) {
        let _ = w;
    }
}

/// Reads the next value as an object whose members `fields` checks.
fn nested<'de, A: MapAccess<'de>, F: Fields>(
    w: &mut Walker,
    map: &mut A,
    fields: F,
) -> Result<(), A::Error> {
    let mark = w.descend();
    let result = map.next_value_seed(Object { w, fields });
    w.leave(mark);
    result
}

/// Reads the next value as a [`Scalar`].
fn scalar<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Scalar<'de>, A::Error> {
    map.next_value_seed(ScalarVisitor)
}

/// An object whose members `F` checks; any other JSON type is an issue.
struct Object<'w, F> {
    w: &'w mut Walker,
    fields: F,
}

impl<'de, F: Fields> DeserializeSeed<'de> for Object<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<F: Fields> Object<'_, F> {
    fn not_an_object<E>(self, got: &Scalar<'_>) -> Result<(), E> {
        self.w.wrong_type("object", got);
        Ok(())
    }
}

impl<'de, F: Fields> Visitor<'de> for Object<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            self.w.at(&key);
            self.fields.field(self.w, &key, &mut map)?;
            self.w.at_object();
        }
        self.fields.end(self.w);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.not_an_object(&Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.not_an_object(&Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.not_an_object(&Scalar::UInt(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.not_an_object(&Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_object(&Scalar::Str(Cow::Borrowed("")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_an_object(&Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.not_an_object(&Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object(&Scalar::Array)
    }
}

/// Reads an object key, borrowed from the input when it has no escapes (serde's `Cow<str>`
/// always allocates).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// The top level of a GetStage document.
struct StageFields;

impl Fields for StageFields {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "methodSettings" => nested(w, map, MethodSettingsFields),
            "variables" => nested(
                w,
                map,
                VariablesFields {
                    limit: true,
                    count: 0,
                },
            ),
            "accessLogSettings" => nested(w, map, AccessLogFields),
            "canarySettings" => nested(w, map, CanaryFields),
            "tags" => nested(w, map, TagsFields { count: 0 }),
            "stageName"
            | "deploymentId"
            | "clientCertificateId"
            | "description"
            | "documentationVersion"
            | "webAclArn"
            | "cacheClusterSize"
            | "cacheClusterStatus"
            | "cacheClusterEnabled"
            | "tracingEnabled"
            | "createdDate"
            | "lastUpdatedDate" => {
                let value = scalar(map)?;
                stage_scalar(w, key, &value);
                Ok(())
            }
            _ => map.next_value::<IgnoredAny>().map(drop),
        }
    }
}

fn stage_scalar(w: &mut Walker, key: &str, value: &Scalar<'_>) {
    match key {
        "cacheClusterEnabled" | "tracingEnabled" => w.boolean(value),
        "createdDate" | "lastUpdatedDate" => {
            let ok = match value {
                Scalar::Int(_) | Scalar::UInt(_) | Scalar::Float(_) => true,
                Scalar::Str(s) => Timestamp::parse_iso8601(s).is_some(),
                _ => false,
            };
            if !ok {
                w.push(
                    IssueCode::InvalidTimestamp,
                    "Expected epoch seconds or an ISO-8601 date-time",
                );
            }
        }
        _ => {
            let Some(s) = w.string(value) else { return };
            match key {
                "stageName" => w.rule(rules::stage_name(s)),
                "cacheClusterSize" => w.rule(rules::cache_cluster_size(s)),
                "cacheClusterStatus" if !CACHE_CLUSTER_STATUSES.contains(&s) => {
                    let message = format!(
                        "Invalid cache cluster status: {s}. Must be one of: [{}]",
                        CACHE_CLUSTER_STATUSES.join(", ")
                    );
                    w.push(IssueCode::InvalidCacheClusterStatus, message);
                }
                _ => {}
            }
        }
    }
}

/// `methodSettings`: entries by key. This is the hot loop of large stages.
struct MethodSettingsFields;

impl Fields for MethodSettingsFields {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        if !is_valid_key(key) {
            w.push(
                IssueCode::InvalidMethodSettingKey,
                format!(
                    "Invalid method setting key: {key}. Use {{resourcePath}}/{{httpMethod}} with '/' in the resource path written '~1' (e.g. ~1pets~1{{petId}}/GET, ~1/GET for the root), or */*"
                ),
            );
        }
        nested(w, map, EntryFields { key })
    }
}

/// One method-setting entry; `key` is its method-setting key, for messages.
struct EntryFields<'k> {
    key: &'k str,
}

impl Fields for EntryFields<'_> {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        name: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let Some(setting) = Setting::by_field(name) else {
            return map.next_value::<IgnoredAny>().map(drop);
        };
        let value = scalar(map)?;
        match setting.problem_scalar(&value) {
            None => {}
            Some(ValueProblem::Type) => w.wrong_type(setting.json_type(), &value),
            Some(ValueProblem::Range) => {
                let code = if setting.field == "cacheTtlInSeconds" {
                    IssueCode::InvalidTtl
                } else {
                    IssueCode::InvalidValue
                };
                let raw = value.to_string();
                w.push(
                    code,
                    messages::invalid_setting_value(
                        setting,
                        &setting_path(self.key, setting),
                        &raw,
                    ),
                );
            }
        }
        Ok(())
    }
}

/// `variables` (at most 100) or a canary's `stageVariableOverrides`.
struct VariablesFields {
    limit: bool,
    count: usize,
}

impl Fields for VariablesFields {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        name: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        self.count += 1;
        w.rule(rules::variable_name(name));
        let value = scalar(map)?;
        if let Some(s) = w.string(&value) {
            w.rule(rules::variable_value(s));
        }
        Ok(())
    }

    fn end(&mut self, w: &mut Walker) {
        if self.limit && self.count > MAX_VARIABLES {
            w.push(IssueCode::TooManyVariables, messages::TOO_MANY_VARIABLES);
        }
    }
}

/// `accessLogSettings`.
struct AccessLogFields;

impl Fields for AccessLogFields {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        name: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let rule: fn(&str) -> Result<(), RuleError> = match name {
            "format" => rules::access_log_format,
            "destinationArn" => rules::access_log_destination,
            _ => return map.next_value::<IgnoredAny>().map(drop),
        };
        let value = scalar(map)?;
        if let Some(s) = w.string(&value) {
            w.rule(rule(s));
        }
        Ok(())
    }
}

/// `canarySettings`.
struct CanaryFields;

impl Fields for CanaryFields {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        name: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        if name == "stageVariableOverrides" {
            return nested(
                w,
                map,
                VariablesFields {
                    limit: false,
                    count: 0,
                },
            );
        }
        let value = scalar(map)?;
        match name {
            "percentTraffic" => match value.as_f64() {
                Some(pct) => w.rule(rules::percent_traffic(pct, &value.to_string())),
                None => w.wrong_type("number", &value),
            },
            "deploymentId" => {
                w.string(&value);
            }
            "useStageCache" => w.boolean(&value),
            _ => {}
        }
        Ok(())
    }
}

/// `tags` (at most 50).
struct TagsFields {
    count: usize,
}

impl Fields for TagsFields {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        w: &mut Walker,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        self.count += 1;
        let value = scalar(map)?;
        if let Some(s) = w.string(&value) {
            w.rule(rules::tag(key, s));
        }
        Ok(())
    }

    fn end(&mut self, w: &mut Walker) {
        if self.count > MAX_TAGS {
            w.push(IssueCode::TooManyTags, "A stage can have at most 50 tags");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_and_value_give_the_same_report() {
        let text = r#"{"variables": {"b-": "", "a": "ok"}, "stageName": "x y",
            "methodSettings": {"~1p/GET": {"cacheTtlInSeconds": 4000, "metricsEnabled": "no"}, "GET": 1}}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let from_text = validate_stage_str(text).unwrap();
        assert_eq!(from_text, validate_stage(&value));
        let paths: Vec<_> = from_text
            .errors
            .iter()
            .map(|i| i.path.to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "/methodSettings/GET",
                "/methodSettings/GET",
                "/methodSettings/~01p~1GET/cacheTtlInSeconds",
                "/methodSettings/~01p~1GET/metricsEnabled",
                "/stageName",
                "/variables/b-",
                "/variables/b-"
            ]
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = validate_stage_str("{\n \"a\": }").unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 7));
        assert!(validate_stage_str("{} x").is_err());
    }

    #[test]
    fn escaped_keys_and_strings_are_read() {
        let r = validate_stage_str(r#"{"variables": {"a\u002db": "x"}}"#).unwrap();
        assert_eq!(r.errors[0].path.to_string(), "/variables/a-b");
        assert!(validate_stage(&json!({"stageName": "ok"})).valid);
    }
}
