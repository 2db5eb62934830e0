//! The web app: files from the dist directory (Trunk's output) with their content types, caching
//! headers and SPA fallback, and `index.html` with the CSRF token injected.
//!
//! - `/`, `/index.html` and any GET that names no file (a deep link such as `/apis/x/stages/prod`):
//!   `index.html` with `<meta name="stagecraft-csrf" content="…">` added before `</head>`,
//!   `Cache-Control: no-cache`.
//! - Hashed assets (`app-1a2b3c4d5e6f7a8b.js`, `…_bg.wasm`): `Cache-Control: public, max-age=31536000,
//!   immutable`; other files `no-cache`. Content types from the extension (`.wasm` → `application/wasm`).
//! - Precompressed copies beside a file (`x.wasm.br`, `x.wasm.gz`, written by the release build's `cargo xtask web-dist`)
//!   are sent to clients whose `Accept-Encoding` allows them, with `Content-Encoding` and
//!   `Vary: Accept-Encoding`; otherwise the file itself.
//! - No dist directory: a small page that says how to build the app.
//! - Nothing outside the dist directory is served: `..` and encoded separators are refused by
//!   `ServeDir`, and a file (or its `.br` / `.gz` copy) that is a symlink leading out of the
//!   directory is treated as missing.
//! - The index's `Content-Security-Policy` allows its own inline scripts by hash
//!   ([`super::headers::inline_script_hashes`]); every other answer gets the default policy.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::ServeState;
use super::error::ServeError;
use super::headers::{Policy, inline_script_hashes};

/// The web app's files.
#[derive(Debug, Clone)]
pub struct Site {
    dir: Option<PathBuf>,
    files: Option<ServeDir>,
    meta: String,
}

