//! The one declarative table of API Gateway method settings.
//!
//! Validation, diff, apply, the JSON Schema, the emulator's patch-path parser, the WASM bindings and the
//! web editor all iterate [`METHOD_SETTINGS`]. Adding a setting means adding one row here.

use serde_json::Value;

use crate::messages;
use crate::scalar::Scalar;

/// The group a setting belongs to: the first segment of its patch suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingGroup {
    /// CloudWatch metrics.
    Metrics,
    /// Execution logging.
    Logging,
    /// Request throttling.
    Throttling,
    /// Response caching and its cache-control authorization.
    Caching,
}

impl SettingGroup {
    /// The group's name as the UI shows it.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Metrics => "Metrics",
            Self::Logging => "Logging",
            Self::Throttling => "Throttling",
            Self::Caching => "Caching",
        }
    }
}

/// The type of a setting's value, with its bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueKind {
    /// `true` / `false` (patch values `"true"` / `"false"`).
    Bool,
    /// A whole number within `min..=max`.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A number within `min..=max`, stored as a double.
    Double {
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// One of a fixed list of strings.
    Enum(&'static [&'static str]),
}

/// The value a new method-setting key gets when it is not copied from `*/*`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    /// A boolean default.
    Bool(bool),
    /// An integer default.
    Integer(i64),
    /// A double default.
    Double(f64),
    /// A string (enum) default.
    Text(&'static str),
}

impl DefaultValue {
    fn to_json(self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(b),
            Self::Integer(i) => Value::from(i),
            Self::Double(d) => Value::from(d),
            Self::Text(t) => Value::from(t),
        }
    }
}

/// One method setting: how it is stored, patched, checked, defaulted and shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    /// Field name in a GetStage `MethodSetting`, e.g. `cacheTtlInSeconds`.
    pub field: &'static str,
    /// Patch path suffix after `/{key}/`, e.g. `caching/ttlInSeconds`.
    pub patch_suffix: &'static str,
    /// The group (first segment of the suffix).
    pub group: SettingGroup,
    /// Value type and bounds.
    pub kind: ValueKind,
    /// The value AWS stores for a new key; `None` means the field stays absent until set.
    pub default: Option<DefaultValue>,
    /// Short label for forms and tables.
    pub label: &'static str,
    /// One or two sentences of help.
    pub help: &'static str,
}

/// The three `unauthorizedCacheControlHeaderStrategy` values.
pub const CACHE_CONTROL_STRATEGIES: &[&str] = &[
    "FAIL_WITH_403",
    "SUCCEED_WITH_RESPONSE_HEADER",
    "SUCCEED_WITHOUT_RESPONSE_HEADER",
];

/// Short readable names for the cache-control strategies, as forms and tables show them (the AWS value
/// goes in the tooltip and the patch preview).
const STRATEGY_LABELS: [(&str, &str); 3] = [
    ("FAIL_WITH_403", "403 Forbidden"),
    ("SUCCEED_WITH_RESPONSE_HEADER", "Serve, add Warning"),
    ("SUCCEED_WITHOUT_RESPONSE_HEADER", "Serve silently"),
];

/// The readable name of an enum value (`FAIL_WITH_403` → `403 Forbidden`); values without one
/// (`INFO`, unknown text) are returned as they are.
#[must_use]
pub fn option_label(value: &str) -> &str {
    STRATEGY_LABELS
        .iter()
        .find(|(v, _)| *v == value)
        .map_or(value, |(_, label)| label)
}

/// The three `loggingLevel` values.
pub const LOGGING_LEVELS: &[&str] = &["OFF", "ERROR", "INFO"];

/// Throttling limits accept `-1`, which Terraform documents as "throttling disabled".
///
/// AWS's own bound is not recorded (docs/aws-behaviour.md §6); `-1` is accepted because Terraform sends it to AWS
/// by default. Change these two constants to move the bound.
pub const MIN_THROTTLING_BURST: i64 = -1;
/// See [`MIN_THROTTLING_BURST`].
pub const MIN_THROTTLING_RATE: f64 = -1.0;

