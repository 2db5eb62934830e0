//! `stagecraft serve` answers only its user: attacks from other sites (DNS rebinding, CSRF, foreign
//! origins, CORS reads, framing), allowlist bypasses and SSRF attempts, escapes from `--dist`, and
//! the `--allow-remote` token. Each runs against the real binary over real HTTP; requests that no
//! browser library would send go over raw TCP.

mod support;

use std::process::Command;

use reqwest::Method;
use sha2::{Digest, Sha256};

use support::hostile::{Raw, Target, raw, request};
use support::{BIN, Browser, Proc, csrf_of};

const CREDS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDATTACK"),
    ("AWS_SECRET_ACCESS_KEY", "attack-secret"),
];

/// A server in front of a recording [`Target`], and a browser that loaded its page.
async fn behind_target(extra: &[&str]) -> (Target, Proc, Browser) {
    let target = Target::start().await;
    let url = target.url();
    let mut args = vec![
        "--endpoint",
        url.as_str(),
        "--region",
        "us-east-1",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let server = Proc::serve(&args, &CREDS);
    let browser = Browser::open(&server).await;
    (target, server, browser)
}

fn refused_by_serve(answer: &Raw, why: &str) {
    assert!(
        answer.status == 403 || answer.status == 400,
        "{why}: {}",
        answer.text()
    );
    if answer.status == 403 {
        assert_eq!(
            answer.header("x-stagecraft-rejected-by"),
            Some("serve"),
            "{why}"
        );
    }
}

#[tokio::test]
async fn dns_rebinding_hosts_are_refused() {
    let (target, server, browser) = behind_target(&[]).await;
    let port = server.addr.port();
    let csrf = browser.csrf.as_str();
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("127.0.0.2:{port}"),
        format!("0.0.0.0:{port}"),
        String::new(),
    ] {
        for path in ["/", "/apis/x/stages/prod", "/api/restapis"] {
            let mut text = format!(
                "GET {path} HTTP/1.1\r\nhost: {host}\r\nx-stagecraft-csrf: {csrf}\r\nconnection: close\r\n\r\n"
            );
            let answer = raw(server.addr, text.as_bytes()).await;
            refused_by_serve(&answer, &format!("Host `{host}` {path}"));
            // The page (and so its CSRF token) is not handed to a rebound origin.
            assert!(!answer.text().contains(csrf), "Host `{host}` {path}");
            // HTTP/1.0 without any Host.
            text = format!("GET {path} HTTP/1.0\r\nx-stagecraft-csrf: {csrf}\r\n\r\n");
            let answer = raw(server.addr, text.as_bytes()).await;
            refused_by_serve(&answer, &format!("no Host, {path}"));
        }
    }
    // Two Host headers, the first one right.
    let two = format!(
        "GET /api/restapis HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nhost: evil.example\r\nx-stagecraft-csrf: {csrf}\r\nconnection: close\r\n\r\n"
    );
    let answer = raw(server.addr, two.as_bytes()).await;
    assert_ne!(answer.status, 200, "{}", answer.text());
    assert!(target.seen().is_empty(), "{:?}", target.seen());
    // The names a user types are accepted.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
    ] {
        let text = format!(
            "GET /api/restapis HTTP/1.1\r\nhost: {host}\r\nx-stagecraft-csrf: {csrf}\r\nconnection: close\r\n\r\n"
        );
        let answer = raw(server.addr, text.as_bytes()).await;
        assert_eq!(answer.status, 200, "{host}: {}", answer.text());
    }
}

