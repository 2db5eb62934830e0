//! `loadgen compare`: the `cargo xtask bench emulator` orchestrator.
//!
//! Starts `stagecraft emulator` (in memory, and with `--state` on a temporary file) and
//! `moto_server`, creates the same API + stage on each through the REST API, runs get_stage and
//! update_stage at each concurrency against each, measures the emulator's RSS with N stages, stops
//! every server and writes a markdown report into the `## Emulator` section of `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use http::Method;
use serde_json::{Value, json};

use crate::Signer;
use crate::client::{Conn, Endpoint};
use crate::report::{utc_date, write_section};
use crate::setup::{self, Api};
use crate::stats::Summary;
use crate::workload::{Limit, Op, Workload};

/// The markdown heading this tool owns in the report file.
pub const SECTION: &str = "## Emulator";

/// Settings for [`compare`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The `stagecraft` binary (release build).
    pub stagecraft_bin: PathBuf,
    /// The moto server command (`moto_server`).
    pub moto_server: String,
    /// Measured time per cell.
    pub duration: Duration,
    /// Warm-up per cell.
    pub warmup: Duration,
    /// Concurrency levels.
    pub concurrency: Vec<usize>,
    /// Stages for the emulator memory measurement (0 = skip).
    pub stages: usize,
    /// Stages for moto's memory measurement (0 = skip).
    pub moto_stages: usize,
    /// Markdown report file (its `## Emulator` section is replaced); `None` = print only.
    pub out: Option<PathBuf>,
    /// Raw results as JSON.
    pub json_out: Option<PathBuf>,
    /// Key pair and region the servers are started with and requests are signed with.
    pub access_key: String,
    /// Secret key.
    pub secret_key: String,
    /// Region.
    pub region: String,
    /// Client runtime threads (see [`crate::runtime`]).
    pub threads: usize,
}

