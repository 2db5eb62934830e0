//! `stagecraft serve` against slow or hostile clients and targets that misbehave: header and body
//! timeouts, the connection limit, the 1 MiB body limit on every route, answers too large to hold,
//! a target that hangs; and a canary secret that must never come back out.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::hostile::{FIFTY_MB, Target, raw, read_answer, request};
use support::{Browser, Proc, error_type};

const CREDS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDLIMITS"),
    ("AWS_SECRET_ACCESS_KEY", "limits-secret"),
];

/// Waits (up to 60 s) for the server to close `tcp`; what it sent before closing.
async fn closed_by_server(tcp: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(60), async {
        let mut chunk = [0u8; 1024];
        loop {
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn slow_headers_idle_connections_and_slow_bodies_time_out() {
    let server = Proc::serve(&["--demo", "--quiet", "--header-timeout", "1"], &[]);
    let browser = Browser::open(&server).await;
    // Half a request line, then nothing (slowloris).
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nx-a: ")
        .await
        .unwrap();
    closed_by_server(&mut slow).await;
    // A connection that never sends a byte.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    closed_by_server(&mut silent).await;
    // A keep-alive connection left idle after one request.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    let host = server.addr.to_string();
    idle.write_all(
        format!(
            "GET /api/restapis HTTP/1.1\r\nhost: {host}\r\nx-stagecraft-csrf: {}\r\n\r\n",
            browser.csrf
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let first = closed_by_server(&mut idle).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    // A body that trickles: 408 once the time is up.
    let mut trickle = TcpStream::connect(server.addr).await.unwrap();
    trickle
        .write_all(
            format!(
                "PATCH /api/restapis/a1/stages/prod HTTP/1.1\r\nhost: {host}\r\nx-stagecraft-csrf: {}\r\ncontent-length: 100\r\n\r\n{{",
                browser.csrf
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = closed_by_server(&mut trickle).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");
    // The server is still there for everyone else.
    assert_eq!(
        browser
            .api(Method::GET, "/restapis")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn connections_over_the_limit_get_a_503_until_one_closes() {
    let server = Proc::serve(
        &[
            "--demo",
            "--quiet",
            "--max-connections",
            "3",
            "--header-timeout",
            "120",
        ],
        &[],
    );
    // Hold every slot with connections that say nothing.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(server.addr).await.unwrap());
    }
    // The server accepts in order; give it the three before the fourth arrives.
    let deadline = Instant::now() + Duration::from_secs(30);
    let over = loop {
        let answer = raw(server.addr, &request("GET", "/", server.addr, &[])).await;
        if answer.status == 503 || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(over.status, 503, "{}", over.text());
    assert_eq!(
        over.header("x-amzn-errortype"),
        Some("ServiceUnavailableException")
    );
    assert!(over.text().contains("at most 3"), "{}", over.text());
    // One closes: the next client is served.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = raw(server.addr, &request("GET", "/", server.addr, &[])).await;
        if answer.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused: {}",
            answer.text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_route_refuses_bodies_over_1_mib() {
    let server = Proc::serve(&["--demo", "--quiet"], &[]);
    let browser = Browser::open(&server).await;
    let csrf = [("x-stagecraft-csrf", browser.csrf.as_str())];
    for (method, path) in [
        ("GET", "/"),
        ("POST", "/"),
        ("GET", "/apis/x/stages/prod"),
        ("GET", "/api/restapis"),
        ("PATCH", "/api/restapis/a1/stages/prod"),
        ("POST", "/api/restapis/a1/authorizers/z1"),
        ("PUT", "/api/apikeys"),
    ] {
        // Declared, nothing sent: refused before a byte of body is read.
        let mut headers = csrf.to_vec();
        headers.push(("content-length", "1048577"));
        let answer = raw(server.addr, &request(method, path, server.addr, &headers)).await;
        assert_eq!(answer.status, 413, "{method} {path}: {}", answer.text());
        assert_eq!(
            answer.header("x-amzn-errortype"),
            Some("RequestEntityTooLargeException")
        );
    }
    // Chunked, with no declared length: cut at the limit.
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH /api/restapis/a1/stages/prod HTTP/1.1\r\nhost: {}\r\nx-stagecraft-csrf: {}\r\ntransfer-encoding: chunked\r\n\r\n",
        server.addr, browser.csrf
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let block = vec![b' '; 64 * 1024];
    for _ in 0..17 {
        let mut chunk = format!("{:x}\r\n", block.len()).into_bytes();
        chunk.extend_from_slice(&block);
        chunk.extend_from_slice(b"\r\n");
        if tcp.write_all(&chunk).await.is_err() {
            break;
        }
    }
    let answer = read_answer(&mut tcp).await;
    assert_eq!(answer.status, 413, "{}", answer.text());
}

#[tokio::test]
async fn answers_too_large_to_hold_are_cut_with_a_502() {
    let target = Target::start().await;
    let server = Proc::serve(&["--endpoint", &target.url(), "--quiet"], &CREDS);
    let browser = Browser::open(&server).await;
    for stage in ["huge", "huge-declared"] {
        target.written.store(0, Ordering::SeqCst);
        let (status, headers, body) = browser
            .call(Method::GET, &format!("/restapis/a1/stages/{stage}"), None)
            .await;
        assert_eq!(status, 502, "{stage}");
        assert_eq!(error_type(&headers), "BadGatewayException");
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("larger than 16777216 bytes"),
            "{stage}: {text}"
        );
        assert!(body.len() < 4096);
        // The proxy stopped reading: most of the 50 MB was never sent.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let written = target.written.load(Ordering::SeqCst);
        assert!(written < FIFTY_MB, "{stage}: {written} bytes read");
    }
    // Normal answers still come through.
    let (status, _, _) = browser
        .call(Method::GET, "/restapis/a1/stages/prod", None)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_hanging_target_is_a_504_and_holds_nothing() {
    let target = Target::start().await;
    let server = Proc::serve(
        &[
            "--endpoint",
            &target.url(),
            "--quiet",
            "--target-timeout",
            "1",
        ],
        &CREDS,
    );
    let browser = Browser::open(&server).await;
    let hung: Vec<_> = (0..4)
        .map(|_| tokio::spawn(browser.api(Method::GET, "/restapis/a1/stages/hang").send()))
        .collect();
    // While they wait, other calls are answered.
    let (status, _, _) = browser
        .call(Method::GET, "/restapis/a1/stages/prod", None)
        .await;
    assert_eq!(status, 200);
    for h in hung {
        let resp = h.await.unwrap().unwrap();
        assert_eq!(resp.status(), 504);
        assert_eq!(error_type(resp.headers()), "GatewayTimeoutException");
        let text = resp.text().await.unwrap();
        assert!(text.contains("did not answer within 1 s"), "{text}");
    }
}

#[tokio::test]
async fn a_canary_secret_never_leaves_the_server() {
    let secret = "CANARY-SECRET-7f3a9c2e1d";
    let session = "CANARY-SESSION-TOKEN-55aa";
    let creds = [
        ("AWS_ACCESS_KEY_ID", "AKIDCANARY"),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_SESSION_TOKEN", session),
    ];
    let target = Target::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut seen = String::new();
    let mut logs = String::new();
    let mut csrf_tokens = Vec::new();
    for endpoint in [target.url(), format!("http://{closed}")] {
        let server = Proc::serve(&["--endpoint", &endpoint, "--target-timeout", "1"], &creds);
        let browser = Browser::open(&server).await;
        let http = reqwest::Client::new();
        let mut answers = vec![
            browser.api(Method::GET, "/restapis").send().await.unwrap(),
            browser
                .api(Method::GET, "/restapis/a1/stages/hang")
                .send()
                .await
                .unwrap(),
            browser
                .api(Method::GET, "/restapis/a1/stages/huge")
                .send()
                .await
                .unwrap(),
            browser
                .api(Method::PATCH, "/restapis/a1/stages/prod")
                .body("{")
                .send()
                .await
                .unwrap(),
            browser.api(Method::GET, "/apikeys").send().await.unwrap(),
            http.get(server.url("/api/restapis")).send().await.unwrap(),
            http.get(server.url("/api/restapis"))
                .header("x-stagecraft-csrf", &browser.csrf)
                .header("origin", "http://evil.example")
                .send()
                .await
                .unwrap(),
            http.get(server.url("/")).send().await.unwrap(),
        ];
        for resp in answers.drain(..) {
            seen.push_str(&format!("{:?}\n", resp.headers()));
            seen.push_str(&resp.text().await.unwrap());
        }
        let page = raw(server.addr, &request("GET", "/", server.addr, &[])).await;
        seen.push_str(&page.text());
        csrf_tokens.push(browser.csrf.clone());
        logs.push_str(&server.log());
    }
    // A credential process that fails printing the secret, or prints it in garbled JSON.
    for exit in [1, 0] {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("creds.sh");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho '{{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"{secret}\"'\necho '{secret}' >&2\nexit {exit}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            format!(
                "[profile canary]\nregion = us-east-1\ncredential_process = {}\n",
                script.display()
            ),
        )
        .unwrap();
        let server = Proc::serve(
            &["--endpoint", &target.url(), "--profile", "canary"],
            &[("AWS_CONFIG_FILE", config.to_str().unwrap())],
        );
        let browser = Browser::open(&server).await;
        let (status, headers, body) = browser.call(Method::GET, "/restapis", None).await;
        assert_eq!(
            (status.as_u16(), error_type(&headers)),
            (500, "CredentialsException")
        );
        seen.push_str(&String::from_utf8_lossy(&body));
        logs.push_str(&server.log());
    }

    assert!(!seen.is_empty() && !logs.is_empty());
    for canary in [secret, session] {
        assert!(!seen.contains(canary), "{canary} in an answer: {seen}");
        assert!(!logs.contains(canary), "{canary} in the log: {logs}");
    }
    // Nor is the CSRF token ever logged.
    assert!(logs.contains("GET GetRestApis"), "{logs}");
    for csrf in csrf_tokens {
        assert!(!logs.contains(&csrf), "CSRF token in the log: {logs}");
    }
    // It was used: the target saw requests signed with it (and the session token, as AWS wants).
    let signed = target.seen();
    assert!(signed.iter().any(|s| {
        s.headers
            .iter()
            .any(|(k, v)| k == "x-amz-security-token" && v == session)
    }));
}
