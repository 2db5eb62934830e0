//! `stagecraft serve` in front of a separate `stagecraft emulator` or a stub target: real SigV4
//! signatures, credentials from the AWS chain, retries and errors passed through.

mod support;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use support::{Browser, Proc, STUB_ERROR, demo, error_type, signed, stub};

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
