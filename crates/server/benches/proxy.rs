//! `cargo xtask bench proxy` (= `cargo bench -p stagecraft --bench proxy`): the cost of the
//! `stagecraft serve` proxy hop.
//!
//! Starts a `stagecraft emulator` process and a `stagecraft serve --endpoint` process in front of it,
//! creates an API and a stage with `stagecraft-loadgen`, then runs the same SigV4-signed GetStage
//! workload (keep-alive, one HTTP/1.1 connection per worker) straight at the emulator and through
//! the proxy (`/api/…` with the CSRF token), at each concurrency. Reports p50/p99 latency, req/s and
//! the latency the proxy adds, and writes the table to the `## Proxy` section of docs/benchmarks.md.
//!
//! Options: `--seconds N` (5) `--warmup N` (1) `--concurrency 1,8` `--no-write`.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use stagecraft_loadgen::{Conn, Endpoint, Signer, Summary, setup};

mod support;
use support::{Proc, connect, load_average, measure};

const KEY: (&str, &str) = ("AKIDPROXYBENCH", "proxy-bench-secret");
const REGION: &str = "us-east-1";
const GOAL_US: i64 = 150;

struct Options {
    seconds: u64,
    warmup: u64,
    concurrency: Vec<usize>,
    write: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        seconds: 5,
        warmup: 1,
        concurrency: vec![1, 8],
        write: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => o.seconds = value()?.parse()?,
            "--warmup" => o.warmup = value()?.parse()?,
            "--concurrency" => {
                o.concurrency = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--no-write" => o.write = false,
            // What `cargo bench` passes on.
            "--bench" => {}
            other => bail!(
                "unknown option {other} (--seconds N --warmup N --concurrency 1,8 --no-write)"
            ),
        }
    }
    Ok(o)
}

/// Where a run sends its requests.
#[derive(Clone)]
struct Route {
    addr: SocketAddr,
    /// `""` direct, `"/api"` through the proxy.
    prefix: &'static str,
    csrf: Option<String>,
}

async fn csrf_token(addr: SocketAddr) -> Result<String> {
    let mut sender = connect(addr).await?;
    let req = http::Request::get("/")
        .header("host", addr.to_string())
        .body(Empty::new())?;
    let body = sender
        .send_request(req)
        .await?
        .into_body()
        .collect()
        .await?
        .to_bytes();
    let page = String::from_utf8_lossy(&body);
    let rest = page
        .split(r#"name="stagecraft-csrf" content=""#)
        .nth(1)
        .context("no CSRF meta in the page")?;
    Ok(rest.split('"').next().unwrap_or_default().to_owned())
}

/// SigV4 headers and the second they were made for.
type SignedSecond = (u64, Vec<(&'static str, String)>);

/// GetStage on `route`, signed once per second per worker (SigV4 dates have second resolution).
async fn run(
    route: &Route,
    signer: &Arc<Signer>,
    path: &str,
    concurrency: usize,
    o: &Options,
) -> Result<Summary> {
    let host = route.addr.to_string();
    let full = format!("{}{path}", route.prefix);
    let (signer, csrf) = (Arc::clone(signer), route.csrf.clone());
    let signed: RefCell<Option<SignedSecond>> = RefCell::new(None);
    let request = move || -> Result<http::Request<Empty<Bytes>>> {
        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH)?.as_secs();
        let mut cached = signed.borrow_mut();
        if cached.as_ref().is_none_or(|(s, _)| *s != second) {
            *cached = Some((
                second,
                signer.headers("GET", &full, &[("host", &host)], b"", now)?,
            ));
        }
        let mut req = http::Request::get(full.as_str()).header("host", host.as_str());
        for (k, v) in cached
            .as_ref()
            .map(|(_, h)| h.as_slice())
            .unwrap_or_default()
        {
            req = req.header(*k, v);
        }
        if let Some(csrf) = &csrf {
            req = req.header("x-stagecraft-csrf", csrf);
        }
        Ok(req.body(Empty::new())?)
    };
    measure(
        route.addr,
        request,
        concurrency,
        (o.warmup, o.seconds),
        None,
    )
    .await
}

struct Row {
    concurrency: usize,
    direct: Summary,
    proxied: Summary,
}

fn added(proxied: u32, direct: u32) -> i64 {
    i64::from(proxied) - i64::from(direct)
}

fn render(rows: &[Row], o: &Options, load: &str) -> String {
    let mut s = String::from("## Proxy\n\n");
    s.push_str(&format!(
        "`cargo xtask bench proxy` ({}): the same SigV4-signed GetStage, keep-alive, one connection per worker, \
         {} s measured after {} s warm-up, straight to a `stagecraft emulator` process and through a \
         `stagecraft serve --endpoint` process in front of it (`--quiet`, release build). \
         Client, proxy and emulator share {} CPU cores (1-minute load average before the run: {}). \
         Latencies in µs.\n\n",
        stagecraft_loadgen::report::today(),
        o.seconds,
        o.warmup,
        std::thread::available_parallelism().map_or(0, usize::from),
        load
    ));
    s.push_str("| workers | direct p50 | direct p99 | direct req/s | proxied p50 | proxied p99 | proxied req/s | added p50 | added p99 |\n");
    s.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {:.0} | {} | {} | {:.0} | **{}** | {} |\n",
            r.concurrency,
            r.direct.p50_us,
            r.direct.p99_us,
            r.direct.req_per_s,
            r.proxied.p50_us,
            r.proxied.p99_us,
            r.proxied.req_per_s,
            added(r.proxied.p50_us, r.direct.p50_us),
            added(r.proxied.p99_us, r.direct.p99_us),
        ));
    }
    if let Some(one) = rows.iter().find(|r| r.concurrency == 1).or(rows.first()) {
        let a = added(one.proxied.p50_us, one.direct.p50_us);
        let verdict = if a <= GOAL_US { "met" } else { "NOT met" };
        s.push_str(&format!(
            "\nGoal ≤ {GOAL_US} µs added at p50 ({} worker{}): **{verdict}** ({a} µs). With more workers than cores \
             the added latency is mostly queueing for the CPU the proxy shares with client and emulator; p99 differences are scheduling noise on a shared machine.\n",
            one.concurrency,
            if one.concurrency == 1 { "" } else { "s" }
        ));
    }
    s
}

