//! SigV4 verification and the request body limit, as one middleware in front of every route.
//!
//! The signature is checked by re-signing: the request's own method, URI, signed headers, `X-Amz-Date`
//! and body go through `stagecraft-sigv4` with the configured secret key, and the result is compared
//! with the request's `Signature` in constant time. Any region is accepted; the service must be `apigateway`
//! (`sts` for STS's `POST /`, see [`crate::sts`]).
//!
//! Answers, in AWS's words (all 403):
//! - no `Authorization` header → `MissingAuthenticationTokenException` "Missing Authentication Token";
//! - a malformed header → `IncompleteSignatureException`;
//! - another access key → `UnrecognizedClientException` "The security token included in the request is invalid.";
//! - a date more than 15 minutes off → `InvalidSignatureException` "Signature expired: … (… - 15 min.)"
//!   or "Signature not yet current: … (… + 15 min.)";
//! - any other mismatch → `InvalidSignatureException` "The request signature we calculated does not match …".
//!
//! Query-string (presigned) authentication is not supported: such requests are answered as unsigned.

use std::time::{Duration, SystemTime};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use stagecraft_sigv4::{Payload, Signer};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::AppState;
use crate::error::Error;

/// Largest accepted request body (1 MiB).
pub const MAX_BODY: usize = 1024 * 1024;

/// How far a request's date may be from the server's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// *AWS*: the text of a signature mismatch.
pub const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// The region a request was signed for (from its credential scope), available to handlers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRegion(pub String);

fn forbidden(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(StatusCode::FORBIDDEN, code, message)
}

fn invalid_signature(message: impl Into<String>) -> Error {
    forbidden("InvalidSignatureException", message)
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
struct AuthHeader<'a> {
    access_key: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_auth_header(value: &str) -> Result<AuthHeader<'_>, Error> {
    let incomplete = |what: &str| {
        forbidden(
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter. Authorization={value}"),
        )
    };
    let rest = value.strip_prefix("AWS4-HMAC-SHA256").ok_or_else(|| {
        forbidden(
            "IncompleteSignatureException",
            format!("Unsupported authorization type. Only AWS4-HMAC-SHA256 is supported. Authorization={value}"),
        )
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or_else(|| incomplete("Credential"))?;
    let signed = signed.ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| incomplete("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, _date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(forbidden(
            "IncompleteSignatureException",
            format!("Credential should be scoped to a valid region. Authorization={value}"),
        ));
    };
    Ok(AuthHeader {
        access_key,
        region,
        service,
        signed_headers: signed.split(';').filter(|h| !h.is_empty()).collect(),
        signature,
    })
}

fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    let dt = time::PrimitiveDateTime::parse(text, &fmt).ok()?;
    Some(dt.assume_utc().into())
}

fn format_amz_date(t: SystemTime) -> String {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    OffsetDateTime::from(t).format(&fmt).unwrap_or_default()
}

