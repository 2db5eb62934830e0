//! The data plane's answers: integration responses and the gateway's own ones.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use stagecraft_core::dataplane::texts::GatewayResponse;

/// An answer before it becomes an HTTP response (cacheable, measurable).
#[derive(Clone, Debug, Default)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The `$context.error.message` of a gateway answer.
    pub error: Option<String>,
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
        Self {
            status: g.status,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("x-amzn-ErrorType".into(), g.error_type.into()),
            ],
            body: g.body.as_bytes().to_vec(),
            error: message,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The HTTP response (invalid header names or values are dropped).
    #[must_use]
    pub fn into_response(self) -> Response {
        let mut res = Response::new(Body::from(self.body));
        *res.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY);
        let headers = res.headers_mut();
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                headers.append(k, v);
            }
        }
        res
    }
}
