//! Wire types of the API Gateway REST control plane that the emulator, the web app and the proxy share:
//! REST APIs, resources, methods, deployments, authorizers, the create requests, TestInvokeAuthorizer and
//! paged lists. camelCase JSON exactly as AWS sends it; optional members are omitted when unset.
//!
//! Stage requests are checked here with the same rules (and AWS texts) as UpdateStage, so a stage
//! created through CreateStage / CreateDeployment can never hold what UpdateStage would refuse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::model::{CanarySettings, Stage, Timestamp};
use crate::patch::PatchOperation;
use crate::rules;

/// A paged list: `{"item": [...], "position": "..."}` (AWS's wire name is `item`; boto3 shows `items`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub item: Vec<T>,
    /// The token of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

/// `{"tags": {...}}` (GetTags output, TagResource input).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    /// Tag key → value.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// `{"patchOperations": [...]}` (UpdateStage, UpdateAuthorizer, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchRequest {
    /// The operations, applied in order.
    #[serde(default)]
    pub patch_operations: Vec<PatchOperation>,
}

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
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// A resource (a path of the API) with its methods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The resource id.
    pub id: String,
    /// The parent's id (absent on `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// The last path segment (absent on `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_part: Option<String>,
    /// The full path.
    pub path: String,
    /// HTTP method → method (GetResources without `embed=methods` sends empty objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_methods: Option<BTreeMap<String, Value>>,
}

/// CreateResource input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResourceRequest {
    /// The new path segment.
    #[serde(default)]
    pub path_part: Option<String>,
}

/// A method of a resource (PutMethod / GetMethod output).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Method {
    /// `GET`, …, `ANY`.
    pub http_method: String,
    /// `NONE`, `AWS_IAM`, `CUSTOM` or `COGNITO_USER_POOLS`.
    pub authorization_type: String,
    /// The authorizer of a CUSTOM / COGNITO_USER_POOLS method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    /// Whether an API key is required.
    #[serde(default)]
    pub api_key_required: bool,
    /// Operation name for SDK generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// Request parameters (`method.request.header.X` → required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<BTreeMap<String, bool>>,
    /// Content type → model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_models: Option<BTreeMap<String, String>>,
    /// Request validator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_validator_id: Option<String>,
    /// OAuth scopes of a COGNITO_USER_POOLS method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_scopes: Option<Vec<String>>,
    /// The integration, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_integration: Option<Value>,
}

/// PutMethod input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutMethodRequest {
    /// Required.
    #[serde(default)]
    pub authorization_type: Option<String>,
    /// Required for CUSTOM / COGNITO_USER_POOLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    /// Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_required: Option<bool>,
    /// Operation name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// Request parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<BTreeMap<String, bool>>,
    /// Request models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_models: Option<BTreeMap<String, String>>,
    /// Request validator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_validator_id: Option<String>,
    /// OAuth scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_scopes: Option<Vec<String>>,
}

/// A deployment: a snapshot of the API's methods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The deployment id.
    pub id: String,
    /// Free text (omitted unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// Resource path → HTTP method → `{authorizationType, apiKeyRequired}` (only with `embed=apisummary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_summary: Option<BTreeMap<String, BTreeMap<String, Value>>>,
}

/// The canary part of CreateDeployment (no `deploymentId`: the new deployment is the canary).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentCanarySettings {
    /// 0.0–100.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_traffic: Option<f64>,
    /// Variables the canary overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_variable_overrides: Option<BTreeMap<String, String>>,
    /// Whether the canary uses the stage cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_stage_cache: Option<bool>,
}

/// CreateDeployment input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDeploymentRequest {
    /// The stage to create or re-point (required with `canarySettings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
    /// Description of a stage created by this call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_description: Option<String>,
    /// The deployment's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Stage cache cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_enabled: Option<bool>,
    /// Stage cache cluster size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    /// Stage variables to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
    /// Makes the deployment the stage's canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_settings: Option<DeploymentCanarySettings>,
    /// Stage X-Ray tracing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_enabled: Option<bool>,
}