/// The skew check: `Err` with AWS's text when `date` is more than 15 minutes from `now`.
fn check_skew(date: SystemTime, now: SystemTime, raw: &str) -> Result<(), Error> {
    if date + MAX_SKEW < now {
        return Err(invalid_signature(format!(
            "Signature expired: {raw} is now earlier than {} ({} - 15 min.)",
            format_amz_date(now - MAX_SKEW),
            format_amz_date(now)
        )));
    }
    if date > now + MAX_SKEW {
        return Err(invalid_signature(format!(
            "Signature not yet current: {raw} is still later than {} ({} + 15 min.)",
            format_amz_date(now + MAX_SKEW),
            format_amz_date(now)
        )));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Verifies the request's signature against `state`'s key pair, scoped to `service` (`apigateway`,
/// or `execute-api` on the data plane).
pub(crate) fn verify(
    state: &AppState,
    parts: &axum::http::request::Parts,
    body: &[u8],
    service: &str,
) -> Result<SignedRegion, Error> {
    let Some(auth) = parts.headers.get("authorization") else {
        return Err(forbidden(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let auth = auth
        .to_str()
        .map_err(|_| invalid_signature(SIGNATURE_MISMATCH))?;
    let header = parse_auth_header(auth)?;
    if header.access_key != state.config.access_key {
        return Err(forbidden(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    if header.service != service {
        return Err(invalid_signature(format!(
            "Credential should be scoped to correct service: '{service}'. Authorization={auth}"
        )));
    }
    let raw_date = parts.headers.get("x-amz-date").and_then(|v| v.to_str().ok()).ok_or_else(|| {
        forbidden(
            "IncompleteSignatureException",
            format!("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={auth}"),
        )
    })?;
    let date = parse_amz_date(raw_date).ok_or_else(|| {
        forbidden(
            "IncompleteSignatureException",
            format!("Date must be in ISO-8601 'basic format'. Got '{raw_date}'."),
        )
    })?;
    check_skew(date, SystemTime::now(), raw_date)?;

    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(header.signed_headers.len() + 1);
    for name in &header.signed_headers {
        let mut found = false;
        for value in parts.headers.get_all(*name) {
            headers.push((
                name,
                value
                    .to_str()
                    .map_err(|_| invalid_signature(SIGNATURE_MISMATCH))?,
            ));
            found = true;
        }
        if !found {
            return Err(invalid_signature(SIGNATURE_MISMATCH));
        }
    }
    if !header.signed_headers.contains(&"host") {
        return Err(invalid_signature(SIGNATURE_MISMATCH));
    }
    let unsigned = parts
        .headers
        .get("x-amz-content-sha256")
        .is_some_and(|v| v.as_bytes() == b"UNSIGNED-PAYLOAD");
    let payload = if unsigned {
        Payload::Unsigned
    } else {
        Payload::Bytes(body)
    };
    let signer = Signer::new(
        &state.config.access_key,
        &state.config.secret_key,
        header.region,
        service,
    );
    let uri = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let expected = signer
        .signature(parts.method.as_str(), uri, &headers, payload, date)
        .map_err(|_| invalid_signature(SIGNATURE_MISMATCH))?;
    if !constant_time_eq(expected.as_bytes(), header.signature.as_bytes()) {
        return Err(invalid_signature(SIGNATURE_MISMATCH));
    }
    Ok(SignedRegion(header.region.to_owned()))
}

/// Middleware: buffers the body (at most [`MAX_BODY`], else 413), verifies SigV4 unless disabled, and
/// hands the request on with a [`SignedRegion`] extension.
pub async fn sigv4(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Error::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            format!("Request body is larger than the {MAX_BODY} bytes this service accepts"),
        )
        .into_response();
    };
    let sts = parts.uri.path() == stagecraft_core::sts::PATH;
    let service = if sts {
        stagecraft_core::sts::SERVICE
    } else {
        "apigateway"
    };
    let region = if state.config.verify_signatures {
        verify(&state, &parts, &bytes, service)
    } else {
        Ok(SignedRegion(state.config.region.clone()))
    };
    let mut response = match region {
        Ok(region) => {
            parts.extensions.insert(region);
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) if sts => crate::sts::refusal(&e),
        Err(e) => e.into_response(),
    };
    if let Ok(id) = axum::http::HeaderValue::from_str(&request_id()) {
        response.headers_mut().insert("x-amzn-RequestId", id);
    }
    response
}

/// A request id shaped like AWS's (a random UUID v4).
pub(crate) fn request_id() -> String {
    let n = fastrand::u128(..);
    // Hex digits `from..to` of `n` written as 32 digits.
    let digits = |from: u32, to: u32| (n >> (4 * (32 - to))) & ((1_u128 << (4 * (to - from))) - 1);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        digits(0, 8),
        digits(8, 12),
        digits(13, 16),
        digits(17, 20),
        digits(20, 32)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authorization() {
        let h = parse_auth_header("AWS4-HMAC-SHA256 Credential=test/20240101/eu-west-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc").unwrap();
        assert_eq!(
            (
                h.access_key,
                h.region,
                h.service,
                h.signed_headers,
                h.signature
            ),
            (
                "test",
                "eu-west-1",
                "apigateway",
                vec!["host", "x-amz-date"],
                "abc"
            )
        );
        assert_eq!(
            parse_auth_header("Bearer x").unwrap_err().code,
            "IncompleteSignatureException"
        );
    }

    #[test]
    fn skew_messages_follow_aws() {
        let now = parse_amz_date("20240101T003000Z").unwrap();
        let old = parse_amz_date("20240101T000000Z").unwrap();
        assert_eq!(
            check_skew(old, now, "20240101T000000Z")
                .unwrap_err()
                .message,
            "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)"
        );
        let future = parse_amz_date("20240101T010000Z").unwrap();
        assert_eq!(
            check_skew(future, now, "20240101T010000Z")
                .unwrap_err()
                .message,
            "Signature not yet current: 20240101T010000Z is still later than 20240101T004500Z (20240101T003000Z + 15 min.)"
        );
        assert!(check_skew(now, now, "").is_ok());
    }
}