#[tokio::test]
async fn absolute_form_and_connect_targets_are_refused() {
    let (target, server, browser) = behind_target(&[]).await;
    let evil = Target::start().await;
    let csrf = [("x-stagecraft-csrf", browser.csrf.as_str())];
    for (method, request_target) in [
        ("GET", format!("http://{}/api/restapis", evil.addr)),
        ("GET", format!("http://{}/api/restapis", server.addr)),
        ("GET", format!("http://{}/", server.addr)),
        ("CONNECT", evil.addr.to_string()),
    ] {
        let answer = raw(
            server.addr,
            &request(method, &request_target, server.addr, &csrf),
        )
        .await;
        assert_ne!(
            answer.status,
            200,
            "{method} {request_target}: {}",
            answer.text()
        );
        assert!(!answer.text().contains(&browser.csrf), "{request_target}");
    }
    assert!(evil.seen().is_empty() && target.seen().is_empty());
}

#[tokio::test]
async fn every_forwarded_call_needs_the_csrf_token() {
    let (target, server, browser) = behind_target(&[]).await;
    let operations = [
        ("GET", "/restapis"),
        ("GET", "/restapis/a1"),
        ("GET", "/restapis/a1/resources"),
        ("GET", "/restapis/a1/stages"),
        ("GET", "/restapis/a1/stages/prod"),
        ("GET", "/restapis/a1/deployments"),
        ("GET", "/restapis/a1/authorizers"),
        (
            "GET",
            "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fa1%2Fstages%2Fprod",
        ),
        ("PATCH", "/restapis/a1/stages/prod"),
        ("POST", "/restapis/a1/stages"),
        ("POST", "/restapis/a1/deployments"),
        ("DELETE", "/restapis/a1/stages/prod"),
        ("DELETE", "/restapis/a1/stages/prod/cache/data"),
        ("DELETE", "/restapis/a1/stages/prod/cache/authorizers"),
        ("POST", "/restapis/a1/authorizers/z9"),
    ];
    let token = browser.csrf.clone();
    let mut upper = token.to_ascii_uppercase();
    if upper == token {
        upper = format!("{}0", &token[..token.len() - 1]);
    }
    let wrong = [
        None,
        Some(String::new()),
        Some("0".repeat(token.len())),
        Some(token[..token.len() - 1].to_owned()),
        Some(format!("{token}0")),
        Some(format!(" {token}x")),
        Some(upper),
    ];
    let http = reqwest::Client::new();
    for (method, path) in operations {
        let url = server.url(&format!("/api{path}"));
        let method: Method = method.parse().unwrap();
        for given in &wrong {
            let mut req = http.request(method.clone(), &url).body("{}");
            if let Some(t) = given {
                req = req.header("x-stagecraft-csrf", t);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 403, "{method} {path} with {given:?}");
        }
        // Elsewhere than the header: query, cookie.
        let sneaky = http
            .request(method.clone(), format!("{url}?x-stagecraft-csrf={token}"))
            .header(
                "cookie",
                format!("x-stagecraft-csrf={token}; stagecraft-csrf={token}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(sneaky.status(), 403, "{method} {path}");
    }
    assert!(target.seen().is_empty(), "{:?}", target.seen());
    // With the token they all pass.
    for (method, path) in operations {
        let resp = browser
            .api(method.parse().unwrap(), path)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{method} {path}");
    }
    assert_eq!(target.seen().len(), operations.len());
}

#[tokio::test]
async fn foreign_origins_are_refused_and_nothing_is_readable_cross_origin() {
    let (target, server, browser) = behind_target(&[]).await;
    let port = server.addr.port();
    for origin in [
        "http://evil.example".to_owned(),
        "null".to_owned(),
        format!("http://127.0.0.1:{port}.evil.example"),
        format!("http://evil.example/127.0.0.1:{port}"),
        format!("https://127.0.0.1:{port}"),
        format!("http://localhost:{}", port.wrapping_add(1)),
        format!("http://127.0.0.1:{port}@evil.example"),
    ] {
        for method in [Method::GET, Method::PATCH] {
            let resp = browser
                .api(method.clone(), "/restapis/a1/stages/prod")
                .header("origin", &origin)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 403, "{method} from {origin}");
            assert!(resp.headers().get("access-control-allow-origin").is_none());
        }
    }
    assert!(target.seen().is_empty(), "{:?}", target.seen());
    // A CORS preflight gets no grant, and no answer ever carries one.
    let http = reqwest::Client::new();
    for (method, path) in [
        (Method::OPTIONS, "/api/restapis"),
        (Method::GET, "/api/restapis"),
        (Method::GET, "/"),
        (Method::GET, "/index.html"),
    ] {
        let resp = http
            .request(method.clone(), server.url(path))
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "x-stagecraft-csrf")
            .header("x-stagecraft-csrf", &browser.csrf)
            .send()
            .await
            .unwrap();
        let headers = resp.headers();
        assert!(
            headers
                .keys()
                .all(|k| !k.as_str().starts_with("access-control-")),
            "{method} {path}: {headers:?}"
        );
        assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
    }
}

