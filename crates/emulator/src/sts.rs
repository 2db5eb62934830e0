//! STS `GetCallerIdentity` on the emulator's port, as LocalStack and moto answer it: `stagecraft
//! serve --endpoint URL` (and any SDK) learns the account its changes go to, which the audit log
//! records. The documents and texts are core's ([`stagecraft_core::sts`]); this is their HTTP.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use stagecraft_core::sts;

use crate::{AppState, Error};

/// `POST /`: `GetCallerIdentity`, or STS's `400 InvalidAction`.
pub async fn handle(State(state): State<AppState>, body: Bytes) -> Response {
    let action = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let request_id = crate::auth::request_id();
    if action == sts::GET_CALLER_IDENTITY {
        xml(
            StatusCode::OK,
            sts::caller_identity(&state.config.account_id, &request_id),
        )
    } else {
        xml(
            StatusCode::BAD_REQUEST,
            sts::error_document("InvalidAction", &sts::invalid_action(&action), &request_id),
        )
    }
}

/// A refusal of the SigV4 check in STS's words and XML instead of API Gateway's JSON.
#[must_use]
pub fn refusal(e: &Error) -> Response {
    xml(
        e.status,
        sts::error_document(
            sts::error_code(&e.code),
            &e.message,
            &crate::auth::request_id(),
        ),
    )
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}
