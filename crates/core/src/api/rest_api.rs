//! REST APIs: the wire types, CreateRestApi's rules (endpoint types, `ipAddressType` and
//! `apiKeySource` defaults) and UpdateRestApi's patch paths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Timestamp;
use crate::error::{ApiError, Violations};
use crate::messages;
use crate::patch::{Op, PatchOperation};

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
    /// Responses at least this large (bytes) are compressed; absent: compression off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_compression_size: Option<u32>,
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
    /// Compression threshold in bytes (0 to 10485760).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_compression_size: Option<i64>,
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
        let minimum_compression_size = self
            .minimum_compression_size
            .map(|size| compression_size(&size.to_string()))
            .transpose()?;
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
            minimum_compression_size,
            policy: self.policy.clone(),
            tags,
            extra: Map::new(),
        })
    }
}

/// *AWS*: a `minimumCompressionSize` that is not a whole number from 0 to 10485760.
pub const INVALID_COMPRESSION_SIZE: &str =
    "Invalid minimum compression size, must be between 0 and 10485760";
/// *AWS*: UpdateRestApi of an endpoint type outside the enum.
pub const INVALID_ENDPOINT_TYPE: &str =
    "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE";
/// *AWS*: UpdateRestApi of an `ipAddressType` outside the enum.
pub const INVALID_IP_ADDRESS_TYPE: &str = "ipAddressType must be either ipv4 or dualstack.";
/// *AWS*: UpdateRestApi with an op other than `replace` on an endpoint type (AWS's wording).
pub const ENDPOINT_TYPE_OPS: &str =
    "Invalid patch operation specified. Must be 'add'|'remove'|'replace'";
/// *Chosen* (AWS has no recorded text): an `apiKeySource` outside the enum.
pub const INVALID_API_KEY_SOURCE: &str =
    "Invalid apiKeySource specified. Valid options are HEADER,AUTHORIZER";

/// The largest `minimumCompressionSize`.
const MAX_COMPRESSION_SIZE: u32 = 10_485_760;

/// Reads a `minimumCompressionSize` (a whole number of bytes from 0 to 10485760).
///
/// # Errors
/// Anything else (`BadRequestException`, AWS's text).
pub fn compression_size(raw: &str) -> Result<u32, ApiError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|size| *size <= MAX_COMPRESSION_SIZE)
        .ok_or_else(|| ApiError::bad_request(INVALID_COMPRESSION_SIZE))
}

/// UpdateRestApi: `ops` applied in order to a copy of `current` (all or nothing). The paths, as AWS
/// (LocalStack's AWS-validated snapshots) and Terraform's `aws_api_gateway_rest_api` use them:
/// `replace` of `/name`, `/description` (also `remove`), `/version`, `/policy`, `/apiKeySource`,
/// `/disableExecuteApiEndpoint`, `/minimumCompressionSize` (empty: compression off),
/// `/endpointConfiguration/types/0` (PRIVATE also makes `ipAddressType` dualstack) and
/// `/endpointConfiguration/ipAddressType`; `add` / `remove` of `/endpointConfiguration/vpcEndpointIds`
/// (the id in `value`); and `/binaryMediaTypes/{type}` with the type `~1`-escaped in the path: `add`
/// appends it, `remove` drops it, `replace` drops it and appends `value` (AWS's order).
///
/// # Errors
/// AWS's `BadRequestException` texts for an unknown path, an op a path does not take, or a value out
/// of range.
pub fn update_rest_api(current: &RestApi, ops: &[PatchOperation]) -> Result<RestApi, ApiError> {
    let mut next = current.clone();
    for op in ops {
        apply_rest_api_op(&mut next, op)?;
    }
    Ok(next)
}