#[tokio::test]
async fn the_allowlist_cannot_be_bypassed() {
    let (target, server, browser) = behind_target(&[]).await;
    let csrf = [("x-stagecraft-csrf", browser.csrf.as_str())];
    let refused_paths = [
        "/api/apikeys",
        "/api/restapis/a1%2Fstages",
        "/api/restapis/a1%2fstages/prod",
        "/api/restapis/a1/stages/%2e%2e",
        "/api/restapis/a1/stages/%2E%2E/%2E%2E/apikeys",
        "/api/restapis/a1/stages/.%2e",
        "/api/restapis/a1/stages/../../../apikeys",
        "/api/restapis/a1/stages/prod/../../../../apikeys",
        "/api/restapis/..;/apikeys",
        "/api/restapis/a1/stages/..;/x",
        "/api/restapis/a1/stages/prod;/x",
        "/api//restapis",
        "/api/restapis//a1",
        "/api/restapis/a1/stages/prod/",
        "/api/RestApis",
        "/api/RESTAPIS/a1/stages",
        "/api/restapis%3F/x",
        "/api/restapis/a1%3Fx/stages",
        "/api/restapis/a1/stages/prod%23/../../apikeys",
        "/api/restapis/%252e%252e/stages",
        "/api/restapis/a1%5C..%5C..%5Capikeys/stages",
        "/api/restapis/a1/stages/prod%00",
        "/api/%2e%2e/restapis",
        "/api/%2e%2e/apikeys",
        "/api/restapis/@evil.example/stages",
        "/api/restapis/a1/stages/prod@evil.example",
        "/api/restapis%2F%2Fevil.example",
        "/api/tags/arn%3Aaws%2F..%2F..%2Fapikeys",
        "/api/tags/apikeys",
    ];
    for path in refused_paths {
        let answer = raw(server.addr, &request("GET", path, server.addr, &csrf)).await;
        assert!(
            answer.status == 403 || answer.status == 400,
            "GET {path}: {}",
            answer.text()
        );
    }
    // Not under /api at all (case, encoding): the app's page, never the proxy.
    for path in [
        "/API/restapis",
        "/Api/restapis",
        "/%61pi/restapis",
        "/api%2Frestapis",
    ] {
        let answer = raw(server.addr, &request("GET", path, server.addr, &csrf)).await;
        assert!(
            answer.status != 200 || answer.text().contains("<html"),
            "GET {path}: {}",
            answer.text()
        );
    }
    // Methods: exact, no override.
    for method in [
        "delete", "HEAD", "PUT", "TRACE", "OPTIONS", "PROPFIND", "POST",
    ] {
        let answer = raw(
            server.addr,
            &request(
                method,
                "/api/restapis/a1/stages/prod/cache/data",
                server.addr,
                &csrf,
            ),
        )
        .await;
        assert!(answer.status >= 400, "{method}: {}", answer.text());
    }
    assert!(target.seen().is_empty(), "{:?}", target.seen());

    let overrides = [
        ("x-http-method-override", "DELETE"),
        ("x-http-method", "DELETE"),
        ("x-method-override", "DELETE"),
        ("x-original-url", "/apikeys"),
        ("x-rewrite-url", "/apikeys"),
        ("x-forwarded-host", "evil.example"),
        ("x-amz-target", "APIGateway.DeleteRestApi"),
    ];
    let mut req = browser.api(Method::GET, "/restapis/a1/stages/prod?_method=DELETE");
    for (k, v) in overrides {
        req = req.header(k, v);
    }
    assert_eq!(req.send().await.unwrap().status(), 200);
    // `?` and `#` after a valid path stay query and fragment.
    for path in ["/api/restapis?/../apikeys", "/api/restapis#/../apikeys"] {
        let answer = raw(server.addr, &request("GET", path, server.addr, &csrf)).await;
        assert!(
            answer.status == 200 || answer.status == 400,
            "{path}: {}",
            answer.text()
        );
    }
    let seen = target.seen();
    assert!(!seen.is_empty());
    for s in &seen {
        let path = s.target.split('?').next().unwrap();
        assert!(
            (s.method == "GET" && (path == "/restapis/a1/stages/prod" || path == "/restapis")),
            "{s:?}"
        );
        for (k, _) in overrides {
            assert!(
                s.headers.iter().all(|(h, _)| h != k),
                "{k} forwarded: {s:?}"
            );
        }
    }
}