async fn bench(o: &Options) -> Result<String> {
    let load = load_average();
    let emulator = Proc::start(
        &[
            "emulator",
            "--addr",
            "127.0.0.1:0",
            "--access-key",
            KEY.0,
            "--secret-key",
            KEY.1,
        ],
        "listening on ",
        KEY,
    )?;
    let endpoint = format!("http://{}", emulator.addr);
    let proxy = Proc::start(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--endpoint",
            &endpoint,
            "--region",
            REGION,
            "--quiet",
            "--dist",
            "/nonexistent",
        ],
        "stagecraft serve: ",
        KEY,
    )?;
    let signer = Arc::new(Signer::new(KEY.0, KEY.1, REGION, "apigateway"));
    let mut conn = Conn::new(Arc::new(Endpoint::parse(&endpoint)?), Arc::clone(&signer));
    let api = setup::create_api(&mut conn, "proxy-bench").await?;
    setup::create_stage(&mut conn, &api, "bench").await?;
    let path = format!("/restapis/{}/stages/bench", api.rest_api_id);
    let direct = Route {
        addr: emulator.addr,
        prefix: "",
        csrf: None,
    };
    let proxied = Route {
        addr: proxy.addr,
        prefix: "/api",
        csrf: Some(csrf_token(proxy.addr).await?),
    };

    let mut rows = Vec::new();
    for &c in &o.concurrency {
        let d = run(&direct, &signer, &path, c, o).await.context("direct")?;
        let p = run(&proxied, &signer, &path, c, o)
            .await
            .context("through the proxy")?;
        eprintln!(
            "workers {c}: direct p50 {} p99 {} µs {:.0} req/s | proxied p50 {} p99 {} µs {:.0} req/s | added p50 {} µs",
            d.p50_us,
            d.p99_us,
            d.req_per_s,
            p.p50_us,
            p.p99_us,
            p.req_per_s,
            added(p.p50_us, d.p50_us)
        );
        rows.push(Row {
            concurrency: c,
            direct: d,
            proxied: p,
        });
    }
    Ok(render(&rows, o, &load))
}

fn main() -> ExitCode {
    support::main_with("proxy", options().map(|o| (o.write, o)), |o| async move {
        bench(&o).await
    })
}
