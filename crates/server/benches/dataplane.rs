//! `cargo xtask bench dataplane` (= `cargo bench -p stagecraft --bench dataplane`): what the
//! emulator's data plane costs.
//!
//! Starts a `stagecraft emulator` process and a plain local HTTP server (in this process), deploys
//! an API with three GET methods through the REST API (`/cached`: MOCK behind the stage's cache;
//! `/mock`: MOCK, not cached; `/proxy`: HTTP_PROXY to the local server) and calls each through the
//! invoke URL, keep-alive, one connection per worker, next to calling the local server directly.
//! Reports req/s, p50/p99 latency and the emulator's CPU time per request (from `/proc`), checks
//! that the cached route was served from the cache (`GET /metrics`), times core's
//! `effective_settings` at 10 to 10,000 method-setting keys, and writes the `## Data plane`
//! section of docs/benchmarks.md.
//!
//! Options: `--seconds N` (5) `--warmup N` (1) `--concurrency N` (1) `--no-write`.

use std::convert::Infallible;
use std::hint::black_box;
use std::net::SocketAddr;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http::Method;
use http_body_util::{Empty, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use stagecraft_core::Stage;
use stagecraft_core::dataplane::throttle::ACCOUNT_RATE_LIMIT;
use stagecraft_core::effective::effective_settings;
use stagecraft_core::model::MethodSetting;
use stagecraft_loadgen::{Conn, Endpoint, Signer, Summary};

mod support;
use support::{Proc, load_average, measure};

const KEY: (&str, &str) = ("AKIDDATAPLANEBENCH", "dataplane-bench-secret");
const REGION: &str = "us-east-1";
const STAGE: &str = "bench";
/// Goals of the issue that asked for this benchmark.
const GOAL_CACHE_HIT_CPU_US: f64 = 30.0;
const GOAL_PROXY_ADDED_P50_US: i64 = 100;
/// The body of every answer: the local server's, and the MOCK routes' integration response.
const PETS: &str = r#"{"pets":[1,2,3]}"#;

struct Options {
    seconds: u64,
    warmup: u64,
    concurrency: usize,
    write: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        seconds: 5,
        warmup: 1,
        concurrency: 1,
        write: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => o.seconds = value()?.parse()?,
            "--warmup" => o.warmup = value()?.parse()?,
            "--concurrency" => o.concurrency = value()?.parse()?,
            "--no-write" => o.write = false,
            // What `cargo bench` passes on.
            "--bench" => {}
            other => {
                bail!("unknown option {other} (--seconds N --warmup N --concurrency N --no-write)")
            }
        }
    }
    Ok(o)
}

/// The argument that makes this binary the HTTP_PROXY target instead of the benchmark.
const LOCAL_SERVER_ARG: &str = "--local-server";

/// The HTTP_PROXY target, run as `THIS_BINARY --local-server`: a bare hyper HTTP/1 server on a
/// current-thread runtime (`TCP_NODELAY`, keep-alive) that answers every request with a small JSON
/// body. It is a process of its own, like the emulator, so that the direct call crosses the same
/// process boundary and its CPU per request is measured the same way: the floor of what an HTTP
/// server costs here. Prints `listening on http://ADDR`, then serves until it is killed.
fn local_server() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{}", listener.local_addr()?)?;
            out.flush()?;
        }
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|_req| async {
                    Ok::<_, Infallible>(
                        http::Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(PETS.as_bytes())))
                            .unwrap_or_default(),
                    )
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

async fn call(conn: &mut Conn, method: Method, path: &str, body: &Value) -> Result<Value> {
    let body = (!body.is_null()).then_some(body);
    let response = conn.call(method.clone(), path, body).await?;
    response
        .ok()
        .with_context(|| format!("{method} {path}"))?
        .json()
}

