//! The stage model: GetStage wire JSON (camelCase, epoch-second timestamps), with unknown fields kept.
//!
//! Fields that AWS always returns as non-null booleans (`cacheClusterEnabled`, `tracingEnabled`, the
//! canary's `useStageCache`) are plain `bool`s. Maps that AWS omits when empty (`variables`, `tags`,
//! `stageVariableOverrides`) are empty maps when absent. `methodSettings` is always present, as in AWS.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::settings::{METHOD_SETTINGS, Setting, ValueKind};

/// The eight `cacheClusterSize` values (GB).
pub const CACHE_CLUSTER_SIZES: &[&str] =
    &["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

/// The five `cacheClusterStatus` values.
pub const CACHE_CLUSTER_STATUSES: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "AVAILABLE",
    "DELETE_IN_PROGRESS",
    "NOT_AVAILABLE",
    "FLUSH_IN_PROGRESS",
];

/// A stage as GetStage returns it.
///
/// `Deserialize` is hand-written (see [`StageField`]): known keys go straight into the typed fields and
/// unknown keys into [`Stage::extra`], with no intermediate buffering (`#[serde(flatten)]` would buffer
/// every field through serde's `Content`, which is slow and large in WASM).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// The deployment the stage serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The client certificate used for backend calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_id: Option<String>,
    /// The stage's name (`[A-Za-z0-9_-]{1,128}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the stage has a response cache cluster.
    #[serde(default)]
    pub cache_cluster_enabled: bool,
    /// One of [`CACHE_CLUSTER_SIZES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    /// One of [`CACHE_CLUSTER_STATUSES`] (server-managed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_status: Option<String>,
    /// Method-setting entries by key (`*/*`, `~1pets/GET`, …).
    #[serde(default)]
    pub method_settings: BTreeMap<String, MethodSetting>,
    /// Stage variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
    /// The documentation snapshot version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_version: Option<String>,
    /// Access logging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_log_settings: Option<AccessLogSettings>,
    /// Canary release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_settings: Option<CanarySettings>,
    /// X-Ray tracing.
    #[serde(default)]
    pub tracing_enabled: bool,
    /// The associated AWS WAF web ACL (set through WAF, not UpdateStage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_acl_arn: Option<String>,
    /// Tags (set through TagResource, not UpdateStage).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Creation time (server-managed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// Last update time (server-managed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<Timestamp>,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Stage {
    /// Parses GetStage JSON text.
    ///
    /// # Errors
    /// serde's error (with line and column) for bad JSON or a field of the wrong type.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The stage as pretty GetStage JSON.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Access logging: a single-line format and a CloudWatch Logs or Firehose destination.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogSettings {
    /// The log line format; must include `$context.requestId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Log group ARN or `amazon-apigateway-*` Firehose stream ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_arn: Option<String>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A canary release on a stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanarySettings {
    /// Share of traffic sent to the canary, 0.0–100.0.
    #[serde(default)]
    pub percent_traffic: f64,
    /// The canary's deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// Stage variables the canary overrides.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stage_variable_overrides: BTreeMap<String, String>,
    /// Whether the canary uses the stage cache.
    #[serde(default)]
    pub use_stage_cache: bool,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A map key, borrowed from the input when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Owned(s) => s,
        }
    }

    fn into_owned(self) -> String {
        match self {
            Self::Borrowed(s) => s.to_owned(),
            Self::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Reads the keys of a JSON object one by one: `known(key)` is the index of a typed field (an error for
/// a repeated one, as derived impls give), `None` an unknown field, whose value goes into `extra`.
fn read_object<'de, A, F>(
    mut map: A,
    fields: &'static [&'static str],
    extra: &mut Map<String, Value>,
    mut read: F,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(usize, &mut A) -> Result<(), A::Error>,
{
    let mut seen = 0u32;
    while let Some(key) = map.next_key::<Key<'de>>()? {
        match fields.iter().position(|f| *f == key.as_str()) {
            Some(i) => {
                if seen & (1 << i) != 0 {
                    return Err(de::Error::duplicate_field(fields[i]));
                }
                seen |= 1 << i;
                read(i, &mut map)?;
            }
            None => {
                let value = map.next_value::<Value>()?;
                extra.insert(key.into_owned(), value);
            }
        }
    }
    Ok(())
}

const STAGE_FIELDS: &[&str] = &[
    "deploymentId",
    "clientCertificateId",
    "stageName",
    "description",
    "cacheClusterEnabled",
    "cacheClusterSize",
    "cacheClusterStatus",
    "methodSettings",
    "variables",
    "documentationVersion",
    "accessLogSettings",
    "canarySettings",
    "tracingEnabled",
    "webAclArn",
    "tags",
    "createdDate",
    "lastUpdatedDate",
];

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Stage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct Stage")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Stage, A::Error> {
                let mut s = Stage::default();
                let mut extra = Map::new();
                read_object(map, STAGE_FIELDS, &mut extra, |i, map| {
                    match i {
                        0 => s.deployment_id = map.next_value()?,
                        1 => s.client_certificate_id = map.next_value()?,
                        2 => s.stage_name = map.next_value()?,
                        3 => s.description = map.next_value()?,
                        4 => s.cache_cluster_enabled = map.next_value()?,
                        5 => s.cache_cluster_size = map.next_value()?,
                        6 => s.cache_cluster_status = map.next_value()?,
                        7 => s.method_settings = map.next_value()?,
                        8 => s.variables = map.next_value()?,
                        9 => s.documentation_version = map.next_value()?,
                        10 => s.access_log_settings = map.next_value()?,
                        11 => s.canary_settings = map.next_value()?,
                        12 => s.tracing_enabled = map.next_value()?,
                        13 => s.web_acl_arn = map.next_value()?,
                        14 => s.tags = map.next_value()?,
                        15 => s.created_date = map.next_value()?,
                        _ => s.last_updated_date = map.next_value()?,
                    }
                    Ok(())
                })?;
                s.extra = extra;
                Ok(s)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

const ACCESS_LOG_FIELDS: &[&str] = &["format", "destinationArn"];

impl<'de> Deserialize<'de> for AccessLogSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = AccessLogSettings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct AccessLogSettings")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AccessLogSettings, A::Error> {
                let mut s = AccessLogSettings::default();
                let mut extra = Map::new();
                read_object(map, ACCESS_LOG_FIELDS, &mut extra, |i, map| {
                    match i {
                        0 => s.format = map.next_value()?,
                        _ => s.destination_arn = map.next_value()?,
                    }
                    Ok(())
                })?;
                s.extra = extra;
                Ok(s)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

const CANARY_FIELDS: &[&str] = &[
    "percentTraffic",
    "deploymentId",
    "stageVariableOverrides",
    "useStageCache",
];

impl<'de> Deserialize<'de> for CanarySettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = CanarySettings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct CanarySettings")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CanarySettings, A::Error> {
                let mut s = CanarySettings::default();
                let mut extra = Map::new();
                read_object(map, CANARY_FIELDS, &mut extra, |i, map| {
                    match i {
                        0 => s.percent_traffic = map.next_value()?,
                        1 => s.deployment_id = map.next_value()?,
                        2 => s.stage_variable_overrides = map.next_value()?,
                        _ => s.use_stage_cache = map.next_value()?,
                    }
                    Ok(())
                })?;
                s.extra = extra;
                Ok(s)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Number of rows in [`METHOD_SETTINGS`].
const SETTINGS: usize = METHOD_SETTINGS.len();

/// A checked setting value in 16 bytes: no heap, cheap to copy and compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Stored {
    Bool(bool),
    Integer(i64),
    Double(f64),
    /// Index into the setting's [`ValueKind::Enum`] options.
    Choice(u8),
}

