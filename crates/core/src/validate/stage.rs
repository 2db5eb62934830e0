//! Validation of stage documents in one streaming pass over a `serde_json::Value` (or, as the reference
//! for [`super::text`], over serde_json's deserializer), and the checks both paths share.
//!
//! Keys and strings are borrowed where the input allows, and a JSON Pointer is materialised only for a
//! value with a problem. Issues are reported ordered by path, so text and `Value` input give the same
//! report.

use std::borrow::Cow;
use std::cmp::Ordering;
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

/// Validates stage JSON text through serde_json's deserializer (no `Value` built): the reference the
/// one-pass reader ([`super::text`]) is tested against.
///
/// # Errors
/// serde_json's syntax error (with line and column) for text that is not JSON.
#[cfg(test)]
pub(super) fn validate_stage_serde(text: &str) -> Result<Report, serde_json::Error> {
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
/// The position is the escaped pointer of the enclosing objects plus the current member's key, kept
/// unescaped in a reused buffer: most members are scalars without issues, so escaping waits until a
/// pointer is needed. The innermost enclosing object's own key waits too (in `parent`, escaped into
/// `path` only for an issue or a deeper object), since most method-setting entries have no issue.
pub(super) struct Walker {
    path: String,
    parent: String,
    pending: bool,
    key: String,
    at_key: bool,
    issues: Vec<Issue>,
}

impl Default for Walker {
    /// Buffers sized for the usual keys and pointers, so that they do not grow step by step.
    fn default() -> Self {
        Self {
            path: String::with_capacity(64),
            parent: String::with_capacity(64),
            pending: false,
            key: String::with_capacity(64),
            at_key: false,
            issues: Vec::new(),
        }
    }
}

impl Walker {
    /// Positions the walker at member `key` of the current object.
    pub(super) fn at(&mut self, key: &str) {
        self.key.clear();
        self.key.push_str(key);
        self.at_key = true;
    }

    /// Back at the current object itself.
    pub(super) fn at_object(&mut self) {
        self.at_key = false;
    }

    /// Escapes the innermost object's key into `path` if it is still waiting.
    fn flush(&mut self) {
        if self.pending {
            push_escaped(&mut self.path, &self.parent);
            self.pending = false;
        }
    }

    /// Makes the current member the current object; returns the mark to [`Walker::leave`] with.
    pub(super) fn descend(&mut self) -> usize {
        self.flush();
        let mark = self.path.len();
        if self.at_key {
            std::mem::swap(&mut self.parent, &mut self.key);
            self.pending = true;
            self.at_key = false;
        }
        mark
    }

    pub(super) fn leave(&mut self, mark: usize) {
        self.path.truncate(mark);
        self.pending = false;
    }

    pub(super) fn push(&mut self, code: IssueCode, message: impl Into<String>) {
        self.flush();
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

    pub(super) fn wrong_type(&mut self, expected: &str, got: &Scalar<'_>) {
        self.push(
            IssueCode::InvalidType,
            format!("Expected {expected}, got {}", got.type_name()),
        );
    }

    pub(super) fn rule(&mut self, result: Result<(), RuleError>) {
        if let Err((code, message)) = result {
            self.push(code, message);
        }
    }

    pub(super) fn string<'s>(&mut self, value: &'s Scalar<'_>) -> Option<&'s str> {
        let s = value.as_str();
        if s.is_none() {
            self.wrong_type("string", value);
        }
        s
    }

    pub(super) fn boolean(&mut self, value: &Scalar<'_>) {
        if value.as_bool().is_none() {
            self.wrong_type("boolean", value);
        }
    }

    /// Whether no issue has been found so far.
    pub(super) fn clean(&self) -> bool {
        self.issues.is_empty()
    }

    pub(super) fn report(self) -> Report {
        // Order by path, comparing unescaped tokens as object keys sort; ties keep their order.
        let issues = crate::sort::stable_sorted(self.issues, |a, b| {
            a.path.segments().cmp(b.path.segments()) != Ordering::Greater
        });
        Report::from_issues(issues)
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
            _ if is_stage_scalar(key) => {
                let value = scalar(map)?;
                stage_scalar(w, key, &value);
                Ok(())
            }
            _ => map.next_value::<IgnoredAny>().map(drop),
        }
    }
}

/// Whether `key` is one of the stage's scalar members (checked by [`stage_scalar`]).
pub(super) fn is_stage_scalar(key: &str) -> bool {
    matches!(
        key,
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
            | "lastUpdatedDate"
    )
}

/// Checks a scalar member of the stage.
pub(super) fn stage_scalar(w: &mut Walker, key: &str, value: &Scalar<'_>) {
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
        method_setting_key(w, key);
        nested(w, map, EntryFields { key })
    }
}

