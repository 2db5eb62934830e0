//! REST APIs: the wire types and CreateRestApi's rules (endpoint types, `ipAddressType` and
//! `apiKeySource` defaults).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Timestamp;
use crate::error::{ApiError, Violations};
use crate::messages;

/// The endpoint types, in the order AWS lists them in its enum error.
pub const ENDPOINT_TYPES: &[&str] = &["PRIVATE", "EDGE", "REGIONAL"];
/// The endpoint type of an API created without one.
pub const DEFAULT_ENDPOINT_TYPE: &str = "EDGE";
/// The `apiKeySource` of an API created without one.
pub const DEFAULT_API_KEY_SOURCE: &str = "HEADER";
/// The `apiKeySource` values, in the order AWS lists them in its enum error.
pub const API_KEY_SOURCES: &[&str] = &["HEADER", "AUTHORIZER"];
/// The `ipAddressType` values, in the order AWS lists them in its enum error.
pub const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "dualstack"];

/// Where and how an API is exposed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfiguration {
    /// `EDGE`, `REGIONAL` or `PRIVATE` (one).
    #[serde(default)]
    pub types: Vec<String>,
    /// `ipv4` or `dualstack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<String>,
    /// VPC endpoints of a PRIVATE API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_ids: Option<Vec<String>>,
}

/// What identifies a REST API in a list: the editor's API picker reads GetRestApis items as this
/// (other fields are skipped, not kept, so no buffering of the whole item as [`RestApi`]'s
/// `extra` needs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct RestApiSummary {
    /// The API id.
    pub id: String,
    /// The API's name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A REST API (CreateRestApi / GetRestApi output).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestApi {
    /// The API id.
    pub id: String,
    /// The API's name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A version label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// `HEADER` or `AUTHORIZER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_source: Option<String>,
    /// Endpoint types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_configuration: Option<EndpointConfiguration>,
    /// Whether the default execute-api endpoint is off.
    #[serde(default)]
    pub disable_execute_api_endpoint: bool,
    /// The id of the `/` resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_resource_id: Option<String>,
    /// Binary media types (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binary_media_types: Vec<String>,
    /// The resource policy, a JSON document as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Tags (omitted when empty).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Fields this version does not model, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// CreateRestApi input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRestApiRequest {
    /// Required.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text; `""` is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A version label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `HEADER` (default) or `AUTHORIZER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_source: Option<String>,
    /// Endpoint types (default EDGE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_configuration: Option<EndpointConfiguration>,
    /// Whether the default endpoint is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_execute_api_endpoint: Option<bool>,
    /// Binary media types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_media_types: Option<Vec<String>>,
    /// The resource policy, a JSON document as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// The 404 for an API id that names no API of `account`.
#[must_use]
pub fn not_found(account: &str, api_id: &str) -> ApiError {
    ApiError::not_found(messages::invalid_api_id(account, api_id))
}

/// Checks an endpoint configuration whose enums are already checked and fills AWS's defaults: type
/// `EDGE`, `ipAddressType` `dualstack` for a PRIVATE API and `ipv4` otherwise. `None` (no
/// `endpointConfiguration` at all) means EDGE.
///
/// # Errors
/// No type, more than one, or a PRIVATE API on `ipv4` (`BadRequestException`).
pub fn endpoint_configuration(
    config: Option<EndpointConfiguration>,
) -> Result<EndpointConfiguration, ApiError> {
    let mut config = config.unwrap_or_else(|| EndpointConfiguration {
        types: vec![DEFAULT_ENDPOINT_TYPE.into()],
        ..EndpointConfiguration::default()
    });
    match config.types.len() {
        0 => return Err(ApiError::bad_request(messages::NO_ENDPOINT_TYPE)),
        1 => {}
        _ => return Err(ApiError::bad_request(messages::MULTIPLE_ENDPOINT_TYPES)),
    }
    let private = config.types[0] == "PRIVATE";
    match config.ip_address_type.as_deref() {
        Some("ipv4") if private => {
            return Err(ApiError::bad_request(messages::PRIVATE_NEEDS_DUALSTACK));
        }
        Some(_) => {}
        None => {
            let ip = if private { "dualstack" } else { "ipv4" };
            config.ip_address_type = Some(ip.into());
        }
    }
    Ok(config)
}

/// Adds the enum violations of an endpoint configuration (`input`: `createRestApiInput`, …).
pub fn check_endpoint_enums(
    config: &EndpointConfiguration,
    input: &str,
    violations: &mut Violations,
) {
    violations.check_list_enum(
        &config.types,
        &format!("{input}.endpointConfiguration.types"),
        ENDPOINT_TYPES,
    );
    if let Some(ip) = &config.ip_address_type {
        violations.check_enum(
            ip,
            &format!("{input}.endpointConfiguration.ipAddressType"),
            IP_ADDRESS_TYPES,
        );
    }
}

