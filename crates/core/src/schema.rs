//! A JSON Schema (draft 2020-12) of a stage document, generated from the same rules and table.

use serde_json::{Map, Value, json};

use crate::model::{CACHE_CLUSTER_SIZES, CACHE_CLUSTER_STATUSES};
use crate::settings::{METHOD_SETTINGS, ValueKind};

/// Pattern of a stage-variable name.
const VARIABLE_NAME: &str = "^[A-Za-z0-9_]{1,64}$";
/// Pattern of a stage-variable value.
const VARIABLE_VALUE: &str = "^[A-Za-z0-9 \\-._~:/?#&=,]{1,512}$";

fn method_setting_schema() -> Value {
    let properties: Map<String, Value> = METHOD_SETTINGS
        .iter()
        .map(|s| {
            let mut p = match s.kind {
                ValueKind::Bool => json!({"type": "boolean"}),
                ValueKind::Integer { min, max } => {
                    json!({"type": "integer", "minimum": min, "maximum": max})
                }
                ValueKind::Double { min, .. } => json!({"type": "number", "minimum": min}),
                ValueKind::Enum(options) => json!({"type": "string", "enum": options}),
            };
            p["title"] = json!(s.label);
            p["description"] = json!(s.help);
            if let Some(d) = s.default_json() {
                p["default"] = d;
            }
            (s.field.to_owned(), p)
        })
        .collect();
    json!({"type": "object", "properties": properties})
}

fn variables_schema(max: Option<usize>) -> Value {
    let mut v = json!({
        "type": "object",
        "propertyNames": {"pattern": VARIABLE_NAME},
        "additionalProperties": {"type": "string", "pattern": VARIABLE_VALUE}
    });
    if let Some(max) = max {
        v["maxProperties"] = json!(max);
    }
    v
}

/// The schema of a GetStage document.
#[must_use]
pub fn stage_schema() -> Value {
    let timestamp = json!({"type": ["number", "string"]});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "API Gateway stage",
        "type": "object",
        "properties": {
            "deploymentId": {"type": "string"},
            "clientCertificateId": {"type": "string"},
            "stageName": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$"},
            "description": {"type": "string"},
            "cacheClusterEnabled": {"type": "boolean"},
            "cacheClusterSize": {"type": "string", "enum": CACHE_CLUSTER_SIZES},
            "cacheClusterStatus": {"type": "string", "enum": CACHE_CLUSTER_STATUSES},
            "methodSettings": {
                "type": "object",
                "propertyNames": {"pattern": crate::key::KEY_PATTERN},
                "additionalProperties": method_setting_schema()
            },
            "variables": variables_schema(Some(crate::rules::MAX_VARIABLES)),
            "documentationVersion": {"type": "string"},
            "accessLogSettings": {
                "type": "object",
                "properties": {
                    "format": {"type": "string", "minLength": 1, "pattern": "^[^\\n\\r]*\\$context\\.(extendedR|r)equestId[^\\n\\r]*$"},
                    "destinationArn": {"type": "string", "pattern": "^arn:aws[a-z-]*:(logs:[^:]+:[^:]+:log-group:[^:]+|firehose:[^:]+:[^:]+:deliverystream/amazon-apigateway-[^/]+)$"}
                }
            },
            "canarySettings": {
                "type": "object",
                "properties": {
                    "percentTraffic": {"type": "number", "minimum": 0, "maximum": 100},
                    "deploymentId": {"type": "string"},
                    "stageVariableOverrides": variables_schema(None),
                    "useStageCache": {"type": "boolean"}
                }
            },
            "tracingEnabled": {"type": "boolean"},
            "webAclArn": {"type": "string"},
            "tags": {"type": "object", "maxProperties": crate::rules::MAX_TAGS, "additionalProperties": {"type": "string", "maxLength": 256}},
            "createdDate": timestamp,
            "lastUpdatedDate": timestamp
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_settings_come_from_the_table() {
        let schema = stage_schema();
        let props = &schema["properties"]["methodSettings"]["additionalProperties"]["properties"];
        assert_eq!(props.as_object().unwrap().len(), METHOD_SETTINGS.len());
        assert_eq!(props["cacheTtlInSeconds"]["maximum"], 3600);
        assert_eq!(
            props["unauthorizedCacheControlHeaderStrategy"]["enum"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
}
