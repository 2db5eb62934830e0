//! The method settings in force for one method of a stage.
//!
//! AWS resolves each of the ten settings for a method from the method's own entry
//! (`~1pets~1{petId}/GET`) if the stage has one, else from the stage-wide `*/*` entry, else from AWS's
//! defaults. Two refinements, both AWS's:
//!
//! - Stage-level caching covers GET only: a `*/*` `cachingEnabled: true` does not cache a POST; other
//!   verbs are cached only through their own entry (docs/aws-behaviour.md §8.4).
//! - The resolution is per field: an entry that lacks a field (AWS writes every field with a default
//!   when it creates a key, but a document may omit some) falls through to `*/*`, then to the default.
//!   `loggingLevel` has no default in the table; absent everywhere it is `OFF`.
//!
//! Lookups are two binary searches of the sorted `methodSettings`, O(log n) in the number of keys.

use serde_json::{Map, Value};

use crate::key::ALL_METHODS_KEY;
use crate::model::{MethodSetting, Stage};
use crate::settings::{CACHE_CONTROL_STRATEGIES, METHOD_SETTINGS, Setting};

/// Where an effective value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The method's own entry.
    Method,
    /// The stage-wide `*/*` entry.
    AllMethods,
    /// AWS's default.
    Default,
}

impl Source {
    /// `"method"`, `"*/*"` or `"default"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Method => "method",
            Self::AllMethods => ALL_METHODS_KEY,
            Self::Default => "default",
        }
    }
}

/// What an unauthorized `Cache-Control: max-age=0` does (`unauthorizedCacheControlHeaderStrategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheControlStrategy {
    /// The request fails with 403.
    FailWith403,
    /// The cached response is served with a `Warning` header.
    SucceedWithResponseHeader,
    /// The cached response is served without a header.
    SucceedWithoutResponseHeader,
}

impl CacheControlStrategy {
    fn from_name(name: &str) -> Self {
        match CACHE_CONTROL_STRATEGIES.iter().position(|s| *s == name) {
            Some(0) => Self::FailWith403,
            Some(2) => Self::SucceedWithoutResponseHeader,
            _ => Self::SucceedWithResponseHeader,
        }
    }
}

/// The value `loggingLevel` has when no entry sets it.
pub const DEFAULT_LOGGING_LEVEL: &str = "OFF";

/// One resolved setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The table row.
    pub setting: &'static Setting,
    /// The value in force.
    pub value: Value,
    /// Where it comes from.
    pub source: Source,
}

/// The ten settings in force for one method.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveSettings {
    /// The method's key (`~1pets/GET`).
    pub key: String,
    /// Every setting of [`METHOD_SETTINGS`], in table order.
    pub resolved: Vec<Resolved>,
    /// `metricsEnabled`.
    pub metrics_enabled: bool,
    /// `loggingLevel` (`OFF` when unset).
    pub logging_level: String,
    /// `dataTraceEnabled`.
    pub data_trace_enabled: bool,
    /// `throttlingBurstLimit`.
    pub throttling_burst_limit: i64,
    /// `throttlingRateLimit`.
    pub throttling_rate_limit: f64,
    /// `cachingEnabled` (after the GET-only rule for `*/*`).
    pub caching_enabled: bool,
    /// `cacheTtlInSeconds`.
    pub cache_ttl_in_seconds: i64,
    /// `cacheDataEncrypted`.
    pub cache_data_encrypted: bool,
    /// `requireAuthorizationForCacheControl`.
    pub require_authorization_for_cache_control: bool,
    /// `unauthorizedCacheControlHeaderStrategy`.
    pub unauthorized_cache_control_header_strategy: CacheControlStrategy,
}

/// Resolves one setting from the method's entry, the `*/*` entry and the default.
fn resolve(
    setting: &'static Setting,
    own: Option<&MethodSetting>,
    all: Option<&MethodSetting>,
    verb: &str,
) -> Resolved {
    let (value, source) = match own.and_then(|m| m.get(setting)) {
        Some(v) => (v, Source::Method),
        None => inherited_value(setting, all.and_then(|m| m.get(setting)), verb),
    };
    Resolved {
        setting,
        value,
        source,
    }
}

/// The value a method with HTTP method `verb` gets for `setting` when its own entry has none: the
/// `*/*` entry's value `all` (stage-wide caching covers GET only), else AWS's default. The editor
/// shows it as the inherited value.
#[must_use]
pub fn inherited_value(
    setting: &'static Setting,
    all: Option<Value>,
    verb: &str,
) -> (Value, Source) {
    let stage_wide_applies = setting.field != "cachingEnabled" || verb == "GET";
    match all.filter(|_| stage_wide_applies) {
        Some(v) => (v, Source::AllMethods),
        None => (
            setting
                .default_json()
                .unwrap_or_else(|| Value::from(DEFAULT_LOGGING_LEVEL)),
            Source::Default,
        ),
    }
}

