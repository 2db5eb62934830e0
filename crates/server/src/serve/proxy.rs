//! `/api/{API Gateway path}`: allowlisted operations, signed and forwarded to the fixed target;
//! the target's answer (status, headers, body) comes back unchanged.
//!
//! A 429 is retried up to [`MAX_RETRIES`] times, waiting `Retry-After` when the target gives one
//! (up to [`MAX_RETRY_AFTER`]; longer waits are passed to the editor at once) or a full-jitter
//! exponential backoff otherwise. The last 429 reaches the editor as the target sent it. An
//! `ExpiredTokenException` re-fetches the credentials once and retries.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::ServeState;
use super::allowlist;
use super::error::ServeError;
use super::security::Proxied;
use super::upstream::{Answer, Target};

/// Largest request body forwarded (1 MiB).
pub const MAX_BODY: usize = 1024 * 1024;
/// Retries of a 429.
pub const MAX_RETRIES: u32 = 3;
/// The longest `Retry-After` waited for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// The proxy handler (after [`super::security::guard`]).
pub async fn handle(State(state): State<Arc<ServeState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().strip_prefix("/api").unwrap_or_default();
    let Some(operation) = allowlist::operation(&parts.method, path) else {
        return ServeError::forbidden(format!(
            "stagecraft serve: {} {path} is not one of the operations the editor may call",
            parts.method
        ))
        .into_response();
    };
    // A declared length over the limit was refused by the guard; this catches chunked bodies.
    let body = match tokio::time::timeout(
        state.limits.header_timeout,
        axum::body::to_bytes(body, MAX_BODY),
    )
    .await
    {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return too_large(),
        Err(_) => return too_slow(state.limits.header_timeout),
    };
    let path_and_query = match parts.uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE);
    let (result, attempts) = forward(
        &state.target,
        &parts.method,
        &path_and_query,
        content_type,
        body,
    )
    .await;
    let mut response = match result {
        Ok(answer) => pass_through(answer),
        Err(e) => e.into_response(),
    };
    response.extensions_mut().insert(Proxied {
        operation: operation.name(),
        attempts,
    });
    response
}

/// 413, closing the connection: the rest of the body is not read, so it cannot carry another request.
pub fn too_large() -> Response {
    let mut response = ServeError::too_large(MAX_BODY).into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// 408, closing the connection: the body did not arrive in time.
fn too_slow(limit: Duration) -> Response {
    let mut response = ServeError::new(
        StatusCode::REQUEST_TIMEOUT,
        "RequestTimeoutException",
        format!(
            "stagecraft serve: the request body did not arrive within {} s",
            limit.as_secs()
        ),
    )
    .into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

async fn forward(
    target: &Target,
    method: &axum::http::Method,
    path_and_query: &str,
    content_type: Option<&axum::http::HeaderValue>,
    body: Bytes,
) -> (Result<Answer, ServeError>, u32) {
    let mut attempts = 0;
    let mut retries = 0;
    let mut refreshed = false;
    loop {
        attempts += 1;
        let answer = match target
            .send(method, path_and_query, content_type, body.clone())
            .await
        {
            Ok(answer) => answer,
            Err(e) => return (Err(e), attempts),
        };
        if answer.status == StatusCode::TOO_MANY_REQUESTS
            && retries < MAX_RETRIES
            && let Some(delay) = retry_delay(&answer.headers, retries)
        {
            retries += 1;
            tokio::time::sleep(delay).await;
            continue;
        }
        if answer.status == StatusCode::FORBIDDEN && !refreshed && expired_token(&answer.headers) {
            refreshed = true;
            target.credentials.invalidate();
            continue;
        }
        return (Ok(answer), attempts);
    }
}

fn expired_token(headers: &HeaderMap) -> bool {
    headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("ExpiredToken"))
}

/// How long to wait before retry number `retry` (0-based) of a 429, or `None` to give up now
/// (a `Retry-After` longer than [`MAX_RETRY_AFTER`]).
#[must_use]
pub fn retry_delay(headers: &HeaderMap, retry: u32) -> Option<Duration> {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1 << retry.min(16))
        .min(BACKOFF_CAP);
    let jitter = |max: Duration| {
        Duration::from_micros(fastrand::u64(
            0..=u64::try_from(max.as_micros()).unwrap_or(u64::MAX),
        ))
    };
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0);
    match retry_after {
        Some(seconds) if seconds > MAX_RETRY_AFTER.as_secs_f64() => None,
        // Honour the server's wait, plus a little jitter so retries from many tabs spread out.
        Some(seconds) => Some(Duration::from_secs_f64(seconds) + jitter(ceiling / 4)),
        None => Some(jitter(ceiling).max(Duration::from_millis(10))),
    }
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn pass_through(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    for (name, value) in &answer.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            headers.append(name.clone(), value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with_retry_after(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        for retry in 0..10 {
            let d = retry_delay(&HeaderMap::new(), retry).unwrap();
            assert!(d <= BACKOFF_CAP, "{d:?}");
            assert!(d >= Duration::from_millis(10));
        }
        assert!(retry_delay(&HeaderMap::new(), 0).unwrap() <= BACKOFF_BASE);
    }

    #[test]
    fn retry_after_is_honoured() {
        let d = retry_delay(&with_retry_after("2"), 0).unwrap();
        assert!(
            d >= Duration::from_secs(2) && d <= Duration::from_millis(2025),
            "{d:?}"
        );
        assert!(retry_delay(&with_retry_after("0"), 0).unwrap() <= Duration::from_millis(25));
        assert_eq!(retry_delay(&with_retry_after("60"), 0), None);
        // An HTTP date is not parsed: plain backoff.
        assert!(
            retry_delay(&with_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 1).unwrap()
                <= BACKOFF_BASE * 2
        );
    }

    #[test]
    fn answers_pass_through_without_hop_by_hop_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amzn-errortype",
            HeaderValue::from_static("NotFoundException"),
        );
        headers.insert("connection", HeaderValue::from_static("close"));
        let r = pass_through(Answer {
            status: StatusCode::NOT_FOUND,
            headers,
            body: Bytes::from_static(b"{}"),
        });
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()["x-amzn-errortype"], "NotFoundException");
        assert!(r.headers().get("connection").is_none());
    }
}
