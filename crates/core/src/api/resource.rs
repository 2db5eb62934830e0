//! Resources, methods and integrations: the wire types and the rules of CreateResource, DeleteResource,
//! PutMethod and PutIntegration (path-part charset, the tree's sibling rules, HTTP verbs, integration
//! types and AWS's integration defaults).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::messages;

/// The HTTP methods a resource can have.
pub const HTTP_METHODS: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY",
];
/// The integration types, in the order AWS lists them in its enum error.
pub const INTEGRATION_TYPES: &[&str] = &["HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"];
/// `timeoutInMillis` of an integration that sets none.
pub const DEFAULT_TIMEOUT_IN_MILLIS: u32 = 29_000;
/// `passthroughBehavior` of an integration that sets none.
pub const DEFAULT_PASSTHROUGH_BEHAVIOR: &str = "WHEN_NO_MATCH";
/// `connectionType` of an HTTP / HTTP_PROXY integration that sets none.
pub const DEFAULT_CONNECTION_TYPE: &str = "INTERNET";
/// The shortest `timeoutInMillis`.
pub const MIN_TIMEOUT_IN_MILLIS: u32 = 50;
/// *AWS* (reported in CloudFormation errors): a `timeoutInMillis` outside 50–29000.
pub const INVALID_TIMEOUT: &str = "Timeout should be between 50 ms and 29000 ms";
/// *AWS*: an op other than `add` / `remove` / `replace` on a map or list entry (AWS's wording).
pub const ENTRY_OPS: &str = "Invalid patch operation specified. Must be 'add'|'remove'|'replace'";
/// The integration fields UpdateIntegration can `replace` (besides the map and list entries).
const INTEGRATION_FIELDS: &[&str] = &[
    "/uri",
    "/httpMethod",
    "/credentials",
    "/passthroughBehavior",
    "/contentHandling",
    "/connectionType",
    "/connectionId",
    "/timeoutInMillis",
    "/cacheNamespace",
    "/tlsConfig/insecureSkipVerification",
];

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
    /// Status code → method response (omitted when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_responses: Option<BTreeMap<String, super::MethodResponse>>,
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

/// The 404 for a resource id that names no resource of the API.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_RESOURCE_ID)
}

/// The 404 for an HTTP method the resource does not have.
#[must_use]
pub fn method_not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_METHOD_ID)
}

/// The 404 for a method without an integration.
#[must_use]
pub fn integration_not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_INTEGRATION_ID)
}

/// Whether a path part is one API Gateway accepts: `[a-zA-Z0-9._:-]+`, or a variable `{name}` /
/// greedy variable `{name+}` of the same characters.
#[must_use]
pub fn path_part_ok(part: &str) -> bool {
    let inner = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
    let body = match inner {
        Some(i) => i.strip_suffix('+').unwrap_or(i),
        None => part,
    };
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b))
}

impl CreateResourceRequest {
    /// The new resource's path part, checked.
    ///
    /// # Errors
    /// A missing `pathPart` (`ValidationException`) or one with characters AWS refuses.
    pub fn checked_path_part(&self) -> Result<&str, ApiError> {
        let part = self
            .path_part
            .as_deref()
            .ok_or_else(|| ApiError::member_null("createResourceInput.pathPart"))?;
        if !path_part_ok(part) {
            return Err(ApiError::bad_request(messages::INVALID_PATH_PART));
        }
        Ok(part)
    }
}

/// Checks that a child with path part `part` may be created under a parent whose path part is
/// `parent_part` (`None` for `/`) and whose children have `sibling_parts`.
///
/// # Errors
/// A greedy parent, a sibling with the same part (409), or a second variable sibling.
pub fn check_new_child<'a>(
    parent_part: Option<&str>,
    sibling_parts: impl IntoIterator<Item = &'a str>,
    part: &str,
) -> Result<(), ApiError> {
    if let Some(parent) = parent_part.filter(|p| p.ends_with("+}")) {
        return Err(ApiError::bad_request(messages::greedy_parent(parent)));
    }
    for sibling in sibling_parts {
        if sibling == part {
            return Err(ApiError::conflict(messages::resource_exists(part)));
        }
        if sibling.starts_with('{') && part.starts_with('{') {
            return Err(ApiError::bad_request(messages::variable_sibling(sibling)));
        }
    }
    Ok(())
}

