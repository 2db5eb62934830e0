//! `stagecraft serve` as a real process on a free port: static files, the proxy to the embedded
//! emulator, saved state and shutdown.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use support::{Browser, Proc, csrf_of, demo, dist, error_type};

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
            r#"<meta name="stagecraft-csrf" content="{csrf}"><meta name="stagecraft-target" content="emulator"><meta name="stagecraft-region" content="us-east-1"></head>"#
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