/// The ten method settings, in the order AWS lists them in GetStage.
///
/// A `const` naming one `static`: a `const` array would be copied, labels and help included, into every
/// crate that uses it (the npm WASM had it twice).
pub const METHOD_SETTINGS: &[Setting] = &SETTINGS_TABLE;

/// The rows of [`METHOD_SETTINGS`].
static SETTINGS_TABLE: [Setting; 10] = [
    Setting {
        field: "metricsEnabled",
        patch_suffix: "metrics/enabled",
        group: SettingGroup::Metrics,
        kind: ValueKind::Bool,
        default: Some(DefaultValue::Bool(false)),
        label: "CloudWatch metrics",
        help: "Publish per-method CloudWatch metrics (request count, latency, errors).",
    },
    Setting {
        field: "loggingLevel",
        patch_suffix: "logging/loglevel",
        group: SettingGroup::Logging,
        kind: ValueKind::Enum(LOGGING_LEVELS),
        default: None,
        label: "Log level",
        help: "Execution logging to CloudWatch Logs: OFF, ERROR or INFO. ERROR and INFO need the account's CloudWatch Logs role.",
    },
    Setting {
        field: "dataTraceEnabled",
        patch_suffix: "logging/dataTrace",
        group: SettingGroup::Logging,
        kind: ValueKind::Bool,
        default: Some(DefaultValue::Bool(false)),
        label: "Log full requests",
        help: "Log full request and response bodies. Useful for debugging; may log sensitive data.",
    },
    Setting {
        field: "throttlingBurstLimit",
        patch_suffix: "throttling/burstLimit",
        group: SettingGroup::Throttling,
        kind: ValueKind::Integer {
            min: MIN_THROTTLING_BURST,
            max: i32::MAX as i64,
        },
        default: Some(DefaultValue::Integer(5000)),
        label: "Burst limit",
        help: "Maximum concurrent request bucket size. 0 blocks all traffic.",
    },
    Setting {
        field: "throttlingRateLimit",
        patch_suffix: "throttling/rateLimit",
        group: SettingGroup::Throttling,
        kind: ValueKind::Double {
            min: MIN_THROTTLING_RATE,
            max: f64::MAX,
        },
        default: Some(DefaultValue::Double(10000.0)),
        label: "Rate limit (req/s)",
        help: "Steady-state requests per second. 0 blocks all traffic.",
    },
    Setting {
        field: "cachingEnabled",
        patch_suffix: "caching/enabled",
        group: SettingGroup::Caching,
        kind: ValueKind::Bool,
        default: Some(DefaultValue::Bool(false)),
        label: "Cache responses",
        help: "Cache responses for this method. Has an effect only while the stage's cache cluster is enabled.",
    },
    Setting {
        field: "cacheTtlInSeconds",
        patch_suffix: "caching/ttlInSeconds",
        group: SettingGroup::Caching,
        kind: ValueKind::Integer { min: 0, max: 3600 },
        default: Some(DefaultValue::Integer(300)),
        label: "Cache TTL (s)",
        help: "How long a cached response lives, 0 to 3600 seconds. 0 disables caching.",
    },
    Setting {
        field: "cacheDataEncrypted",
        patch_suffix: "caching/dataEncrypted",
        group: SettingGroup::Caching,
        kind: ValueKind::Bool,
        default: Some(DefaultValue::Bool(false)),
        label: "Encrypt cache",
        help: "Encrypt cached response data at rest.",
    },
    Setting {
        field: "requireAuthorizationForCacheControl",
        patch_suffix: "caching/requireAuthorizationForCacheControl",
        group: SettingGroup::Caching,
        kind: ValueKind::Bool,
        default: Some(DefaultValue::Bool(true)),
        label: "Require authorization for cache control",
        help: "When on, a client may bypass the cache with `Cache-Control: max-age=0` only if it is allowed to call execute-api:InvalidateCache; otherwise the strategy below decides what happens.",
    },
    Setting {
        field: "unauthorizedCacheControlHeaderStrategy",
        patch_suffix: "caching/unauthorizedCacheControlHeaderStrategy",
        group: SettingGroup::Caching,
        kind: ValueKind::Enum(CACHE_CONTROL_STRATEGIES),
        default: Some(DefaultValue::Text("SUCCEED_WITH_RESPONSE_HEADER")),
        label: "Unauthorized cache-control strategy",
        help: "What an unauthorized `Cache-Control: max-age=0` does. FAIL_WITH_403: the request fails with 403. SUCCEED_WITH_RESPONSE_HEADER: the cached response is served with a warning header. SUCCEED_WITHOUT_RESPONSE_HEADER: the cached response is served silently.",
    },
];

