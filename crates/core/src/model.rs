//! The stage model: GetStage wire JSON (camelCase, epoch-second timestamps), with unknown fields kept.
//!
//! Fields that AWS always returns as non-null booleans (`cacheClusterEnabled`, `tracingEnabled`, the
//! canary's `useStageCache`) are plain `bool`s. Maps that AWS omits when empty (`variables`, `tags`,
//! `stageVariableOverrides`) are empty maps when absent. `methodSettings` is always present, as in AWS.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    pub fn unknown_fields(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.unknown.iter()
    }

    /// Adds one field from JSON, checking it if the table knows it.
    fn insert_json(&mut self, name: String, value: Value) -> Result<(), String> {
        match METHOD_SETTINGS.iter().position(|s| s.field == name) {
            Some(i) => {
                let setting = &METHOD_SETTINGS[i];
                let stored = Stored::from_json(setting, &value).ok_or_else(|| {
                    format!(
                        "invalid {name}: expected a valid {} value, got {value}",
                        setting.json_type()
                    )
                })?;
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

impl<'de> Deserialize<'de> for MethodSetting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = MethodSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a method setting object")
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<MethodSetting, A::Error> {
                let mut out = MethodSetting::default();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    out.insert_json(name, value).map_err(de::Error::custom)?;
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// A point in time as epoch seconds. Reads numbers (the wire form) and ISO-8601 strings (the AWS CLI's
/// display form); writes numbers, whole seconds without a fraction.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Timestamp(pub f64);

impl Timestamp {
    /// Parses an RFC 3339 / ISO-8601 date-time such as `2024-03-05T10:20:30+00:00`.
    #[must_use]
    pub fn parse_iso8601(text: &str) -> Option<Self> {
        use time::format_description::well_known::{Iso8601, Rfc3339};
        let parsed = time::OffsetDateTime::parse(text, &Rfc3339)
            .or_else(|_| time::OffsetDateTime::parse(text, &Iso8601::DEFAULT))
            .ok()?;
        #[allow(clippy::cast_precision_loss)]
        let seconds = parsed.unix_timestamp_nanos() as f64 / 1e9;
        Some(Self(seconds))
    }
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
    fn reads_cli_iso_timestamps() {
        let stage: Stage =
            serde_json::from_value(json!({"createdDate": "2023-11-14T22:13:20+00:00"})).unwrap();
        assert_eq!(
            serde_json::to_value(stage).unwrap()["createdDate"],
            json!(1_700_000_000)
        );
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
