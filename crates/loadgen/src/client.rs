//! One HTTP/1.1 connection per worker, kept alive between requests and re-opened when the server
//! closes it (`Connection: close`, as moto answers) or when a reused connection turns out stale.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::Signer;

/// Where requests go: a plain-HTTP base URL.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The `Host` header value (`127.0.0.1:4567`).
    pub host: String,
    /// The resolved socket address.
    pub addr: SocketAddr,
}

impl Endpoint {
    /// Parses `http://HOST:PORT` (a trailing `/` is allowed; `https` is not supported).
    ///
    /// # Errors
    /// Not an `http://` URL, or the host does not resolve.
    pub fn parse(url: &str) -> Result<Self> {
        let uri: http::Uri = url
            .parse()
            .with_context(|| format!("invalid endpoint URL {url}"))?;
        if uri.scheme_str() != Some("http") {
            bail!("endpoint must be an http:// URL (got {url})");
        }
        if uri.path() != "/" && !uri.path().is_empty() {
            bail!("endpoint must not have a path (got {url})");
        }
        let authority = uri
            .authority()
            .ok_or_else(|| anyhow!("endpoint has no host: {url}"))?;
        let port = authority.port_u16().unwrap_or(80);
        let addr = std::net::ToSocketAddrs::to_socket_addrs(&(authority.host(), port))
            .with_context(|| format!("resolving {authority}"))?
            .next()
            .ok_or_else(|| anyhow!("{authority} does not resolve"))?;
        // Default port omitted, as aws-sigv4 and hyper do.
        let host = if port == 80 {
            authority.host().to_owned()
        } else {
            authority.as_str().to_owned()
        };
        Ok(Self { host, addr })
    }
}

/// A response: status and the whole body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// The body as JSON.
    ///
    /// # Errors
    /// The body is not JSON.
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "response {} is not JSON: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// `Ok(self)` for a 2xx status, else an error with the status and body.
    ///
    /// # Errors
    /// A non-2xx status.
    pub fn ok(self) -> Result<Self> {
        if self.status.is_success() {
            Ok(self)
        } else {
            bail!(
                "HTTP {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        }
    }
}

/// A signed request, ready to be (re)sent.
#[derive(Debug, Clone)]
pub struct Prepared {
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
}

/// A client connection: the endpoint, the signer and (while open) one HTTP/1.1 connection.
pub struct Conn {
    endpoint: Arc<Endpoint>,
    signer: Arc<Signer>,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many TCP connections this client has opened.
    pub connects: u64,
}

impl Conn {
    /// A client; connects lazily on the first request.
    #[must_use]
    pub fn new(endpoint: Arc<Endpoint>, signer: Arc<Signer>) -> Self {
        Self {
            endpoint,
            signer,
            sender: None,
            connects: 0,
        }
    }

    /// The endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Signs a request at `time` (JSON body with `Content-Type: application/json` when `body` is not empty).
    ///
    /// # Errors
    /// Signing fails.
    pub fn prepare(
        &self,
        method: Method,
        path: &str,
        body: Bytes,
        time: SystemTime,
    ) -> Result<Prepared> {
        let mut headers: Vec<(&'static str, String)> = vec![("host", self.endpoint.host.clone())];
        if !body.is_empty() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        let signed = {
            let borrowed: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            self.signer
                .headers(method.as_str(), path, &borrowed, &body, time)?
        };
        headers.extend(signed);
        Ok(Prepared {
            method,
            path: path.to_owned(),
            headers,
            body,
        })
    }

    async fn connect(&mut self) -> Result<SendRequest<Full<Bytes>>> {
        let stream = TcpStream::connect(self.endpoint.addr)
            .await
            .with_context(|| format!("connecting to {}", self.endpoint.addr))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake")?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        self.connects += 1;
        Ok(sender)
    }

    /// Sends a prepared request. A failure on a reused keep-alive connection (the server may have
    /// closed it meanwhile) is retried once on a fresh connection.
    ///
    /// # Errors
    /// Connecting or the exchange fails.
    pub async fn send(&mut self, req: &Prepared) -> Result<Response> {
        let reused = match self.sender.take() {
            Some(s) if !s.is_closed() => Some(s),
            _ => None,
        };
        if let Some(mut sender) = reused
            && sender.ready().await.is_ok()
        {
            match self.exchange(&mut sender, req).await {
                Ok((resp, keep)) => {
                    if keep {
                        self.sender = Some(sender);
                    }
                    return Ok(resp);
                }
                Err(err) if !is_retryable(&err) => return Err(err),
                Err(_) => {}
            }
        }
        let mut sender = self.connect().await?;
        sender.ready().await.context("connection not ready")?;
        let (resp, keep) = self.exchange(&mut sender, req).await?;
        if keep {
            self.sender = Some(sender);
        }
        Ok(resp)
    }

    async fn exchange(
        &self,
        sender: &mut SendRequest<Full<Bytes>>,
        req: &Prepared,
    ) -> Result<(Response, bool)> {
        let mut builder = Request::builder().method(req.method.clone()).uri(&req.path);
        for (k, v) in &req.headers {
            builder = builder.header(*k, v);
        }
        let request = builder
            .body(Full::new(req.body.clone()))
            .context("building request")?;
        let response = sender.send_request(request).await?;
        let keep = !response
            .headers()
            .get_all(http::header::CONNECTION)
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((Response { status, body }, keep && !sender.is_closed()))
    }

    /// Signs (now) and sends one request; `body` is JSON or empty.
    ///
    /// # Errors
    /// Signing, connecting or the exchange fails (any status is a success here; see [`Response::ok`]).
    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Response> {
        let body = body.map_or_else(Bytes::new, |v| Bytes::from(v.to_string()));
        let prepared = self.prepare(method, path, body, SystemTime::now())?;
        self.send(&prepared).await
    }
}

/// Whether an error from a reused connection means "the server had closed it": a hyper error
/// before any response arrived.
fn is_retryable(err: &anyhow::Error) -> bool {
    err.downcast_ref::<hyper::Error>()
        .is_some_and(|e| !e.is_user())
}