impl Setting {
    /// Finds a row by its GetStage field name.
    #[must_use]
    pub fn by_field(field: &str) -> Option<&'static Setting> {
        METHOD_SETTINGS.iter().find(|s| s.field == field)
    }

    /// Finds a row by its patch suffix (`caching/ttlInSeconds`).
    #[must_use]
    pub fn by_patch_suffix(suffix: &str) -> Option<&'static Setting> {
        METHOD_SETTINGS.iter().find(|s| s.patch_suffix == suffix)
    }

    /// The value a new key gets when no `*/*` entry exists to copy (`None`: absent).
    #[must_use]
    pub fn default_json(&self) -> Option<Value> {
        self.default.map(DefaultValue::to_json)
    }

    /// Parses a patch `value` string into the stored JSON value, or AWS's message for a bad value.
    ///
    /// # Errors
    /// The message AWS answers (a `BadRequestException`) when the string is not a valid value.
    pub fn parse_patch_value(&self, path: &str, raw: &str) -> Result<Value, String> {
        let value = match self.kind {
            ValueKind::Bool => crate::values::parse_bool(raw).map(Value::Bool),
            ValueKind::Integer { .. } => raw.trim().parse::<i64>().ok().map(Value::from),
            ValueKind::Double { .. } => crate::values::parse_double(raw).map(Value::from),
            ValueKind::Enum(_) => Some(Value::String(raw.to_owned())),
        };
        let value = value.ok_or_else(|| messages::invalid_setting_value(self, path, raw))?;
        self.check(&value)
            .map_err(|_| messages::invalid_setting_value(self, path, raw))
    }

    /// What is wrong with a stored JSON value, if anything (no allocation).
    #[must_use]
    pub fn problem(&self, value: &Value) -> Option<ValueProblem> {
        self.problem_scalar(&Scalar::from(value))
    }

    /// What is wrong with a JSON value, if anything.
    #[must_use]
    #[inline]
    pub(crate) fn problem_scalar(&self, value: &Scalar<'_>) -> Option<ValueProblem> {
        let in_range = match self.kind {
            ValueKind::Bool => value.as_bool().map(|_| true),
            ValueKind::Integer { min, max } => value.as_i64().map(|n| (min..=max).contains(&n)),
            ValueKind::Double { min, max } => value.as_f64().map(|n| (min..=max).contains(&n)),
            ValueKind::Enum(options) => value.as_str().map(|s| options.contains(&s)),
        };
        match in_range {
            None => Some(ValueProblem::Type),
            Some(false) => Some(ValueProblem::Range),
            Some(true) => None,
        }
    }

    /// Checks a stored JSON value and returns it in canonical form (doubles as doubles).
    ///
    /// # Errors
    /// [`ValueProblem`] says whether the type or the range/enum is wrong.
    pub fn check(&self, value: &Value) -> Result<Value, ValueProblem> {
        if let Some(problem) = self.problem(value) {
            return Err(problem);
        }
        Ok(match (self.kind, value.as_f64()) {
            (ValueKind::Double { .. }, Some(n)) if !value.is_f64() => Value::from(n),
            _ => value.clone(),
        })
    }

    /// Formats a stored value as a patch `value` string (`"true"`, `"300"`, `"10000.0"`, `"INFO"`).
    #[must_use]
    pub fn to_patch_value(&self, value: &Value) -> String {
        match (self.kind, value) {
            (ValueKind::Double { .. }, Value::Number(n)) => {
                crate::values::format_double(n.as_f64().unwrap_or_default())
            }
            (_, Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        }
    }

    /// The JSON type name of this setting's values, for messages and schemas.
    #[must_use]
    pub const fn json_type(&self) -> &'static str {
        match self.kind {
            ValueKind::Bool => "boolean",
            ValueKind::Integer { .. } => "integer",
            ValueKind::Double { .. } => "number",
            ValueKind::Enum(_) => "string",
        }
    }
}

