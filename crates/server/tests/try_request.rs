//! `POST /api/_stagecraft/try-request` on a real `stagecraft serve --demo`: a request reaches the demo
//! stage's data plane and its answer comes back (with the authorizer called, then cached, then called
//! again after FlushStageAuthorizersCache); the route keeps the proxy's guards (CSRF token, same origin)
//! and refuses paths that are not plain paths below the stage.

mod support;

use reqwest::Method;
use serde_json::{Value, json};

use support::{Browser, Proc, demo};

const ROUTE: &str = "/_stagecraft/try-request";

fn header<'a>(answer: &'a Value, name: &str) -> Option<&'a str> {
    answer["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))?[1]
        .as_str()
}

#[tokio::test]
async fn tries_a_request_on_the_embedded_emulator() {
    let server = Proc::serve(&["--demo", "--quiet"], &[]);
    let browser = Browser::open(&server).await;
    let (api, _) = demo(&browser).await;
    let try_it = |method: &str, path: &str, headers: Value| json!({"restApiId": api, "stageName": "prod", "method": method, "path": path, "headers": headers});

    let open = browser
        .json(
            Method::POST,
            ROUTE,
            Some(try_it("GET", "/pets/7", json!([]))),
        )
        .await;
    assert_eq!(open["status"], 200, "{open}");
    assert_eq!(
        open["url"],
        format!("/restapis/{api}/prod/_user_request_/pets/7")
    );

    let auth = json!([["Authorization", "allow"]]);
    let first = browser
        .json(
            Method::POST,
            ROUTE,
            Some(try_it("POST", "/pets", auth.clone())),
        )
        .await;
    assert_eq!(first["status"], 200, "{first}");
    assert_eq!(header(&first, "x-stagecraft-authorizer"), Some("invoked"));
    let second = browser
        .json(
            Method::POST,
            ROUTE,
            Some(try_it("POST", "/pets", auth.clone())),
        )
        .await;
    assert_eq!(header(&second, "x-stagecraft-authorizer"), Some("cached"));
    let (status, _, _) = browser
        .call(
            Method::DELETE,
            &format!("/restapis/{api}/stages/prod/cache/authorizers"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let third = browser
        .json(Method::POST, ROUTE, Some(try_it("POST", "/pets", auth)))
        .await;
    assert_eq!(header(&third, "x-stagecraft-authorizer"), Some("invoked"));

    let denied = browser
        .json(
            Method::POST,
            ROUTE,
            Some(try_it("POST", "/pets", json!([]))),
        )
        .await;
    assert_eq!(denied["status"], 401);
    assert_eq!(denied["body"], r#"{"message":"Unauthorized"}"#);

    // Not a plain path below the stage, or a transport header: 400, nothing sent.
    for (path, headers) in [
        ("//evil.example/x", json!([])),
        ("/a/../../restapis", json!([])),
        ("/pets", json!([["Host", "evil.example"]])),
    ] {
        let (status, _, body) = browser
            .call(Method::POST, ROUTE, Some(try_it("GET", path, headers)))
            .await;
        assert_eq!(status, 400, "{path}: {}", String::from_utf8_lossy(&body));
    }

    // The proxy's guards: no CSRF token, or another origin → 403.
    let body = try_it("GET", "/pets", json!([])).to_string();
    let no_csrf = browser
        .http
        .post(format!("{}/api{ROUTE}", browser.base))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    let cross = browser
        .api(Method::POST, ROUTE)
        .header("origin", "http://evil.example")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
}