#[tokio::test]
async fn no_path_reaches_another_host_or_service() {
    let target = Target::start().await;
    let evil = Target::start().await;
    let endpoint = format!("{}/prefix", target.url());
    let server = Proc::serve(&["--endpoint", &endpoint, "--quiet"], &CREDS);
    let browser = Browser::open(&server).await;
    let csrf = [("x-stagecraft-csrf", browser.csrf.as_str())];
    let e = evil.addr;
    for path in [
        format!("/api/restapis/a1:x@{e}/stages"),
        format!("/api/restapis/{e}/stages/..%2F..%2F..%2F"),
        format!("/api/restapis%2F%2F{e}%2Frestapis"),
        format!("/api/restapis/a1/stages/prod%40{e}"),
        format!("/api/tags/arn%3Aaws%3A%2F%2F{e}%2F..%2Fx"),
        format!("/api/http://{e}/restapis"),
        format!("/api/restapis?@{e}/"),
    ] {
        let _ = raw(server.addr, &request("GET", &path, server.addr, &csrf)).await;
    }
    let _ = raw(
        server.addr,
        &request(
            "GET",
            &format!("http://{e}/api/restapis"),
            server.addr,
            &csrf,
        ),
    )
    .await;
    assert!(evil.seen().is_empty(), "{:?}", evil.seen());
    for s in target.seen() {
        assert!(s.target.starts_with("/prefix/restapis"), "{s:?}");
        let host = s
            .headers
            .iter()
            .find(|(k, _)| k == "host")
            .map(|(_, v)| v.as_str());
        assert_eq!(host, Some(target.addr.to_string().as_str()));
    }
}

fn sha256_source(script: &str) -> String {
    use base64::Engine;
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

/// A dist whose index has an inline loader, as Trunk writes one.
fn dist_with_loader() -> (tempfile::TempDir, &'static str) {
    let dist = support::dist();
    let loader = "\nimport init from '/stagecraft-web-0123456789abcdef.js';\nawait init();\n";
    std::fs::write(
        dist.path().join("index.html"),
        format!(
            "<!doctype html><html><head><title>stagecraft</title>\
             <script type=\"module\">{loader}</script></head><body></body></html>"
        ),
    )
    .unwrap();
    (dist, loader)
}

fn check_common(headers: &reqwest::header::HeaderMap, what: &str) {
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "same-origin", "{what}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"),
        "{what}: {csp}"
    );
    assert!(
        !csp.contains("'unsafe-eval'") && !csp.contains("script-src *"),
        "{what}: {csp}"
    );
    assert!(
        !csp.contains("script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'"),
        "{what}: {csp}"
    );
}

