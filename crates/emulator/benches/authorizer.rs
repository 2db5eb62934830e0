//! What a cached Lambda authorizer adds to a data-plane request: the same MOCK method with and without a
//! TOKEN authorizer (the in-process demo function, TTL 300, so every measured request is a cache hit),
//! through the emulator's router in-process on one thread, in alternating rounds of the same run.
//!
//! CPU time is the thread's on-CPU time (`/proc/thread-self/schedstat`, Linux), so other processes on a
//! shared machine do not inflate it; elsewhere wall time stands in. Run: `cargo xtask bench authorizer`
//! (`cargo bench -p stagecraft-emulator --bench authorizer -- [REQUESTS_PER_ROUND]`); prints the table for
//! docs/benchmarks.md.

use std::time::Instant;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::Request;
use serde_json::{Value, json};
use stagecraft_emulator::{AppState, Config, app, invoke::DEMO_FUNCTION};
use tower::ServiceExt;

/// Rounds per variant (alternating, so drifts in machine load hit both alike).
const ROUNDS: usize = 10;

/// The thread's CPU time in ns, or wall time since `start` where schedstat is missing.
fn cpu_ns(start: Instant) -> u128 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| start.elapsed().as_nanos())
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("router");
    let status = res.status().as_u16();
    let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// An API with `/open` (NONE) and `/authorized` (CUSTOM, demo TOKEN authorizer), both MOCK, on stage `s`.
async fn setup() -> (Router, String) {
    let app = app(AppState::in_memory(Config {
        verify_signatures: false,
        ..Config::default()
    }));
    let (_, api) = call(
        &app,
        "POST",
        "/restapis",
        Some(json!({"name": "bench"})),
        &[],
    )
    .await;
    let api = api["id"].as_str().expect("api id").to_owned();
    let base = format!("/restapis/{api}");
    let (_, list) = call(&app, "GET", &format!("{base}/resources"), None, &[]).await;
    let root = list["item"][0]["id"].as_str().expect("root").to_owned();
    let uri = format!(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{DEMO_FUNCTION}/invocations"
    );
    let (_, auth) = call(
        &app,
        "POST",
        &format!("{base}/authorizers"),
        Some(json!({"name": "a", "type": "TOKEN", "authorizerUri": uri,
                    "identitySource": "method.request.header.Authorization"})),
        &[],
    )
    .await;
    let auth = auth["id"].as_str().expect("authorizer id").to_owned();
    for (part, method) in [
        ("open", json!({"authorizationType": "NONE"})),
        (
            "authorized",
            json!({"authorizationType": "CUSTOM", "authorizerId": auth}),
        ),
    ] {
        let (_, r) = call(
            &app,
            "POST",
            &format!("{base}/resources/{root}"),
            Some(json!({"pathPart": part})),
            &[],
        )
        .await;
        let path = format!(
            "{base}/resources/{}/methods/GET",
            r["id"].as_str().expect("resource id")
        );
        call(&app, "PUT", &path, Some(method), &[]).await;
        let mock = json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}});
        call(&app, "PUT", &format!("{path}/integration"), Some(mock), &[]).await;
    }
    call(
        &app,
        "POST",
        &format!("{base}/deployments"),
        Some(json!({"stageName": "s"})),
        &[],
    )
    .await;
    (app, api)
}

/// Runs `n` requests; returns CPU ns spent.
async fn round(app: &Router, api: &str, path: &str, n: usize) -> u128 {
    let start = Instant::now();
    let before = cpu_ns(start);
    for _ in 0..n {
        let req = Request::get(format!("/restapis/{api}/s/_user_request_{path}"))
            .header("Authorization", "allow")
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("router");
        assert_eq!(res.status(), 200);
        let _ = to_bytes(res.into_body(), 1 << 20).await;
    }
    cpu_ns(start) - before
}

fn main() {
    let per_round: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (app, api) = setup().await;
        // Warm-up: route tables, the authorizer cache entry.
        round(&app, &api, "/open", 1000).await;
        round(&app, &api, "/authorized", 1000).await;
        let (mut open, mut authorized) = (0u128, 0u128);
        for _ in 0..ROUNDS {
            open += round(&app, &api, "/open", per_round).await;
            authorized += round(&app, &api, "/authorized", per_round).await;
        }
        let n = (per_round * ROUNDS) as f64;
        let us = |ns: u128| ns as f64 / n / 1000.0;
        let (o, a) = (us(open), us(authorized));
        println!("| method | requests | CPU per request | requests/s per core |");
        println!("|---|---:|---:|---:|");
        println!(
            "| GET /open (no authorizer) | {} | {o:.2} µs | {:.0} |",
            per_round * ROUNDS,
            1e6 / o
        );
        println!(
            "| GET /authorized (TOKEN, cached policy) | {} | {a:.2} µs | {:.0} |",
            per_round * ROUNDS,
            1e6 / a
        );
        println!(
            "\ncached authorization adds {:.2} µs of CPU per request (goal ≤ 10 µs)",
            a - o
        );
    });
}
