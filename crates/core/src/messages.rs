//! AWS's error texts, in one place.
//!
//! Texts marked *AWS* are verbatim from recorded AWS responses (docs/aws-behaviour.md §3.6, §4), including AWS's
//! own typos (the missing `, ` separators in the path list, the trailing space of "Cannot remove method
//! setting … "). Texts marked *stagecraft* answer cases where no AWS text is recorded; they follow AWS's
//! wording style and are kept here so that a recorded text can replace them in one edit.

use crate::settings::{Setting, ValueKind};

/// *AWS*: the paths UpdateStage lists in "Invalid method setting path" errors, verbatim.
pub const STAGE_PATH_LIST: &str = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";

/// *AWS*: an unknown path on a non-remove operation.
#[must_use]
pub fn invalid_path(path: &str) -> String {
    format!("Invalid method setting path: {path}. Must be one of: {STAGE_PATH_LIST}")
}

/// *AWS*: a remove of something that is not a stored method-setting key (note the trailing space).
#[must_use]
pub fn cannot_remove(path: &str) -> String {
    let key = path.strip_prefix('/').unwrap_or(path);
    format!(
        "Cannot remove method setting {key} because there is no method setting for this method "
    )
}

/// *AWS*: add/replace on an access-log path other than its two fields.
pub const INVALID_ACCESS_LOG_PATH: &str = "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]";

/// *AWS*: an empty access-log value.
pub const EMPTY_ACCESS_LOG_VALUE: &str = "Access Log value must not be empty";

/// *AWS*: an operation that a path does not support (`Invalid add operation with path: /canarySettings/deploymentId`).
#[must_use]
pub fn invalid_operation(op: &str, path: &str) -> String {
    format!("Invalid {op} operation with path: {path}")
}

/// *AWS*: a copy other than the two canary promotions.
#[must_use]
pub fn invalid_copy(path: &str, from: &str) -> String {
    format!(
        "Invalid copy operation with path: {path} and from {from}. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"
    )
}

/// *AWS*: a canary promotion on a stage without a canary.
pub const NO_CANARY: &str = "Promotion not available. Canary does not exist.";

/// *AWS*: a deployment id that names no deployment of the API.
pub const DEPLOYMENT_NOT_FOUND: &str = "Deployment id does not exist";

/// *AWS*: a cache TTL over 3600.
pub const INVALID_TTL: &str =
    "Invalid time-to-live setting, must be an integer no greater than 3600";

/// *AWS*: a stage name with characters outside `[A-Za-z0-9_-]` (AWS's text names only `a-zA-Z0-9_`).
pub const INVALID_STAGE_NAME: &str = "Stage name only allows a-zA-Z0-9_";

/// *AWS*: a stage-variable name that is not made of word characters (two spaces, as AWS writes it).
#[must_use]
pub fn invalid_variable_name(name: &str) -> String {
    format!("Invalid stage variable name: {name}.  Please use names with only word characters.")
}

/// *AWS*: a bad stage-variable value (verbatim, including AWS's missing quote before `-'`).
#[must_use]
pub fn invalid_variable_value(value: &str) -> String {
    format!(
        "Invalid stage variable value: {value}.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."
    )
}

/// *stagecraft*: more than 100 stage variables.
pub const TOO_MANY_VARIABLES: &str = "A stage can have at most 100 stage variables";

/// *stagecraft*: a variable name longer than 64 characters.
#[must_use]
pub fn variable_name_too_long(name: &str) -> String {
    format!(
        "Invalid stage variable name: {name}.  Stage variable names must be at most 64 characters."
    )
}

/// *stagecraft*: a variable value longer than 512 characters.
pub const VARIABLE_VALUE_TOO_LONG: &str =
    "Invalid stage variable value.  Stage variable values must be at most 512 characters.";

/// *stagecraft*: an operation without the `value` it needs.
#[must_use]
pub fn missing_value(op: &str, path: &str) -> String {
    format!("Invalid {op} operation with path: {path}. A value is required")
}