/// CreateStage input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStageRequest {
    /// Required.
    #[serde(default)]
    pub stage_name: Option<String>,
    /// Required.
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Cache cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_enabled: Option<bool>,
    /// Cache cluster size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    /// Stage variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
    /// Documentation version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_version: Option<String>,
    /// Canary (with its own `deploymentId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_settings: Option<CanarySettings>,
    /// X-Ray tracing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_enabled: Option<bool>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// An authorizer (CreateAuthorizer / GetAuthorizer output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorizer {
    /// The authorizer id.
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// `TOKEN`, `REQUEST` or `COGNITO_USER_POOLS`.
    #[serde(rename = "type", default)]
    pub authorizer_type: String,
    /// User pool ARNs (COGNITO_USER_POOLS).
    #[serde(
        rename = "providerARNs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_arns: Option<Vec<String>>,
    /// Free text for OpenAPI round trips (AWS answers `custom` / `cognito_user_pools` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{lambdaArn}/invocations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_uri: Option<String>,
    /// IAM role API Gateway assumes to invoke the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_credentials: Option<String>,
    /// Where the identity comes from (`method.request.header.Auth`, …, comma-separated for REQUEST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_source: Option<String>,
    /// Regex the token must match (TOKEN) or the `aud` claim (COGNITO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_validation_expression: Option<String>,
    /// Cache TTL, 0–3600; omitted when never set (the effective default is 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_result_ttl_in_seconds: Option<i64>,
}

impl Authorizer {
    /// The header a TOKEN or COGNITO_USER_POOLS authorizer reads its token from
    /// (`method.request.header.Authorization` → `Authorization`).
    #[must_use]
    pub fn token_header(&self) -> Option<&str> {
        self.identity_source
            .as_deref()?
            .split(',')
            .find_map(|s| s.trim().strip_prefix("method.request.header."))
    }
}

/// TestInvokeAuthorizer input (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInvokeAuthorizerRequest {
    /// Request headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Request headers with several values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    /// Path plus query string (`/pets?type=dog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_with_query_string: Option<String>,
    /// Request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Stage variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// Extra `$context` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<BTreeMap<String, String>>,
}

/// TestInvokeAuthorizer output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInvokeAuthorizerResponse {
    /// The status the client would get; 0 when the authorizer succeeded.
    pub client_status: i32,
    /// The execution log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// Milliseconds.
    pub latency: i64,
    /// The principal the authorizer returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// The policy document, as a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The authorization response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<BTreeMap<String, Vec<String>>>,
    /// Cognito claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<BTreeMap<String, String>>,
}

fn rule(result: Result<(), rules::RuleError>) -> Result<(), ApiError> {
    result.map_err(|(_, message)| ApiError::bad_request(message))
}

/// Checks a stage name (`[A-Za-z0-9_-]{1,128}`) with AWS's text.
///
/// # Errors
/// `BadRequestException: Stage name only allows a-zA-Z0-9_`.
pub fn check_stage_name(name: &str) -> Result<(), ApiError> {
    rule(rules::stage_name(name))
}

/// Checks stage variables (names, values, at most 100) with AWS's texts.
///
/// # Errors
/// The first bad variable's `BadRequestException`.
pub fn check_variables(variables: &BTreeMap<String, String>) -> Result<(), ApiError> {
    for (name, value) in variables {
        rule(rules::variable_name(name))?;
        rule(rules::variable_value(value))?;
    }
    if variables.len() > rules::MAX_VARIABLES {
        return Err(ApiError::bad_request(crate::messages::TOO_MANY_VARIABLES));
    }
    Ok(())
}

/// Checks tags (key ≤ 128 without `aws:`, value ≤ 256, at most 50).
///
/// # Errors
/// The first bad tag's `BadRequestException`.
pub fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    for (key, value) in tags {
        rule(rules::tag(key, value))?;
    }
    if tags.len() > rules::MAX_TAGS {
        return Err(ApiError::bad_request(format!(
            "Too many tags: a resource can have at most {} tags",
            rules::MAX_TAGS
        )));
    }
    Ok(())
}

/// Checks a cache cluster size.
///
/// # Errors
/// `BadRequestException` naming the eight sizes.
pub fn check_cache_cluster_size(size: &str) -> Result<(), ApiError> {
    rule(rules::cache_cluster_size(size))
}

/// Checks a canary traffic share.
///
/// # Errors
/// `BadRequestException` for a value outside 0–100.
pub fn check_percent_traffic(value: f64) -> Result<(), ApiError> {
    rule(rules::percent_traffic(value, &value.to_string()))
}