impl Stored {
    /// Converts a JSON value that [`Setting::check`] accepts.
    fn from_json(setting: &Setting, value: &Value) -> Option<Self> {
        if setting.problem(value).is_some() {
            return None;
        }
        match setting.kind {
            ValueKind::Bool => value.as_bool().map(Self::Bool),
            ValueKind::Integer { .. } => value.as_i64().map(Self::Integer),
            ValueKind::Double { .. } => value.as_f64().map(Self::Double),
            ValueKind::Enum(options) => {
                let s = value.as_str()?;
                options
                    .iter()
                    .position(|o| *o == s)
                    .and_then(|i| u8::try_from(i).ok())
                    .map(Self::Choice)
            }
        }
    }

    /// The canonical JSON value (doubles as doubles).
    pub(crate) fn to_json(self, setting: &Setting) -> Value {
        match (self, setting.kind) {
            (Self::Bool(b), _) => Value::Bool(b),
            (Self::Integer(i), _) => Value::from(i),
            (Self::Double(d), _) => Value::from(d),
            (Self::Choice(i), ValueKind::Enum(options)) => Value::from(options[usize::from(i)]),
            (Self::Choice(_), _) => Value::Null,
        }
    }

    /// The patch `value` string (`"true"`, `"300"`, `"10000.0"`, `"INFO"`).
    pub(crate) fn to_patch_value(self, setting: &Setting) -> String {
        match (self, setting.kind) {
            (Self::Bool(b), _) => b.to_string(),
            (Self::Integer(i), _) => i.to_string(),
            (Self::Double(d), _) => crate::values::format_double(d),
            (Self::Choice(i), ValueKind::Enum(options)) => options[usize::from(i)].to_owned(),
            (Self::Choice(_), _) => String::new(),
        }
    }
}

