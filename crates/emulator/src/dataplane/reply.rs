//! The data plane's answers: integration responses and the gateway's own ones.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use stagecraft_core::dataplane::texts::GatewayResponse;

/// An answer before it becomes an HTTP response (cacheable, measurable). Cloning it shares the body.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers in order.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
    /// The `$context.error.message` of a gateway answer.
    pub error: Option<String>,
}

/// `Content-Type: application/json`.
pub fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

impl Reply {
    /// One of the gateway's own answers.
    #[must_use]
    pub fn gateway(g: GatewayResponse) -> Self {
        let message = serde_json::from_str::<serde_json::Value>(g.body)
            .ok()
            .and_then(|v| {
                let m = v.get("message").or_else(|| v.get("Message"))?;
                m.as_str().map(str::to_owned)
            });
        let mut headers = json_headers();
        headers.insert(
            HeaderName::from_static("x-amzn-errortype"),
            HeaderValue::from_static(g.error_type),
        );
        Self {
            status: g.status,
            headers,
            body: Bytes::from_static(g.body.as_bytes()),
            error: message,
        }
    }

    /// Adds a header (an invalid name or value is dropped).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.append(k, v);
        }
        self
    }

    /// The HTTP response.
    #[must_use]
    pub fn into_response(self) -> Response {
        let mut res = Response::new(Body::from(self.body));
        *res.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY);
        *res.headers_mut() = self.headers;
        res
    }
}