/// `cacheClusterStatus` for a cache cluster switch. The emulator has no provisioning delay: a cluster is
/// `AVAILABLE` as soon as it is enabled and `NOT_AVAILABLE` once disabled (AWS passes through
/// `CREATE_IN_PROGRESS` / `DELETE_IN_PROGRESS` first).
#[must_use]
pub const fn cache_cluster_status(enabled: bool) -> &'static str {
    if enabled {
        "AVAILABLE"
    } else {
        "NOT_AVAILABLE"
    }
}

impl CreateStageRequest {
    /// Builds the stage CreateStage stores, with AWS's defaults (`methodSettings: {}`, no cache cluster,
    /// `cacheClusterStatus: NOT_AVAILABLE`, tracing off), after checking every field. Deployment ids are
    /// not checked here (the caller knows the API's deployments).
    ///
    /// # Errors
    /// The first problem, with AWS's text; a missing `stageName` / `deploymentId` is reported as
    /// `member_null` (AWS sends it as a `ValidationException`).
    pub fn to_stage(&self, now: Timestamp) -> Result<Stage, ApiError> {
        let name = self.stage_name.as_deref().ok_or_else(|| {
            ApiError::bad_request(crate::messages::member_null("createStageInput.stageName"))
        })?;
        let deployment_id = self.deployment_id.as_deref().ok_or_else(|| {
            ApiError::bad_request(crate::messages::member_null(
                "createStageInput.deploymentId",
            ))
        })?;
        check_stage_name(name)?;
        let variables = self.variables.clone().unwrap_or_default();
        check_variables(&variables)?;
        if let Some(size) = &self.cache_cluster_size {
            check_cache_cluster_size(size)?;
        }
        let tags = self.tags.clone().unwrap_or_default();
        check_tags(&tags)?;
        if let Some(canary) = &self.canary_settings {
            check_percent_traffic(canary.percent_traffic)?;
            check_variables(&canary.stage_variable_overrides)?;
        }
        let cache_cluster_enabled = self.cache_cluster_enabled.unwrap_or(false);
        Ok(Stage {
            deployment_id: Some(deployment_id.to_owned()),
            stage_name: Some(name.to_owned()),
            description: self.description.clone(),
            cache_cluster_enabled,
            cache_cluster_size: self.cache_cluster_size.clone(),
            cache_cluster_status: Some(cache_cluster_status(cache_cluster_enabled).to_owned()),
            variables,
            documentation_version: self.documentation_version.clone(),
            canary_settings: self.canary_settings.clone(),
            tracing_enabled: self.tracing_enabled.unwrap_or(false),
            tags,
            created_date: Some(now),
            last_updated_date: Some(now),
            ..Stage::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_stage_defaults_match_aws() {
        let req: CreateStageRequest = serde_json::from_value(
            json!({"stageName": "s1", "deploymentId": "dep1", "description": "my stage"}),
        )
        .unwrap();
        let stage = req.to_stage(Timestamp(1_700_000_000.0)).unwrap();
        assert_eq!(
            serde_json::to_value(&stage).unwrap(),
            json!({"cacheClusterEnabled": false, "cacheClusterStatus": "NOT_AVAILABLE", "createdDate": 1_700_000_000,
                   "deploymentId": "dep1", "description": "my stage", "lastUpdatedDate": 1_700_000_000,
                   "methodSettings": {}, "stageName": "s1", "tracingEnabled": false})
        );
    }

    #[test]
    fn create_stage_checks_fields() {
        let bad = |v: Value| {
            serde_json::from_value::<CreateStageRequest>(v)
                .unwrap()
                .to_stage(Timestamp(0.0))
                .unwrap_err()
                .message
        };
        assert_eq!(
            bad(json!({"stageName": "a b", "deploymentId": "d"})),
            "Stage name only allows a-zA-Z0-9_"
        );
        assert!(
            bad(json!({"stageName": "s", "deploymentId": "d", "variables": {"a": ""}}))
                .starts_with("Invalid stage variable value")
        );
        assert!(bad(json!({"deploymentId": "d"})).contains("createStageInput.stageName"));
    }

    #[test]
    fn pages_use_item() {
        let page = Page {
            item: vec![1],
            position: None,
        };
        assert_eq!(serde_json::to_value(page).unwrap(), json!({"item": [1]}));
    }
}