#[tokio::test]
async fn framing_is_refused_and_every_answer_has_the_security_headers() {
    let (dist, loader) = dist_with_loader();
    let server = Proc::serve(
        &["--demo", "--quiet", "--dist", dist.path().to_str().unwrap()],
        &[],
    );
    let browser = Browser::open(&server).await;
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    for path in [
        "/",
        "/apis/x/stages/prod",
        "/stagecraft-web-0123456789abcdef.js",
        "/stagecraft-web-0123456789abcdef_bg.wasm",
        "/style.css",
        "/api/restapis",
    ] {
        answers.push((
            path.to_owned(),
            http.get(server.url(path)).send().await.unwrap(),
        ));
    }
    answers.push((
        "csrf ok".into(),
        browser.api(Method::GET, "/restapis").send().await.unwrap(),
    ));
    answers.push((
        "target 404".into(),
        browser
            .api(Method::GET, "/restapis/nope/stages")
            .send()
            .await
            .unwrap(),
    ));
    answers.push((
        "POST /".into(),
        http.post(server.url("/")).send().await.unwrap(),
    ));
    let mut heads: Vec<(String, reqwest::header::HeaderMap)> = answers
        .iter()
        .map(|(what, resp)| (what.clone(), resp.headers().clone()))
        .collect();
    // A declared 2 MiB body: only the head is sent. The server refuses by the declared length and closes
    // without reading a body, so a client still writing one could see its upload cut (EPIPE) before it
    // reads the answer; with no body in flight the answer always arrives.
    let refused = raw(
        server.addr,
        &request(
            "PATCH",
            "/api/restapis/x/stages/y",
            server.addr,
            &[("content-length", "2097152")],
        ),
    )
    .await;
    assert_eq!(refused.status, 413, "{}", refused.text());
    heads.push(("413".into(), refused.headers()));
    for (what, headers) in &heads {
        check_common(headers, what);
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.ends_with("frame-ancestors 'none'"), "{what}: {csp}");
        assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    }
    // The page's inline loader runs by its hash, and nothing else inline.
    let index = &answers[0].1;
    let csp = index.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' {};",
            sha256_source(loader)
        )),
        "{csp}"
    );
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");

    // Named portals may frame it; X-Frame-Options cannot say that, so it is left out.
    let server = Proc::serve(
        &[
            "--quiet",
            "--dist",
            dist.path().to_str().unwrap(),
            "--frame-ancestors",
            "https://portal.example.com",
            "--frame-ancestors",
            "https://*.corp.example,http://127.0.0.1:9000",
        ],
        &[],
    );
    let resp = http.get(server.url("/?embed=1")).send().await.unwrap();
    let headers = resp.headers();
    check_common(headers, "embed");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.ends_with("frame-ancestors https://portal.example.com https://*.corp.example http://127.0.0.1:9000"),
        "{csp}"
    );
    assert!(headers.get("x-frame-options").is_none());

    // An origin that would smuggle another directive is refused at start-up.
    let out = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--frame-ancestors",
            "https://a.example; script-src *",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--frame-ancestors"));
}