/// Deploys the benchmark API and its stage; returns the API id.
async fn deploy(conn: &mut Conn, target: SocketAddr) -> Result<String> {
    let api = call(
        conn,
        Method::POST,
        "/restapis",
        &json!({"name": "dataplane-bench"}),
    )
    .await?;
    let id = api["id"].as_str().context("API id")?.to_owned();
    let resources = call(
        conn,
        Method::GET,
        &format!("/restapis/{id}/resources"),
        &Value::Null,
    )
    .await?;
    let root = resources["item"]
        .as_array()
        .and_then(|items| items.iter().find(|r| r["path"] == "/"))
        .and_then(|r| r["id"].as_str())
        .context("root resource")?
        .to_owned();
    let mock =
        json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}});
    let proxy =
        json!({"type": "HTTP_PROXY", "httpMethod": "GET", "uri": format!("http://{target}/pets")});
    for (part, integration) in [("cached", &mock), ("mock", &mock), ("proxy", &proxy)] {
        let resource = call(
            conn,
            Method::POST,
            &format!("/restapis/{id}/resources/{root}"),
            &json!({"pathPart": part}),
        )
        .await?;
        let resource = resource["id"].as_str().context("resource id")?;
        let method = format!("/restapis/{id}/resources/{resource}/methods/GET");
        call(
            conn,
            Method::PUT,
            &method,
            &json!({"authorizationType": "NONE"}),
        )
        .await?;
        call(
            conn,
            Method::PUT,
            &format!("{method}/integration"),
            integration,
        )
        .await?;
        if integration["type"] == "MOCK" {
            // The same body as the local server's (a MOCK without integration responses is a 500).
            call(
                conn,
                Method::PUT,
                &format!("{method}/integration/responses/200"),
                &json!({"responseTemplates": {"application/json": PETS}}),
            )
            .await?;
        }
    }
    let deployment = call(
        conn,
        Method::POST,
        &format!("/restapis/{id}/deployments"),
        &json!({}),
    )
    .await?;
    call(
        conn,
        Method::POST,
        &format!("/restapis/{id}/stages"),
        &json!({
            "stageName": STAGE,
            "deploymentId": deployment["id"],
            "cacheClusterEnabled": true,
            "cacheClusterSize": "0.5"
        }),
    )
    .await?;
    let replace = |path: &str, value: &str| json!({"op": "replace", "path": path, "value": value});
    call(
        conn,
        Method::PATCH,
        &format!("/restapis/{id}/stages/{STAGE}"),
        &json!({"patchOperations": [
            // Above any rate the benchmark reaches, so no request is throttled.
            replace("/*/*/throttling/rateLimit", "1000000"),
            replace("/*/*/throttling/burstLimit", "1000000"),
            replace("/~1cached/GET/caching/enabled", "true"),
            replace("/~1cached/GET/caching/ttlInSeconds", "3600"),
        ]}),
    )
    .await?;
    Ok(id)
}

/// The request rate the emulator's routes are held to: under AWS's account rate limit, which the
/// emulator enforces.
const MAX_RATE: f64 = ACCOUNT_RATE_LIMIT * 0.8;

/// One measured route.
struct Row {
    name: &'static str,
    summary: Summary,
    /// CPU per request (µs) of the process that answered: the emulator, or for the direct call the
    /// local server; `None` where `/proc` cannot tell.
    cpu_us: Option<f64>,
}

/// Runs one route against `server` (the emulator, or the local server for the direct call).
async fn run_route(o: &Options, server: &Proc, path: String) -> Result<(Summary, Option<f64>)> {
    let addr = server.addr;
    let host = addr.to_string();
    let request = move || -> Result<http::Request<Empty<Bytes>>> {
        Ok(http::Request::get(path.as_str())
            .header("host", host.as_str())
            .body(Empty::new())?)
    };
    // The emulator enforces AWS's account throttle (10,000 rps, burst 5,000), which a fast run would
    // reach: its routes are paced below it, and the direct call at the same rate, so that every row
    // is measured under the same load.
    let pace = Some(MAX_RATE);
    if o.warmup > 0 {
        measure(addr, request.clone(), o.concurrency, (0, o.warmup), pace).await?;
    }
    let before = server.cpu_time();
    let summary = measure(addr, request, o.concurrency, (0, o.seconds), pace).await?;
    let after = server.cpu_time();
    let cpu_us = before.zip(after).map(|(b, a)| {
        (a.saturating_sub(b)).as_secs_f64() * 1e6 / (summary.requests + summary.errors) as f64
    });
    Ok((summary, cpu_us))
}

