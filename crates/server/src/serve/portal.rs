//! The routes a shared deployment adds for the editor, under `/api/_stagecraft/` like try-request
//! (so behind the same guard: CSRF token, same origin, identity):
//!
//! - `GET /api/_stagecraft/whoami[?restApiId=&stage=]`: the caller (`user`, `groups`, `identity`),
//!   `readOnly`, `rules`, `auditLog`; with `restApiId` (and `stage`), `canChange` and, when false,
//!   `reason` — what the editor shows beside a disabled Save.
//! - `GET /api/_stagecraft/audit?restApiId=&stage=[&limit=]`: the audit log's entries for a stage
//!   (or a whole API without `stage`), newest first, at most `limit` (default 50, at most 500).
//! - `GET /_stagecraft/embed.js` and `/_stagecraft/embed.d.ts`: the host pages' helper
//!   (`mountStageEditor`) and its types, which any origin may load (no credential or secret in them).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::ServeState;
use super::error::ServeError;
use super::identity::Identity;

/// The embed helper's route.
pub const EMBED_JS: &str = "/_stagecraft/embed.js";
/// Its types' route.
pub const EMBED_DTS: &str = "/_stagecraft/embed.d.ts";
const EMBED_JS_TEXT: &str = include_str!("../../embed/stagecraft-embed.js");
const EMBED_DTS_TEXT: &str = include_str!("../../embed/stagecraft-embed.d.ts");

/// `GET /_stagecraft/embed.js` (and `.d.ts`): a static file, loadable from any origin.
pub async fn embed_file(parts: Parts) -> Response {
    if let Err(e) = only_get(&parts) {
        return e.into_response();
    }
    let (text, kind) = if parts.uri.path() == EMBED_JS {
        (EMBED_JS_TEXT, "text/javascript; charset=utf-8")
    } else {
        (EMBED_DTS_TEXT, "application/typescript; charset=utf-8")
    };
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(kind),
    );
    headers.insert(
        axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    response
}

/// `whoami`'s route.
pub const WHOAMI: &str = "/api/_stagecraft/whoami";
/// The audit history's route.
pub const AUDIT: &str = "/api/_stagecraft/audit";
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// The query of both routes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    rest_api_id: Option<String>,
    stage: Option<String>,
    limit: Option<usize>,
}

fn bad(message: impl Into<String>) -> ServeError {
    ServeError::new(StatusCode::BAD_REQUEST, "BadRequestException", message)
}

fn query(q: Result<Query<Target>, QueryRejection>) -> Result<Target, ServeError> {
    q.map(|Query(t)| t).map_err(|e| {
        bad(format!(
            "stagecraft serve: bad query ({}): expected restApiId, stage and limit",
            e.body_text()
        ))
    })
}

fn caller(parts: &Parts) -> Result<Identity, ServeError> {
    parts
        .extensions
        .get::<Identity>()
        .cloned()
        .ok_or_else(|| ServeError::forbidden("stagecraft serve: no identity"))
}

fn only_get(parts: &Parts) -> Result<(), ServeError> {
    if parts.method == axum::http::Method::GET {
        Ok(())
    } else {
        Err(ServeError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowedException",
            format!("stagecraft serve: {} takes GET", parts.uri.path()),
        ))
    }
}

/// `GET /api/_stagecraft/whoami`.
pub async fn whoami(
    State(state): State<Arc<ServeState>>,
    parts: Parts,
    q: Result<Query<Target>, QueryRejection>,
) -> Response {
    let answer = || -> Result<serde_json::Value, ServeError> {
        only_get(&parts)?;
        let target = query(q)?;
        let who = caller(&parts)?;
        let mut body = json!({
            "user": who.user,
            "display": who.display(),
            "groups": state.access.groups(&who),
            "identity": who.source.name(),
            "readOnly": state.access.read_only(),
            "rules": state.access.has_rules(),
            "auditLog": state.audit.is_some(),
        });
        if let Some(api) = &target.rest_api_id {
            let verdict = state.access.check(&who, api, target.stage.as_deref());
            body["canChange"] = json!(verdict.is_ok());
            if let Err(reason) = verdict {
                body["reason"] = json!(reason);
            }
        }
        Ok(body)
    };
    match answer() {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/_stagecraft/audit`.
pub async fn audit(
    State(state): State<Arc<ServeState>>,
    parts: Parts,
    q: Result<Query<Target>, QueryRejection>,
) -> Response {
    let checked = (|| {
        only_get(&parts)?;
        let target = query(q)?;
        let api = target
            .rest_api_id
            .filter(|a| !a.is_empty())
            .ok_or_else(|| bad("stagecraft serve: restApiId is required"))?;
        let limit = target.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad(format!(
                "stagecraft serve: limit must be 1 to {MAX_LIMIT}"
            )));
        }
        let log = state.audit.as_ref().ok_or_else(|| {
            ServeError::new(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                "stagecraft serve: this server keeps no audit log (start it with --audit-log FILE)",
            )
        })?;
        Ok((log.clone(), api, target.stage, limit))
    })();
    let (log, api, stage, limit) = match checked {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    match log.history(api, stage, limit).await {
        Ok(items) => Json(json!({ "items": items })).into_response(),
        Err(e) => {
            tracing::error!("{e}");
            ServeError::new(StatusCode::INTERNAL_SERVER_ERROR, "AuditLogException", e)
                .into_response()
        }
    }
}
