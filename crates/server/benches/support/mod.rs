//! What the process-level benchmarks share: a `stagecraft` child process, raw keep-alive HTTP/1.1
//! connections, a timed request loop and the machine's load.
#![allow(dead_code, reason = "each benchmark uses part of this module")]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use stagecraft_loadgen::Summary;

/// The `stagecraft` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_stagecraft");

/// A `stagecraft` child process, killed on drop, with the address it printed.
pub struct Proc {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Proc {
    /// Starts `stagecraft ARGS` with the given AWS key pair in its environment and waits for its first
    /// stdout line, `PREFIX http://ADDR`.
    pub fn start(args: &[&str], prefix: &str, key: (&str, &str)) -> Result<Self> {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("AWS_ACCESS_KEY_ID", key.0)
            .env("AWS_SECRET_ACCESS_KEY", key.1)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        Self::spawn(command, prefix).with_context(|| format!("`stagecraft {}`", args.join(" ")))
    }

    /// Starts `command` and waits for its first stdout line, `PREFIX http://ADDR`.
    pub fn spawn(mut command: Command, prefix: &str) -> Result<Self> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", command.get_program().display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix(prefix)
            .and_then(|a| a.strip_prefix("http://"));
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("printed {line:?} instead of {prefix}http://ADDR");
        };
        Ok(Self {
            addr: addr.parse()?,
            child,
        })
    }

    /// CPU time (user + system) the process has used so far, from `/proc/PID/stat`; `None` where
    /// there is no procfs.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_secs_f64(ticks as f64 / clock_ticks()))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second of `/proc` CPU times (`getconf CLK_TCK`, 100 on Linux).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// One keep-alive HTTP/1.1 connection without request bodies.
pub async fn connect(addr: SocketAddr) -> Result<http1::SendRequest<Empty<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// A measured run: `concurrency` workers, each on its own connection to `addr`, send the request
/// `request()` builds until `warmup + seconds` have passed; latencies of the requests that start
/// after the warm-up and answer 2xx are summarised, any other answer counts as an error. With
/// `max_rate`, the workers together send at most that many requests per second (a worker ahead of its
/// share waits), e.g. to stay under a throttle the server enforces.
pub async fn measure<F>(
    addr: SocketAddr,
    request: F,
    concurrency: usize,
    (warmup, seconds): (u64, u64),
    max_rate: Option<f64>,
) -> Result<Summary>
where
    F: Fn() -> Result<http::Request<Empty<Bytes>>> + Clone + Send + 'static,
{
    let started = Instant::now();
    let measure_from = started + Duration::from_secs(warmup);
    let end = measure_from + Duration::from_secs(seconds);
    let gap = max_rate.map(|rate| Duration::from_secs_f64(concurrency as f64 / rate));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut sender = connect(addr).await?;
                let (mut latencies, mut errors) = (Vec::with_capacity(1 << 16), 0_u64);
                let mut sent = 0_u32;
                loop {
                    if let Some(gap) = gap {
                        let due = started + gap * sent;
                        if due > Instant::now() + Duration::from_millis(1) {
                            tokio::time::sleep_until(due.into()).await;
                        }
                        sent += 1;
                    }
                    let t0 = Instant::now();
                    if t0 >= end {
                        return Ok::<_, anyhow::Error>((latencies, errors));
                    }
                    let req = request()?;
                    sender.ready().await?;
                    let response = sender.send_request(req).await?;
                    let ok = response.status().is_success();
                    response.into_body().collect().await?;
                    let t1 = Instant::now();
                    if t0 >= measure_from && t1 <= end {
                        if ok {
                            latencies.push(
                                u32::try_from(t1.duration_since(t0).as_micros())
                                    .unwrap_or(u32::MAX),
                            );
                        } else {
                            errors += 1;
                        }
                    }
                }
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await??;
        all.extend(l);
        errors += e;
    }
    let summary = Summary::from_samples(all, errors, seconds as f64, concurrency as u64, None);
    if summary.errors > 0 || summary.requests == 0 {
        bail!("{} errors, {} successes", summary.errors, summary.requests);
    }
    Ok(summary)
}

/// The 1-minute load average, for the report.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "n/a".into())
}

/// A benchmark's `main`: given its parsed options (and whether to write docs/benchmarks.md), runs
/// `bench` on a multi-threaded runtime, prints the markdown section it returns and, when asked,
/// puts it into docs/benchmarks.md in place of the section of the same title.
pub fn main_with<O, F, Fut>(
    name: &str,
    options: Result<(bool, O)>,
    bench: F,
) -> std::process::ExitCode
where
    F: FnOnce(O) -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    let result = options.and_then(|(write, options)| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let table = runtime.block_on(bench(options))?;
        println!("\n{table}");
        if write {
            let path = benchmarks_md();
            stagecraft_loadgen::report::write_section(&path, &table)?;
            println!("wrote its section of {}", path.display());
        }
        Ok(())
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench {name}: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// docs/benchmarks.md of this repository.
pub fn benchmarks_md() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| "docs".into(), |root| root.join("docs"))
        .join("benchmarks.md")
}