/// A server child process, killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    endpoint: Arc<Endpoint>,
    log: PathBuf,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn rss_bytes(&self) -> Result<u64> {
        rss_bytes(self.pid())
    }

    fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited ({status}); log {}:\n{}",
                self.name,
                self.log.display(),
                tail(&self.log)
            );
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// VmRSS of a process, from `/proc/PID/status`.
///
/// # Errors
/// The file is missing or has no VmRSS line.
pub fn rss_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow!("no VmRSS for pid {pid}"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .context("parsing VmRSS")?;
    Ok(kb * 1024)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start_emulator(
    opts: &Options,
    state: Option<&Path>,
    dir: &Path,
    name: &'static str,
) -> Result<Server> {
    let log = dir.join(format!("{}.log", name.replace(' ', "-")));
    let mut cmd = Command::new(&opts.stagecraft_bin);
    cmd.args(["emulator", "--addr", "127.0.0.1:0"]).args([
        "--access-key",
        &opts.access_key,
        "--secret-key",
        &opts.secret_key,
    ]);
    if let Some(state) = state {
        cmd.arg("--state").arg(state);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| format!("starting {} emulator", opts.stagecraft_bin.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.trim().strip_prefix("listening on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let mut server = Server {
        name,
        child,
        endpoint: Arc::new(Endpoint::parse("http://127.0.0.1:1")?),
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(url) => {
                server.endpoint = Arc::new(Endpoint::parse(&url)?);
                return Ok(server);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {
                server.check_alive()?;
            }
            Err(_) => {
                server.check_alive()?;
                bail!("{name}: no `listening on` line within 30 s");
            }
        }
    }
}

fn start_moto(
    opts: &Options,
    dir: &Path,
    rt: &tokio::runtime::Runtime,
    signer: &Arc<Signer>,
) -> Result<Server> {
    let port = free_port()?;
    let log = dir.join("moto.log");
    let child = Command::new(&opts.moto_server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("moto.stdout"))?)
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (pip install -r tests/requirements-bench.txt)",
                opts.moto_server
            )
        })?;
    let mut server = Server {
        name: "moto",
        child,
        endpoint: Arc::new(Endpoint::parse(&format!("http://127.0.0.1:{port}"))?),
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        server.check_alive()?;
        let mut conn = Conn::new(Arc::clone(&server.endpoint), Arc::clone(signer));
        if let Ok(r) = rt.block_on(conn.call(Method::GET, "/restapis", None))
            && r.status.is_success()
        {
            return Ok(server);
        }
        if Instant::now() > deadline {
            bail!(
                "moto_server did not answer GET /restapis within 60 s; log:\n{}",
                tail(&server.log)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One measured cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The operation.
    pub op: Op,
    /// Target label.
    pub server: &'static str,
    /// Concurrency.
    pub concurrency: usize,
    /// Result.
    pub summary: Summary,
    /// Server CPU time (user + system, all threads) per request during the measured window, µs.
    pub server_cpu_us: Option<f64>,
}

/// utime + stime of a process in seconds, from `/proc/PID/stat`.
#[must_use]
pub fn cpu_seconds(pid: u32, ticks_per_s: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks_per_s)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// A memory measurement.
#[derive(Debug, Clone)]
pub struct Memory {
    /// Target label.
    pub server: &'static str,
    /// RSS after start-up and creating the API (bytes).
    pub idle: u64,
    /// RSS after creating `stages` stages (bytes).
    pub loaded: u64,
    /// Stage count.
    pub stages: usize,
    /// Seconds it took to create them.
    pub create_seconds: f64,
}

/// Everything [`compare`] measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// Throughput cells.
    pub cells: Vec<Cell>,
    /// Memory rows.
    pub memory: Vec<Memory>,
    /// Settings used.
    pub duration: Duration,
    /// Warm-up used.
    pub warmup: Duration,
    /// moto's version.
    pub moto_version: String,
    /// When it ran (seconds since the epoch).
    pub when: u64,
    /// Total wall time.
    pub wall: Duration,
    /// `/proc/loadavg` (1-minute) before and after the run: other work on the machine skews results.
    pub load: (String, String),
    /// Client runtime threads.
    pub threads: usize,
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// Label of the in-memory emulator.
pub const EMU: &str = "stagecraft emulator (in memory)";
/// Label of the durable emulator.
pub const EMU_DURABLE: &str = "stagecraft emulator (--state, fsync)";
/// Label of moto.
pub const MOTO: &str = "moto";

fn measure_memory(
    rt: &tokio::runtime::Runtime,
    server: &Server,
    signer: &Arc<Signer>,
    stages: usize,
) -> Result<Memory> {
    let mut conn = Conn::new(Arc::clone(&server.endpoint), Arc::clone(signer));
    let api = rt.block_on(setup::create_api(&mut conn, "loadgen-memory"))?;
    std::thread::sleep(Duration::from_millis(200));
    let idle = server.rss_bytes()?;
    let started = Instant::now();
    rt.block_on(setup::create_stages(
        &server.endpoint,
        signer,
        &api,
        "s",
        stages,
        8,
    ))
    .with_context(|| format!("{}: creating {stages} stages", server.name))?;
    let create_seconds = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_millis(200));
    let loaded = server.rss_bytes()?;
    // Sanity: the last stage is there.
    let last = rt.block_on(conn.call(
        Method::GET,
        &format!("/restapis/{}/stages/s{}", api.rest_api_id, stages - 1),
        None,
    ))?;
    last.ok()
        .with_context(|| format!("{}: GetStage of the last created stage", server.name))?;
    Ok(Memory {
        server: server.name,
        idle,
        loaded,
        stages,
        create_seconds,
    })
}

/// Runs the whole comparison.
///
/// # Errors
/// A server does not start, setup fails, or the report cannot be written.
pub fn compare(opts: &Options) -> Result<Report> {
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let signer = Arc::new(Signer::new(
        &opts.access_key,
        &opts.secret_key,
        &opts.region,
        "apigateway",
    ));
    let dir = std::env::temp_dir().join(format!("stagecraft-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run_all(opts, &rt, &signer, &dir, started);
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("logs kept in {}", dir.display());
    }
    let report = result?;
    let markdown = render(&report);
    println!("{markdown}");
    if let Some(out) = &opts.out {
        write_section(out, &markdown)?;
        eprintln!("wrote the `{SECTION}` section of {}", out.display());
    }
    if let Some(path) = &opts.json_out {
        std::fs::write(path, serde_json::to_string_pretty(&to_json(&report))?)?;
    }
    Ok(report)
}

fn run_all(
    opts: &Options,
    rt: &tokio::runtime::Runtime,
    signer: &Arc<Signer>,
    dir: &Path,
    started: Instant,
) -> Result<Report> {
    let load_before = loadavg();
    eprintln!("→ starting servers (load average {load_before})");
    let moto = start_moto(opts, dir, rt, signer)?;
    let emu = start_emulator(opts, None, dir, EMU)?;
    let durable = start_emulator(opts, Some(&dir.join("state.log")), dir, EMU_DURABLE)?;
    let moto_version = Command::new("python3")
        .args(["-c", "import moto; print(moto.__version__)"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "?".to_owned());

    let mut apis: Vec<(&Server, Api)> = Vec::new();
    for server in [&emu, &durable, &moto] {
        let mut conn = Conn::new(Arc::clone(&server.endpoint), Arc::clone(signer));
        let api = rt
            .block_on(async {
                let api = setup::create_api(&mut conn, "loadgen-bench").await?;
                setup::create_stage(&mut conn, &api, "bench").await?;
                Ok::<_, anyhow::Error>(api)
            })
            .with_context(|| format!("{}: setup", server.name))?;
        apis.push((server, api));
    }

    let plan: [(Op, &[&'static str]); 2] = [
        (Op::GetStage, &[EMU, MOTO]),
        (Op::UpdateStage, &[EMU, EMU_DURABLE, MOTO]),
    ];
    let mut cells = Vec::new();
    let ticks = clock_ticks();
    for (op, servers) in plan {
        for &concurrency in &opts.concurrency {
            for &name in servers {
                let (server, api) = apis
                    .iter()
                    .find(|(s, _)| s.name == name)
                    .ok_or_else(|| anyhow!("no {name}"))?;
                let work = Workload {
                    endpoint: Arc::clone(&server.endpoint),
                    signer: Arc::clone(signer),
                    op,
                    rest_api_id: api.rest_api_id.clone(),
                    stage: "bench".into(),
                    concurrency,
                    limit: Limit::Duration(opts.duration),
                    warmup: opts.warmup,
                };
                let (pid, warmup, duration) = (server.pid(), opts.warmup, opts.duration);
                let sampler = std::thread::spawn(move || {
                    std::thread::sleep(warmup);
                    let a = cpu_seconds(pid, ticks);
                    std::thread::sleep(duration);
                    Some((a?, cpu_seconds(pid, ticks)?))
                });
                let summary = rt.block_on(work.run())?;
                #[allow(clippy::cast_precision_loss)]
                let server_cpu_us = sampler
                    .join()
                    .ok()
                    .flatten()
                    .filter(|_| summary.requests > 0)
                    .map(|(a, b)| (b - a) * 1e6 / (summary.requests + summary.errors) as f64);
                eprintln!(
                    "  {:<12} c={concurrency:<3} {:<36} {:>10.0} req/s  p50 {:>7} µs  p99 {:>7} µs  server CPU {:>7.1} µs/req  errors {}{}",
                    op.name(),
                    name,
                    summary.req_per_s,
                    summary.p50_us,
                    summary.p99_us,
                    server_cpu_us.unwrap_or(f64::NAN),
                    summary.errors,
                    summary
                        .first_error
                        .as_deref()
                        .map(|e| format!(" (first: {e})"))
                        .unwrap_or_default()
                );
                cells.push(Cell {
                    op,
                    server: name,
                    concurrency,
                    summary,
                    server_cpu_us,
                });
            }
        }
    }
    drop(apis);
    drop(emu);
    drop(durable);

    let mut memory = Vec::new();
    if opts.stages > 0 {
        eprintln!("→ memory: emulator with {} stages", opts.stages);
        let fresh = start_emulator(opts, None, dir, EMU)?;
        memory.push(measure_memory(rt, &fresh, signer, opts.stages)?);
    }
    if opts.moto_stages > 0 {
        eprintln!("→ memory: moto with {} stages", opts.moto_stages);
        let mut conn = Conn::new(Arc::clone(&moto.endpoint), Arc::clone(signer));
        rt.block_on(conn.call(Method::POST, "/moto-api/reset", None))?
            .ok()
            .context("moto reset")?;
        memory.push(measure_memory(rt, &moto, signer, opts.moto_stages)?);
    }
    drop(moto);

    Ok(Report {
        cells,
        memory,
        duration: opts.duration,
        warmup: opts.warmup,
        moto_version,
        when: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        wall: started.elapsed(),
        load: (load_before, loadavg()),
        threads: opts.threads,
    })
}

fn find<'a>(report: &'a Report, op: Op, server: &str, concurrency: usize) -> Option<&'a Summary> {
    report
        .cells
        .iter()
        .find(|c| c.op == op && c.server == server && c.concurrency == concurrency)
        .map(|c| &c.summary)
}

/// Throughput ratio of `server` over moto per concurrency level.
#[must_use]
pub fn ratios(report: &Report, op: Op, server: &str) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for c in report
        .cells
        .iter()
        .filter(|c| c.op == op && c.server == server)
    {
        if let Some(m) = find(report, op, MOTO, c.concurrency)
            && m.req_per_s > 0.0
        {
            out.push((c.concurrency, c.summary.req_per_s / m.req_per_s));
        }
    }
    out
}

fn thousands(n: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = n.round().max(0.0) as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn ratio(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.1}×")
    }
}

#[allow(clippy::cast_precision_loss)]
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn goal_line(out: &mut String, report: &Report, what: &str, op: Op, server: &str, goal: f64) {
    let rs = ratios(report, op, server);
    let Some(&(worst_c, worst)) = rs.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
        let _ = writeln!(out, "| {what} ≥ {goal:.0}× moto | not measured | — |");
        return;
    };
    let all = rs
        .iter()
        .map(|(c, r)| format!("{} at {c}", ratio(*r)))
        .collect::<Vec<_>>()
        .join(", ");
    let verdict = if worst >= goal { "met" } else { "**missed**" };
    let _ = writeln!(
        out,
        "| {what} ≥ {goal:.0}× moto | {all} (worst {} at {worst_c}) | {verdict} |",
        ratio(worst)
    );
}