/// One method-setting entry: the table's fields plus any unknown fields.
///
/// Fields are stored compactly by table row, so a new row in [`METHOD_SETTINGS`] needs no change here
/// and a stage with 10,000 entries stays small. Serialised in table order, unknown fields last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodSetting {
    values: [Option<Stored>; SETTINGS],
    unknown: Map<String, Value>,
}

/// The row of `setting` in the table (by identity, else by field name).
fn row(setting: &Setting) -> Option<usize> {
    METHOD_SETTINGS
        .iter()
        .position(|s| std::ptr::eq(s, setting))
        .or_else(|| {
            METHOD_SETTINGS
                .iter()
                .position(|s| s.field == setting.field)
        })
}

impl MethodSetting {
    /// The entry AWS creates for a new key when there is no `*/*` to copy.
    #[must_use]
    pub fn aws_defaults() -> Self {
        let mut out = Self::default();
        for (slot, setting) in out.values.iter_mut().zip(METHOD_SETTINGS) {
            *slot = setting
                .default_json()
                .and_then(|v| Stored::from_json(setting, &v));
        }
        out
    }

    /// The value of one setting, if present.
    #[must_use]
    pub fn get(&self, setting: &Setting) -> Option<Value> {
        let i = row(setting)?;
        self.values[i].map(|v| v.to_json(&METHOD_SETTINGS[i]))
    }

    /// The value of a field by its GetStage name, known or unknown.
    #[must_use]
    pub fn get_field(&self, field: &str) -> Option<Value> {
        match Setting::by_field(field) {
            Some(setting) => self.get(setting),
            None => self.unknown.get(field).cloned(),
        }
    }

    /// Sets one setting; a value that [`Setting::check`] refuses is ignored.
    #[allow(clippy::needless_pass_by_value)] // takes the value like a map insert
    pub fn set(&mut self, setting: &Setting, value: Value) {
        if let Some(i) = row(setting)
            && let Some(v) = Stored::from_json(&METHOD_SETTINGS[i], &value)
        {
            self.values[i] = Some(v);
        }
    }

    /// Removes one setting.
    pub fn unset(&mut self, setting: &Setting) {
        if let Some(i) = row(setting) {
            self.values[i] = None;
        }
    }

    /// All fields, known (in table order) and unknown, as a JSON object.
    #[must_use]
    pub fn fields(&self) -> Map<String, Value> {
        self.iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// All present fields, known (in table order) then unknown.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Value)> {
        let known = METHOD_SETTINGS
            .iter()
            .zip(&self.values)
            .filter_map(|(s, v)| v.map(|v| (s.field, v.to_json(s))));
        known.chain(self.unknown.iter().map(|(k, v)| (k.as_str(), v.clone())))
    }

    /// The table's fields by row of [`METHOD_SETTINGS`].
    pub(crate) fn rows(&self) -> &[Option<Stored>] {
        &self.values
    }

    /// Fields that are not in the table.
    pub fn unknown_fields(&self) -> &Map<String, Value> {
        &self.unknown
    }

    /// Adds one field from JSON, checking it if the table knows it.
    fn insert_json(&mut self, name: String, value: Value) -> Result<(), String> {
        match METHOD_SETTINGS.iter().position(|s| s.field == name) {
            Some(i) => {
                let setting = &METHOD_SETTINGS[i];
                let stored =
                    Stored::from_json(setting, &value).ok_or_else(|| invalid_field(i, &value))?;
                self.values[i] = Some(stored);
            }
            None => {
                self.unknown.insert(name, value);
            }
        }
        Ok(())
    }

