//! Who may use the server: Host (DNS-rebinding guard), the caller's identity ([`super::identity`]: a
//! trusted proxy's user needs no token), the `--allow-remote` bearer token, and for
//! `/api` the same-origin `Origin` and the per-process CSRF token. Also the one log line per `/api` call.
//!
//! - Loopback mode (default): `Host` must be `127.0.0.1`, `localhost` or `[::1]` (with the listening
//!   port or none) or the bound address, so a foreign site re-bound to 127.0.0.1 cannot read the page
//!   or its token.
//! - `--allow-remote --token T`: any `Host`, but every request needs `Authorization: Bearer T` or the
//!   `stagecraft_token` cookie, which `GET /?token=T` sets (HttpOnly, SameSite=Strict) before
//!   redirecting to the same path without the query.
//! - `/api`: `x-stagecraft-csrf` must equal the token in the served page's
//!   `<meta name="stagecraft-csrf">`, and an `Origin`, when present, must be this server's own
//!   (`http://` + the request's `Host`; `https://` too in remote mode, for a TLS front).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::ServeState;
use super::error::ServeError;
use super::identity::Source;
use super::proxy::{MAX_BODY, too_large};

/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-stagecraft-csrf";

const TOKEN_COOKIE: &str = "stagecraft_token";

/// What the proxy handler did, left in the response's extensions for the log line.
#[derive(Debug, Clone, Copy)]
pub struct Proxied {
    /// The AWS operation.
    pub operation: &'static str,
    /// Attempts made (1 unless a 429 was retried).
    pub attempts: u32,
}

/// The access rules of one server process.
#[derive(Debug, Clone)]
pub struct Guard {
    csrf: String,
    token: Option<String>,
    /// Accepted `Host` values; `None` accepts any (remote mode).
    hosts: Option<Vec<String>>,
    /// `--dev-origin`: a second accepted `Origin` (a `trunk serve` page), and no CSRF token required.
    dev_origin: Option<String>,
}

/// 32 random bytes from the OS, hex-encoded.
///
/// # Panics
/// The OS has no random source.
#[must_use]
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random number generator is available");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a `--token` value: 16+ characters of `A-Z a-z 0-9 . _ ~ -` (safe in a header, cookie and query).
///
/// # Errors
/// Too short or another character.
pub fn check_token(token: &str) -> Result<(), String> {
    if token.len() < 16 {
        return Err("--token must be at least 16 characters long".into());
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._~-".contains(&b))
    {
        return Err("--token may contain only A-Z a-z 0-9 . _ ~ -".into());
    }
    Ok(())
}

/// Whether `given` equals `expected`, in a time that depends on neither where they differ nor their
/// lengths: both are hashed (SHA-256) and the digests compared with `subtle`.
#[must_use]
pub fn same(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.as_slice().ct_eq(b.as_slice()).into()
}

impl Guard {
    /// Rules for a server bound to `bound`; `remote` accepts any `Host` (`--allow-remote`).
    #[must_use]
    pub fn new(csrf: String, token: Option<String>, bound: SocketAddr, remote: bool) -> Self {
        let hosts = (!remote).then(|| {
            let port = bound.port();
            let mut hosts = vec![
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ];
            let own = bound.to_string();
            if !hosts.contains(&own) {
                hosts.push(own);
            }
            // Without a port: port 80, and proxies such as `trunk serve` that send only the host name.
            hosts.extend(["127.0.0.1".into(), "localhost".into(), "[::1]".into()]);
            hosts
        });
        Self {
            csrf,
            token,
            hosts,
            dev_origin: None,
        }
    }

    /// Development mode for `trunk serve` with a `[[proxy]]` to this server: `origin` may call `/api`
    /// too, and the CSRF token is not required (that page has no token). Origin checks remain.
    #[must_use]
    pub fn with_dev_origin(mut self, origin: Option<String>) -> Self {
        self.dev_origin = origin.map(|o| o.trim_end_matches('/').to_owned());
        self
    }

    fn has_token(&self, headers: &HeaderMap, token: &str) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|v| same(v.trim(), token));
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                v.split(';')
                    .filter_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
                    .any(|c| same(c, token))
            });
        bearer || cookie
    }

    /// `Ok(None)`: go on; `Ok(Some(r))`: answer `r` (the token login redirect); `Err`: refuse.
    ///
    /// # Errors
    /// The request breaks one of the rules in the module doc.
    #[cfg(test)]
    pub fn check(&self, request: &Request, api: bool) -> Result<Option<Response>, ServeError> {
        self.check_as(request, api, false)
    }

    /// [`Guard::check`] for a caller a trusted proxy vouched for (`vouched`): no bearer token needed.
    ///
    /// # Errors
    /// The request breaks one of the rules in the module doc.
    pub fn check_as(
        &self,
        request: &Request,
        api: bool,
        vouched: bool,
    ) -> Result<Option<Response>, ServeError> {
        let headers = request.headers();
        if request.uri().scheme().is_some() || request.uri().authority().is_some() {
            return Err(ServeError::forbidden(
                "stagecraft serve: absolute-form request targets are refused (this server is not a forward proxy)",
            ));
        }
        if headers.get_all(header::HOST).iter().count() > 1 {
            return Err(ServeError::forbidden(
                "stagecraft serve: more than one Host header",
            ));
        }
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if let Some(hosts) = &self.hosts
            && !hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
        {
            return Err(ServeError::forbidden(format!(
                "stagecraft serve: Host `{host}` is not this server (open it as http://{}/)",
                hosts[0]
            )));
        }
        if let Some(token) = &self.token
            && !vouched
            && !self.has_token(headers, token)
        {
            let query_token = request
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("token=")));
            return match query_token {
                Some(given) if !api && same(given, token) => {
                    Ok(Some(login(request.uri().path(), token)))
                }
                _ => Err(ServeError::unauthorized()),
            };
        }
        if !api {
            return Ok(None);
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or_default();
            let own = origin.strip_prefix("http://").or_else(|| {
                origin
                    .strip_prefix("https://")
                    .filter(|_| self.hosts.is_none())
            });
            let dev = self
                .dev_origin
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(origin));
            if !dev && !own.is_some_and(|o| o.eq_ignore_ascii_case(host)) {
                return Err(ServeError::forbidden(format!(
                    "stagecraft serve: cross-origin request from `{origin}` refused (only http://{host} may call /api)"
                )));
            }
        }
        match headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            _ if self.dev_origin.is_some() => Ok(None),
            Some(given) if same(given, &self.csrf) => Ok(None),
            Some(_) => Err(ServeError::forbidden(format!(
                "stagecraft serve: wrong {CSRF_HEADER} token (reload the page: the server was restarted?)"
            ))),
            None => Err(ServeError::forbidden(format!(
                "stagecraft serve: missing {CSRF_HEADER} header (take the token from <meta name=\"stagecraft-csrf\"> in the page)"
            ))),
        }
    }
}

