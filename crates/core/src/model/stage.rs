//! [`Stage`] and its nested objects, [`AccessLogSettings`] and [`CanarySettings`].

use serde::Serialize;
use serde_json::{Map, Value};

use super::de::wire_struct;
use super::{MethodSetting, SortedMap, Timestamp};

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

/// The top-level fields that AWS sets and UpdateStage does not change; [`crate::diff`] ignores them.
pub const SERVER_MANAGED_FIELDS: &[&str] =
    &["createdDate", "lastUpdatedDate", "cacheClusterStatus"];

/// A stage as GetStage returns it.
///
/// `Deserialize` comes from one list of wire names and fields (`wire_struct!` below): known keys go
/// straight into the typed fields and unknown keys into [`Stage::extra`], with no intermediate buffering.
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
    pub method_settings: SortedMap<String, MethodSetting>,
    /// Stage variables.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub variables: SortedMap<String, String>,
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
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub tags: SortedMap<String, String>,
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
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub stage_variable_overrides: SortedMap<String, String>,
    /// Whether the canary uses the stage cache.
    #[serde(default)]
    pub use_stage_cache: bool,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_struct!(Stage {
    "deploymentId" => deployment_id,
    "clientCertificateId" => client_certificate_id,
    "stageName" => stage_name,
    "description" => description,
    "cacheClusterEnabled" => cache_cluster_enabled,
    "cacheClusterSize" => cache_cluster_size,
    "cacheClusterStatus" => cache_cluster_status,
    "methodSettings" => method_settings,
    "variables" => variables,
    "documentationVersion" => documentation_version,
    "accessLogSettings" => access_log_settings,
    "canarySettings" => canary_settings,
    "tracingEnabled" => tracing_enabled,
    "webAclArn" => web_acl_arn,
    "tags" => tags,
    "createdDate" => created_date,
    "lastUpdatedDate" => last_updated_date,
});

wire_struct!(AccessLogSettings {
    "format" => format,
    "destinationArn" => destination_arn,
});

wire_struct!(CanarySettings {
    "percentTraffic" => percent_traffic,
    "deploymentId" => deployment_id,
    "stageVariableOverrides" => stage_variable_overrides,
    "useStageCache" => use_stage_cache,
});

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

    /// Every name of the `wire_struct!` lists, each with its own value: reading then writing gives the same
    /// JSON back, so each name reads into the field that the derived `Serialize` writes under it.
    #[test]
    fn every_listed_name_reads_into_its_own_field() {
        let access = json!({
            "format": "$context.requestId",
            "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:g"
        });
        let canary = json!({
            "percentTraffic": 12.5, "deploymentId": "canary1",
            "stageVariableOverrides": {"v": "2"}, "useStageCache": true
        });
        let wire = json!({
            "deploymentId": "d1", "clientCertificateId": "c1", "stageName": "s1", "description": "x1",
            "cacheClusterEnabled": true, "cacheClusterSize": "0.5", "cacheClusterStatus": "AVAILABLE",
            "methodSettings": {"*/*": {"metricsEnabled": true}}, "variables": {"a": "b"},
            "documentationVersion": "v1", "accessLogSettings": access, "canarySettings": canary,
            "tracingEnabled": false, "webAclArn": "arn:w", "tags": {"t": "u"},
            "createdDate": 1, "lastUpdatedDate": 2
        });
        for (object, listed) in [
            (&wire, Stage::WIRE_FIELDS),
            (&access, AccessLogSettings::WIRE_FIELDS),
            (&canary, CanarySettings::WIRE_FIELDS),
        ] {
            let mut names: Vec<&str> = object
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut listed = listed.to_vec();
            names.sort_unstable();
            listed.sort_unstable();
            assert_eq!(names, listed);
        }
        let stage: Stage = serde_json::from_value(wire.clone()).unwrap();
        assert!(stage.extra.is_empty());
        assert_eq!(serde_json::to_value(&stage).unwrap(), wire);
        let from_text = Stage::from_json(&wire.to_string()).unwrap();
        assert_eq!(from_text, stage);
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
                r#"{"canarySettings": {"useStageCache": true, "useStageCache": false}}"#,
                "duplicate field `useStageCache`",
            ),
            (
                r#"{"accessLogSettings": 1}"#,
                "invalid type: integer `1`, expected struct AccessLogSettings",
            ),
            ("[]", "invalid type: sequence, expected struct Stage"),
            (
                r#"{"methodSettings": {"*/*": {"loggingLevel": "LOUD"}}}"#,
                "invalid loggingLevel",
            ),
            (
                r#"{"methodSettings": {"*/*": {"metricsEnabled": {"a": 1}}}}"#,
                r#"got {"a":1}"#,
            ),
            (r#"{"createdDate": "yesterday"}"#, "invalid ISO-8601"),
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
}
