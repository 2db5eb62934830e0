//! API keys: the wire type and CreateApiKey's rules (name, value and description limits), with AWS's
//! texts (LocalStack's AWS-validated snapshots).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::error::ApiError;
use crate::patch::PatchOperation;

/// *AWS*: a name over 1024 characters.
pub const NAME_TOO_LONG: &str = "Invalid API Key name, can be at most 1024 characters.";
/// *AWS*: a value under 20 characters.
pub const VALUE_TOO_SHORT: &str = "API Key value should be at least 20 characters";
/// *AWS*: a value over 128 characters.
pub const VALUE_TOO_LONG: &str = "API Key value exceeds maximum size of 128 characters";
/// *AWS*: a description over 125 000 characters.
pub const INVALID_DESCRIPTION: &str = "Invalid API Key description specified.";
/// *AWS* (moto, LocalStack): an API key id that names no key.
pub const NOT_FOUND: &str = "Invalid API Key identifier specified";

/// An API key (CreateApiKey / GetApiKey output). `value` is shown by CreateApiKey, and by GetApiKey(s)
/// only when asked for (`includeValue(s)=true`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// The key id.
    pub id: String,
    /// The secret value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The key's name (absent when none or empty was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An AWS Marketplace customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether clients can use it (false unless set).
    #[serde(default)]
    pub enabled: bool,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// Last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<Timestamp>,
    /// `{restApiId}/{stageName}` of the stages the key was created for.
    #[serde(default)]
    pub stage_keys: Vec<String>,
    /// Tags (omitted when empty).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// A stage an API key is created for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageKey {
    /// The API id.
    #[serde(default)]
    pub rest_api_id: Option<String>,
    /// The stage name.
    #[serde(default)]
    pub stage_name: Option<String>,
}

/// CreateApiKey input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiKeyRequest {
    /// The key's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether clients can use it.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Accepted and ignored, as by AWS.
    #[serde(default)]
    pub generate_distinct_id: Option<bool>,
    /// 20–128 characters; generated when absent or empty.
    #[serde(default)]
    pub value: Option<String>,
    /// Stages the key is for.
    #[serde(default)]
    pub stage_keys: Option<Vec<StageKey>>,
    /// An AWS Marketplace customer id.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// The 404 for an API key id that names no key.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(NOT_FOUND)
}

impl CreateApiKeyRequest {
    /// The key CreateApiKey stores under `id`; `generated` is the value used when none is given.
    ///
    /// # Errors
    /// AWS's name, value and description limits, then the tags' rules.
    pub fn to_api_key(
        &self,
        id: String,
        generated: String,
        now: Timestamp,
    ) -> Result<ApiKey, ApiError> {
        if self.name.as_ref().is_some_and(|n| n.chars().count() > 1024) {
            return Err(ApiError::bad_request(NAME_TOO_LONG));
        }
        let value = match self.value.as_deref() {
            None | Some("") => generated,
            Some(v) if v.chars().count() > 128 => {
                return Err(ApiError::bad_request(VALUE_TOO_LONG));
            }
            Some(v) if v.chars().count() < 20 => {
                return Err(ApiError::bad_request(VALUE_TOO_SHORT));
            }
            Some(v) => v.to_owned(),
        };
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 125_000)
        {
            return Err(ApiError::bad_request(INVALID_DESCRIPTION));
        }
        let tags = self.tags.clone().unwrap_or_default();
        super::tags::check_tags(&tags)?;
        let stage_keys = self
            .stage_keys
            .iter()
            .flatten()
            .map(|k| {
                format!(
                    "{}/{}",
                    k.rest_api_id.as_deref().unwrap_or_default(),
                    k.stage_name.as_deref().unwrap_or_default()
                )
            })
            .collect();
        Ok(ApiKey {
            id,
            value: Some(value),
            name: self.name.clone().filter(|n| !n.is_empty()),
            customer_id: self.customer_id.clone(),
            description: self.description.clone(),
            enabled: self.enabled.unwrap_or(false),
            created_date: Some(now),
            last_updated_date: Some(now),
            stage_keys,
            tags,
        })
    }
}

impl ApiKey {
    /// The key as GetApiKey(s) answers: `value` only when `include_value`.
    #[must_use]
    pub fn shown(&self, include_value: bool) -> Self {
        let mut k = self.clone();
        if !include_value {
            k.value = None;
        }
        k
    }
}

