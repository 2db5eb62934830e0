//! `stagecraft serve` as a real process on a free port: static files, the proxy to the embedded
//! emulator, to a separate `stagecraft emulator` and to a stub target, and the security rules.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_stagecraft");

/// A child process killed on drop; its stderr goes to a file.
struct Proc {
    child: Child,
    addr: SocketAddr,
    stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl Proc {
    /// Starts `stagecraft ARGS` and waits for the line `PREFIX http://ADDR` on stdout.
    fn start(args: &[&str], env: &[(&str, &str)], prefix: &str) -> Self {
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

    fn serve(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::start(&all, env, "stagecraft serve: ")
    }

    fn emulator(args: &[&str]) -> Self {
        let mut all = vec!["emulator", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::start(&all, &[], "listening on ")
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn log(&self) -> String {
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
struct Browser {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    async fn open(server: &Proc) -> Self {
        let http = reqwest::Client::new();
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

    fn api(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/api{path}", self.base))
            .header("x-stagecraft-csrf", &self.csrf)
    }

    async fn call(
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

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, _, body) = self.call(method.clone(), path, body).await;
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        serde_json::from_slice(&body).unwrap()
    }
}

fn csrf_of(page: &str) -> Option<String> {
    let rest = page
        .split(r#"<meta name="stagecraft-csrf" content=""#)
        .nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

fn error_type(headers: &reqwest::header::HeaderMap) -> &str {
    headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The demo API's id and its stage names, through the proxy.
async fn demo(browser: &Browser) -> (String, Vec<String>) {
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

fn dist() -> tempfile::TempDir {
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

#[tokio::test]
async fn static_files_content_types_caching_and_spa_fallback() {
    let dist = dist();
    let server = Proc::serve(&["--dist", dist.path().to_str().unwrap()], &[]);
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(server.url(path)).send();

    let index = get("/").await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let page = index.text().await.unwrap();
    let csrf = csrf_of(&page).unwrap();
    assert_eq!(csrf.len(), 64);
    assert!(
        page.contains(&format!(
            r#"<meta name="stagecraft-csrf" content="{csrf}"></head>"#
        )),
        "{page}"
    );

    let wasm = get("/stagecraft-web-0123456789abcdef_bg.wasm")
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");
    let js = get("/stagecraft-web-0123456789abcdef.js").await.unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let css = get("/style.css").await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css");
    assert_eq!(css.headers()["cache-control"], "no-cache");

    // Deep links and missing files get the app, with the same token.
    for path in [
        "/apis/abc/stages/prod",
        "/index.html",
        "/gone-0123456789abcdef.js",
    ] {
        let resp = get(path).await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(
            csrf_of(&resp.text().await.unwrap()).as_deref(),
            Some(csrf.as_str()),
            "{path}"
        );
    }
    let post = http.post(server.url("/")).send().await.unwrap();
    assert_eq!(post.status(), 405);
    // Path traversal stays inside dist.
    let traversal = get("/..%2f..%2fCargo.toml").await.unwrap();
    assert_eq!(
        traversal.headers()["content-type"],
        "text/html; charset=utf-8"
    );
}

#[tokio::test]
async fn precompressed_assets_follow_accept_encoding() {
    let dist = dist();
    let wasm = "stagecraft-web-0123456789abcdef_bg.wasm";
    std::fs::write(dist.path().join(format!("{wasm}.br")), b"brotli stream").unwrap();
    std::fs::write(dist.path().join(format!("{wasm}.gz")), b"gzip stream").unwrap();
    let server = Proc::serve(&["--dist", dist.path().to_str().unwrap()], &[]);
    let http = reqwest::Client::new();
    let cases: [(&str, &[u8], Option<&str>); 4] = [
        ("gzip, deflate, br, zstd", b"brotli stream", Some("br")),
        ("gzip", b"gzip stream", Some("gzip")),
        ("identity", b"\0asm\x01\0\0\0", None),
        ("", b"\0asm\x01\0\0\0", None),
    ];
    for (accept, body, encoding) in cases {
        let resp = http
            .get(server.url(&format!("/{wasm}")))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{accept}");
        let headers = resp.headers().clone();
        assert_eq!(headers["content-type"], "application/wasm", "{accept}");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert!(
            headers["vary"]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{accept}"
        );
        assert_eq!(resp.bytes().await.unwrap().as_ref(), body, "{accept}");
    }
    // A file without compressed copies is sent as it is, whatever the client accepts.
    let js = http
        .get(server.url("/stagecraft-web-0123456789abcdef.js"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert!(js.headers().get("content-encoding").is_none());
    assert_eq!(js.text().await.unwrap(), "export default 1;");
}

#[tokio::test]
async fn without_a_built_app_a_help_page_is_served() {
    let server = Proc::serve(&["--dist", "/nonexistent/dist"], &[]);
    let page = reqwest::get(server.url("/apis/x"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("cargo xtask serve"), "{page}");
    assert!(csrf_of(&page).is_some());
}

#[tokio::test]
async fn get_stages_and_update_stage_reach_the_embedded_emulator() {
    let server = Proc::serve(&["--demo"], &[]);
    let browser = Browser::open(&server).await;
    let (api, stages) = demo(&browser).await;
    assert!(stages.contains(&"prod".to_owned()), "{stages:?}");

    let ops = json!({"patchOperations": [
        {"op": "replace", "path": "/description", "value": "changed through serve"},
        {"op": "replace", "path": "/~1pets/GET/caching/ttlInSeconds", "value": "120"}
    ]});
    let updated = browser
        .json(
            Method::PATCH,
            &format!("/restapis/{api}/stages/prod"),
            Some(ops),
        )
        .await;
    assert_eq!(updated["description"], "changed through serve");
    let stage = browser
        .json(Method::GET, &format!("/restapis/{api}/stages/prod"), None)
        .await;
    assert_eq!(stage["description"], "changed through serve");
    assert_eq!(
        stage["methodSettings"]["~1pets/GET"]["cacheTtlInSeconds"],
        120
    );

    // The emulator's own validation error comes back as AWS words it.
    let bad = json!({"patchOperations": [{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "4000"}]});
    let (status, headers, body) = browser
        .call(
            Method::PATCH,
            &format!("/restapis/{api}/stages/prod"),
            Some(bad),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&headers), "BadRequestException");
    assert!(headers.get("x-stagecraft-rejected-by").is_none());
    assert!(
        String::from_utf8_lossy(&body).contains("3600"),
        "{}",
        String::from_utf8_lossy(&body)
    );

    // Other allowlisted reads.
    browser
        .json(
            Method::GET,
            &format!("/restapis/{api}/resources?embed=methods"),
            None,
        )
        .await;
    browser
        .json(Method::GET, &format!("/restapis/{api}/deployments"), None)
        .await;
    let authorizers = browser
        .json(Method::GET, &format!("/restapis/{api}/authorizers"), None)
        .await;
    assert!(!authorizers["item"].as_array().unwrap().is_empty());
    let (status, _, _) = browser
        .call(
            Method::DELETE,
            &format!("/restapis/{api}/stages/prod/cache/authorizers"),
            None,
        )
        .await;
    assert_eq!(status, 202);

    // TestInvokeAuthorizer reaches the demo's built-in function.
    let authorizer = authorizers["item"][0]["id"].as_str().unwrap().to_owned();
    let invoked = browser
        .json(
            Method::POST,
            &format!("/restapis/{api}/authorizers/{authorizer}"),
            Some(json!({"headers": {"Authorization": "allow"}})),
        )
        .await;
    assert_eq!(invoked["clientStatus"], 0, "{invoked}");
    assert!(
        invoked["policy"].as_str().unwrap().contains("Allow"),
        "{invoked}"
    );

    let log = server.log();
    assert!(log.contains("GET GetStages 200 "), "{log}");
    assert!(log.contains("PATCH UpdateStage 200 "), "{log}");
    assert!(log.contains("PATCH UpdateStage 400 "), "{log}");
    assert!(
        !log.contains("AWS4-HMAC-SHA256") && !log.contains("Signature="),
        "{log}"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.log");
    let state = state.to_str().unwrap();
    let ops =
        json!({"patchOperations": [{"op": "replace", "path": "/description", "value": "kept"}]});
    let api = {
        let server = Proc::serve(&["--demo", "--state", state, "--quiet"], &[]);
        let browser = Browser::open(&server).await;
        let (api, _) = demo(&browser).await;
        browser
            .json(
                Method::PATCH,
                &format!("/restapis/{api}/stages/dev"),
                Some(ops),
            )
            .await;
        api
    };
    let server = Proc::serve(&["--demo", "--state", state, "--quiet"], &[]);
    let browser = Browser::open(&server).await;
    let (again, _) = demo(&browser).await;
    assert_eq!(
        again, api,
        "--demo does not seed a second API over the saved one"
    );
    let stage = browser
        .json(Method::GET, &format!("/restapis/{api}/stages/dev"), None)
        .await;
    assert_eq!(stage["description"], "kept");
}

#[test]
fn demo_and_state_need_the_embedded_emulator() {
    let out = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--target",
            "aws",
            "--demo",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--demo and --state apply to the embedded emulator")
    );
}

#[tokio::test]
async fn csrf_origin_allowlist_and_size_rules() {
    let server = Proc::serve(&["--demo", "--quiet"], &[]);
    let browser = Browser::open(&server).await;
    let (api, _) = demo(&browser).await;
    let stage = format!("{}/api/restapis/{api}/stages/prod", browser.base);
    let http = &browser.http;

    let refused = |resp: reqwest::Response, why: &'static str| async move {
        assert_eq!(resp.status(), 403, "{why}");
        assert_eq!(error_type(resp.headers()), "AccessDeniedException", "{why}");
        assert_eq!(resp.headers()["x-stagecraft-rejected-by"], "serve", "{why}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("stagecraft serve: "),
            "{why}: {body}"
        );
    };
    refused(http.get(&stage).send().await.unwrap(), "missing CSRF").await;
    refused(
        http.get(&stage)
            .header("x-stagecraft-csrf", "0".repeat(64))
            .send()
            .await
            .unwrap(),
        "wrong CSRF",
    )
    .await;
    refused(
        http.get(&stage)
            .header("x-stagecraft-csrf", &browser.csrf)
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap(),
        "foreign Origin",
    )
    .await;
    refused(
        http.get(&stage)
            .header("x-stagecraft-csrf", &browser.csrf)
            .header("host", "rebound.example")
            .send()
            .await
            .unwrap(),
        "foreign Host",
    )
    .await;
    let same_origin = browser
        .api(Method::GET, &format!("/restapis/{api}/stages/prod"))
        .header("origin", &browser.base);
    assert_eq!(same_origin.send().await.unwrap().status(), 200);

    for (method, path) in [
        (Method::POST, "/restapis".to_owned()),
        (Method::DELETE, format!("/restapis/{api}")),
        (
            Method::PUT,
            format!("/restapis/{api}/resources/abc/methods/GET"),
        ),
        (Method::DELETE, format!("/restapis/{api}/deployments/abc")),
        (Method::GET, "/apikeys".to_owned()),
        (Method::GET, format!("/restapis/{api}/stages/%2E%2E/%2E%2E")),
    ] {
        refused(
            browser.api(method, &path).send().await.unwrap(),
            "not allowlisted",
        )
        .await;
    }

    let big = vec![b' '; 1024 * 1024 + 1];
    let resp = browser
        .api(Method::PATCH, &format!("/restapis/{api}/stages/prod"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(error_type(resp.headers()), "RequestEntityTooLargeException");
    // Exactly 1 MiB is forwarded (and the emulator says what it thinks of it).
    let edge = vec![b' '; 1024 * 1024];
    let resp = browser
        .api(Method::PATCH, &format!("/restapis/{api}/stages/prod"))
        .body(edge)
        .send()
        .await
        .unwrap();
    assert_ne!(resp.status(), 413);
}

#[test]
fn non_loopback_addresses_need_allow_remote_and_a_token() {
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--allow-remote"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0", "--allow-remote"])
        .env_remove("STAGECRAFT_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token"));
}

#[tokio::test]
async fn remote_mode_requires_the_bearer_token() {
    let token = "a-long-enough-token-123";
    let server = Proc::serve(&["--allow-remote", "--token", token, "--quiet"], &[]);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(
        http.get(server.url("/")).send().await.unwrap().status(),
        401
    );
    let page = http
        .get(server.url("/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = csrf_of(&page.text().await.unwrap()).unwrap();
    let login = http
        .get(server.url(&format!("/?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let api = http
        .get(server.url("/api/restapis"))
        .header("cookie", cookie)
        .header("x-stagecraft-csrf", &csrf);
    assert_eq!(api.send().await.unwrap().status(), 200);
    let no_token = http
        .get(server.url("/api/restapis"))
        .header("x-stagecraft-csrf", &csrf);
    assert_eq!(no_token.send().await.unwrap().status(), 401);
}

/// Signs a request for the emulator directly, as boto3 would.
fn signed(
    http: &reqwest::Client,
    method: Method,
    base: &SocketAddr,
    path: &str,
    keys: (&str, &str),
) -> reqwest::RequestBuilder {
    let host = base.to_string();
    let identity: Identity = Credentials::new(keys.0, keys.1, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("apigateway")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers = [("host", host.as_str())];
    let signable = SignableRequest::new(
        method.as_str(),
        path,
        headers.into_iter(),
        SignableBody::Bytes(b""),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let (signed, _) = instructions.into_parts();
    let mut req = http.request(method, format!("http://{host}{path}"));
    for h in signed {
        req = req.header(h.name(), h.value());
    }
    req
}

#[tokio::test]
async fn signatures_are_real_against_a_separate_emulator() {
    let emulator = Proc::emulator(&[
        "--demo",
        "--access-key",
        "AKIDSEPARATE",
        "--secret-key",
        "s3cr3t-separate",
    ]);
    let endpoint = emulator.url("");
    let creds = [
        ("AWS_ACCESS_KEY_ID", "AKIDSEPARATE"),
        ("AWS_SECRET_ACCESS_KEY", "s3cr3t-separate"),
    ];
    let server = Proc::serve(&["--endpoint", &endpoint, "--region", "us-east-1"], &creds);
    let browser = Browser::open(&server).await;
    let (api, stages) = demo(&browser).await;
    assert!(stages.contains(&"prod".to_owned()));
    let ops = json!({"patchOperations": [{"op": "replace", "path": "/variables/color", "value": "blue"}]});
    browser
        .json(
            Method::PATCH,
            &format!("/restapis/{api}/stages/prod"),
            Some(ops),
        )
        .await;

    // The change is really in the other process.
    let http = reqwest::Client::new();
    let direct = signed(
        &http,
        Method::GET,
        &emulator.addr,
        &format!("/restapis/{api}/stages/prod"),
        ("AKIDSEPARATE", "s3cr3t-separate"),
    );
    let stage: Value = direct.send().await.unwrap().json().await.unwrap();
    assert_eq!(stage["variables"]["color"], "blue");

    // An AWS error passes through byte-identical: same status, type and body as asked directly.
    for path in [
        format!("/restapis/{api}/stages/nope"),
        "/restapis/nope/stages".to_owned(),
    ] {
        let direct = signed(
            &http,
            Method::GET,
            &emulator.addr,
            &path,
            ("AKIDSEPARATE", "s3cr3t-separate"),
        )
        .send()
        .await
        .unwrap();
        let (d_status, d_type) = (direct.status(), error_type(direct.headers()).to_owned());
        let d_body = direct.bytes().await.unwrap();
        let (status, headers, body) = browser.call(Method::GET, &path, None).await;
        assert_eq!(d_status, 404);
        assert_eq!((status, error_type(&headers)), (d_status, d_type.as_str()));
        assert_eq!(body, d_body.as_ref());
    }

    // Wrong credentials: the emulator's 403s, passed through.
    let wrong_secret = Proc::serve(
        &["--endpoint", &endpoint, "--region", "us-east-1"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDSEPARATE"),
            ("AWS_SECRET_ACCESS_KEY", "wrong"),
        ],
    );
    let b = Browser::open(&wrong_secret).await;
    let (status, headers, body) = b.call(Method::GET, "/restapis", None).await;
    assert_eq!(
        (status.as_u16(), error_type(&headers)),
        (403, "InvalidSignatureException")
    );
    assert!(headers.get("x-stagecraft-rejected-by").is_none());
    assert!(
        String::from_utf8_lossy(&body)
            .contains("The request signature we calculated does not match")
    );
    let wrong_key = Proc::serve(
        &["--endpoint", &endpoint, "--region", "us-east-1"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDOTHER"),
            ("AWS_SECRET_ACCESS_KEY", "s3cr3t-separate"),
        ],
    );
    let b = Browser::open(&wrong_key).await;
    let (status, headers, _) = b.call(Method::GET, "/restapis", None).await;
    assert_eq!(
        (status.as_u16(), error_type(&headers)),
        (403, "UnrecognizedClientException")
    );
}

#[tokio::test]
async fn short_lived_profile_credentials_are_refreshed() {
    let emulator = Proc::emulator(&[
        "--demo",
        "--access-key",
        "AKIDPROCESS",
        "--secret-key",
        "from-process",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    let script = dir.path().join("creds.sh");
    // Credentials that expire in two minutes: inside the five-minute refresh window, so every call refreshes.
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho x >> {}\nexp=$(date -u -d '+2 min' +%Y-%m-%dT%H:%M:%SZ)\n\
             printf '{{\"Version\":1,\"AccessKeyId\":\"AKIDPROCESS\",\"SecretAccessKey\":\"from-process\",\"SessionToken\":\"tok\",\"Expiration\":\"%s\"}}' \"$exp\"\n",
            calls.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile short]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    let server = Proc::serve(
        &["--endpoint", &emulator.url(""), "--profile", "short"],
        &[("AWS_CONFIG_FILE", config.to_str().unwrap())],
    );
    let browser = Browser::open(&server).await;
    for _ in 0..3 {
        browser.json(Method::GET, "/restapis", None).await;
    }
    let count = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert!(
        count(&calls) >= 3,
        "credential_process ran {} times",
        count(&calls)
    );
}

/// A stub API Gateway: `/restapis/{api}/stages/once` answers 429 once then 200, `…/always` always
/// 429, `…/error` a fixed AWS-style error. It records the headers it saw.
struct Stub {
    addr: SocketAddr,
    hits: Arc<AtomicU32>,
    seen: Arc<Mutex<Vec<reqwest::header::HeaderMap>>>,
}

const STUB_ERROR: &str = "{\"message\":\"Stage  \\u00e9 not \\\"found\\\"\" , \"__type\": \"x\"}\n";

async fn stub() -> Stub {
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

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried_and_errors_pass_through_unchanged() {
    let stub = stub().await;
    let creds = [
        ("AWS_ACCESS_KEY_ID", "AKIDSTUB"),
        ("AWS_SECRET_ACCESS_KEY", "stub"),
        ("AWS_REGION", "eu-west-1"),
    ];
    let server = Proc::serve(&["--endpoint", &format!("http://{}", stub.addr)], &creds);
    let browser = Browser::open(&server).await;

    let (status, _, body) = browser
        .call(Method::GET, "/restapis/a1/stages/once", None)
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(stub.hits.load(Ordering::SeqCst), 2);

    stub.hits.store(0, Ordering::SeqCst);
    let started = Instant::now();
    let (status, headers, body) = browser
        .call(Method::GET, "/restapis/a1/stages/always", None)
        .await;
    assert_eq!(status, 429);
    assert_eq!(error_type(&headers), "TooManyRequestsException");
    assert_eq!(body, b"{\"message\":\"Too Many Requests\"}");
    assert_eq!(stub.hits.load(Ordering::SeqCst), 4, "1 try + 3 retries");
    assert!(started.elapsed() < Duration::from_secs(5));

    let (status, headers, body) = browser
        .call(Method::GET, "/restapis/a1/stages/error", None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        error_type(&headers),
        "NotFoundException:http://internal.amazon.com/coral/"
    );
    assert_eq!(headers["x-amzn-requestid"], "abc-123");
    assert_eq!(body, STUB_ERROR.as_bytes());

    // What the target saw: a SigV4 signature for eu-west-1, none of the browser's own headers.
    let seen = stub.seen.lock().unwrap();
    let last = seen.last().unwrap();
    let auth = last["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDSTUB/"),
        "{auth}"
    );
    assert!(
        auth.contains("/eu-west-1/apigateway/aws4_request"),
        "{auth}"
    );
    assert_eq!(last["host"], stub.addr.to_string());
    assert!(
        last.get("x-stagecraft-csrf").is_none()
            && last.get("cookie").is_none()
            && last.get("origin").is_none()
    );

    let log = server.log();
    assert!(
        log.contains("GET GetStage 200 ") && log.contains("(2 attempts)"),
        "{log}"
    );
    assert!(
        log.contains("GET GetStage 429 ") && log.contains("(4 attempts)"),
        "{log}"
    );
    assert!(
        !log.contains("AKIDSTUB") && !log.contains("Signature="),
        "{log}"
    );
}

#[tokio::test]
async fn an_unreachable_target_is_a_clear_502() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let creds = [("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "B")];
    let server = Proc::serve(
        &["--endpoint", &format!("http://{closed}"), "--quiet"],
        &creds,
    );
    let browser = Browser::open(&server).await;
    let (status, headers, _) = browser.call(Method::GET, "/restapis", None).await;
    assert_eq!(status, 502);
    assert_eq!(error_type(&headers), "BadGatewayException");
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let mut server = Proc::serve(&["--quiet"], &[]);
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