    /// Builds an entry from JSON fields, checking the table's fields.
    ///
    /// # Errors
    /// A message naming the first field of the wrong type or out of range.
    pub fn from_fields(fields: Map<String, Value>) -> Result<Self, String> {
        let mut out = Self::default();
        for (name, value) in fields {
            out.insert_json(name, value)?;
        }
        Ok(out)
    }
}

impl Serialize for MethodSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// Reads the value of the table's row `.0` straight into a [`Stored`] (no [`Value`], no allocation for
/// enum strings); `Err` carries the refused value for the message.
struct StoredSeed(usize);

impl StoredSeed {
    fn check(&self, value: Value) -> Result<Stored, Value> {
        Stored::from_json(&METHOD_SETTINGS[self.0], &value).ok_or(value)
    }
}

impl<'de> DeserializeSeed<'de> for StoredSeed {
    type Value = Result<Stored, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for StoredSeed {
    type Value = Result<Stored, Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a method setting value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.check(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.check(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.check(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.check(Value::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let ValueKind::Enum(options) = METHOD_SETTINGS[self.0].kind
            && let Some(i) = options.iter().position(|o| *o == v)
            && let Ok(i) = u8::try_from(i)
        {
            return Ok(Ok(Stored::Choice(i)));
        }
        Ok(Err(Value::String(v.to_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Err)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Err)
    }
}

impl<'de> Deserialize<'de> for MethodSetting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = MethodSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a method setting object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MethodSetting, A::Error> {
                let mut out = MethodSetting::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let name = key.as_str();
                    match METHOD_SETTINGS.iter().position(|s| s.field == name) {
                        Some(i) => match map.next_value_seed(StoredSeed(i))? {
                            Ok(stored) => out.values[i] = Some(stored),
                            Err(value) => {
                                return Err(de::Error::custom(invalid_field(i, &value)));
                            }
                        },
                        None => {
                            let value = map.next_value::<Value>()?;
                            out.unknown.insert(key.into_owned(), value);
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The message for a value of the wrong type or out of range in row `i`.
fn invalid_field(i: usize, value: &Value) -> String {
    let setting = &METHOD_SETTINGS[i];
    let mut out = String::from("invalid ");
    out.push_str(setting.field);
    out.push_str(": expected a valid ");
    out.push_str(setting.json_type());
    out.push_str(" value, got ");
    out.push_str(&value.to_string());
    out
}

/// A point in time as epoch seconds. Reads numbers (the wire form) and ISO-8601 strings (the AWS CLI's
/// display form); writes numbers, whole seconds without a fraction.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Timestamp(pub f64);

impl Timestamp {
    /// Parses an RFC 3339 / ISO-8601 date-time with an offset, as the AWS CLI prints them:
    /// `2024-03-05T10:20:30+00:00`, `…Z`, fractional seconds (`.5`, `,5`, up to nanoseconds; more digits
    /// are truncated), the basic forms `20240305T102030Z` / `+0000`, an hour-only offset (`+01`), `t` or a
    /// space as separator, and `HH:MM` without seconds. Week and ordinal dates and a missing offset are
    /// refused.
    #[must_use]
    pub fn parse_iso8601(text: &str) -> Option<Self> {
        let mut c = Cursor(text.as_bytes());
        let year = c.digits(4)?;
        let extended = c.eat(b'-');
        let month = c.digits(2)?;
        if extended && !c.eat(b'-') {
            return None;
        }
        let day = c.digits(2)?;
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return None;
        }
        let hour = c.digits(2)?;
        if extended && !c.eat(b':') {
            return None;
        }
        let minute = c.digits(2)?;
        let mut second = 0;
        let mut nanos = 0;
        if (extended && c.eat(b':')) || (!extended && c.peek().is_some_and(|b| b.is_ascii_digit()))
        {
            second = c.digits(2)?;
            if c.eat(b'.') || c.eat(b',') {
                let mut scale = 100_000_000;
                let mut any = false;
                while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
                    c.0 = &c.0[1..];
                    nanos += i64::from(d - b'0') * scale;
                    scale /= 10;
                    any = true;
                }
                if !any {
                    return None;
                }
            }
        }
        let offset = match c.peek()? {
            b'Z' | b'z' => {
                c.0 = &c.0[1..];
                0
            }
            sign @ (b'+' | b'-') => {
                c.0 = &c.0[1..];
                let h = c.digits(2)?;
                let m = if c.0.is_empty() {
                    0
                } else {
                    c.eat(b':');
                    c.digits(2)?
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let seconds = h * 3600 + m * 60;
                if sign == b'-' { -seconds } else { seconds }
            }
            _ => return None,
        };
        let valid = c.0.is_empty()
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return None;
        }
        let seconds =
            days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
                - offset;
        let nanos = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        #[allow(clippy::cast_precision_loss)]
        Some(Self(nanos as f64 / 1e9))
    }
}

/// A byte cursor for [`Timestamp::parse_iso8601`].
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.0 = &self.0[1..];
        }
        hit
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let (head, rest) = self.0.split_at_checked(n)?;
        let mut out = 0;
        for &b in head {
            if !b.is_ascii_digit() {
                return None;
            }
            out = out * 10 + i64::from(b - b'0');
        }
        self.0 = rest;
        Some(out)
    }
}

const fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[allow(clippy::cast_possible_truncation)]
        if self.0.fract() == 0.0 && self.0.abs() < 9e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("epoch seconds or an ISO-8601 date-time")
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_iso8601(v)
                    .ok_or_else(|| E::custom(format!("invalid ISO-8601 date-time: {v}")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn aws_get_stage() -> Value {
        json!({
            "deploymentId": "abc123",
            "stageName": "prod",
            "description": "production",
            "cacheClusterEnabled": false,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": false, "loggingLevel": "INFO", "dataTraceEnabled": false,
                    "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0, "cachingEnabled": false,
                    "cacheTtlInSeconds": 300, "cacheDataEncrypted": false,
                    "requireAuthorizationForCacheControl": true,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"
                }
            },
            "variables": {"backend": "example.com"},
            "tracingEnabled": false,
            "createdDate": 1_700_000_000,
            "lastUpdatedDate": 1_700_000_100,
            "someNewAwsField": {"nested": [1, 2]}
        })
    }

    #[test]
    fn round_trips_aws_wire_json() {
        let wire = aws_get_stage();
        let stage: Stage = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(serde_json::to_value(&stage).unwrap(), wire);
        assert_eq!(stage.extra["someNewAwsField"], json!({"nested": [1, 2]}));
    }

    #[test]
    fn nested_unknown_fields_are_kept_and_text_equals_value() {
        let wire = json!({
            "accessLogSettings": {"format": "$context.requestId", "newField": 1},
            "canarySettings": {"percentTraffic": 10.5, "useStageCache": true, "x": [null]},
            "methodSettings": {"*/*": {"loggingLevel": "ERROR", "futureSetting": {"a": 1}}},
            "zzz": "kept"
        });
        let from_text: Stage = serde_json::from_str(&wire.to_string()).unwrap();
        let from_value: Stage = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(from_text, from_value);
        assert_eq!(
            serde_json::to_value(&from_text).unwrap()["accessLogSettings"],
            wire["accessLogSettings"]
        );
        assert_eq!(
            serde_json::to_value(&from_text).unwrap()["canarySettings"],
            wire["canarySettings"]
        );
        assert_eq!(from_text.extra["zzz"], "kept");
    }

    #[test]
    fn type_errors_and_duplicates_are_refused() {
        for (text, needle) in [
            (r#"{"stageName": 1}"#, "invalid type"),
            (r#"{"tracingEnabled": null}"#, "invalid type"),
            (
                r#"{"stageName": "a", "stageName": "b"}"#,
                "duplicate field `stageName`",
            ),
            (
                r#"{"canarySettings": {"percentTraffic": "x"}}"#,
                "invalid type",
            ),
            (
                r#"{"methodSettings": {"*/*": {"loggingLevel": "LOUD"}}}"#,
                "invalid loggingLevel",
            ),
            (
                r#"{"methodSettings": {"*/*": {"metricsEnabled": {"a": 1}}}}"#,
                r#"got {"a":1}"#,
            ),
            (r#"{"createdDate": "yesterday"}"#, "invalid ISO-8601"),
            ("[]", "invalid type"),
        ] {
            let err = serde_json::from_str::<Stage>(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn reads_cli_iso_timestamps() {
        let stage: Stage =
            serde_json::from_value(json!({"createdDate": "2023-11-14T22:13:20+00:00"})).unwrap();
        assert_eq!(
            serde_json::to_value(stage).unwrap()["createdDate"],
            json!(1_700_000_000)
        );
    }

    #[test]
    fn iso_timestamp_forms() {
        let at = |t: &str| Timestamp::parse_iso8601(t).map(|t| t.0);
        for t in [
            "2023-11-14T22:13:20+00:00",
            "2023-11-14T22:13:20Z",
            "2023-11-14t22:13:20z",
            "2023-11-14 22:13:20Z",
            "2023-11-15T00:13:20+02:00",
            "2023-11-14T20:13:20-02",
            "2023-11-14T23:43:20+0130",
            "20231114T221320Z",
            "2023-11-14T22:13:20.000Z",
        ] {
            assert_eq!(at(t), Some(1_700_000_000.0), "{t}");
        }
        assert_eq!(at("2023-11-14T22:13Z"), Some(1_699_999_980.0));
        let near = |t: &str, want: f64| (at(t).unwrap() - want).abs() < 1e-6;
        assert!(near("2023-11-14T22:13:20.25Z", 1_700_000_000.25));
        assert!(near("2023-11-14T22:13:20,5+00:00", 1_700_000_000.5));
        assert!(near(
            "2023-11-14T22:13:20.1234567891Z",
            1_700_000_000.123_456_8
        ));
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(at("1969-12-31T23:59:59Z"), Some(-1.0));
        assert_eq!(at("2000-02-29T00:00:00Z"), Some(951_782_400.0));
        assert_eq!(at("0000-03-01T00:00:00Z"), Some(-62_162_035_200.0));
        for bad in [
            "",
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20+",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20Zx",
            "2023-13-14T22:13:20Z",
            "2023-02-29T22:13:20Z",
            "1900-02-29T00:00:00Z",
            "2023-11-31T22:13:20Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:60:00Z",
            "2023-11-14T22:13:60Z",
            "2023-11-14T22:13:20+24:00",
            "2023-11-14T22:13:20+00:60",
            "2023-11-14T2213:20Z",
            "2023-11-1422:13:20Z",
            "+2023-11-14T22:13:20Z",
            "2023-W46-2T22:13:20Z",
            "２023-11-14T22:13:20Z",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// The hand-written parser agrees with the `time` crate on every RFC 3339 date-time.
        #[test]
        fn iso_parser_matches_time_crate(
            days in -719_162i64..2_932_896,
            secs in 0i64..86_400,
            nanos in 0u32..1_000_000_000,
            digits in 0usize..10,
            offset_min in -1439i32..1440,
            zulu: bool,
        ) {
            use time::format_description::well_known::Rfc3339;
            let offset_min = if zulu { 0 } else { offset_min };
            let nanos = if digits == 0 { 0 } else { nanos / 10u32.pow(9 - u32::try_from(digits).unwrap()) * 10u32.pow(9 - u32::try_from(digits).unwrap()) };
            let utc = time::OffsetDateTime::from_unix_timestamp(days * 86_400 + secs).unwrap()
                + time::Duration::nanoseconds(i64::from(nanos));
            let offset = time::UtcOffset::from_whole_seconds(offset_min * 60).unwrap();
            let local = utc.to_offset(offset);
            let frac = if digits == 0 { String::new() } else { format!(".{:09}", nanos)[..=digits].to_owned() };
            let zone = if zulu { "Z".to_owned() } else {
                format!("{}{:02}:{:02}", if offset_min < 0 { '-' } else { '+' }, offset_min.abs() / 60, offset_min.abs() % 60)
            };
            let text = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}{zone}",
                local.year(), u8::from(local.month()), local.day(), local.hour(), local.minute(), local.second()
            );
            let oracle = time::OffsetDateTime::parse(&text, &Rfc3339).unwrap();
            #[allow(clippy::cast_precision_loss)]
            let expected = oracle.unix_timestamp_nanos() as f64 / 1e9;
            proptest::prop_assert_eq!(Timestamp::parse_iso8601(&text).map(|t| t.0), Some(expected), "{}", text);
        }
    }

    #[test]
    fn canonicalises_doubles_and_rejects_wrong_types() {
        let ms: MethodSetting =
            serde_json::from_value(json!({"throttlingRateLimit": 100})).unwrap();
        assert_eq!(
            serde_json::to_value(&ms).unwrap(),
            json!({"throttlingRateLimit": 100.0})
        );
        let err =
            serde_json::from_value::<MethodSetting>(json!({"cachingEnabled": "yes"})).unwrap_err();
        assert!(err.to_string().contains("cachingEnabled"), "{err}");
    }
}