/// *stagecraft*: a method-setting value of the wrong type or outside its range.
#[must_use]
pub fn invalid_setting_value(setting: &Setting, path: &str, raw: &str) -> String {
    match setting.kind {
        ValueKind::Integer { max: 3600, .. } => INVALID_TTL.to_owned(),
        ValueKind::Bool => {
            format!("Invalid boolean value for path {path}: {raw}. Must be one of: [true, false]")
        }
        ValueKind::Integer { min, .. } => {
            format!(
                "Invalid integer value for path {path}: {raw}. Must be an integer no less than {min}"
            )
        }
        ValueKind::Double { min, .. } => {
            // format_double, not `{min:.1}`: core::fmt's fixed-precision float code is ~7 KB of WASM.
            format!(
                "Invalid number value for path {path}: {raw}. Must be a number no less than {}",
                crate::values::format_double(min)
            )
        }
        ValueKind::Enum(options) => {
            format!(
                "Invalid value for path {path}: {raw}. Must be one of: [{}]",
                options.join(", ")
            )
        }
    }
}

/// *stagecraft*: a boolean stage field (`/cacheClusterEnabled`, `/tracingEnabled`, …) with a non-boolean value.
#[must_use]
pub fn invalid_bool(path: &str, raw: &str) -> String {
    format!("Invalid boolean value for path {path}: {raw}. Must be one of: [true, false]")
}

/// *stagecraft*: a cache cluster size outside the eight sizes.
#[must_use]
pub fn invalid_cache_cluster_size(raw: &str) -> String {
    format!(
        "Invalid cache cluster size specified: {raw}. Must be one of: [{}]",
        crate::model::CACHE_CLUSTER_SIZES.join(", ")
    )
}

/// *stagecraft*: a canary traffic percentage outside 0–100.
#[must_use]
pub fn invalid_percent_traffic(raw: &str) -> String {
    format!("Invalid percentTraffic value: {raw}. Must be a number between 0.0 and 100.0")
}

/// *stagecraft*: an access-log format on several lines.
pub const ACCESS_LOG_FORMAT_MULTILINE: &str = "Access log format must be a single line";

/// *stagecraft* (rule from the AWS docs): an access-log format without the request id.
pub const ACCESS_LOG_FORMAT_REQUEST_ID: &str =
    "Access log format must include at least $context.requestId or $context.extendedRequestId";

/// *AWS* (start recorded): an access-log destination that is not a log group or Firehose stream ARN.
pub const INVALID_ACCESS_LOG_DESTINATION: &str = "Access log destination must only contain characters a-z, A-Z, 0-9, '_', '-', '/', '.', ':' and must be a valid CloudWatch Logs log group ARN (without a trailing ':*') or a Kinesis Data Firehose delivery stream ARN whose name begins with 'amazon-apigateway-'";

// ---- REST APIs, resources, methods, deployments, stages, authorizers (emulator and web app) ----

/// *AWS*: a REST API id that names no API (`{account}:{id}`).
#[must_use]
pub fn invalid_api_id(account: &str, api_id: &str) -> String {
    format!("Invalid API identifier specified {account}:{api_id}")
}

/// *AWS* (moto and AWS base-path-mapping errors): a stage name that names no stage of the API.
pub const INVALID_STAGE_ID: &str = "Invalid stage identifier specified";

/// *AWS*: CreateStage with a name that is already taken.
pub const STAGE_EXISTS: &str = "Stage already exists";

/// *AWS*: a resource id that names no resource of the API.
pub const INVALID_RESOURCE_ID: &str = "Invalid Resource identifier specified";

/// *AWS*: an HTTP method that the resource does not have.
pub const INVALID_METHOD_ID: &str = "Invalid Method identifier specified";

/// *AWS*: an integration that the method does not have.
pub const INVALID_INTEGRATION_ID: &str = "Invalid Integration identifier specified";

/// *AWS-style* (LocalStack; AWS not recorded): a deployment id that names no deployment.
pub const INVALID_DEPLOYMENT_ID: &str = "Invalid Deployment identifier specified";

/// *AWS-style* (moto; AWS not recorded): an authorizer id that names no authorizer.
pub const INVALID_AUTHORIZER_ID: &str = "Invalid Authorizer identifier specified";

/// *AWS*: CreateAuthorizer on an API that does not exist (409 `ConflictException`).
pub const CONCURRENT_MODIFICATION: &str =
    "Unable to complete operation due to concurrent modification. Please try again later.";

