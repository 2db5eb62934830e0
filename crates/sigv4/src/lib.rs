//! `stagecraft-sigv4`: AWS Signature Version 4 in the header form (as boto3 and the AWS CLI send it),
//! for every native stagecraft crate that signs or checks requests: `serve`'s upstream, the emulator's
//! Lambda client and signature check, the load generator and the tests.
//!
//! A [`Signer`] holds one set of credentials and the credential scope (region and service). It
//! gives the headers to add to a request ([`Signer::headers`]), signs an [`http::Request`] in place
//! ([`Signer::sign_request`]) or recomputes the signature of a received request
//! ([`Signer::signature`]). The cryptography is `aws-sigv4`'s; this crate only removes the
//! boilerplate around it. `stagecraft-core` does not depend on it: core builds for WASM.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use stagecraft_sigv4::Signer;
//!
//! let signer = Signer::new("AKIDEXAMPLE", "secret", "us-east-1", "apigateway");
//! let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! let added = signer.headers("GET", "/restapis", &[("host", "localhost:4567")], b"", time)?;
//! let names: Vec<&str> = added.iter().map(|(name, _)| *name).collect();
//! assert_eq!(names, ["x-amz-date", "authorization"]);
//! assert_eq!(added[0].1, "20231114T221320Z");
//! assert!(added[1].1.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/apigateway/aws4_request"));
//! # Ok::<(), stagecraft_sigv4::Error>(())
//! ```

use std::fmt;
use std::time::SystemTime;

pub use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

/// A request that cannot be signed (an invalid URI, header or signing parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot sign the request: {}", self.0)
    }
}

impl std::error::Error for Error {}

fn error(e: impl fmt::Display) -> Error {
    Error(e.to_string())
}

/// What the signature covers of the body.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// The body's bytes (their SHA-256 is signed).
    Bytes(&'a [u8]),
    /// `UNSIGNED-PAYLOAD`: the body is not covered.
    Unsigned,
}

/// Signs requests with one set of credentials for one region and service.
#[derive(Debug, Clone)]
pub struct Signer {
    identity: Identity,
    region: String,
    service: String,
}

impl Signer {
    /// A signer for a long-term key pair.
    #[must_use]
    pub fn new(access_key: &str, secret_key: &str, region: &str, service: &str) -> Self {
        let credentials = Credentials::new(access_key, secret_key, None, None, "stagecraft");
        Self::from_credentials(credentials, region, service)
    }

    /// A signer for any credentials; with a session token, requests also carry
    /// `x-amz-security-token`.
    #[must_use]
    pub fn from_credentials(credentials: Credentials, region: &str, service: &str) -> Self {
        Self {
            identity: credentials.into(),
            region: region.to_owned(),
            service: service.to_owned(),
        }
    }

    /// The headers to add (`x-amz-date`, `authorization`, and `x-amz-security-token` for session
    /// credentials) to a request with these exact `headers` (which must include `host`) and `body`,
    /// signed at `time`. `path_and_query` is the request target as sent (already percent-encoded);
    /// a whole URL is accepted too. Headers that proxies rewrite (such as `user-agent`) are left
    /// out of the signature, as the AWS SDKs do.
    ///
    /// # Errors
    /// The request cannot be signed (an invalid URI or header).
    pub fn headers(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        time: SystemTime,
    ) -> Result<Vec<(&'static str, String)>, Error> {
        let settings = SigningSettings::default();
        let output = self.sign(
            method,
            path_and_query,
            headers,
            Payload::Bytes(body),
            time,
            settings,
        )?;
        let (instructions, _signature) = output.into_parts();
        let (added, _query) = instructions.into_parts();
        Ok(added
            .into_iter()
            .map(|h| (h.name(), h.value().to_owned()))
            .collect())
    }

