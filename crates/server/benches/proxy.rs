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

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use stagecraft_loadgen::{Conn, Endpoint, Signer, Summary, setup};

const BIN: &str = env!("CARGO_BIN_EXE_stagecraft");
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

/// A child process killed on drop.
struct Proc(Child, SocketAddr);

impl Proc {
    fn start(args: &[&str], prefix: &str) -> Result<Self> {
        let mut child = Command::new(BIN)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", KEY.0)
            .env("AWS_SECRET_ACCESS_KEY", KEY.1)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {BIN}"))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix(prefix)
            .and_then(|a| a.strip_prefix("http://"));
        let Some(addr) = addr else {
            let _ = child.kill();
            bail!("`stagecraft {}` printed {line:?}", args.join(" "));
        };
        Ok(Self(child, addr.parse()?))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where a run sends its requests.
#[derive(Clone)]
struct Route {
    addr: SocketAddr,
    /// `""` direct, `"/api"` through the proxy.
    prefix: &'static str,
    csrf: Option<String>,
}

async fn connect(addr: SocketAddr) -> Result<http1::SendRequest<Empty<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
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

/// One worker: GetStage in a loop on one keep-alive connection, signed once per second (SigV4
/// dates have second resolution), until `end`; latencies of requests started after `measure_from`.
async fn worker(
    route: Route,
    signer: Arc<Signer>,
    path: String,
    measure_from: Instant,
    end: Instant,
) -> Result<(Vec<u32>, u64)> {
    let host = route.addr.to_string();
    let full = format!("{}{path}", route.prefix);
    let mut sender = connect(route.addr).await?;
    let mut signed: Option<(u64, Vec<(&'static str, String)>)> = None;
    let (mut latencies, mut errors) = (Vec::with_capacity(1 << 16), 0);
    loop {
        let t0 = Instant::now();
        if t0 >= end {
            return Ok((latencies, errors));
        }
        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH)?.as_secs();
        if signed.as_ref().is_none_or(|(s, _)| *s != second) {
            signed = Some((
                second,
                signer.headers("GET", &full, &[("host", &host)], b"", now)?,
            ));
        }
        let mut req = http::Request::get(full.as_str()).header("host", host.as_str());
        for (k, v) in signed
            .as_ref()
            .map(|(_, h)| h.as_slice())
            .unwrap_or_default()
        {
            req = req.header(*k, v);
        }
        if let Some(csrf) = &route.csrf {
            req = req.header("x-stagecraft-csrf", csrf);
        }
        sender.ready().await?;
        let response = sender.send_request(req.body(Empty::new())?).await?;
        let ok = response.status().is_success();
        response.into_body().collect().await?;
        let t1 = Instant::now();
        if t0 >= measure_from && t1 <= end {
            if ok {
                latencies
                    .push(u32::try_from(t1.duration_since(t0).as_micros()).unwrap_or(u32::MAX));
            } else {
                errors += 1;
            }
        }
    }
}

async fn run(
    route: &Route,
    signer: &Arc<Signer>,
    path: &str,
    concurrency: usize,
    o: &Options,
) -> Result<Summary> {
    let measure_from = Instant::now() + Duration::from_secs(o.warmup);
    let end = measure_from + Duration::from_secs(o.seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            tokio::spawn(worker(
                route.clone(),
                Arc::clone(signer),
                path.to_owned(),
                measure_from,
                end,
            ))
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await??;
        all.extend(l);
        errors += e;
    }
    let summary = Summary::from_samples(all, errors, o.seconds as f64, concurrency as u64, None);
    if summary.errors > 0 || summary.requests == 0 {
        bail!("{} errors, {} successes", summary.errors, summary.requests);
    }
    Ok(summary)
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

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "n/a".into())
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
    )?;
    let endpoint = format!("http://{}", emulator.1);
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
    )?;
    let signer = Arc::new(Signer::new(KEY.0, KEY.1, REGION, "apigateway"));
    let mut conn = Conn::new(Arc::new(Endpoint::parse(&endpoint)?), Arc::clone(&signer));
    let api = setup::create_api(&mut conn, "proxy-bench").await?;
    setup::create_stage(&mut conn, &api, "bench").await?;
    let path = format!("/restapis/{}/stages/bench", api.rest_api_id);
    let direct = Route {
        addr: emulator.1,
        prefix: "",
        csrf: None,
    };
    let proxied = Route {
        addr: proxy.1,
        prefix: "/api",
        csrf: Some(csrf_token(proxy.1).await?),
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
    let result = options().and_then(|o| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let table = runtime.block_on(bench(&o))?;
        println!("\n{table}");
        if o.write {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .nth(2)
                .map_or_else(|| PathBuf::from("docs"), |root| root.join("docs"))
                .join("benchmarks.md");
            stagecraft_loadgen::report::write_section(&path, &table)?;
            println!("wrote the Proxy section of {}", path.display());
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench proxy: {e:#}");
            ExitCode::FAILURE
        }
    }
}