/// The full path of a child: `/` + part under the root, else parent path + `/` + part.
#[must_use]
pub fn child_path(parent_path: &str, part: &str) -> String {
    if parent_path == "/" {
        format!("/{part}")
    } else {
        format!("{parent_path}/{part}")
    }
}

/// Checks that a resource may be deleted (anything but the root).
///
/// # Errors
/// `BadRequestException` for the root resource.
pub fn check_deletable(is_root: bool) -> Result<(), ApiError> {
    if is_root {
        return Err(ApiError::bad_request(messages::ROOT_RESOURCE_DELETE));
    }
    Ok(())
}

/// What an UpdateResource request changes: a new parent, a new path part, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceUpdate {
    /// `replace /parentId`.
    pub parent_id: Option<String>,
    /// `replace /pathPart`.
    pub path_part: Option<String>,
}

/// Reads UpdateResource's operations: only `replace` of `/parentId` and `/pathPart` (later ones win).
/// `is_root`: the resource is `/`, which can change neither.
///
/// # Errors
/// AWS's texts for another path or op, for a root resource, and for a path part it refuses.
pub fn resource_update(
    ops: &[crate::patch::PatchOperation],
    is_root: bool,
) -> Result<ResourceUpdate, ApiError> {
    let mut update = ResourceUpdate::default();
    for op in super::replacements(ops, &["/parentId", "/pathPart"])? {
        let value = op.value.clone().unwrap_or_default();
        if op.path == "/pathPart" {
            if is_root {
                return Err(ApiError::bad_request(messages::ROOT_PATH_PART_UPDATE));
            }
            if !path_part_ok(&value) {
                return Err(ApiError::bad_request(messages::INVALID_PATH_PART));
            }
            update.path_part = Some(value);
        } else {
            if is_root {
                return Err(ApiError::bad_request(messages::ROOT_PARENT_UPDATE));
            }
            update.parent_id = Some(value);
        }
    }
    Ok(update)
}

