//! STS `GetCallerIdentity` on the emulator's port, as LocalStack and moto answer it: `stagecraft
//! serve --endpoint URL` (and any SDK) learns the account its changes go to, which the audit log records.
//!
//! AWS's query protocol: `POST /` with the form `Action=GetCallerIdentity&Version=2011-06-15`, signed
//! for the `sts` service, answered in XML. The caller is the emulator's one key pair, which acts as
//! the account's root user (`arn:aws:iam::{account}:root`, user id = the account id, as AWS answers
//! for root credentials). Any other action gets STS's `InvalidAction` error.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{AppState, Error};

/// The path STS's query protocol posts to.
pub const PATH: &str = "/";
/// The SigV4 service name its requests are signed for.
pub const SERVICE: &str = "sts";
const VERSION: &str = "2011-06-15";

/// `POST /`: `GetCallerIdentity`, or STS's `InvalidAction`.
pub async fn handle(State(state): State<AppState>, body: Bytes) -> Response {
    let action = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let request_id = crate::auth::request_id();
    let account = &state.config.account_id;
    if action == "GetCallerIdentity" {
        xml(
            StatusCode::OK,
            format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/{VERSION}/\">\
                 <GetCallerIdentityResult><Arn>arn:aws:iam::{account}:root</Arn>\
                 <UserId>{account}</UserId><Account>{account}</Account></GetCallerIdentityResult>\
                 <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
                 </GetCallerIdentityResponse>"
            ),
        )
    } else {
        error(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            &format!("Could not find operation {action} for version {VERSION}"),
            &request_id,
        )
    }
}

/// A refusal of the SigV4 check in STS's words and XML (`SignatureDoesNotMatch`, …) instead of API
/// Gateway's JSON.
#[must_use]
pub fn refusal(e: &Error) -> Response {
    let code = match e.code.as_ref() {
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        "IncompleteSignatureException" => "IncompleteSignature",
        other => other,
    };
    error(e.status, code, &e.message, &crate::auth::request_id())
}

/// STS's error document.
fn error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    let message = escape(message);
    xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/{VERSION}/\"><Error>\
             <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>\
             </Error><RequestId>{request_id}</RequestId></ErrorResponse>"
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

/// `text` with XML's five special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