/// Why a stored value was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    /// Wrong JSON type.
    Type,
    /// Right type, out of range or not one of the allowed strings.
    Range,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_strategy_has_a_distinct_label() {
        let labels: Vec<&str> = CACHE_CONTROL_STRATEGIES
            .iter()
            .map(|v| option_label(v))
            .collect();
        assert_eq!(
            labels,
            ["403 Forbidden", "Serve, add Warning", "Serve silently"]
        );
        assert_eq!(option_label("INFO"), "INFO");
        assert_eq!(option_label("whatever"), "whatever");
    }

    #[test]
    fn ten_rows_with_unique_fields_and_suffixes() {
        assert_eq!(METHOD_SETTINGS.len(), 10);
        for (i, a) in METHOD_SETTINGS.iter().enumerate() {
            for b in &METHOD_SETTINGS[i + 1..] {
                assert_ne!(a.field, b.field);
                assert_ne!(a.patch_suffix, b.patch_suffix);
            }
        }
    }

    #[test]
    fn suffix_group_matches_group() {
        for s in METHOD_SETTINGS {
            let group = s.patch_suffix.split('/').next().unwrap();
            assert_eq!(group, s.group.label().to_lowercase(), "{}", s.field);
        }
    }

    #[test]
    fn defaults_match_aws_new_key() {
        let defaults: Vec<_> = METHOD_SETTINGS
            .iter()
            .filter_map(|s| s.default_json().map(|v| (s.field, v)))
            .collect();
        assert_eq!(
            defaults,
            vec![
                ("metricsEnabled", json!(false)),
                ("dataTraceEnabled", json!(false)),
                ("throttlingBurstLimit", json!(5000)),
                ("throttlingRateLimit", json!(10000.0)),
                ("cachingEnabled", json!(false)),
                ("cacheTtlInSeconds", json!(300)),
                ("cacheDataEncrypted", json!(false)),
                ("requireAuthorizationForCacheControl", json!(true)),
                (
                    "unauthorizedCacheControlHeaderStrategy",
                    json!("SUCCEED_WITH_RESPONSE_HEADER")
                ),
            ]
        );
    }

    #[test]
    fn ttl_bounds() {
        let ttl = Setting::by_patch_suffix("caching/ttlInSeconds").unwrap();
        assert_eq!(
            ttl.parse_patch_value("/*/*/caching/ttlInSeconds", "3600"),
            Ok(json!(3600))
        );
        assert_eq!(
            ttl.parse_patch_value("/*/*/caching/ttlInSeconds", "3601")
                .unwrap_err(),
            "Invalid time-to-live setting, must be an integer no greater than 3600"
        );
    }

    #[test]
    fn rate_limit_is_canonical_double() {
        let rate = Setting::by_field("throttlingRateLimit").unwrap();
        assert_eq!(rate.check(&json!(100)).unwrap(), json!(100.0));
        assert_eq!(rate.to_patch_value(&json!(100.0)), "100.0");
        assert_eq!(rate.parse_patch_value("/p", "10.5"), Ok(json!(10.5)));
    }
}