impl CreateRestApiRequest {
    /// The API CreateRestApi stores, with AWS's defaults, after checking every field. `id` and
    /// `root_resource_id` are the new API's and its `/` resource's ids.
    ///
    /// # Errors
    /// In AWS's order: every constraint violation together (a missing `name`, an `apiKeySource` or
    /// endpoint type / `ipAddressType` outside its enum) as one `ValidationException`, then an empty
    /// `description`, the endpoint configuration, then the tags.
    pub fn to_rest_api(
        &self,
        id: String,
        root_resource_id: String,
        now: Timestamp,
    ) -> Result<RestApi, ApiError> {
        const INPUT: &str = "createRestApiInput";
        let mut violations = Violations::new();
        if self.name.is_none() {
            violations.null("createRestApiInput.name");
        }
        if let Some(source) = &self.api_key_source {
            violations.check_enum(source, "createRestApiInput.apiKeySource", API_KEY_SOURCES);
        }
        if let Some(config) = &self.endpoint_configuration {
            check_endpoint_enums(config, INPUT, &mut violations);
        }
        violations.finish()?;
        let name = self.name.clone().unwrap_or_default();
        if self.description.as_deref() == Some("") {
            return Err(ApiError::bad_request(messages::EMPTY_DESCRIPTION));
        }
        let endpoint = endpoint_configuration(self.endpoint_configuration.clone())?;
        let tags = self.tags.clone().unwrap_or_default();
        super::tags::check_tags(&tags)?;
        Ok(RestApi {
            id,
            name,
            description: self.description.clone(),
            version: self.version.clone(),
            created_date: Some(now),
            api_key_source: Some(
                self.api_key_source
                    .clone()
                    .unwrap_or_else(|| DEFAULT_API_KEY_SOURCE.into()),
            ),
            endpoint_configuration: Some(endpoint),
            disable_execute_api_endpoint: self.disable_execute_api_endpoint.unwrap_or(false),
            root_resource_id: Some(root_resource_id),
            binary_media_types: self.binary_media_types.clone().unwrap_or_default(),
            policy: self.policy.clone(),
            tags,
            extra: Map::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;
    use serde_json::json;

    fn create(body: Value) -> Result<RestApi, ApiError> {
        serde_json::from_value::<CreateRestApiRequest>(body)
            .unwrap()
            .to_rest_api("a1".into(), "r1".into(), Timestamp(0.0))
    }

    #[test]
    fn defaults_match_aws() {
        let api = create(json!({"name": "n"})).unwrap();
        assert_eq!(api.api_key_source.as_deref(), Some("HEADER"));
        let endpoint = api.endpoint_configuration.unwrap();
        assert_eq!(
            (endpoint.types, endpoint.ip_address_type.as_deref()),
            (vec!["EDGE".to_owned()], Some("ipv4"))
        );
        let private =
            create(json!({"name": "n", "endpointConfiguration": {"types": ["PRIVATE"]}})).unwrap();
        assert_eq!(
            private
                .endpoint_configuration
                .unwrap()
                .ip_address_type
                .as_deref(),
            Some("dualstack")
        );
    }

    #[test]
    fn errors_in_aws_order() {
        let e = create(json!({"description": ""})).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
        assert!(e.message.contains("createRestApiInput.name"));
        let e = create(json!({"name": "n", "description": ""})).unwrap_err();
        assert_eq!(e.message, "Description cannot be an empty string");
        let e =
            create(json!({"name": "n", "endpointConfiguration": {"types": ["EDGE", "REGIONAL"]}}))
                .unwrap_err();
        assert_eq!(
            e.message,
            "Cannot create an api with multiple Endpoint Types."
        );
        let e =
            create(json!({"name": "n", "endpointConfiguration": {"types": ["BAD"]}})).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
        assert_eq!(
            e.message,
            "1 validation error detected: Value '[BAD]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]"
        );
        // Enum violations come before the empty description, all in one report.
        let e = create(
            json!({"name": "n", "description": "", "apiKeySource": "BODY",
            "endpointConfiguration": {"types": ["wrong"], "ipAddressType": "wrong"}}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "3 validation errors detected: Value 'BODY' at 'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: [HEADER, AUTHORIZER]; Value '[wrong]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]; Value 'wrong' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"
        );
        let e = create(json!({"name": "n", "endpointConfiguration": {"types": []}})).unwrap_err();
        assert_eq!(
            e.message,
            "REGIONAL Configuration and EDGE Configuration cannot be both DISABLED."
        );
        let e = create(json!({"name": "n",
            "endpointConfiguration": {"types": ["PRIVATE"], "ipAddressType": "ipv4"}}))
        .unwrap_err();
        assert_eq!(
            e.message,
            "Only dualstack ipAddressType is supported for Private APIs."
        );
    }

    #[test]
    fn policy_is_kept() {
        let api = create(json!({"name": "n", "policy": "{\"Version\":\"2012-10-17\"}"})).unwrap();
        assert_eq!(api.policy.as_deref(), Some("{\"Version\":\"2012-10-17\"}"));
        assert!(serde_json::to_value(&api).unwrap()["policy"].is_string());
    }
}
