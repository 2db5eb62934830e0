//! The one error type of `stagecraft serve`: everything the server itself refuses or fails at.
//!
//! Answers have the same shape as AWS's own errors (status, `x-amzn-ErrorType`, body `{"message": …}`)
//! so the editor shows them the same way, plus `x-stagecraft-rejected-by: serve` so a client can tell
//! the proxy's own refusals from the target's answers (which pass through untouched).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Header naming the proxy as the author of an error.
pub const REJECTED_BY: &str = "x-stagecraft-rejected-by";

/// An error answered by `stagecraft serve` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeError {
    /// HTTP status.
    pub status: StatusCode,
    /// `x-amzn-ErrorType`.
    pub code: &'static str,
    /// `message`.
    pub message: String,
}

impl ServeError {
    /// Any error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 403 `AccessDeniedException`: CSRF token, Origin, Host or allowlist refusals.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDeniedException", message)
    }

    /// 401 `UnauthorizedException`: the bearer token of `--allow-remote` is missing or wrong.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedException",
            "stagecraft serve: this server requires its access token (Authorization: Bearer TOKEN, or open /?token=TOKEN once)",
        )
    }

    /// 413 `RequestEntityTooLargeException`.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            format!("stagecraft serve: request body is larger than {limit} bytes"),
        )
    }

    /// 502 `BadGatewayException`: the target could not be reached.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "BadGatewayException", message)
    }

    /// 504 `GatewayTimeoutException`: the target did not answer in time.
    pub fn gateway_timeout(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "GatewayTimeoutException",
            message,
        )
    }

    /// 500 `CredentialsException`: no AWS credentials could be loaded.
    pub fn credentials(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "CredentialsException",
            message,
        )
    }
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "message": self.message }).to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.code));
        headers.insert(REJECTED_BY, HeaderValue::from_static("serve"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An error and its sources, `: `-separated.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