/// Checks a `methodSettings` key (the walker is positioned at it).
pub(super) fn method_setting_key(w: &mut Walker, key: &str) {
    if !is_valid_key(key) {
        w.push(
            IssueCode::InvalidMethodSettingKey,
            format!(
                "Invalid method setting key: {key}. Use {{resourcePath}}/{{httpMethod}} with '/' in the resource path written '~1' (e.g. ~1pets~1{{petId}}/GET, ~1/GET for the root), or */*"
            ),
        );
    }
}

/// Checks the value of one of the table's settings in the entry `key`; whether it is valid.
pub(super) fn entry_value(
    w: &mut Walker,
    key: &str,
    setting: &Setting,
    value: &Scalar<'_>,
) -> bool {
    match setting.problem_scalar(value) {
        None => true,
        Some(problem) => {
            entry_problem(w, key, setting, problem, value);
            false
        }
    }
}

/// Reports the `problem` of `value` for one of the table's settings in the entry `key`.
pub(super) fn entry_problem(
    w: &mut Walker,
    key: &str,
    setting: &Setting,
    problem: ValueProblem,
    value: &Scalar<'_>,
) {
    match problem {
        ValueProblem::Type => w.wrong_type(setting.json_type(), value),
        ValueProblem::Range => {
            let code = if setting.field == "cacheTtlInSeconds" {
                IssueCode::InvalidTtl
            } else {
                IssueCode::InvalidValue
            };
            let raw = value.to_string();
            w.push(
                code,
                messages::invalid_setting_value(setting, &setting_path(key, setting), &raw),
            );
        }
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
        entry_value(w, self.key, setting, &value);
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
        let value = scalar(map)?;
        variable(w, name, &value);
        Ok(())
    }

    fn end(&mut self, w: &mut Walker) {
        variables_end(w, self.limit, self.count);
    }
}

/// Checks one stage variable (name and value).
pub(super) fn variable(w: &mut Walker, name: &str, value: &Scalar<'_>) {
    w.rule(rules::variable_name(name));
    if let Some(s) = w.string(value) {
        w.rule(rules::variable_value(s));
    }
}

/// Checks the number of stage variables (`limit`: the stage's own, not a canary's overrides).
pub(super) fn variables_end(w: &mut Walker, limit: bool, count: usize) {
    if limit && count > MAX_VARIABLES {
        w.push(IssueCode::TooManyVariables, messages::TOO_MANY_VARIABLES);
    }
}

/// A rule over one string value.
pub(super) type StringRule = fn(&str) -> Result<(), RuleError>;

/// The rule of an `accessLogSettings` member, `None` for one without.
pub(super) fn access_log_rule(name: &str) -> Option<StringRule> {
    match name {
        "format" => Some(rules::access_log_format),
        "destinationArn" => Some(rules::access_log_destination),
        _ => None,
    }
}

/// Checks a string member against its rule.
pub(super) fn string_rule(w: &mut Walker, rule: StringRule, value: &Scalar<'_>) {
    if let Some(s) = w.string(value) {
        w.rule(rule(s));
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
        let Some(rule) = access_log_rule(name) else {
            return map.next_value::<IgnoredAny>().map(drop);
        };
        let value = scalar(map)?;
        string_rule(w, rule, &value);
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
        canary_scalar(w, name, &value);
        Ok(())
    }
}

/// Checks a scalar member of `canarySettings`.
pub(super) fn canary_scalar(w: &mut Walker, name: &str, value: &Scalar<'_>) {
    match name {
        "percentTraffic" => match value.as_f64() {
            Some(pct) => w.rule(rules::percent_traffic(pct, &value.to_string())),
            None => w.wrong_type("number", value),
        },
        "deploymentId" => {
            w.string(value);
        }
        "useStageCache" => w.boolean(value),
        _ => {}
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
        tag(w, key, &value);
        Ok(())
    }

    fn end(&mut self, w: &mut Walker) {
        tags_end(w, self.count);
    }
}

/// Checks one tag.
pub(super) fn tag(w: &mut Walker, key: &str, value: &Scalar<'_>) {
    if let Some(s) = w.string(value) {
        w.rule(rules::tag(key, s));
    }
}

/// Checks the number of tags.
pub(super) fn tags_end(w: &mut Walker, count: usize) {
    if count > MAX_TAGS {
        w.push(IssueCode::TooManyTags, "A stage can have at most 50 tags");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate_stage_str;
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
