//! AWS's error texts, in one place.
//!
//! Texts marked *AWS* are verbatim from recorded AWS responses (reference §2.5, §2.6), including AWS's
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
            format!(
                "Invalid number value for path {path}: {raw}. Must be a number no less than {min:.1}"
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