/// The stage-level `apigateway_cache_hits` counter of the benchmark stage.
async fn cache_hits(addr: SocketAddr) -> Result<u64> {
    let endpoint = Arc::new(Endpoint::parse(&format!("http://{addr}"))?);
    let mut conn = Conn::new(
        endpoint,
        Arc::new(Signer::new(KEY.0, KEY.1, REGION, "apigateway")),
    );
    let metrics = conn.call(Method::GET, "/metrics", None).await?.ok()?;
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    Ok(text
        .lines()
        .filter(|l| {
            l.starts_with("apigateway_cache_hits{") && l.contains(&format!("stage=\"{STAGE}\"}}"))
        })
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, v)| v.parse::<f64>().ok()))
        .sum::<f64>() as u64)
}

/// Nanoseconds per `effective_settings` call on a stage with `keys` method-setting keys.
fn lookup_ns(keys: usize) -> f64 {
    let mut stage = Stage::default();
    let entry = |ttl: i64| {
        let mut fields = serde_json::Map::new();
        fields.insert("cacheTtlInSeconds".into(), json!(ttl));
        MethodSetting::from_fields(fields).unwrap_or_default()
    };
    stage.method_settings.insert("*/*".into(), entry(60));
    for i in 1..keys {
        stage.method_settings.insert(
            format!("~1r{i:05}/GET"),
            entry(i64::try_from(i % 3600).unwrap_or(0)),
        );
    }
    let probe = format!("~1r{:05}/GET", keys / 2);
    let rounds = 200_000;
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(effective_settings(black_box(&stage), black_box(&probe)));
    }
    started.elapsed().as_nanos() as f64 / f64::from(rounds)
}

/// The checked-out commit (`git rev-parse --short HEAD`), `+` when the work tree has changes.
fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty { format!("{head}+") } else { head }
}

fn render(
    rows: &[Row],
    lookups: &[(usize, f64)],
    o: &Options,
    load: &str,
    hits: (u64, u64),
) -> String {
    let mut s = String::from("## Data plane\n\n");
    s.push_str(&format!(
        "`cargo xtask bench dataplane` ({}, commit {}): GET through a `stagecraft emulator` process's invoke URL \
         (`/restapis/ID/{STAGE}/_user_request_/…`, release build, `--quiet`), {} worker(s), keep-alive, \
         {} s measured after {} s warm-up, next to the same GET straight to the local HTTP server that \
         `/proxy` forwards to (a bare hyper HTTP/1 server on a current-thread runtime, in a process of its \
         own). Every route is paced to at most {MAX_RATE:.0} requests/s, under the account rate limit of \
         {ACCOUNT_RATE_LIMIT:.0} rps the emulator enforces as AWS does. Client, emulator and server share {} \
         CPU cores (1-minute load average before the run: {load}). Latencies in µs; server CPU = the \
         answering process's user + system time over the run divided by the requests (the emulator's, or \
         for the direct call the local server's).\n\n",
        stagecraft_loadgen::report::today(),
        commit(),
        o.concurrency,
        o.seconds,
        o.warmup,
        std::thread::available_parallelism().map_or(0, usize::from),
    ));
    s.push_str(
        "| route | req/s | p50 | p99 | server CPU per request |\n|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {:.0} | {} | {} | {} |\n",
            r.name,
            r.summary.req_per_s,
            r.summary.p50_us,
            r.summary.p99_us,
            r.cpu_us.map_or("—".to_owned(), |c| format!("{c:.1} µs")),
        ));
    }
    let find = |name: &str| rows.iter().find(|r| r.name.starts_with(name));
    if let (Some(cached), Some(proxy), Some(direct)) =
        (find("`/cached`"), find("`/proxy`"), find("direct"))
    {
        let cpu = |r: &Row| r.cpu_us.unwrap_or(f64::NAN);
        let (hit_cpu, floor) = (cpu(cached), cpu(direct));
        let added = i64::from(proxy.summary.p50_us) - i64::from(direct.summary.p50_us);
        let verdict = |met: bool| if met { "met" } else { "NOT met" };
        s.push_str(&format!(
            "\nCache hits counted by `GET /metrics` (`apigateway_cache_hits`): {}, for {} measured `/cached` requests \
             and the warm-up's.\n\n\
             - Goal: a cache hit costs ≤ {GOAL_CACHE_HIT_CPU_US} µs of emulator CPU: **{}** ({hit_cpu:.1} µs, \
             including HTTP parsing and the response).\n\
             - Goal: `HTTP_PROXY` adds ≤ {GOAL_PROXY_ADDED_P50_US} µs at p50 over the direct call: **{}** ({added} µs).\n\
             - The bare HTTP server costs {floor:.1} µs of CPU per request: the floor of HTTP/1 over loopback \
             TCP here. Above it, the emulator's own share is {:.1} µs for a cache hit, {:.1} µs for an \
             uncached MOCK and {:.1} µs for `HTTP_PROXY` (which also makes the upstream call).\n",
            hits.0,
            hits.1,
            verdict(hit_cpu <= GOAL_CACHE_HIT_CPU_US),
            verdict(added <= GOAL_PROXY_ADDED_P50_US),
            hit_cpu - floor,
            find("`/mock`").map_or(f64::NAN, cpu) - floor,
            cpu(proxy) - floor,
        ));
    }
    s.push_str("\n`effective_settings` (core) for one method, on stages with more and more keys:\n\n| keys | ns per lookup |\n|---:|---:|\n");
    for (keys, ns) in lookups {
        s.push_str(&format!("| {keys} | {ns:.0} |\n"));
    }
    if let (Some(first), Some(last)) = (lookups.first(), lookups.last()) {
        s.push_str(&format!(
            "\n{}× the keys cost {:.2}× the time: two `BTreeMap` searches, O(log n).\n",
            last.0 / first.0.max(1),
            last.1 / first.1
        ));
    }
    s
}