    /// Signs `request` in place at `time`: its method, URI path and query, headers (which must
    /// include `host`) and body, adding the headers [`Signer::headers`] lists. A header whose value
    /// is not text is left out of the signature (a server then ignores it when checking).
    ///
    /// # Errors
    /// The request cannot be signed (an invalid URI or header).
    pub fn sign_request<B: AsRef<[u8]>>(
        &self,
        request: &mut http::Request<B>,
        time: SystemTime,
    ) -> Result<(), Error> {
        let target = request
            .uri()
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str)
            .to_owned();
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        let added = self.headers(
            request.method().as_str(),
            &target,
            &headers,
            request.body().as_ref(),
            time,
        )?;
        for (name, value) in added {
            let mut value = http::HeaderValue::from_str(&value).map_err(error)?;
            value.set_sensitive(name == "authorization" || name == "x-amz-security-token");
            request.headers_mut().insert(name, value);
        }
        Ok(())
    }

    /// The signature (hex) of a request with exactly these `headers` signed, at `time`: what a
    /// server compares with a received `Signature=` after taking the signed headers and the
    /// `x-amz-date` from the request. Unlike [`Signer::headers`], no header is left out.
    ///
    /// # Errors
    /// The request cannot be signed (an invalid URI or header).
    pub fn signature(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        payload: Payload<'_>,
        time: SystemTime,
    ) -> Result<String, Error> {
        let mut settings = SigningSettings::default();
        settings.excluded_headers = Some(Vec::new());
        let output = self.sign(method, path_and_query, headers, payload, time, settings)?;
        Ok(output.signature().to_owned())
    }

    fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        payload: Payload<'_>,
        time: SystemTime,
        settings: SigningSettings,
    ) -> Result<aws_sigv4::SigningOutput<aws_sigv4::http_request::SigningInstructions>, Error> {
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(settings)
            .build()
            .map_err(error)?
            .into();
        let body = match payload {
            Payload::Bytes(bytes) => SignableBody::Bytes(bytes),
            Payload::Unsigned => SignableBody::UnsignedPayload,
        };
        let signable = SignableRequest::new(method, path_and_query, headers.iter().copied(), body)
            .map_err(error)?;
        sign(signable, &params).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn signature_of(authorization: &str) -> &str {
        authorization.rsplit("Signature=").next().unwrap()
    }

    #[test]
    fn a_signed_request_verifies_and_a_changed_one_does_not() {
        let signer = Signer::new("AKID", "secret", "eu-west-1", "apigateway");
        let headers = [
            ("host", "example.com"),
            ("content-type", "application/json"),
        ];
        let added = signer
            .headers(
                "PATCH",
                "/restapis/a/stages/b",
                &headers,
                b"{}",
                at(1_700_000_000),
            )
            .unwrap();
        let authorization = &added.iter().find(|(n, _)| *n == "authorization").unwrap().1;
        assert!(
            authorization.contains("SignedHeaders=content-type;host;x-amz-date"),
            "{authorization}"
        );
        let date = &added[0].1;
        let mut received = headers.to_vec();
        received.push(("x-amz-date", date));
        let check = |body: &[u8], time| {
            signer
                .signature(
                    "PATCH",
                    "/restapis/a/stages/b",
                    &received,
                    Payload::Bytes(body),
                    time,
                )
                .unwrap()
        };
        assert_eq!(check(b"{}", at(1_700_000_000)), signature_of(authorization));
        assert_ne!(
            check(b"{ }", at(1_700_000_000)),
            signature_of(authorization)
        );
        let other = Signer::new("AKID", "other", "eu-west-1", "apigateway");
        assert_ne!(
            other
                .signature(
                    "PATCH",
                    "/restapis/a/stages/b",
                    &received,
                    Payload::Bytes(b"{}"),
                    at(1_700_000_000)
                )
                .unwrap(),
            signature_of(authorization)
        );
    }

    #[test]
    fn sign_request_matches_headers_and_carries_the_session_token() {
        let credentials = Credentials::new("AKID", "secret", Some("token".into()), None, "test");
        let signer = Signer::from_credentials(credentials, "us-east-1", "lambda");
        let mut request = http::Request::builder()
            .method("POST")
            .uri("http://localhost:9001/2015-03-31/functions/f/invocations")
            .header("host", "localhost:9001")
            .body(b"{}".to_vec())
            .unwrap();
        signer
            .sign_request(&mut request, at(1_700_000_000))
            .unwrap();
        let expected = signer
            .headers(
                "POST",
                "/2015-03-31/functions/f/invocations",
                &[("host", "localhost:9001")],
                b"{}",
                at(1_700_000_000),
            )
            .unwrap();
        for (name, value) in &expected {
            assert_eq!(request.headers()[*name], value.as_str(), "{name}");
        }
        assert_eq!(request.headers()["x-amz-security-token"], "token");
        assert!(
            request.headers()["authorization"]
                .to_str()
                .unwrap()
                .contains("/us-east-1/lambda/aws4_request")
        );
    }

    #[test]
    fn an_unsigned_payload_ignores_the_body() {
        let signer = Signer::new("AKID", "secret", "us-east-1", "apigateway");
        let headers = [
            ("host", "h"),
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            ("x-amz-date", "20231114T221320Z"),
        ];
        let sig = |payload| {
            signer
                .signature("PUT", "/x", &headers, payload, at(1_700_000_000))
                .unwrap()
        };
        assert_eq!(sig(Payload::Unsigned), sig(Payload::Unsigned));
        assert_ne!(sig(Payload::Unsigned), sig(Payload::Bytes(b"")));
        assert_eq!(sig(Payload::Unsigned).len(), 64);
    }

    #[test]
    fn a_header_that_is_not_text_is_left_out_of_the_signature() {
        let signer = Signer::new("AKID", "secret", "us-east-1", "apigateway");
        let mut request = http::Request::builder()
            .uri("/x")
            .header("host", "h")
            .header("x-bin", http::HeaderValue::from_bytes(b"\xff").unwrap())
            .body(Vec::new())
            .unwrap();
        signer.sign_request(&mut request, at(0)).unwrap();
        let authorization = request.headers()["authorization"].to_str().unwrap();
        assert!(
            authorization.contains("SignedHeaders=host;x-amz-date,"),
            "{authorization}"
        );
    }
}
