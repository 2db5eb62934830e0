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
use super::access::Change;
use super::allowlist;
use super::audit::{Entry, ErrorInfo, Outcome};
use super::error::ServeError;
use super::identity::Identity;
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
    let who = parts.extensions.get::<Identity>().cloned();
    let change = Change::of(operation, path, &body);
    if let (Some(change), Some(who)) = (&change, &who)
        && let Err(reason) = state
            .access
            .check(who, &change.rest_api_id, change.stage.as_deref())
    {
        let refusal = ServeError::forbidden(stagecraft_core::api::tags::not_authorized(
            &who.display(),
            parts.method.as_str(),
            &change.arn(state.target.region()),
            &format!("stagecraft serve: {reason}"),
        ));
        let mut response = refusal.clone().into_response();
        let request_id = super::security::random_hex(16);
        if let Ok(v) = axum::http::HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-amzn-requestid", v);
        }
        let error = ErrorInfo {
            kind: refusal.code.to_owned(),
            message: refusal.message,
        };
        let entry = entry(
            who,
            change,
            &body,
            response.status(),
            request_id,
            Outcome::Refused,
            Some(error),
        );
        return record(&state, entry, response).await;
    }
    // For the History view's revert: the stage as it is just before an audited UpdateStage, read
    // under the stage's lock (held until the entry is written) so that no other change through this
    // server comes between.
    let audited_stage = change
        .as_ref()
        .filter(|c| c.operation == stagecraft_core::api::Operation::UpdateStage)
        .zip(state.audit.as_ref());
    let _stage_lock = match audited_stage {
        Some((c, log)) => Some(
            log.lock_stage(&c.rest_api_id, c.stage.as_deref().unwrap_or_default())
                .await,
        ),
        None => None,
    };
    let before = match audited_stage {
        Some(_) => match forward(
            &state.target,
            &axum::http::Method::GET,
            path,
            None,
            Bytes::new(),
        )
        .await
        {
            (Ok(answer), _) if answer.status.is_success() => {
                serde_json::from_slice::<serde_json::Value>(&answer.body).ok()
            }
            _ => None,
        },
        None => None,
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE);
    let (result, attempts) = forward(
        &state.target,
        &parts.method,
        &path_and_query,
        content_type,
        body.clone(),
    )
    .await;
    let (mut response, answer_body) = match result {
        Ok(answer) => {
            let text = answer.body.clone();
            (pass_through(answer), text)
        }
        Err(e) => {
            let text = Bytes::from(serde_json::json!({ "message": e.message }).to_string());
            (e.into_response(), text)
        }
    };
    response.extensions_mut().insert(Proxied {
        operation: operation.name(),
        attempts,
    });
    match (change, who) {
        (Some(change), Some(who)) => {
            let request_id = response
                .headers()
                .get("x-amzn-requestid")
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| super::security::random_hex(16), str::to_owned);
            let ok = response.status().is_success();
            let error = (!ok).then(|| target_error(&response, &answer_body));
            let result = if ok { Outcome::Ok } else { Outcome::Failed };
            let mut entry = entry(
                &who,
                &change,
                &body,
                response.status(),
                request_id,
                result,
                error,
            );
            if ok && before.is_some() {
                entry.before = before;
                entry.after = serde_json::from_slice(&answer_body).ok();
            }
            record(&state, entry, response).await
        }
        _ => response,
    }
}

/// The target's error: type without AWS's `:url` suffix, and `message` (or `Message`).
fn target_error(response: &Response, body: &[u8]) -> ErrorInfo {
    let kind = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map_or("UnknownError", |t| t.split(':').next().unwrap_or(t));
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("Message"))
                .and_then(|m| m.as_str().map(str::to_owned))
        })
        .unwrap_or_default();
    ErrorInfo {
        kind: kind.to_owned(),
        message,
    }
}

/// The audit entry of `change` (request `body`) answered with `status`.
fn entry(
    who: &Identity,
    change: &Change,
    body: &[u8],
    status: StatusCode,
    request_id: String,
    result: Outcome,
    error: Option<ErrorInfo>,
) -> Entry {
    let sent = serde_json::from_slice::<serde_json::Value>(body).ok();
    let (patch_operations, request) = match change.operation {
        stagecraft_core::api::Operation::UpdateStage => (
            sent.and_then(|mut b| b.get_mut("patchOperations").map(serde_json::Value::take)),
            None,
        ),
        _ => (None, sent),
    };
    Entry {
        time: super::audit::now(),
        user: who.user.clone(),
        identity: who.source.name().to_owned(),
        target: None,
        operation: change.operation.name().to_owned(),
        rest_api_id: change.rest_api_id.clone(),
        stage: change.stage.clone(),
        patch_operations,
        request,
        before: None,
        after: None,
        status: status.as_u16(),
        result,
        error,
        request_id,
    }
}

/// Writes `entry` to the audit log (when there is one) before `response` goes out. If the change went
/// through but cannot be recorded, the editor is told so (500) rather than left believing all is well.
async fn record(state: &ServeState, mut entry: Entry, response: Response) -> Response {
    let Some(log) = &state.audit else {
        return response;
    };
    entry.target = Some(log.target().await);
    match log.append(&entry).await {
        Ok(()) => response,
        Err(e) => {
            tracing::error!("{e}");
            let applied = if entry.result == Outcome::Ok {
                "was applied"
            } else {
                "was not applied"
            };
            ServeError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "AuditLogException",
                format!(
                    "stagecraft serve: the change {applied} (request id {}) but could not be written to the audit log: {e}",
                    entry.request_id
                ),
            )
            .into_response()
        }
    }
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
