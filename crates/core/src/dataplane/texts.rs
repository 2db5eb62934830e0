//! Status codes, error types and bodies of the data plane's own answers (docs/aws-behaviour.md §8).
//!
//! *AWS* texts are recorded; *stagecraft* marks a choice where AWS's bytes are not recorded.

/// One answer of the gateway itself (not of an integration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewayResponse {
    /// HTTP status.
    pub status: u16,
    /// `x-amzn-ErrorType`.
    pub error_type: &'static str,
    /// The JSON body.
    pub body: &'static str,
}

/// *AWS*: no resource or method matches (or an unsigned request to an AWS_IAM method).
pub const MISSING_AUTHENTICATION_TOKEN: GatewayResponse = GatewayResponse {
    status: 403,
    error_type: "MissingAuthenticationTokenException",
    body: r#"{"message":"Missing Authentication Token"}"#,
};

/// *AWS* body; the error type is *stagecraft*'s choice: the API exists but the stage does not.
pub const UNKNOWN_STAGE: GatewayResponse = GatewayResponse {
    status: 403,
    error_type: "ForbiddenException",
    body: r#"{"message":"Forbidden"}"#,
};

/// *AWS*: over the throttling limit (no `Retry-After`).
pub const TOO_MANY_REQUESTS: GatewayResponse = GatewayResponse {
    status: 429,
    error_type: "TooManyRequestsException",
    body: r#"{"message":"Too Many Requests"}"#,
};

/// *AWS* (spacing not recorded): a malformed Lambda proxy answer, a function error, or an integration
/// that cannot be run.
pub const INTERNAL_SERVER_ERROR: GatewayResponse = GatewayResponse {
    status: 502,
    error_type: "InternalServerErrorException",
    body: r#"{"message": "Internal server error"}"#,
};

/// *AWS* (from transcripts): `timeoutInMillis` elapsed.
pub const ENDPOINT_TIMED_OUT: GatewayResponse = GatewayResponse {
    status: 504,
    error_type: "InternalServerErrorException",
    body: r#"{"message": "Endpoint request timed out"}"#,
};

/// *stagecraft*: an HTTP integration whose target refuses the connection or cannot be reached
/// (INTEGRATION_FAILURE, default status 504, docs/aws-behaviour.md §8.8).
pub const INTEGRATION_FAILURE: GatewayResponse = GatewayResponse {
    status: 504,
    error_type: "InternalServerErrorException",
    body: r#"{"message": "Integration failure"}"#,
};

/// *AWS*: a MOCK whose status selects no integration response (API_CONFIGURATION_ERROR).
pub const CONFIGURATION_ERROR: GatewayResponse = GatewayResponse {
    status: 500,
    error_type: "InternalServerErrorException",
    body: r#"{"message": "Internal server error"}"#,
};

/// *stagecraft* body (AWS records only the status): `FAIL_WITH_403` for an unauthorized
/// `Cache-Control: max-age=0`.
pub const CACHE_CONTROL_FORBIDDEN: GatewayResponse = GatewayResponse {
    status: 403,
    error_type: "AccessDeniedException",
    body: r#"{"message":"Forbidden"}"#,
};

/// *AWS* (REQUEST_TOO_LARGE): a payload over 10 MB.
pub const REQUEST_TOO_LARGE: GatewayResponse = GatewayResponse {
    status: 413,
    error_type: "RequestTooLongException",
    body: r#"{"message":"Request Too Long"}"#,
};

/// *AWS*: the largest request payload API Gateway accepts (10 MB).
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// *stagecraft* text (AWS records neither name nor text; one emulator sends this): the `Warning`
/// header of `SUCCEED_WITH_RESPONSE_HEADER`.
pub const CACHE_CONTROL_WARNING: &str =
    "199 Cache-control headers were ignored because the caller was unauthorized.";

/// *AWS* (UNAUTHORIZED, 26 bytes): a missing or malformed identity, a failed `identityValidationExpression`,
/// or the authorizer's `Unauthorized` error.
pub const UNAUTHORIZED: GatewayResponse = GatewayResponse {
    status: 401,
    error_type: "UnauthorizedException",
    body: r#"{"message":"Unauthorized"}"#,
};

/// *AWS* (ACCESS_DENIED, capital `M`, 82 bytes): the authorizer's policy denies the method explicitly.
pub const EXPLICIT_DENY: GatewayResponse = GatewayResponse {
    status: 403,
    error_type: "AccessDeniedException",
    body: r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
};

/// *AWS* (ACCESS_DENIED): no statement of the authorizer's policy covers the method.
pub const IMPLICIT_DENY: GatewayResponse = GatewayResponse {
    status: 403,
    error_type: "AccessDeniedException",
    body: r#"{"Message":"User is not authorized to access this resource"}"#,
};

/// *AWS* (AUTHORIZER_CONFIGURATION_ERROR): the authorizer failed, timed out or answered something that is
/// not a policy.
pub const AUTHORIZER_CONFIGURATION_ERROR: GatewayResponse = GatewayResponse {
    status: 500,
    error_type: "AuthorizerConfigurationException",
    body: r#"{"message": null}"#,
};
