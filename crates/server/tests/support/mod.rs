//! What the `stagecraft serve` tests share: the binary as a child process, a browser-like client,
//! a stub API Gateway and request signing. Each test file uses part of it.
#![allow(dead_code)]

pub mod hostile;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use stagecraft_sigv4::Signer;

/// The `stagecraft` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_stagecraft");

/// A child process killed on drop; its stderr goes to a file.
pub struct Proc {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl Proc {
    /// Starts `stagecraft ARGS` and waits for the line `PREFIX http://ADDR` on stdout.
    pub fn start(args: &[&str], env: &[(&str, &str)], prefix: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let stderr = dir.path().join("stderr.log");
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            // The AWS chain must see only what a test gives it.
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("no-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let Some(addr) = line
            .trim()
            .strip_prefix(prefix)
            .and_then(|a| a.strip_prefix("http://"))
        else {
            let _ = child.kill();
            panic!(
                "`stagecraft {args:?}` printed {line:?}; stderr: {}",
                std::fs::read_to_string(&stderr).unwrap()
            );
        };
        Self {
            addr: addr.parse().unwrap(),
            child,
            stderr,
            _dir: dir,
        }
    }

    /// Starts `stagecraft serve` on a free loopback port.
    pub fn serve(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::start(&all, env, "stagecraft serve: ")
    }

    /// Starts `stagecraft emulator` on a free loopback port.
    pub fn emulator(args: &[&str]) -> Self {
        let mut all = vec!["emulator", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::start(&all, &[], "listening on ")
    }

    /// `http://ADDR` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything the process wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like client of one `stagecraft serve`: it knows the CSRF token from the page.
#[derive(Clone)]
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    /// Loads the page and keeps its CSRF token.
    pub async fn open(server: &Proc) -> Self {
        Self::open_with(server, reqwest::Client::new()).await
    }

    /// [`Browser::open`] with a client of the caller's (default headers, …).
    pub async fn open_with(server: &Proc, http: reqwest::Client) -> Self {
        let page = http
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page).unwrap_or_else(|| panic!("no CSRF meta in {page}"));
        Self {
            http,
            base: server.url(""),
            csrf,
        }
    }

    /// A request to `/api{path}` with the CSRF header.
    pub fn api(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/api{path}", self.base))
            .header("x-stagecraft-csrf", &self.csrf)
    }

    /// Sends an API call; status, headers and body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.api(method, path);
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let resp = req.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, headers, resp.bytes().await.unwrap().to_vec())
    }

    /// Sends an API call that must succeed; its JSON body.
    pub async fn json(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, _, body) = self.call(method.clone(), path, body).await;
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        serde_json::from_slice(&body).unwrap()
    }
}

/// The CSRF token in a served page.
pub fn csrf_of(page: &str) -> Option<String> {
    let rest = page
        .split(r#"<meta name="stagecraft-csrf" content=""#)
        .nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

/// The `x-amzn-errortype` header, or "".
pub fn error_type(headers: &reqwest::header::HeaderMap) -> &str {
    headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The demo API's id and its stage names, through the proxy.
pub async fn demo(browser: &Browser) -> (String, Vec<String>) {
    let apis = browser.json(Method::GET, "/restapis", None).await;
    let api = apis["item"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "petstore-demo")
        .expect("demo API");
    let id = api["id"].as_str().unwrap().to_owned();
    let stages = browser
        .json(Method::GET, &format!("/restapis/{id}/stages"), None)
        .await;
    let names = stages["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stageName"].as_str().unwrap().to_owned())
        .collect();
    (id, names)
}

/// A minimal built web app: page, hashed WASM and JS, a stylesheet.
pub fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write =
        |name: &str, content: &[u8]| std::fs::write(dir.path().join(name), content).unwrap();
    write(
        "index.html",
        b"<!doctype html><html><head><title>stagecraft</title></head><body></body></html>",
    );
    write(
        "stagecraft-web-0123456789abcdef_bg.wasm",
        b"\0asm\x01\0\0\0",
    );
    write("stagecraft-web-0123456789abcdef.js", b"export default 1;");
    write("style.css", b"body{}");
    dir
}

/// Signs a request for the emulator directly, as boto3 would.
pub fn signed(
    http: &reqwest::Client,
    method: Method,
    base: &SocketAddr,
    path: &str,
    keys: (&str, &str),
) -> reqwest::RequestBuilder {
    let host = base.to_string();
    let signed = Signer::new(keys.0, keys.1, "us-east-1", "apigateway")
        .headers(
            method.as_str(),
            path,
            &[("host", host.as_str())],
            b"",
            SystemTime::now(),
        )
        .unwrap();
    let mut req = http.request(method, format!("http://{host}{path}"));
    for (name, value) in signed {
        req = req.header(name, value);
    }
    req
}

/// A stub API Gateway: `/restapis/{api}/stages/once` answers 429 once then 200, `…/always` always
/// 429, `…/error` a fixed AWS-style error. It records the headers it saw.
pub struct Stub {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicU32>,
    pub seen: Arc<Mutex<Vec<reqwest::header::HeaderMap>>>,
}

/// The body of the stub's `…/error` answer, with odd spacing and escapes to show it passes unchanged.
pub const STUB_ERROR: &str =
    "{\"message\":\"Stage  \\u00e9 not \\\"found\\\"\" , \"__type\": \"x\"}\n";

/// Starts a [`Stub`] on a free loopback port.
pub async fn stub() -> Stub {
    use axum::http::{HeaderMap, StatusCode as S};
    use axum::response::IntoResponse;
    let hits = Arc::new(AtomicU32::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (h, s) = (hits.clone(), seen.clone());
    let app = axum::Router::new().route(
        "/restapis/{api}/stages/{stage}",
        axum::routing::get(
            move |axum::extract::Path((_, stage)): axum::extract::Path<(String, String)>,
                  headers: HeaderMap| {
                let n = h.fetch_add(1, Ordering::SeqCst);
                s.lock().unwrap().push(headers);
                async move {
                    let throttled = || {
                        (
                            S::TOO_MANY_REQUESTS,
                            [
                                ("x-amzn-errortype", "TooManyRequestsException"),
                                ("retry-after", "0"),
                            ],
                            "{\"message\":\"Too Many Requests\"}",
                        )
                            .into_response()
                    };
                    match stage.as_str() {
                        "once" if n == 0 => throttled(),
                        "always" => throttled(),
                        "error" => (
                            S::NOT_FOUND,
                            [
                                (
                                    "x-amzn-errortype",
                                    "NotFoundException:http://internal.amazon.com/coral/",
                                ),
                                ("x-amzn-requestid", "abc-123"),
                            ],
                            STUB_ERROR,
                        )
                            .into_response(),
                        _ => (
                            S::OK,
                            [("content-type", "application/json")],
                            "{\"stageName\":\"once\"}",
                        )
                            .into_response(),
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Stub { addr, hits, seen }
}