fn apply_rest_api_op(api: &mut RestApi, op: &PatchOperation) -> Result<(), ApiError> {
    let value = op.value.clone().unwrap_or_default();
    let replace_only = || {
        if op.op == Op::Replace {
            Ok(())
        } else {
            Err(ApiError::bad_request(messages::invalid_patch_op("replace")))
        }
    };
    if let Some(escaped) = op.path.strip_prefix("/binaryMediaTypes/") {
        let media_type = crate::pointer::unescape(escaped);
        match op.op {
            Op::Add => {
                if !api.binary_media_types.contains(&media_type) {
                    api.binary_media_types.push(media_type);
                }
            }
            Op::Remove => api.binary_media_types.retain(|t| *t != media_type),
            Op::Replace => {
                api.binary_media_types
                    .retain(|t| *t != media_type && *t != value);
                api.binary_media_types.push(value);
            }
            _ => return Err(ApiError::bad_request(ENDPOINT_TYPE_OPS)),
        }
        return Ok(());
    }
    if op.path.starts_with("/endpointConfiguration/types/") {
        if op.op != Op::Replace {
            return Err(ApiError::bad_request(ENDPOINT_TYPE_OPS));
        }
        if !ENDPOINT_TYPES.contains(&value.as_str()) {
            return Err(ApiError::bad_request(INVALID_ENDPOINT_TYPE));
        }
        let config = api
            .endpoint_configuration
            .get_or_insert_with(Default::default);
        if value == "PRIVATE" {
            config.ip_address_type = Some("dualstack".into());
        }
        config.types = vec![value];
        return Ok(());
    }
    match op.path.as_str() {
        "/endpointConfiguration/ipAddressType" => {
            replace_only()?;
            if !IP_ADDRESS_TYPES.contains(&value.as_str()) {
                return Err(ApiError::bad_request(INVALID_IP_ADDRESS_TYPE));
            }
            let config = api
                .endpoint_configuration
                .get_or_insert_with(Default::default);
            if value == "ipv4" && config.types.iter().any(|t| t == "PRIVATE") {
                return Err(ApiError::bad_request(messages::PRIVATE_NEEDS_DUALSTACK));
            }
            config.ip_address_type = Some(value);
        }
        "/endpointConfiguration/vpcEndpointIds" => {
            let config = api
                .endpoint_configuration
                .get_or_insert_with(Default::default);
            let ids = config.vpc_endpoint_ids.get_or_insert_with(Vec::new);
            match op.op {
                Op::Add if !ids.contains(&value) => ids.push(value),
                Op::Add => {}
                Op::Remove => ids.retain(|id| *id != value),
                _ => return Err(ApiError::bad_request(ENDPOINT_TYPE_OPS)),
            }
            if ids.is_empty() {
                config.vpc_endpoint_ids = None;
            }
        }
        "/minimumCompressionSize" => {
            replace_only()?;
            api.minimum_compression_size = if value.is_empty() {
                None
            } else {
                Some(compression_size(&value)?)
            };
        }
        "/description" if op.op == Op::Remove => api.description = None,
        "/description" => {
            replace_only()?;
            api.description = Some(value).filter(|d| !d.is_empty());
        }
        "/name" => {
            replace_only()?;
            api.name = value;
        }
        "/version" => {
            replace_only()?;
            api.version = Some(value).filter(|v| !v.is_empty());
        }
        "/policy" => {
            replace_only()?;
            api.policy = Some(value).filter(|p| !p.is_empty());
        }
        "/apiKeySource" => {
            replace_only()?;
            if !API_KEY_SOURCES.contains(&value.as_str()) {
                return Err(ApiError::bad_request(INVALID_API_KEY_SOURCE));
            }
            api.api_key_source = Some(value);
        }
        "/disableExecuteApiEndpoint" => {
            replace_only()?;
            api.disable_execute_api_endpoint = value.trim().eq_ignore_ascii_case("true");
        }
        _ => {
            return Err(ApiError::bad_request(messages::invalid_patch_path(
                &op.path,
            )));
        }
    }
    Ok(())
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

    fn update(api: &RestApi, ops: Value) -> Result<RestApi, ApiError> {
        let ops: Vec<PatchOperation> = serde_json::from_value(ops).unwrap();
        update_rest_api(api, &ops)
    }

    #[test]
    fn binary_media_types_are_patched_like_an_object() {
        let api = create(json!({"name": "n", "description": "this is my api"})).unwrap();
        let api = update(
            &api,
            json!([
            {"op": "add", "path": "/binaryMediaTypes/image~1png"},
            {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"}]),
        )
        .unwrap();
        assert_eq!(api.binary_media_types, ["image/png", "image/jpeg"]);
        let api = update(
            &api,
            json!([
            {"op": "replace", "path": "/binaryMediaTypes/image~1png", "value": "image/gif"}]),
        )
        .unwrap();
        assert_eq!(api.binary_media_types, ["image/jpeg", "image/gif"]);
        let api = update(
            &api,
            json!([
            {"op": "remove", "path": "/binaryMediaTypes/image~1gif"},
            {"op": "remove", "path": "/description"}]),
        )
        .unwrap();
        assert_eq!(api.binary_media_types, ["image/jpeg"]);
        assert_eq!(api.description, None);
        let e = update(
            &api,
            json!([{"op": "add", "path": "/binaryMediaTypes", "value": "x"}]),
        )
        .unwrap_err();
        assert_eq!(e.message, "Invalid patch path /binaryMediaTypes");
    }

    #[test]
    fn compression_size_is_bounded() {
        let api = create(json!({"name": "n"})).unwrap();
        let set = |v: &str| {
            update(
                &api,
                json!([{"op": "replace", "path": "/minimumCompressionSize", "value": v}]),
            )
        };
        assert_eq!(set("10").unwrap().minimum_compression_size, Some(10));
        assert_eq!(set("0").unwrap().minimum_compression_size, Some(0));
        assert_eq!(set("").unwrap().minimum_compression_size, None);
        for bad in ["-1", "test", "10485761"] {
            assert_eq!(set(bad).unwrap_err().message, INVALID_COMPRESSION_SIZE);
        }
        let e = update(
            &api,
            json!([{"op": "add", "path": "/minimumCompressionSize", "value": "1"}]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid patch operation specified. Must be one of: [replace]"
        );
    }

    #[test]
    fn endpoint_configuration_follows_aws() {
        let api = create(json!({"name": "n"})).unwrap();
        let private = update(
            &api,
            json!([
            {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "EDGE"},
            {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"},
            {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "PRIVATE"}]),
        )
        .unwrap();
        let config = private.endpoint_configuration.clone().unwrap();
        assert_eq!(
            (config.types, config.ip_address_type.as_deref()),
            (vec!["PRIVATE".to_owned()], Some("dualstack"))
        );
        let ip = |api: &RestApi, op: &str, v: &str| {
            update(
                api,
                json!([{"op": op, "path": "/endpointConfiguration/ipAddressType", "value": v}]),
            )
            .map_err(|e| e.message)
        };
        assert_eq!(
            ip(&private, "replace", "ipv4").unwrap_err(),
            "Only dualstack ipAddressType is supported for Private APIs."
        );
        assert_eq!(
            ip(&private, "replace", "wrong").unwrap_err(),
            INVALID_IP_ADDRESS_TYPE
        );
        assert_eq!(
            ip(&private, "remove", "dualstack").unwrap_err(),
            "Invalid patch operation specified. Must be one of: [replace]"
        );
        assert!(ip(&private, "replace", "dualstack").is_ok());
        let e = update(
            &api,
            json!([{"op": "replace", "path": "/endpointConfiguration/types/0", "value": "wrong"}]),
        )
        .unwrap_err();
        assert_eq!(e.message, INVALID_ENDPOINT_TYPE);
        let e = update(
            &api,
            json!([{"op": "remove", "path": "/endpointConfiguration/types/0", "value": "EDGE"}]),
        )
        .unwrap_err();
        assert_eq!(e.message, ENDPOINT_TYPE_OPS);
    }

    #[test]
    fn an_update_is_all_or_nothing() {
        let api = create(json!({"name": "n"})).unwrap();
        let e = update(
            &api,
            json!([
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/wrongPath", "value": "x"}]),
        )
        .unwrap_err();
        assert_eq!(e.message, "Invalid patch path /wrongPath");
        let renamed = update(
            &api,
            json!([
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"},
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"}]),
        )
        .unwrap();
        assert_eq!(
            (renamed.name.as_str(), renamed.api_key_source.as_deref()),
            ("renamed", Some("AUTHORIZER"))
        );
        assert!(renamed.disable_execute_api_endpoint);
        assert_eq!(api.name, "n");
    }
}
