//! The target every allowed `/api` call goes to, fixed at start-up: the embedded emulator (its axum
//! `Router` called in-process as a tower `Service`) or an HTTP(S) endpoint (AWS, a separate
//! `stagecraft emulator`, LocalStack, a VPC endpoint). Requests are SigV4-signed for `apigateway`
//! either way, so the embedded emulator checks signatures exactly as a remote one does.

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri, header};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use stagecraft_sigv4::Signer;
use tower::ServiceExt;

use super::credentials::CredentialSource;
use super::error::{ServeError, chain};

/// How long one attempt may take, unless [`Target::with_timeout`] says otherwise.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer taken from the target (16 MiB); a longer one is cut off with a 502 rather
/// than held in memory. API Gateway's largest answers (a page of 500 resources with their methods)
/// stay far below it.
pub const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// The target's answer, whole.
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Headers, as sent.
    pub headers: HeaderMap,
    /// Body, as sent.
    pub body: Bytes,
}

enum Transport {
    Embedded(Router),
    Http(Client<HttpConnector, Full<Bytes>>),
    Https(Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>),
}

/// A signing client for one fixed target.
pub struct Target {
    transport: Transport,
    /// `scheme://authority` prepended to every path (empty for the embedded emulator).
    origin: String,
    /// Path prefix of the endpoint URL (`""` or `/prefix`).
    prefix: String,
    host: HeaderValue,
    region: String,
    timeout: Duration,
    /// Signing credentials.
    pub credentials: CredentialSource,
    /// What the start-up message calls it.
    pub description: String,
    /// Whether the target also serves stages' invoke URLs (`/restapis/{api}/{stage}/_user_request_/…`):
    /// the embedded emulator and `--endpoint`s, not AWS's control-plane host.
    data_plane: bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("description", &self.description)
            .field("region", &self.region)
            .finish()
    }
}

impl Target {
    /// The embedded emulator behind `router`.
    #[must_use]
    pub fn embedded(
        router: Router,
        region: String,
        credentials: CredentialSource,
        description: String,
    ) -> Self {
        Self {
            transport: Transport::Embedded(router),
            origin: String::new(),
            prefix: String::new(),
            host: HeaderValue::from_static("apigateway.stagecraft.internal"),
            region,
            timeout: ATTEMPT_TIMEOUT,
            credentials,
            description,
            data_plane: true,
        }
    }