impl Site {
    /// Files from `dir` (`None`: the "build the app first" page), with `csrf` injected into the index.
    #[must_use]
    pub fn new(dir: Option<PathBuf>, csrf: &str) -> Self {
        let files = dir.as_ref().map(|d| {
            ServeDir::new(d)
                .append_index_html_on_directories(false)
                .precompressed_br()
                .precompressed_gzip()
        });
        Self {
            dir,
            files,
            meta: format!(r#"<meta name="stagecraft-csrf" content="{csrf}">"#),
        }
    }

    /// Also tells the app where its API calls go, for the stage's invoke URLs: `target` (`aws`,
    /// `endpoint` or `emulator`), the `region`, and the endpoint's URL when there is one.
    #[must_use]
    pub fn with_target(mut self, target: &str, region: &str, endpoint: Option<&str>) -> Self {
        let attr = |v: &str| {
            v.replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        self.meta.push_str(&format!(
            r#"<meta name="stagecraft-target" content="{}"><meta name="stagecraft-region" content="{}">"#,
            attr(target),
            attr(region)
        ));
        if let Some(url) = endpoint {
            self.meta.push_str(&format!(
                r#"<meta name="stagecraft-endpoint" content="{}">"#,
                attr(url)
            ));
        }
        self
    }

    /// Also tells the app which origins may frame it (`--frame-ancestors`): in embed mode it takes
    /// postMessage commands only from them (`<meta name="stagecraft-frame-ancestors">`, space-separated).
    #[must_use]
    pub fn with_frame_ancestors(mut self, origins: &[String]) -> Self {
        if !origins.is_empty() {
            let list = origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/'))
                .collect::<Vec<_>>()
                .join(" ")
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            self.meta.push_str(&format!(
                r#"<meta name="stagecraft-frame-ancestors" content="{list}">"#
            ));
        }
        self
    }

    /// The directory served, if any.
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    async fn index(&self, policy: &Policy) -> Response {
        let html = match &self.dir {
            Some(dir) => tokio::fs::read_to_string(dir.join("index.html")).await.ok(),
            None => None,
        };
        let html = match html {
            Some(html) => inject(&html, &self.meta),
            None => inject(&placeholder(self.dir.as_deref()), &self.meta),
        };
        let csp = policy.csp(&inline_script_hashes(&html));
        let mut response = html.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }

    /// Whether `path` (a request path, still percent-encoded) names nothing that leads out of the
    /// dist directory: the file and its precompressed copies, if they exist, resolve inside it.
    async fn contained(&self, path: &str) -> bool {
        let Some(dir) = &self.dir else {
            return true;
        };
        let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
            return false;
        };
        let Ok(root) = tokio::fs::canonicalize(dir).await else {
            return false;
        };
        let mut file = dir.clone();
        for segment in decoded.split('/').filter(|s| !s.is_empty()) {
            if segment == "." || segment == ".." || segment.contains(['\\', '\0']) {
                return false;
            }
            file.push(segment);
        }
        for suffix in ["", ".br", ".gz"] {
            let mut candidate = file.clone().into_os_string();
            candidate.push(suffix);
            if let Ok(real) = tokio::fs::canonicalize(&candidate).await
                && !real.starts_with(&root)
            {
                return false;
            }
        }
        true
    }
}

/// The static handler (the router's fallback).
pub async fn handle(State(state): State<Arc<ServeState>>, request: Request) -> Response {
    let site = &state.site;
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return ServeError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowedException",
            format!(
                "stagecraft serve: {} is not allowed here (the API is under /api)",
                request.method()
            ),
        )
        .into_response();
    }
    let path = request.uri().path().to_owned();
    let policy = &state.headers;
    let Some(files) = site.files.clone() else {
        return site.index(policy).await;
    };
    if path == "/" || path == "/index.html" || !site.contained(&path).await {
        return site.index(policy).await;
    }
    let response = files.oneshot(request).await.unwrap_or_else(|e| match e {});
    if !response.status().is_success() && response.status() != StatusCode::NOT_MODIFIED {
        // SPA fallback: a deep link, or an asset that no longer exists, gets the app.
        return site.index(policy).await;
    }
    let mut response = response.map(Body::new);
    let cache = if is_hashed(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Adds `meta` before the first `</head>` (or at the start when there is none).
#[must_use]
pub fn inject(html: &str, meta: &str) -> String {
    match html.to_ascii_lowercase().find("</head>") {
        Some(at) => format!("{}{meta}{}", &html[..at], &html[at..]),
        None => format!("{meta}{html}"),
    }
}

/// Whether the file name carries a content hash, as Trunk writes them: `name-<hex ≥ 8>` before the
/// extension (and before `_bg` for wasm).
#[must_use]
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((_, after)) = name.rsplit_once('-') else {
        return false;
    };
    let hash = after.split(['.', '_']).next().unwrap_or_default();
    hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

fn placeholder(dir: Option<&Path>) -> String {
    let looked = dir.map_or_else(|| "dist/".to_owned(), |d| d.display().to_string());
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>stagecraft</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto\">\n\
         <h1>stagecraft serve is running</h1>\n\
         <p>The web app has not been built yet (no <code>index.html</code> in <code>{looked}</code>).</p>\n\
         <p>Run <code>cargo xtask serve</code> (builds it and starts this server), or <code>trunk build --release</code> \
         in the repository and start <code>stagecraft serve --dist dist</code> again.</p>\n\
         <p>The API proxy is already available under <code>/api/</code>.</p>\n</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_goes_before_head_end() {
        assert_eq!(
            inject("<html><head><title>x</title></HEAD><body>", "<m>"),
            "<html><head><title>x</title><m></HEAD><body>"
        );
        assert_eq!(inject("<p>no head</p>", "<m>"), "<m><p>no head</p>");
    }

    #[test]
    fn hashed_names() {
        assert!(is_hashed("/stagecraft-web-3f2a1b9c8d7e6f50.js"));
        assert!(is_hashed("/stagecraft-web-3f2a1b9c8d7e6f50_bg.wasm"));
        assert!(is_hashed("/assets/style-0123abcd.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/favicon.ico"));
        assert!(!is_hashed("/my-styles.css"));
        assert!(!is_hashed("/a-b/c.js"));
    }
}
