//! The one error type of the emulator and the JSON extractor that reports into it.
//!
//! Every error leaves as AWS sends it: the status, an `x-amzn-ErrorType` header with the shape name and
//! a body `{"message": …}`. Core's [`ApiError`]s convert with `?`.

use std::borrow::Cow;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use stagecraft_core::{ApiError, ErrorType};

/// An error response: status, AWS error type and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// HTTP status.
    pub status: StatusCode,
    /// The `x-amzn-ErrorType` value (`BadRequestException`, …).
    pub code: Cow<'static, str>,
    /// The message, verbatim.
    pub message: String,
}

/// Handler result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with any status and code.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400 `BadRequestException` (for texts that are stagecraft's own, such as a missing Lambda endpoint).
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::bad_request(message).into()
    }

    /// 500 `InternalFailure` (a failed write of the state file; never a panic).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            message,
        )
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        let status = StatusCode::from_u16(e.error_type.status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self {
            status,
            code: Cow::Borrowed(e.error_type.code()),
            message: e.message,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "message": self.message }).to_string();
        let mut res = (self.status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(v) = HeaderValue::from_str(&self.code) {
            headers.insert("x-amzn-ErrorType", v);
        }
        res
    }
}

/// A JSON body, parsed with serde. An empty body reads as `{}` (boto3 sends none for body-less
/// operations). Malformed JSON or a member of the wrong type is a 400 `SerializationException`
/// (AWS's shape for such input) with serde's message, line and column; never a 5xx.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AwsJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::new(e.status(), ErrorType::Serialization.code(), e.body_text()))?;
        parse_json(&bytes).map(AwsJson)
    }
}

/// Parses a request body (empty → `{}`) into `T`, as [`AwsJson`] does.
///
/// # Errors
/// A 400 `SerializationException`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(text).map_err(|e| ApiError::serialization(&e).into())
}