    /// An `http://` or `https://` endpoint (TLS with rustls + ring and the system's root certificates).
    ///
    /// # Errors
    /// The URL is not an absolute http(s) URL without query, or the TLS roots cannot be loaded.
    pub fn endpoint(
        url: &str,
        region: String,
        credentials: CredentialSource,
    ) -> Result<Self, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("invalid endpoint URL {url}: {e}"))?;
        let authority = uri
            .authority()
            .ok_or_else(|| format!("endpoint URL {url} has no host"))?
            .clone();
        if uri.query().is_some() {
            return Err(format!("endpoint URL {url} must not have a query"));
        }
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.enforce_http(false);
        let builder = Client::builder(TokioExecutor::new());
        let transport = match uri.scheme_str() {
            Some("http") => Transport::Http(builder.build(http)),
            Some("https") => {
                let tls = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                    .map_err(|e| format!("cannot load the system's TLS root certificates: {e}"))?
                    .https_only()
                    .enable_http1()
                    .wrap_connector(http);
                Transport::Https(builder.build(tls))
            }
            _ => {
                return Err(format!(
                    "endpoint URL {url} must start with http:// or https://"
                ));
            }
        };
        // aws-sigv4 and hyper both leave a default port out of `Host`.
        let default_port = matches!(
            (uri.scheme_str(), authority.port_u16()),
            (Some("http"), Some(80)) | (Some("https"), Some(443))
        );
        let host = if default_port {
            authority.host().to_owned()
        } else {
            authority.as_str().to_owned()
        };
        let scheme = uri.scheme_str().unwrap_or("https");
        Ok(Self {
            transport,
            origin: format!("{scheme}://{host}"),
            prefix: uri.path().trim_end_matches('/').to_owned(),
            host: HeaderValue::from_str(&host)
                .map_err(|e| format!("invalid endpoint host {host}: {e}"))?,
            region,
            timeout: ATTEMPT_TIMEOUT,
            credentials,
            description: format!("{scheme}://{host}{}", uri.path().trim_end_matches('/')),
            data_plane: !authority.host().ends_with(".amazonaws.com"),
        })
    }

    /// How long one attempt may take before it fails with a 504.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The signing region.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Signs and sends one request; `path_and_query` is the API Gateway path (percent-encoded as received).
    ///
    /// # Errors
    /// No credentials, the target cannot be reached or answers more than [`MAX_ANSWER`] bytes
    /// (502), or does not answer in time (504).
    pub async fn send(
        &self,
        method: &Method,
        path_and_query: &str,
        content_type: Option<&HeaderValue>,
        body: Bytes,
    ) -> Result<Answer, ServeError> {
        let credentials = self.credentials.get().await?;
        let target = format!("{}{}", self.prefix, path_and_query);
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(format!("{}{target}", self.origin))
            .header(header::HOST, self.host.clone())
            .header(header::ACCEPT, HeaderValue::from_static("application/json"));
        if !body.is_empty() || content_type.is_some() {
            builder = builder.header(
                header::CONTENT_TYPE,
                content_type
                    .cloned()
                    .unwrap_or(HeaderValue::from_static("application/json")),
            );
        }
        let mut request = builder.body(body).map_err(|e| {
            ServeError::forbidden(format!("stagecraft serve: invalid request: {e}"))
        })?;
        Signer::from_credentials(credentials, &self.region, "apigateway")
            .sign_request(&mut request, SystemTime::now())
            .map_err(|e| ServeError::credentials(format!("stagecraft serve: {e}")))?;
        self.attempt(request).await
    }

    /// Sends one unsigned data-plane request (`path_and_query` under `/restapis/…/_user_request_`) to the
    /// target's own origin; `None` when the target serves no invoke URLs (AWS's control-plane host).
    ///
    /// # Errors
    /// As [`Target::send`].
    pub async fn send_data_plane(
        &self,
        method: &Method,
        path_and_query: &str,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
    ) -> Option<Result<Answer, ServeError>> {
        if !self.data_plane {
            return None;
        }
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(format!("{}{}{path_and_query}", self.origin, self.prefix))
            .header(header::HOST, self.host.clone());
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let request = match builder.body(body) {
            Ok(r) => r,
            Err(e) => {
                return Some(Err(ServeError::forbidden(format!(
                    "stagecraft serve: invalid request: {e}"
                ))));
            }
        };
        Some(self.attempt(request).await)
    }

    /// One attempt on the transport, within the timeout.
    async fn attempt(&self, request: Request<Bytes>) -> Result<Answer, ServeError> {
        let attempt = async {
            match &self.transport {
                Transport::Embedded(router) => {
                    let response = router
                        .clone()
                        .oneshot(request.map(Body::from))
                        .await
                        .unwrap_or_else(|e| match e {});
                    collect(Ok(response), &self.description).await
                }
                Transport::Http(client) => {
                    let response = client.request(request.map(Full::new)).await;
                    collect(response.map(|r| r.map(Body::new)), &self.description).await
                }
                Transport::Https(client) => {
                    let response = client.request(request.map(Full::new)).await;
                    collect(response.map(|r| r.map(Body::new)), &self.description).await
                }
            }
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .map_err(|_| {
                ServeError::gateway_timeout(format!(
                    "stagecraft serve: {} did not answer within {} s",
                    self.description,
                    self.timeout.as_secs()
                ))
            })?
    }
}

/// The whole answer, up to [`MAX_ANSWER`] bytes.
async fn collect(
    result: Result<http::Response<Body>, hyper_util::client::legacy::Error>,
    target: &str,
) -> Result<Answer, ServeError> {
    let response =
        result.map_err(|e| ServeError::bad_gateway(format!("stagecraft serve: {}", chain(&e))))?;
    let (parts, body) = response.into_parts();
    let too_large = || {
        ServeError::bad_gateway(format!(
            "stagecraft serve: the answer from {target} is larger than {MAX_ANSWER} bytes; it was cut off"
        ))
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_ANSWER as u64) {
        return Err(too_large());
    }
    let body = match http_body_util::Limited::new(body, MAX_ANSWER)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
        Err(e) => {
            return Err(ServeError::bad_gateway(format!(
                "stagecraft serve: reading the answer: {}",
                chain(&*e)
            )));
        }
    };
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}