async fn bench(o: &Options) -> Result<String> {
    let load = load_average();
    let mut local = Command::new(std::env::current_exe().context("this benchmark's path")?);
    local.arg(LOCAL_SERVER_ARG);
    let target = Proc::spawn(local, "listening on ").context("the local server")?;
    let emulator = Proc::start(
        &[
            "emulator",
            "--addr",
            "127.0.0.1:0",
            "--access-key",
            KEY.0,
            "--secret-key",
            KEY.1,
            "--quiet",
        ],
        "listening on ",
        KEY,
    )?;
    let endpoint = Arc::new(Endpoint::parse(&format!("http://{}", emulator.addr))?);
    let mut conn = Conn::new(
        endpoint,
        Arc::new(Signer::new(KEY.0, KEY.1, REGION, "apigateway")),
    );
    let api = deploy(&mut conn, target.addr)
        .await
        .context("deploying the benchmark API")?;
    let invoke = |route: &str| format!("/restapis/{api}/{STAGE}/_user_request_/{route}");

    let mut rows = Vec::new();
    let routes: [(&'static str, &Proc, String); 4] = [
        ("`/cached`: cache hit (MOCK)", &emulator, invoke("cached")),
        ("`/mock`: MOCK, not cached", &emulator, invoke("mock")),
        (
            "`/proxy`: HTTP_PROXY to the local server",
            &emulator,
            invoke("proxy"),
        ),
        (
            "direct: the local server itself",
            &target,
            "/pets".to_owned(),
        ),
    ];
    let mut cached_requests = 0;
    for (name, server, path) in routes {
        let (summary, cpu_us) = run_route(o, server, path).await.with_context(|| name)?;
        eprintln!(
            "{name}: {:.0} req/s, p50 {} µs, p99 {} µs, CPU {}",
            summary.req_per_s,
            summary.p50_us,
            summary.p99_us,
            cpu_us.map_or("-".to_owned(), |c| format!("{c:.1} µs"))
        );
        if name.starts_with("`/cached`") {
            cached_requests = summary.requests;
        }
        rows.push(Row {
            name,
            summary,
            cpu_us,
        });
    }
    let hits = cache_hits(emulator.addr).await?;
    let lookups: Vec<(usize, f64)> = [10, 100, 1_000, 10_000].map(|n| (n, lookup_ns(n))).to_vec();
    // Everything after the first miss of the warm-up is a hit: the measured requests at least.
    if hits < cached_requests {
        bail!("only {hits} cache hits for {cached_requests} measured `/cached` requests");
    }
    Ok(render(&rows, &lookups, o, &load, (hits, cached_requests)))
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == LOCAL_SERVER_ARG) {
        return match local_server() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("local server: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    support::main_with(
        "dataplane",
        options().map(|o| (o.write, o)),
        |o| async move { bench(&o).await },
    )
}