#[tokio::test]
async fn static_files_cannot_escape_dist() {
    let outside = tempfile::tempdir().unwrap();
    let secret = "TOP-SECRET-OUTSIDE-DIST";
    std::fs::write(outside.path().join("secret.txt"), secret).unwrap();
    std::fs::write(outside.path().join("secret.js.br"), secret).unwrap();
    let dist = support::dist();
    let root = dist.path().join("app");
    std::fs::create_dir(&root).unwrap();
    for name in [
        "index.html",
        "stagecraft-web-0123456789abcdef.js",
        "style.css",
    ] {
        std::fs::copy(dist.path().join(name), root.join(name)).unwrap();
    }
    std::fs::write(dist.path().join("beside.txt"), secret).unwrap();
    let link =
        |from: &std::path::Path, to: &str| std::os::unix::fs::symlink(from, root.join(to)).unwrap();
    link(&outside.path().join("secret.txt"), "leak.txt");
    link(outside.path(), "outside");
    link(
        &outside.path().join("secret.js.br"),
        "stagecraft-web-0123456789abcdef.js.br",
    );
    link(&root.join("style.css"), "inside-link.css");
    let server = Proc::serve(&["--quiet", "--dist", root.to_str().unwrap()], &[]);
    let csrf = Browser::open(&server).await.csrf;
    let mut paths = vec![
        "/leak.txt".to_owned(),
        "/outside/secret.txt".to_owned(),
        "/outside/../outside/secret.txt".to_owned(),
        "/../beside.txt".to_owned(),
        "/..%2fbeside.txt".to_owned(),
        "/%2e%2e/beside.txt".to_owned(),
        "/%2e%2e%2fbeside.txt".to_owned(),
        "/.%2e/beside.txt".to_owned(),
        "/..%5cbeside.txt".to_owned(),
        "/..\\beside.txt".to_owned(),
        "//beside.txt".to_owned(),
        format!("/{}", dist.path().join("beside.txt").display()),
        format!("/%2f{}", dist.path().join("beside.txt").display()),
        "/..;/beside.txt".to_owned(),
    ];
    paths.push("/stagecraft-web-0123456789abcdef.js".to_owned());
    for path in &paths {
        for encoding in ["br, gzip", "identity"] {
            let answer = raw(
                server.addr,
                &request("GET", path, server.addr, &[("accept-encoding", encoding)]),
            )
            .await;
            assert!(
                !answer.text().contains(secret),
                "{path} ({encoding}): {}",
                answer.text()
            );
            assert!(answer.status == 200 || answer.status >= 400, "{path}");
            if answer.status == 200 && path != "/stagecraft-web-0123456789abcdef.js" {
                assert!(
                    answer.text().contains(&csrf),
                    "{path}: the app or a refusal"
                );
            }
        }
    }
    // A symlink that stays inside is served.
    let inside = raw(
        server.addr,
        &request("GET", "/inside-link.css", server.addr, &[]),
    )
    .await;
    assert_eq!(String::from_utf8_lossy(&inside.body), "body{}");
}

#[tokio::test]
async fn remote_mode_token_is_required_compared_exactly_and_never_echoed() {
    let token = "a-long-enough-token-123";
    let server = Proc::serve(
        &["--allow-remote", "--token", token, "--quiet", "--demo"],
        &[],
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let close = [
        String::new(),
        token[..token.len() - 1].to_owned(),
        format!("{token}x"),
        token.to_ascii_uppercase(),
        format!("x{}", &token[1..]),
    ];
    for path in [
        "/",
        "/index.html",
        "/apis/x/stages/prod",
        "/api/restapis",
        "/style.css",
    ] {
        for given in &close {
            let resp = http
                .get(server.url(path))
                .bearer_auth(given)
                .header("cookie", format!("stagecraft_token={given}"))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 401, "{path} with {given:?}");
            let text = resp.text().await.unwrap();
            assert!(
                !text.contains(token) && csrf_of(&text).is_none(),
                "{path}: {text}"
            );
        }
        let login = http
            .get(server.url(&format!("{path}?token={}", close[1])))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 401, "{path}");
        assert!(login.headers().get("set-cookie").is_none());
    }
    // With the token: the page, but not the token itself.
    let page = http
        .get(server.url("/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(csrf_of(&page).is_some() && !page.contains(token));
    let login = http
        .get(server.url(&format!("/?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(login.headers()["location"], "/");
    assert!(login.text().await.unwrap().is_empty());

    // --allow-remote without a token, or with a short one, does not start.
    for (args, env) in [
        (vec!["--allow-remote"], None),
        (vec!["--allow-remote", "--token", "short"], None),
        (vec!["--allow-remote"], Some("short")),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--addr", "0.0.0.0:0"])
            .args(&args)
            .env_remove("STAGECRAFT_TOKEN");
        if let Some(t) = env {
            cmd.env("STAGECRAFT_TOKEN", t);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--token"),
            "{args:?}"
        );
    }
}