/// UpdateMethod: `ops` applied to `current`, atomically (LocalStack's AWS snapshots). `replace` of
/// `/authorizationType`, `/authorizerId`, `/apiKeyRequired` (anything but `true` is false),
/// `/operationName`, `/requestValidatorId`; add / replace / remove of `/requestParameters/{name}`,
/// `/requestModels/{content type}` (`/` written `~1`) and `/authorizationScopes/{scope}`.
/// `authorizer_exists` and `model_exists` look names up in the API.
///
/// # Errors
/// `Invalid patch path {path}` for any other path, `Invalid patch operation specified. Must be one of:
/// [replace]` for another op on a scalar, a CUSTOM / COGNITO_USER_POOLS method without a valid
/// authorizer, a request validator (the emulator has none), or an unknown model.
pub fn update_method(
    current: &Method,
    ops: &[crate::patch::PatchOperation],
    authorizer_exists: impl Fn(&str) -> bool,
    model_exists: impl Fn(&str) -> bool,
    validator_exists: impl Fn(&str) -> bool,
) -> Result<Method, ApiError> {
    use crate::patch::Op;
    let mut next = current.clone();
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        let entry = |prefix: &str| op.key_under(prefix);
        if let Some(name) = entry("/requestParameters/") {
            let map = next.request_parameters.get_or_insert_with(BTreeMap::new);
            if op.op == Op::Remove {
                map.remove(&name);
            } else {
                map.insert(name, value.trim().eq_ignore_ascii_case("true"));
            }
            continue;
        }
        if let Some(content_type) = entry("/requestModels/") {
            let map = next.request_models.get_or_insert_with(BTreeMap::new);
            if op.op == Op::Remove {
                map.remove(&content_type);
            } else {
                if !model_exists(&value) {
                    return Err(super::model::unknown_reference(&value));
                }
                map.insert(content_type, value.clone());
            }
            continue;
        }
        if let Some(scope) = entry("/authorizationScopes/") {
            let scopes = next.authorization_scopes.get_or_insert_with(Vec::new);
            scopes.retain(|s| *s != scope);
            if op.op != Op::Remove {
                scopes.push(scope);
            }
            continue;
        }
        let known = [
            "/authorizationType",
            "/authorizerId",
            "/apiKeyRequired",
            "/operationName",
            "/requestValidatorId",
        ];
        if !known.contains(&op.path.as_str()) {
            return Err(ApiError::bad_request(messages::invalid_patch_path(
                &op.path,
            )));
        }
        if op.op != Op::Replace {
            return Err(ApiError::bad_request(messages::invalid_patch_op("replace")));
        }
        let opt = Some(value.clone()).filter(|v| !v.is_empty());
        match op.path.as_str() {
            "/authorizationType" => next.authorization_type = value,
            "/authorizerId" => next.authorizer_id = opt,
            "/apiKeyRequired" => next.api_key_required = value.trim().eq_ignore_ascii_case("true"),
            "/operationName" => next.operation_name = opt,
            _ => {
                if opt.as_deref().is_some_and(|id| !validator_exists(id)) {
                    return Err(ApiError::bad_request(messages::INVALID_REQUEST_VALIDATOR));
                }
                next.request_validator_id = opt;
            }
        }
    }
    if matches!(
        next.authorization_type.as_str(),
        "CUSTOM" | "COGNITO_USER_POOLS"
    ) {
        if !next
            .authorizer_id
            .as_deref()
            .is_some_and(&authorizer_exists)
        {
            return Err(ApiError::bad_request(messages::METHOD_NEEDS_AUTHORIZER));
        }
    } else {
        next.authorizer_id = None;
    }
    Ok(next)
}

/// The 400 for a new parent that is the resource itself or one of its descendants.
#[must_use]
pub fn cyclical() -> ApiError {
    ApiError::bad_request(messages::CYCLICAL_RESOURCES)
}

/// The HTTP method named in a request path, upper-cased and checked.
///
/// # Errors
/// `BadRequestException` naming the eight methods.
pub fn http_method(raw: &str) -> Result<String, ApiError> {
    let verb = raw.to_ascii_uppercase();
    if HTTP_METHODS.contains(&verb.as_str()) {
        Ok(verb)
    } else {
        Err(ApiError::bad_request(messages::INVALID_HTTP_METHOD))
    }
}

/// The 409 for PutMethod on a method that exists.
#[must_use]
pub fn method_exists() -> ApiError {
    ApiError::conflict(messages::METHOD_EXISTS)
}

impl PutMethodRequest {
    /// The required `authorizationType`.
    ///
    /// # Errors
    /// `ValidationException` when it is missing.
    pub fn authorization_type(&self) -> Result<&str, ApiError> {
        self.authorization_type
            .as_deref()
            .ok_or_else(|| ApiError::member_null("putMethodInput.authorizationType"))
    }