/// *AWS*: DeleteDeployment while a stage or its canary serves it.
pub const ACTIVE_STAGES: &str =
    "Active stages pointing to this deployment must be moved or deleted";

/// *AWS*: a canary deployment without a stage name (`None` → `null`).
#[must_use]
pub fn canary_needs_stage(provided: Option<&str>) -> String {
    format!(
        "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is {}",
        provided.unwrap_or("null")
    )
}

/// *AWS*: a canary deployment to a stage that does not exist.
#[must_use]
pub fn canary_stage_missing(stage: &str) -> String {
    format!(
        "Invalid deployment content specified.Stage {stage} must already be created before making a canary release deployment"
    )
}

/// *AWS* (reported, moto): CreateDeployment on an API without methods.
pub const NO_METHODS: &str = "The REST API doesn't contain any methods";

/// *AWS* (reported): CreateDeployment while a method has no integration.
pub const NO_INTEGRATION: &str = "No integration defined for method";

/// *AWS*: an HTTP method outside the eight.
pub const INVALID_HTTP_METHOD: &str =
    "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY";

/// *AWS*: PutMethod with CUSTOM / COGNITO_USER_POOLS and no valid authorizer.
pub const METHOD_NEEDS_AUTHORIZER: &str = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.";

/// *AWS* (reported): PutMethod on a method that exists.
pub const METHOD_EXISTS: &str = "Method already exists for this resource";

/// *AWS*: a sibling resource with the same path part.
#[must_use]
pub fn resource_exists(path_part: &str) -> String {
    format!("Another resource with the same parent already has this name: {path_part}")
}

/// *AWS*: a second variable path part among siblings.
#[must_use]
pub fn variable_sibling(existing: &str) -> String {
    format!(
        "A sibling ({existing}) of this resource already has a variable path part -- only one is allowed"
    )
}

/// *AWS*: a child under a greedy resource.
#[must_use]
pub fn greedy_parent(path_part: &str) -> String {
    format!("Cannot create a child of a resource with a greedy path variable: {path_part}")
}

/// *AWS-style* (moto): a path part with characters API Gateway refuses.
pub const INVALID_PATH_PART: &str = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.";

/// *AWS*: a request validator id that names no validator (stagecraft's emulator has none).
pub const INVALID_REQUEST_VALIDATOR: &str = "Invalid Request Validator identifier specified";

/// *AWS*: an operation of an Update* that takes only `replace` of `paths` (UpdateResource, UpdateModel,
/// UpdateApiKey, UpdateDocumentationPart, …): another op is refused whatever its path, a `replace` of
/// another path lists `paths` (two spaces after "path", as AWS writes it).
#[must_use]
pub fn unsupported_patch(op: &str, path: &str, paths: &[&str]) -> String {
    if op == "replace" {
        format!(
            "Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [{}]",
            paths.join(", ")
        )
    } else {
        format!(
            "Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
        )
    }
}

/// *AWS*: UpdateResource of the root's path part.
pub const ROOT_PATH_PART_UPDATE: &str = "Root resource cannot update its pathPart.";

/// *AWS*: UpdateResource of the root's parent.
pub const ROOT_PARENT_UPDATE: &str = "Root resource cannot update its parentId.";

/// *AWS*: UpdateResource moving a resource under itself or a descendant.
pub const CYCLICAL_RESOURCES: &str = "Resources cannot be cyclical.";

/// *stagecraft*: DeleteResource on the root resource.
pub const ROOT_RESOURCE_DELETE: &str = "Root resource cannot be deleted.";

/// *AWS*: CreateRestApi with `description: ""`.
pub const EMPTY_DESCRIPTION: &str = "Description cannot be an empty string";

/// *AWS*: CreateRestApi with an empty list of endpoint types.
pub const NO_ENDPOINT_TYPE: &str =
    "REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.";

/// *AWS*: a PRIVATE API with `ipAddressType` `ipv4`.
pub const PRIVATE_NEEDS_DUALSTACK: &str =
    "Only dualstack ipAddressType is supported for Private APIs.";

/// *AWS*: CreateRestApi with several endpoint types.
pub const MULTIPLE_ENDPOINT_TYPES: &str = "Cannot create an api with multiple Endpoint Types.";