/// The settings in force for the method with key `method_key` (`~1pets~1{petId}/GET`, as
/// [`crate::method_setting_key`] builds it) on `stage`.
#[must_use]
pub fn effective_settings(stage: &Stage, method_key: &str) -> EffectiveSettings {
    let own = stage.method_settings.get(method_key);
    let all = stage.method_settings.get(ALL_METHODS_KEY);
    let verb = method_key.rsplit_once('/').map_or("", |(_, v)| v);
    let resolved: Vec<Resolved> = METHOD_SETTINGS
        .iter()
        .map(|s| resolve(s, own, all, verb))
        .collect();
    let get = |field: &str| {
        resolved
            .iter()
            .find(|r| r.setting.field == field)
            .map_or(&Value::Null, |r| &r.value)
    };
    let flag = |field: &str| get(field).as_bool().unwrap_or(false);
    let int = |field: &str| get(field).as_i64().unwrap_or(0);
    EffectiveSettings {
        key: method_key.to_owned(),
        metrics_enabled: flag("metricsEnabled"),
        logging_level: get("loggingLevel")
            .as_str()
            .unwrap_or(DEFAULT_LOGGING_LEVEL)
            .to_owned(),
        data_trace_enabled: flag("dataTraceEnabled"),
        throttling_burst_limit: int("throttlingBurstLimit"),
        throttling_rate_limit: get("throttlingRateLimit").as_f64().unwrap_or(0.0),
        caching_enabled: flag("cachingEnabled"),
        cache_ttl_in_seconds: int("cacheTtlInSeconds"),
        cache_data_encrypted: flag("cacheDataEncrypted"),
        require_authorization_for_cache_control: flag("requireAuthorizationForCacheControl"),
        unauthorized_cache_control_header_strategy: CacheControlStrategy::from_name(
            get("unauthorizedCacheControlHeaderStrategy")
                .as_str()
                .unwrap_or(""),
        ),
        resolved,
    }
}

impl EffectiveSettings {
    /// `{"key": K, "settings": {field: {"value": V, "source": "method" | "*/*" | "default"}}}`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        // Maps built by inserts: collecting would sort first (std's stable sort), and `json!` would
        // serialize each value into a new one (serde's `Value` serializer); ~7 KB of WASM together.
        let object = |members: [(&str, Value); 2]| {
            let mut map = Map::new();
            for (name, value) in members {
                map.insert(name.to_owned(), value);
            }
            Value::Object(map)
        };
        let mut settings = Map::new();
        for r in &self.resolved {
            settings.insert(
                r.setting.field.to_owned(),
                object([
                    ("value", r.value.clone()),
                    ("source", Value::from(r.source.as_str())),
                ]),
            );
        }
        object([
            ("key", Value::from(self.key.as_str())),
            ("settings", Value::Object(settings)),
        ])
    }

    /// Whether responses of this method are cached on a stage with `cache_cluster_enabled`: the
    /// cluster, `cachingEnabled` and a TTL above 0 (0 turns caching off).
    #[must_use]
    pub const fn caches(&self, cache_cluster_enabled: bool) -> bool {
        cache_cluster_enabled && self.caching_enabled && self.cache_ttl_in_seconds > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stage(entries: &[(&str, Value)]) -> Stage {
        let mut s = Stage::default();
        for (k, v) in entries {
            let Value::Object(fields) = v else { continue };
            s.method_settings.insert(
                (*k).to_owned(),
                MethodSetting::from_fields(fields.clone()).unwrap_or_default(),
            );
        }
        s
    }

    #[test]
    fn defaults_without_entries() {
        let e = effective_settings(&Stage::default(), "~1pets/GET");
        assert_eq!(e.throttling_burst_limit, 5000);
        assert!((e.throttling_rate_limit - 10000.0).abs() < f64::EPSILON);
        assert_eq!(e.cache_ttl_in_seconds, 300);
        assert_eq!(e.logging_level, "OFF");
        assert!(e.require_authorization_for_cache_control);
        assert_eq!(
            e.unauthorized_cache_control_header_strategy,
            CacheControlStrategy::SucceedWithResponseHeader
        );
        assert!(e.resolved.iter().all(|r| r.source == Source::Default));
    }

    #[test]
    fn own_entry_then_all_methods_per_field() {
        let s = stage(&[
            (
                "*/*",
                json!({"throttlingBurstLimit": 7, "cacheTtlInSeconds": 60}),
            ),
            ("~1pets/GET", json!({"throttlingBurstLimit": 2})),
        ]);
        let e = effective_settings(&s, "~1pets/GET");
        assert_eq!(e.throttling_burst_limit, 2);
        assert_eq!(e.cache_ttl_in_seconds, 60);
        let other = effective_settings(&s, "~1orders/GET");
        assert_eq!(other.throttling_burst_limit, 7);
        assert_eq!(
            other.to_json()["settings"]["throttlingBurstLimit"]["source"],
            "*/*"
        );
    }

    #[test]
    fn inherited_value_is_the_rule_of_effective_settings() {
        let caching = Setting::by_field("cachingEnabled").unwrap();
        assert_eq!(
            inherited_value(caching, Some(json!(true)), "GET"),
            (json!(true), Source::AllMethods)
        );
        assert_eq!(
            inherited_value(caching, Some(json!(true)), "POST"),
            (json!(false), Source::Default)
        );
        let level = Setting::by_field("loggingLevel").unwrap();
        assert_eq!(
            inherited_value(level, None, "GET"),
            (json!("OFF"), Source::Default)
        );
    }

    #[test]
    fn stage_wide_caching_covers_get_only() {
        let s = stage(&[
            ("*/*", json!({"cachingEnabled": true})),
            ("~1orders/POST", json!({"cachingEnabled": true})),
        ]);
        assert!(effective_settings(&s, "~1pets/GET").caches(true));
        assert!(!effective_settings(&s, "~1pets/GET").caches(false));
        assert!(!effective_settings(&s, "~1pets/POST").caching_enabled);
        assert!(effective_settings(&s, "~1orders/POST").caching_enabled);
    }
}
