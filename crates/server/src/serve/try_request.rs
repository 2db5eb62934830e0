//! `POST /api/_stagecraft/try-request`: the editor's "Try a request" panel sends one request to a stage's
//! invoke URL on the emulator and gets back what the data plane answered.
//!
//! It keeps the proxy's properties: the route is under `/api`, so [`super::security::guard`] requires
//! the CSRF token and a same-origin `Origin`; the request goes only to the target fixed at start-up
//! (the embedded emulator in-process, or the `--endpoint` origin), always under that target's
//! `/restapis/{api}/{stage}/_user_request_/` — no URL, host or port comes from the browser; the API id
//! and stage name must be identifiers, the verb one of API Gateway's, the path a plain absolute path;
//! headers that would change the transport (`Host`, `Content-Length`, hop-by-hop) are refused. The
//! request is not signed: no credential reaches the stage. `--target aws` answers 404.

use std::sync::Arc;

use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::ServeState;
use super::error::ServeError;
use super::proxy::MAX_BODY;
use super::security::Proxied;

/// The route.
pub const PATH: &str = "/api/_stagecraft/try-request";
/// The largest body text returned to the page; a longer one is cut (the panel says so).
pub const MAX_SHOWN_BODY: usize = 64 * 1024;
const MAX_HEADERS: usize = 50;
const MAX_PATH: usize = 2048;
const VERBS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const REFUSED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-connection",
];

/// What the panel sends.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TryRequest {
    /// REST API id.
    pub rest_api_id: String,
    /// Stage name.
    pub stage_name: String,
    /// HTTP verb.
    pub method: String,
    /// Path below the stage, with an optional query (`/pets?type=dog`).
    pub path: String,
    /// Request headers.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Request body.
    #[serde(default)]
    pub body: Option<String>,
}

/// What the panel shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TryAnswer {
    /// The invoke URL (path form) the request went to, for display.
    pub url: String,
    /// Status.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body as text (lossy UTF-8), at most [`MAX_SHOWN_BODY`] bytes.
    pub body: String,
    /// Whether the body was cut.
    pub truncated: bool,
}

fn bad(message: impl Into<String>) -> ServeError {
    ServeError::new(StatusCode::BAD_REQUEST, "BadRequestException", message)
}

fn identifier(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks the request; the data-plane path (`/restapis/{api}/{stage}/_user_request_{path}`) when it is fine.
///
/// # Errors
/// What is wrong, as a 400.
pub fn check(req: &TryRequest) -> Result<String, ServeError> {
    if !identifier(&req.rest_api_id) || !identifier(&req.stage_name) {
        return Err(bad(
            "stagecraft serve: restApiId and stageName must be identifiers (letters, digits, - and _)",
        ));
    }
    if !VERBS.contains(&req.method.as_str()) {
        return Err(bad(format!(
            "stagecraft serve: method must be one of {}",
            VERBS.join(", ")
        )));
    }
    let path = &req.path;
    let (bare, _) = path.split_once('?').unwrap_or((path, ""));
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'#' && b != b'\\');
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.len() > MAX_PATH
        || !plain
        || bare.split('/').any(|s| s == ".." || s == ".")
    {
        return Err(bad(
            "stagecraft serve: path must be an absolute path below the stage (`/pets?type=dog`), without spaces, `#`, `\\`, `.` or `..` segments",
        ));
    }
    if req.headers.len() > MAX_HEADERS {
        return Err(bad(format!(
            "stagecraft serve: at most {MAX_HEADERS} headers"
        )));
    }
    for (name, value) in &req.headers {
        if HeaderName::from_bytes(name.as_bytes()).is_err() || HeaderValue::from_str(value).is_err()
        {
            return Err(bad(format!("stagecraft serve: invalid header `{name}`")));
        }
        if REFUSED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(bad(format!(
                "stagecraft serve: header `{name}` cannot be set here"
            )));
        }
    }
    Ok(format!(
        "/restapis/{}/{}/_user_request_{path}",
        req.rest_api_id, req.stage_name
    ))
}

/// The handler (after the guard).
pub async fn handle(State(state): State<Arc<ServeState>>, request: Request) -> Response {
    let mut response = answer(&state, request).await;
    response.extensions_mut().insert(Proxied {
        operation: "TryRequest",
        attempts: 1,
    });
    response
}

async fn answer(state: &ServeState, request: Request) -> Response {
    if request.method() != Method::POST {
        return ServeError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowedException",
            "stagecraft serve: POST only",
        )
        .into_response();
    }
    let Ok(bytes) = to_bytes(request.into_body(), MAX_BODY).await else {
        return super::proxy::too_large();
    };
    let req: TryRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return bad(format!("stagecraft serve: invalid request: {e}")).into_response(),
    };
    let path = match check(&req) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let mut headers = Vec::with_capacity(req.headers.len());
    for (name, value) in &req.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => headers.push((n, v)),
            _ => return bad(format!("stagecraft serve: invalid header `{name}`")).into_response(),
        }
    }
    let method = Method::from_bytes(req.method.as_bytes()).unwrap_or(Method::GET);
    let body = Bytes::from(req.body.unwrap_or_default());
    let answer = match state
        .target
        .send_data_plane(&method, &path, &headers, body)
        .await
    {
        None => {
            return ServeError::new(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                "stagecraft serve: requests can be tried only on an emulator (the embedded one or an --endpoint), not on AWS",
            )
            .into_response();
        }
        Some(Err(e)) => return e.into_response(),
        Some(Ok(answer)) => answer,
    };
    let bytes = answer.body;
    let truncated = bytes.len() > MAX_SHOWN_BODY;
    let shown = &bytes[..bytes.len().min(MAX_SHOWN_BODY)];
    Json(TryAnswer {
        url: path,
        status: answer.status.as_u16(),
        headers: answer
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(shown).into_owned(),
        truncated,
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> TryRequest {
        TryRequest {
            rest_api_id: "abc123".into(),
            stage_name: "prod".into(),
            method: method.into(),
            path: path.into(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: None,
        }
    }

    #[test]
    fn only_plain_data_plane_paths() {
        assert_eq!(
            check(&req("GET", "/pets?type=dog", &[("Authorization", "allow")])).unwrap(),
            "/restapis/abc123/prod/_user_request_/pets?type=dog"
        );
        for path in [
            "pets",
            "//evil.example/x",
            "/a/../../restapis",
            "/./x",
            "/a b",
            "/a#b",
            "/a\\b",
            "http://evil.example/",
        ] {
            assert!(check(&req("GET", path, &[])).is_err(), "{path}");
        }
        assert!(check(&req("TRACE", "/", &[])).is_err());
        let mut other = req("GET", "/", &[]);
        other.rest_api_id = "../x".into();
        assert!(check(&other).is_err());
        other.rest_api_id = "abc".into();
        other.stage_name = "prod/x".into();
        assert!(check(&other).is_err());
    }

    #[test]
    fn transport_headers_are_refused() {
        for name in ["Host", "content-length", "Transfer-Encoding", "Connection"] {
            assert!(check(&req("GET", "/", &[(name, "x")])).is_err(), "{name}");
        }
        assert!(check(&req("GET", "/", &[("bad name", "x")])).is_err());
        assert!(check(&req("GET", "/", &[("X-A", "line\nbreak")])).is_err());
        assert!(check(&req("GET", "/", &[("Cache-Control", "max-age=0")])).is_ok());
    }
}