/// *AWS*: a method or integration response status code the method has no response for.
pub const INVALID_RESPONSE_STATUS_CODE: &str = "Invalid Response status code specified";

/// *AWS*: UpdateMethodResponse `replace` / `remove` of a response parameter that is not there.
pub const INVALID_PARAMETER_NAME: &str = "Invalid parameter name specified";

/// *AWS*: UpdateMethodResponse `replace` / `remove` of a response model that is not there.
pub const CONTENT_TYPE_NOT_FOUND: &str = "Content-Type specified was not found";

/// *AWS*: a template keyed by something that is not a content type.
#[must_use]
pub fn invalid_content_type(content_type: &str) -> String {
    format!(
        "Validation Result: warnings : [], errors : [Invalid content type specified: {content_type}]"
    )
}

/// *AWS*: GetModel / DeleteModel of a name that is not a model of the API.
#[must_use]
pub fn invalid_model_name(name: &str) -> String {
    format!("Invalid model name specified: {name}")
}

/// *AWS*: a method request (or, *stagecraft*, a method response) naming a model the API does not have.
#[must_use]
pub fn invalid_model_identifier(name: &str) -> String {
    format!("Invalid model identifier specified: {name}")
}

/// *AWS*: CreateModel with a name that is taken.
pub const MODEL_EXISTS: &str = "Model name already exists for this REST API";

/// *AWS*: CreateModel with an empty name.
pub const EMPTY_MODEL_NAME: &str = "Model name must be non-empty";

/// *AWS*: CreateModel without a schema.
pub const EMPTY_MODEL_SCHEMA: &str =
    "Model schema must have at least 1 property or array items defined";

/// *AWS*: DeleteModel of a model in use (`where_`: `method request: /pets/GET`; *stagecraft* for
/// `method response: …`).
#[must_use]
pub fn model_in_use(name: &str, where_: &str) -> String {
    format!("Cannot delete model '{name}', is referenced in {where_}")
}

/// *AWS*: an unknown patch path (authorizers, methods).
#[must_use]
pub fn invalid_patch_path(path: &str) -> String {
    format!("Invalid patch path {path}")
}

/// *AWS*: a patch op outside the listed ones (authorizers: `[add, remove, replace]`).
#[must_use]
pub fn invalid_patch_op(allowed: &str) -> String {
    format!("Invalid patch operation specified. Must be one of: [{allowed}]")
}

/// *AWS* (reported): a TOKEN / COGNITO identity source that is not one request header.
#[must_use]
pub fn invalid_token_source(source: Option<&str>) -> String {
    format!(
        "Invalid token source expression: {}. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'.",
        source.unwrap_or("null")
    )
}

/// *AWS* (reported): a Lambda authorizer URI that is not an API Gateway Lambda invocation ARN.
pub const INVALID_AUTHORIZER_URI: &str = "Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation.";

/// *stagecraft*: a REQUEST identity source that is not a header, query string, stage variable or context expression.
#[must_use]
pub fn invalid_identity_source(source: &str) -> String {
    format!(
        "Invalid identity source expression: {source}. Each source must match 'method.request.header.*', 'method.request.querystring.*', 'stageVariables.*' or 'context.*'."
    )
}

/// *stagecraft*: a REQUEST authorizer with caching on and no identity source.
pub const REQUEST_NEEDS_IDENTITY_SOURCE: &str = "Invalid identity source specified. A REQUEST authorizer needs at least one identity source when authorizerResultTtlInSeconds is greater than 0.";

/// *stagecraft*: an authorizer TTL outside 0–3600 (AWS's text is not recorded).
#[must_use]
pub fn invalid_authorizer_ttl(raw: &str) -> String {
    format!(
        "Invalid authorizer result TTL specified: {raw}. Must be an integer between 0 and 3600."
    )
}

/// *stagecraft*: a COGNITO_USER_POOLS authorizer without user pool ARNs, or with a malformed one.
pub const INVALID_PROVIDER_ARNS: &str = "Invalid providerARNs specified. A COGNITO_USER_POOLS authorizer needs one or more user pool ARNs of the form arn:aws:cognito-idp:{region}:{account_id}:userpool/{user_pool_id}.";