fn login(path: &str, token: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(path) {
        headers.insert(header::LOCATION, location);
    }
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    )) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Whether `path` belongs to the proxy.
#[must_use]
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Middleware in front of everything: a declared body over [`MAX_BODY`] is refused on every route,
/// then the rules above, the headers of [`super::headers`] on every answer, and one log line per
/// `/api` call (`METHOD Operation STATUS ms`, an `info` event). The log line holds no
/// query, header or body: no token or credential can reach it.
pub async fn guard(State(state): State<Arc<ServeState>>, request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let started = Instant::now();
    let method = request.method().clone();
    let path = api.then(|| request.uri().path()[4..].to_owned());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let mut response = if declared.is_some_and(|n| n > MAX_BODY as u64) {
        too_large()
    } else {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        match state.trust.resolve(request.headers(), peer) {
            Err(refused) => refused.into_response(),
            Ok(identity) => {
                let vouched = identity.source == Source::Header;
                let mut request = request;
                request.extensions_mut().insert(identity);
                match state.guard.check_as(&request, api, vouched) {
                    Ok(None) => next.run(request).await,
                    Ok(Some(redirect)) => redirect,
                    Err(refused) => refused.into_response(),
                }
            }
        }
    };
    state.headers.apply(response.headers_mut());
    if let Some(path) = path {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let status = response.status().as_u16();
        match response.extensions().get::<Proxied>() {
            Some(p) if p.attempts > 1 => tracing::info!(
                "{method} {} {status} {ms:.1} ms ({} attempts)",
                p.operation,
                p.attempts
            ),
            Some(p) => tracing::info!("{method} {} {status} {ms:.1} ms", p.operation),
            None => tracing::info!("{method} {path} {status} {ms:.1} ms (refused)"),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn guard(remote: bool) -> Guard {
        let token = remote.then(|| "t0ken-t0ken-t0ken".to_owned());
        Guard::new(
            "c5rf".into(),
            token,
            "127.0.0.1:8080".parse().unwrap(),
            remote,
        )
    }

    fn request(path: &str, headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder().uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    fn code(r: Result<Option<Response>, ServeError>) -> Option<&'static str> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn api_needs_csrf_and_same_origin() {
        let g = guard(false);
        let ok = [("host", "127.0.0.1:8080"), (CSRF_HEADER, "c5rf")];
        assert!(matches!(
            g.check(&request("/api/restapis", &ok), true),
            Ok(None)
        ));
        let with_origin = [
            ("host", "localhost:8080"),
            (CSRF_HEADER, "c5rf"),
            ("origin", "http://localhost:8080"),
        ];
        assert!(matches!(
            g.check(&request("/api/restapis", &with_origin), true),
            Ok(None)
        ));
        let cases: [&[(&str, &str)]; 5] = [
            &[("host", "127.0.0.1:8080")],
            &[("host", "127.0.0.1:8080"), (CSRF_HEADER, "nope")],
            &[
                ("host", "127.0.0.1:8080"),
                (CSRF_HEADER, "c5rf"),
                ("origin", "http://evil.example"),
            ],
            &[
                ("host", "127.0.0.1:8080"),
                (CSRF_HEADER, "c5rf"),
                ("origin", "null"),
            ],
            &[("host", "evil.example:8080"), (CSRF_HEADER, "c5rf")],
        ];
        for headers in cases {
            assert_eq!(
                code(g.check(&request("/api/restapis", headers), true)),
                Some("AccessDeniedException"),
                "{headers:?}"
            );
        }
        // Static files need only the right Host.
        assert!(matches!(
            g.check(&request("/", &[("host", "127.0.0.1:8080")]), false),
            Ok(None)
        ));
        assert!(
            g.check(&request("/", &[("host", "rebound.example:8080")]), false)
                .is_err()
        );
    }

    #[test]
    fn dev_origin_skips_csrf_but_not_origin() {
        let g = guard(false).with_dev_origin(Some("http://127.0.0.1:8081/".into()));
        let trunk = [
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8081"),
        ];
        assert!(matches!(
            g.check(&request("/api/restapis", &trunk), true),
            Ok(None)
        ));
        let no_origin = [("host", "127.0.0.1:8080")];
        assert!(matches!(
            g.check(&request("/api/restapis", &no_origin), true),
            Ok(None)
        ));
        let evil = [
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.example"),
        ];
        assert_eq!(
            code(g.check(&request("/api/restapis", &evil), true)),
            Some("AccessDeniedException")
        );
    }

    #[test]
    fn remote_mode_needs_the_bearer_token() {
        let g = guard(true);
        let page = request("/", &[("host", "box.lan:8080")]);
        assert_eq!(code(g.check(&page, false)), Some("UnauthorizedException"));
        let bearer = request(
            "/",
            &[
                ("host", "box.lan:8080"),
                ("authorization", "Bearer t0ken-t0ken-t0ken"),
            ],
        );
        assert!(matches!(g.check(&bearer, false), Ok(None)));
        let cookie = request(
            "/x",
            &[
                ("host", "box.lan:8080"),
                ("cookie", "a=b; stagecraft_token=t0ken-t0ken-t0ken"),
            ],
        );
        assert!(matches!(g.check(&cookie, false), Ok(None)));
        let login = g.check(
            &request(
                "/apis/x?token=t0ken-t0ken-t0ken",
                &[("host", "box.lan:8080")],
            ),
            false,
        );
        let login = login.unwrap().unwrap();
        assert_eq!(login.status(), StatusCode::SEE_OTHER);
        assert_eq!(login.headers()["location"], "/apis/x");
        let api = [
            ("host", "box.lan:8080"),
            (CSRF_HEADER, "c5rf"),
            ("origin", "https://box.lan:8080"),
            ("authorization", "Bearer t0ken-t0ken-t0ken"),
        ];
        assert!(matches!(
            g.check(&request("/api/restapis", &api), true),
            Ok(None)
        ));
        assert_eq!(
            code(g.check(
                &request("/api/restapis?token=t0ken-t0ken-t0ken", &[("host", "b")]),
                true
            )),
            Some("UnauthorizedException")
        );
    }

    #[test]
    fn absolute_form_and_double_hosts_are_refused() {
        let g = guard(false);
        let absolute = request(
            "http://evil.example/api/restapis",
            &[("host", "127.0.0.1:8080"), (CSRF_HEADER, "c5rf")],
        );
        assert_eq!(
            code(g.check(&absolute, true)),
            Some("AccessDeniedException")
        );
        let two = request(
            "/api/restapis",
            &[
                ("host", "127.0.0.1:8080"),
                ("host", "evil.example"),
                (CSRF_HEADER, "c5rf"),
            ],
        );
        assert_eq!(code(g.check(&two, true)), Some("AccessDeniedException"));
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same("t0ken-t0ken-t0ken", "t0ken-t0ken-t0ken"));
        for other in [
            "",
            "t0ken-t0ken-t0ke",
            "t0ken-t0ken-t0kenx",
            "T0ken-t0ken-t0ken",
        ] {
            assert!(!same(other, "t0ken-t0ken-t0ken"), "{other}");
        }
    }

    #[test]
    fn tokens() {
        assert!(check_token("short").is_err());
        assert!(check_token("has spaces in it!!").is_err());
        assert!(check_token("abcdefghijklmnop").is_ok());
        assert_eq!(random_hex(16).len(), 32);
        assert_ne!(random_hex(16), random_hex(16));
        assert!(is_api("/api") && is_api("/api/restapis") && !is_api("/apis/x") && !is_api("/"));
    }
}