    /// The method PutMethod stores for `http_method` (checked with [`http_method`]);
    /// `authorizer_exists` and `validator_exists` tell whether an id names one of the API's authorizers
    /// or request validators.
    ///
    /// # Errors
    /// A missing `authorizationType`, CUSTOM / COGNITO_USER_POOLS without a valid authorizer, or a
    /// request validator id that names none.
    pub fn to_method(
        &self,
        http_method: &str,
        authorizer_exists: impl Fn(&str) -> bool,
        validator_exists: impl Fn(&str) -> bool,
    ) -> Result<Method, ApiError> {
        let auth_type = self.authorization_type()?;
        if self
            .request_validator_id
            .as_deref()
            .is_some_and(|id| !id.is_empty() && !validator_exists(id))
        {
            return Err(ApiError::bad_request(messages::INVALID_REQUEST_VALIDATOR));
        }
        let needs_authorizer = matches!(auth_type, "CUSTOM" | "COGNITO_USER_POOLS");
        if needs_authorizer
            && !self
                .authorizer_id
                .as_deref()
                .is_some_and(&authorizer_exists)
        {
            return Err(ApiError::bad_request(messages::METHOD_NEEDS_AUTHORIZER));
        }
        Ok(Method {
            http_method: http_method.to_owned(),
            authorization_type: auth_type.to_owned(),
            authorizer_id: if needs_authorizer {
                self.authorizer_id.clone()
            } else {
                None
            },
            api_key_required: self.api_key_required.unwrap_or(false),
            operation_name: self.operation_name.clone(),
            request_parameters: self.request_parameters.clone(),
            request_models: self.request_models.clone(),
            request_validator_id: self
                .request_validator_id
                .clone()
                .filter(|id| !id.is_empty()),
            authorization_scopes: self.authorization_scopes.clone(),
            method_responses: None,
            method_integration: None,
        })
    }
}

/// Checks a PutIntegration body for the resource `resource_id` and fills AWS's defaults
/// (`passthroughBehavior`, `timeoutInMillis`, `cacheNamespace` = the resource id, `cacheKeyParameters`,
/// and `connectionType` for HTTP types). A MOCK integration drops `uri` and `httpMethod`.
///
/// # Errors
/// A type outside the enum (`ValidationException`), a missing `httpMethod`, or a `uri` the type refuses.
pub fn integration(resource_id: &str, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
    if !INTEGRATION_TYPES.contains(&kind) {
        return Err(ApiError::enum_violation(
            kind,
            "putIntegrationInput.type",
            INTEGRATION_TYPES,
        ));
    }
    if let Some(timeout) = body.get("timeoutInMillis") {
        timeout
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .map_or(
                Err(ApiError::bad_request(INVALID_TIMEOUT)),
                timeout_in_millis,
            )?;
    }
    let mut out = body.clone();
    let uri = body.get("uri").and_then(Value::as_str).unwrap_or("");
    if kind == "MOCK" {
        out.remove("uri");
        out.remove("httpMethod");
    } else {
        if body
            .get("httpMethod")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request(
                messages::EMPTY_INTEGRATION_HTTP_METHOD,
            ));
        }
        if kind.starts_with("HTTP") {
            if !(uri.starts_with("http://") || uri.starts_with("https://")) {
                return Err(ApiError::bad_request(messages::INVALID_HTTP_ENDPOINT));
            }
            out.entry("connectionType")
                .or_insert_with(|| json!(DEFAULT_CONNECTION_TYPE));
        } else if !uri.starts_with("arn:") {
            return Err(ApiError::bad_request(messages::INVALID_ARN));
        }
    }
    out.entry("passthroughBehavior")
        .or_insert_with(|| json!(DEFAULT_PASSTHROUGH_BEHAVIOR));
    out.entry("timeoutInMillis")
        .or_insert_with(|| json!(DEFAULT_TIMEOUT_IN_MILLIS));
    out.entry("cacheNamespace")
        .or_insert_with(|| json!(resource_id));
    out.entry("cacheKeyParameters").or_insert_with(|| json!([]));
    Ok(Value::Object(out))
}

/// Checks a `timeoutInMillis` (50 to 29000).
///
/// # Errors
/// AWS's text for anything else.
pub fn timeout_in_millis(millis: u32) -> Result<u32, ApiError> {
    if (MIN_TIMEOUT_IN_MILLIS..=DEFAULT_TIMEOUT_IN_MILLIS).contains(&millis) {
        Ok(millis)
    } else {
        Err(ApiError::bad_request(INVALID_TIMEOUT))
    }
}

