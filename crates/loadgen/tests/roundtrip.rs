//! Signing round trip: requests sent by `Conn` are verified by a local hyper server that re-signs what
//! it received (method, path, the headers named in `SignedHeaders`, body) with `stagecraft-sigv4`.
//! Also: keep-alive vs `Connection: close` handling.
#![allow(missing_docs)]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use stagecraft_loadgen::{Conn, Endpoint, Limit, Op, Signer, Workload};
use stagecraft_sigv4::Payload;
use tokio::net::TcpListener;

const SECRET: &str = "server-secret";

fn parse_amz_date(s: &str) -> SystemTime {
    // YYYYMMDDTHHMMSSZ → seconds since the epoch (days from civil).
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    let (hh, mm, ss) = (n(9..11), n(11..13), n(13..15));
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap())
}

/// Re-signs the received request; `true` when the signature matches.
fn verify(parts: &http::request::Parts, body: &[u8]) -> bool {
    let Some(auth) = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let field = |name: &str| {
        auth.split([',', ' '])
            .find_map(|p| p.trim().strip_prefix(name))
            .unwrap_or_default()
            .to_owned()
    };
    let credential = field("Credential=");
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[0] != "AKIDTEST" || scope[3] != "apigateway" {
        return false;
    }
    let signed = field("SignedHeaders=");
    let signature = field("Signature=");
    let mut headers = Vec::new();
    for name in signed.split(';') {
        let Some(v) = parts.headers.get(name) else {
            return false;
        };
        headers.push((name, v.to_str().unwrap()));
    }
    let date = parts.headers["x-amz-date"].to_str().unwrap();
    let uri = parts.uri.path_and_query().unwrap().as_str();
    let expected = Signer::new("AKIDTEST", SECRET, scope[2], "apigateway")
        .signature(
            parts.method.as_str(),
            uri,
            &headers,
            Payload::Bytes(body),
            parse_amz_date(date),
        )
        .unwrap();
    expected == signature
}

/// Serves on a free port; `close_every` > 0 answers every n-th response with `Connection: close`.
async fn server(close_every: usize) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (accepted, served) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (a, s) = (Arc::clone(&accepted), Arc::clone(&served));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            a.fetch_add(1, Ordering::SeqCst);
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let s = Arc::clone(&s);
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        let n = s.fetch_add(1, Ordering::SeqCst) + 1;
                        let ok = verify(&parts, &body);
                        let mut resp = Response::builder().status(if ok {
                            StatusCode::OK
                        } else {
                            StatusCode::FORBIDDEN
                        });
                        if close_every > 0 && n % close_every == 0 {
                            resp = resp.header("connection", "close");
                        }
                        let echo = serde_json::json!({"path": parts.uri.path(), "body": String::from_utf8_lossy(&body)});
                        Ok::<_, Infallible>(
                            resp.body(Full::new(Bytes::from(echo.to_string()))).unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (url, accepted, served)
}

fn client(url: &str, secret: &str) -> Conn {
    Conn::new(
        Arc::new(Endpoint::parse(url).unwrap()),
        Arc::new(Signer::new("AKIDTEST", secret, "eu-west-1", "apigateway")),
    )
}

#[tokio::test]
async fn signed_requests_verify_and_keep_alive() {
    let (url, accepted, _) = server(0).await;
    let mut conn = client(&url, SECRET);
    let get = conn
        .call(Method::GET, "/restapis/abc/stages/prod", None)
        .await
        .unwrap();
    assert_eq!(get.status, StatusCode::OK, "{:?}", get.body);
    let body = serde_json::json!({"patchOperations": [{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "7"}]});
    let patch = conn
        .call(Method::PATCH, "/restapis/abc/stages/prod", Some(&body))
        .await
        .unwrap();
    assert_eq!(patch.status, StatusCode::OK);
    assert_eq!(patch.json().unwrap()["body"], body.to_string());
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one keep-alive connection"
    );
    assert_eq!(conn.connects, 1);

    // A wrong secret is refused by the verifier (so the check above is not vacuous).
    let mut bad = client(&url, "wrong");
    let r = bad
        .call(Method::GET, "/restapis/abc/stages/prod", None)
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn connection_close_reconnects() {
    let (url, accepted, served) = server(1).await;
    let mut conn = client(&url, SECRET);
    for _ in 0..5 {
        let r = conn
            .call(Method::GET, "/restapis/abc/stages/prod", None)
            .await
            .unwrap();
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(served.load(Ordering::SeqCst), 5);
    assert_eq!(accepted.load(Ordering::SeqCst), 5);
    assert_eq!(conn.connects, 5);
}

#[tokio::test]
async fn workload_counts_requests() {
    let (url, _, served) = server(3).await;
    for op in [Op::GetStage, Op::UpdateStage] {
        let work = Workload {
            endpoint: Arc::new(Endpoint::parse(&url).unwrap()),
            signer: Arc::new(Signer::new("AKIDTEST", SECRET, "us-east-1", "apigateway")),
            op,
            rest_api_id: "abc".into(),
            stage: "prod".into(),
            concurrency: 4,
            limit: Limit::Requests(40),
            warmup: Duration::ZERO,
        };
        let s = work.run().await.unwrap();
        assert_eq!((s.requests, s.errors), (40, 0), "{s:?}");
        assert!(s.p50_us <= s.p99_us);
    }
    assert_eq!(served.load(Ordering::SeqCst), 80);
}