/// The markdown section (starting with [`SECTION`]).
#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let _ = writeln!(out, "{SECTION}\n");
    let _ = writeln!(
        out,
        "`cargo xtask bench emulator` (`loadgen compare`), {} UTC, {cores} CPU cores, 1-minute load average {} before / \
         {} after (the load client, the servers and any other work share the machine). Each cell: {:.0} s measured after \
         a {:.1} s warm-up. The client (`crates/loadgen`, {} runtime thread(s)) keeps one HTTP/1.1 connection per \
         worker and SigV4-signs every request with `aws-sigv4` (a GET is signed once per second, since its signature \
         cannot change within a second). moto {} (`moto_server`) answers every request with `Connection: close`, so \
         against moto each request opens a new TCP connection, as boto3's do too. update_stage replaces \
         `/*/*/throttling/burstLimit` with an incrementing value, all workers on one stage; with `--state` each update \
         is acknowledged after fsync. Server CPU is user + system time of the server process (all threads, from \
         `/proc/PID/stat`) over the measured window divided by the requests in it: unlike req/s it hardly depends on what \
         else the machine is doing. Whole run: {:.0} s.\n",
        utc_date(report.when),
        report.load.0,
        report.load.1,
        report.duration.as_secs_f64(),
        report.warmup.as_secs_f64(),
        report.threads,
        report.moto_version,
        report.wall.as_secs_f64(),
    );
    for op in [Op::GetStage, Op::UpdateStage] {
        let _ = writeln!(out, "### {}\n", op.name());
        let _ = writeln!(
            out,
            "| concurrency | server | req/s | p50 (µs) | p99 (µs) | errors | server CPU (µs/req) | req/s vs moto | p50: moto ÷ this | CPU/req: moto ÷ this |"
        );
        let _ = writeln!(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for cell in report.cells.iter().filter(|c| c.op == op) {
            let s = &cell.summary;
            let moto = find(report, op, MOTO, cell.concurrency);
            let (vs, p50) = match moto {
                Some(m) if cell.server != MOTO && m.req_per_s > 0.0 && s.p50_us > 0 => (
                    ratio(s.req_per_s / m.req_per_s),
                    ratio(f64::from(m.p50_us) / f64::from(s.p50_us)),
                ),
                _ => ("—".to_owned(), "—".to_owned()),
            };
            let moto_cpu = report
                .cells
                .iter()
                .find(|c| c.op == op && c.server == MOTO && c.concurrency == cell.concurrency)
                .and_then(|c| c.server_cpu_us);
            let cpu_ratio = match (moto_cpu, cell.server_cpu_us) {
                (Some(m), Some(t)) if cell.server != MOTO && t > 0.0 => ratio(m / t),
                _ => "—".to_owned(),
            };
            let cpu = cell
                .server_cpu_us
                .map_or_else(|| "?".to_owned(), |c| format!("{c:.1}"));
            let label = if cell.server == MOTO {
                format!("moto {}", report.moto_version)
            } else {
                cell.server.to_owned()
            };
            let _ = writeln!(
                out,
                "| {} | {label} | {} | {} | {} | {} | {cpu} | {vs} | {p50} | {cpu_ratio} |",
                cell.concurrency,
                thousands(s.req_per_s),
                thousands(f64::from(s.p50_us)),
                thousands(f64::from(s.p99_us)),
                s.errors,
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Goals\n");
    let _ = writeln!(out, "| goal | measured (req/s ratio per concurrency) | |");
    let _ = writeln!(out, "|---|---|---|");
    goal_line(
        &mut out,
        report,
        "get_stage (in memory)",
        Op::GetStage,
        EMU,
        100.0,
    );
    goal_line(
        &mut out,
        report,
        "update_stage with `--state` (durable)",
        Op::UpdateStage,
        EMU_DURABLE,
        20.0,
    );
    out.push('\n');
    if !report.memory.is_empty() {
        let _ = writeln!(out, "### Memory (VmRSS from /proc/PID/status)\n");
        let _ = writeln!(
            out,
            "| server | after start + 1 API | with N stages | N | per stage | time to create them |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        for m in &report.memory {
            let label = if m.server == MOTO {
                format!("moto {}", report.moto_version)
            } else {
                m.server.to_owned()
            };
            #[allow(clippy::cast_precision_loss)]
            let per = m.loaded.saturating_sub(m.idle) as f64 / m.stages.max(1) as f64;
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {:.1} KiB | {:.1} s |",
                mib(m.idle),
                mib(m.loaded),
                thousands(m.stages as f64),
                per / 1024.0,
                m.create_seconds
            );
        }
        out.push('\n');
    }
    out
}

/// The report as JSON.
#[must_use]
pub fn to_json(report: &Report) -> Value {
    json!({
        "cells": report.cells.iter().map(|c| {
            let mut v = c.summary.to_json();
            v["op"] = json!(c.op.name());
            v["server"] = json!(c.server);
            v["concurrency"] = json!(c.concurrency);
            v["server_cpu_us_per_req"] = json!(c.server_cpu_us);
            v
        }).collect::<Vec<_>>(),
        "memory": report.memory.iter().map(|m| json!({
            "server": m.server, "idle_bytes": m.idle, "loaded_bytes": m.loaded, "stages": m.stages,
            "create_seconds": m.create_seconds,
        })).collect::<Vec<_>>(),
        "moto_version": report.moto_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ratio(123.4), "123×");
        assert_eq!(ratio(2.34), "2.3×");
    }
}