/// UpdateApiKey: `replace` of `/name`, `/description`, `/enabled` (anything but `true` is false, as
/// AWS reads it) and `/customerId`, applied in order to a copy of `current`, which is stamped `now`.
///
/// # Errors
/// AWS's texts for another op or path, a name over 1024 characters or a description over 125 000.
pub fn update_api_key(
    current: &ApiKey,
    ops: &[PatchOperation],
    now: Timestamp,
) -> Result<ApiKey, ApiError> {
    let mut next = current.clone();
    for op in super::replacements(ops, &["/description", "/enabled", "/name", "/customerId"])? {
        let value = op.value.clone().unwrap_or_default();
        match op.path.as_str() {
            "/name" if value.chars().count() > 1024 => {
                return Err(ApiError::bad_request(NAME_TOO_LONG));
            }
            "/name" => next.name = Some(value).filter(|n| !n.is_empty()),
            "/description" if value.chars().count() > 125_000 => {
                return Err(ApiError::bad_request(INVALID_DESCRIPTION));
            }
            "/description" => next.description = Some(value).filter(|d| !d.is_empty()),
            "/enabled" => next.enabled = value.trim().eq_ignore_ascii_case("true"),
            _ => next.customer_id = Some(value).filter(|c| !c.is_empty()),
        }
    }
    next.last_updated_date = Some(now);
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn create(body: Value) -> Result<ApiKey, ApiError> {
        serde_json::from_value::<CreateApiKeyRequest>(body)
            .unwrap()
            .to_api_key("k1".into(), "g".repeat(40), Timestamp(1.0))
    }

    #[test]
    fn defaults_match_aws() {
        let key = create(json!({"name": ""})).unwrap();
        assert_eq!(
            serde_json::to_value(&key).unwrap(),
            json!({"id": "k1", "value": "g".repeat(40), "enabled": false, "createdDate": 1,
                   "lastUpdatedDate": 1, "stageKeys": []})
        );
        assert!(key.shown(false).value.is_none());
        let key = create(json!({"stageKeys": [{"restApiId": "a", "stageName": "s"}]})).unwrap();
        assert_eq!(key.stage_keys, ["a/s"]);
    }

    #[test]
    fn limits_use_aws_texts() {
        let err = |v: Value| create(v).unwrap_err().message;
        assert_eq!(err(json!({"name": "n".repeat(1025)})), NAME_TOO_LONG);
        assert_eq!(err(json!({"value": "short"})), VALUE_TOO_SHORT);
        assert_eq!(err(json!({"value": "v".repeat(129)})), VALUE_TOO_LONG);
        assert_eq!(
            err(json!({"description": "d".repeat(125_001)})),
            INVALID_DESCRIPTION
        );
        assert_eq!(
            create(json!({"value": "v".repeat(20)})).unwrap().value,
            Some("v".repeat(20))
        );
    }

    #[test]
    fn update_rules() {
        let key = CreateApiKeyRequest::default()
            .to_api_key("k1".into(), "v".repeat(40), Timestamp(1.0))
            .unwrap();
        let ops =
            |v: serde_json::Value| -> Vec<PatchOperation> { serde_json::from_value(v).unwrap() };
        let next = update_api_key(
            &key,
            &ops(serde_json::json!([
            {"op": "replace", "path": "/name", "value": "new-name"},
            {"op": "replace", "path": "/enabled", "value": "not-a-boolean"},
            {"op": "replace", "path": "/customerId", "value": "c1"}])),
            Timestamp(2.0),
        )
        .unwrap();
        assert_eq!(
            (
                next.name.as_deref(),
                next.enabled,
                next.customer_id.as_deref()
            ),
            (Some("new-name"), false, Some("c1"))
        );
        assert_eq!(next.last_updated_date, Some(Timestamp(2.0)));
        let message = |v| {
            update_api_key(&key, &ops(v), Timestamp(2.0))
                .unwrap_err()
                .message
        };
        assert_eq!(
            message(serde_json::json!([{"op": "replace", "path": "/id", "value": "new-id"}])),
            "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]"
        );
        let long = "a".repeat(125_001);
        assert_eq!(
            message(serde_json::json!([{"op": "replace", "path": "/description", "value": long}])),
            INVALID_DESCRIPTION
        );
    }
}