/// *stagecraft*: an authorizer without a name.
pub const AUTHORIZER_NAME_REQUIRED: &str =
    "Invalid authorizer name specified. The name must not be empty.";

/// *stagecraft*: DeleteAuthorizer while a method uses it.
#[must_use]
pub fn authorizer_in_use(method: &str, path: &str) -> String {
    format!("Cannot delete authorizer, is referenced in method: {method} {path}")
}

/// *AWS*: a member outside its enum (Coral validation; sent as `ValidationException`).
#[must_use]
pub fn enum_violation(value: &str, location: &str, allowed: &str) -> String {
    validation_errors(&[enum_constraint(value, location, allowed)])
}

/// *AWS*: a required member that is missing (Coral validation; sent as `ValidationException`).
#[must_use]
pub fn member_null(location: &str) -> String {
    validation_errors(&[null_constraint(location)])
}

/// *AWS*: one Coral constraint violation, a value outside its enum (without the count prefix).
#[must_use]
pub fn enum_constraint(value: &str, location: &str, allowed: &str) -> String {
    format!(
        "Value '{value}' at '{location}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
    )
}

/// *AWS*: one Coral constraint violation, a list member with values outside their enum (`[wrong]`).
#[must_use]
pub fn list_enum_constraint(values: &[String], location: &str, allowed: &str) -> String {
    format!(
        "Value '[{}]' at '{location}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{allowed}]]",
        values.join(", ")
    )
}

/// *AWS*: one Coral constraint violation, a missing required member.
#[must_use]
pub fn null_constraint(location: &str) -> String {
    format!("Value null at '{location}' failed to satisfy constraint: Member must not be null")
}

/// *AWS*: one Coral constraint violation, a value that does not match its pattern.
#[must_use]
pub fn pattern_constraint(value: &str, location: &str, pattern: &str) -> String {
    format!(
        "Value '{value}' at '{location}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    )
}

/// *AWS*: Coral's report of every constraint violation of a request, in order
/// (`2 validation errors detected: A; B`).
#[must_use]
pub fn validation_errors(violations: &[String]) -> String {
    let n = violations.len();
    let noun = if n == 1 { "error" } else { "errors" };
    format!("{n} validation {noun} detected: {}", violations.join("; "))
}

/// *stagecraft*: a `limit` query parameter outside 1–500.
#[must_use]
pub fn invalid_limit(raw: &str) -> String {
    format!("Invalid limit specified: {raw}. Must be between 1 and 500.")
}

/// *stagecraft*: a `position` query parameter that is not a page token.
#[must_use]
pub fn invalid_position(raw: &str) -> String {
    format!("Invalid position specified: {raw}")
}

/// *AWS*: PutIntegration of a non-MOCK type without `httpMethod`.
pub const EMPTY_INTEGRATION_HTTP_METHOD: &str =
    "Enumeration value for HttpMethod must be non-empty";

/// *AWS*: an HTTP integration whose URI is not an http(s) URL.
pub const INVALID_HTTP_ENDPOINT: &str = "Invalid HTTP endpoint specified for URI";

/// *AWS*: an ARN that names nothing this operation accepts.
pub const INVALID_ARN: &str = "Invalid ARN specified in the request";

/// *stagecraft*: an `identityValidationExpression` that is not a regular expression.
#[must_use]
pub fn invalid_identity_validation_expression(expr: &str) -> String {
    format!("Invalid identity validation expression specified: {expr}")
}

/// *stagecraft*: a request body that is not JSON or does not fit the operation's input (AWS's
/// SerializationException text is not recorded); `detail` is the parser's description.
#[must_use]
pub fn invalid_body(detail: &dyn std::fmt::Display) -> String {
    format!("Invalid request body: {detail}")
}

/// *stagecraft*: a method and path that no operation has (AWS's text is not recorded); names the route
/// so that a typo is easy to spot.
#[must_use]
pub fn unknown_operation(method: &str, path: &str) -> String {
    format!("Unknown operation: {method} {path}")
}

/// *stagecraft*: more tags than a resource may have.
#[must_use]
pub fn too_many_tags(max: usize) -> String {
    format!("Too many tags: a resource can have at most {max} tags")
}