/// UpdateIntegration: `ops` applied in order to a copy of the integration `current` of resource
/// `resource_id`, then checked by PutIntegration's rules ([`integration`]). The paths, as Terraform's
/// `aws_api_gateway_integration` and AWS's samples send them: `add` / `replace` / `remove` of
/// `/requestParameters/{name}` and `/requestTemplates/{contentType}` (`~1`-escaped), `add` / `remove` of
/// `/cacheKeyParameters/{name}`, and `replace` of the integration's own fields (`/uri`, `/httpMethod`,
/// `/credentials`, `/passthroughBehavior`, `/contentHandling`, `/connectionType`, `/connectionId`,
/// `/timeoutInMillis`, `/cacheNamespace`, `/tlsConfig/insecureSkipVerification`; an empty value removes
/// a text field).
///
/// # Errors
/// AWS's texts for an unknown path, an op a path does not take, a timeout out of range, and
/// PutIntegration's errors for what the result would be.
pub fn update_integration(
    resource_id: &str,
    current: &Value,
    ops: &[crate::patch::PatchOperation],
) -> Result<Value, ApiError> {
    use crate::patch::Op;
    let mut next = current.as_object().cloned().unwrap_or_default();
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        let entry = |prefix: &str| op.key_under(prefix);
        let map_entry = ["requestParameters", "requestTemplates"]
            .into_iter()
            .find_map(|field| Some(field).zip(entry(&format!("/{field}/"))));
        if let Some((field, key)) = map_entry {
            let map = next.entry(field).or_insert_with(|| json!({}));
            let Some(map) = map.as_object_mut() else {
                continue;
            };
            match op.op {
                Op::Add | Op::Replace => {
                    map.insert(key, Value::String(value));
                }
                Op::Remove => {
                    map.remove(&key);
                }
                _ => return Err(ApiError::bad_request(ENTRY_OPS)),
            }
            continue;
        }
        if let Some(key) = entry("/cacheKeyParameters/") {
            let list = next
                .entry("cacheKeyParameters")
                .or_insert_with(|| json!([]));
            let Some(list) = list.as_array_mut() else {
                continue;
            };
            list.retain(|k| k.as_str() != Some(key.as_str()));
            match op.op {
                Op::Add | Op::Replace => list.push(Value::String(key)),
                Op::Remove => {}
                _ => return Err(ApiError::bad_request(ENTRY_OPS)),
            }
            continue;
        }
        if !INTEGRATION_FIELDS.contains(&op.path.as_str()) {
            return Err(ApiError::bad_request(messages::invalid_patch_path(
                &op.path,
            )));
        }
        if op.op != Op::Replace {
            return Err(ApiError::bad_request(messages::invalid_patch_op("replace")));
        }
        match op.path.as_str() {
            "/timeoutInMillis" => {
                let millis = value
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| ApiError::bad_request(INVALID_TIMEOUT))
                    .and_then(timeout_in_millis)?;
                next.insert("timeoutInMillis".into(), json!(millis));
            }
            "/tlsConfig/insecureSkipVerification" => {
                let skip = value.trim().eq_ignore_ascii_case("true");
                next.insert(
                    "tlsConfig".into(),
                    json!({"insecureSkipVerification": skip}),
                );
            }
            path => {
                let field = path.trim_start_matches('/').to_owned();
                if value.is_empty() {
                    next.remove(&field);
                } else {
                    next.insert(field, Value::String(value));
                }
            }
        }
    }
    integration(resource_id, &next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;

    #[test]
    fn path_parts() {
        for ok in ["pets", "{id}", "{proxy+}", "a.b_c-d:e"] {
            assert!(path_part_ok(ok), "{ok}");
        }
        for bad in ["", "{}", "{+}", "a b", "a/b", "{id", "pets+"] {
            assert!(!path_part_ok(bad), "{bad}");
        }
    }

    #[test]
    fn tree_rules() {
        assert!(check_new_child(None, ["a", "{id}"], "b").is_ok());
        let e = check_new_child(None, ["a"], "a").unwrap_err();
        assert_eq!(e.error_type, ErrorType::Conflict);
        assert!(check_new_child(None, ["{id}"], "{other}").is_err());
        assert!(check_new_child(Some("{proxy+}"), [], "a").is_err());
        assert_eq!(child_path("/", "a"), "/a");
        assert_eq!(child_path("/a", "b"), "/a/b");
    }

    #[test]
    fn verbs() {
        assert_eq!(http_method("get").unwrap(), "GET");
        assert_eq!(
            http_method("FETCH").unwrap_err().message,
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
        );
    }

    #[test]
    fn integration_defaults() {
        let body = json!({"type": "HTTP", "httpMethod": "GET", "uri": "https://example.com"});
        let out = integration("r1", body.as_object().unwrap()).unwrap();
        assert_eq!(
            out,
            json!({"type": "HTTP", "httpMethod": "GET", "uri": "https://example.com",
                   "connectionType": "INTERNET", "passthroughBehavior": "WHEN_NO_MATCH",
                   "timeoutInMillis": 29000, "cacheNamespace": "r1", "cacheKeyParameters": []})
        );
        let mock = json!({"type": "MOCK", "uri": "x", "httpMethod": "GET"});
        let out = integration("r1", mock.as_object().unwrap()).unwrap();
        assert!(out.get("uri").is_none() && out.get("connectionType").is_none());
        let bad = json!({"type": "LAMBDA"});
        let e = integration("r1", bad.as_object().unwrap()).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
    }

    fn patch(ops: Value) -> Vec<crate::patch::PatchOperation> {
        serde_json::from_value(ops).unwrap()
    }

    #[test]
    fn integration_updates() {
        let body = json!({"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "http://a.example",
                          "connectionType": "VPC_LINK", "connectionId": "${stageVariables.vpcLinkId}"});
        let current = integration("r1", body.as_object().unwrap()).unwrap();
        let next = update_integration("r1", &current, &patch(json!([
            {"op": "replace", "path": "/connectionId", "value": "${stageVariables.vpcLinkIdBeta}"},
            {"op": "add", "path": "/requestTemplates/application~1json", "value": "{\"data\": \"$input.body\"}"},
            {"op": "add", "path": "/requestParameters/integration.request.header.Accept", "value": "'application/xml'"},
            {"op": "add", "path": "/cacheKeyParameters/method.request.path.id"},
            {"op": "replace", "path": "/timeoutInMillis", "value": "5000"}])))
        .unwrap();
        assert_eq!(next["connectionId"], "${stageVariables.vpcLinkIdBeta}");
        assert_eq!(
            next["requestTemplates"]["application/json"],
            "{\"data\": \"$input.body\"}"
        );
        assert_eq!(
            next["requestParameters"]["integration.request.header.Accept"],
            "'application/xml'"
        );
        assert_eq!(
            next["cacheKeyParameters"],
            json!(["method.request.path.id"])
        );
        assert_eq!(next["timeoutInMillis"], 5000);
        let removed = update_integration(
            "r1",
            &next,
            &patch(json!([
            {"op": "remove", "path": "/requestTemplates/application~1json"},
            {"op": "remove", "path": "/cacheKeyParameters/method.request.path.id"}])),
        )
        .unwrap();
        assert_eq!(removed["requestTemplates"], json!({}));
        assert_eq!(removed["cacheKeyParameters"], json!([]));
        let message = |ops| {
            update_integration("r1", &current, &patch(ops))
                .unwrap_err()
                .message
        };
        assert_eq!(
            message(json!([{"op": "replace", "path": "/timeoutInMillis", "value": "30000"}])),
            INVALID_TIMEOUT
        );
        assert_eq!(
            message(json!([{"op": "replace", "path": "/type", "value": "MOCK"}])),
            "Invalid patch path /type"
        );
        assert_eq!(
            message(json!([{"op": "add", "path": "/uri", "value": "http://b"}])),
            "Invalid patch operation specified. Must be one of: [replace]"
        );
        assert_eq!(
            message(json!([{"op": "replace", "path": "/uri", "value": "ftp://b"}])),
            "Invalid HTTP endpoint specified for URI"
        );
        let e = integration(
            "r1",
            json!({"type": "MOCK", "timeoutInMillis": 10})
                .as_object()
                .unwrap(),
        )
        .unwrap_err();
        assert_eq!(e.message, INVALID_TIMEOUT);
    }
}
