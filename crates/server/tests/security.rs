//! `stagecraft serve`'s security rules: loopback by default, the bearer token in remote mode,
//! CSRF token, Origin and Host checks, the operation allowlist and the body size limit.

mod support;

use std::process::Command;

use reqwest::Method;
use serde_json::Value;

use support::hostile::{raw, request};
use support::{BIN, Browser, Proc, csrf_of, demo, error_type};

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

    // Over 1 MiB is refused by its declared length, before any of it is read. Only the head is sent:
    // the server closes without reading a body, which could cut a client's upload (EPIPE) before it
    // reads the answer.
    let big = (1024 * 1024 + 1).to_string();
    let resp = raw(
        server.addr,
        &request(
            "PATCH",
            &format!("/api/restapis/{api}/stages/prod"),
            server.addr,
            &[("content-length", &big)],
        ),
    )
    .await;
    assert_eq!(resp.status, 413, "{}", resp.text());
    assert_eq!(
        error_type(&resp.headers()),
        "RequestEntityTooLargeException"
    );
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
