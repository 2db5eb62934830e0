//! `loadgen compare`: the `cargo xtask bench emulator` orchestrator.
//!
//! Starts `stagecraft emulator` (in memory, and with `--state` on a temporary file) and
//! `moto_server`, creates the same API + stage on each through the REST API, runs get_stage and
//! update_stage at each concurrency against each, measures the emulator's RSS with N stages, stops
//! every server and writes a markdown report into the `## Emulator` section of `docs/benchmarks.md`.
//! `process` runs the servers; `render` turns the measurements into markdown and JSON.

mod process;
mod render;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use http::Method;

pub use render::{render, to_json};

use crate::Signer;
use crate::client::Conn;
use crate::report::write_section;
use crate::setup::{self, Api};
use crate::stats::Summary;
use crate::workload::{Limit, Op, Workload};
use process::{Server, clock_ticks, cpu_seconds, loadavg, start_emulator, start_moto};

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
        tracing::warn!("logs kept in {}", dir.display());
    }
    let report = result?;
    let markdown = render(&report);
    println!("{markdown}");
    if let Some(out) = &opts.out {
        write_section(out, &markdown)?;
        tracing::info!("wrote the `{SECTION}` section of {}", out.display());
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
    tracing::info!("starting servers (load average {load_before})");
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
                let server_cpu_us = sampler
                    .join()
                    .ok()
                    .flatten()
                    .filter(|_| summary.requests > 0)
                    .map(|(a, b)| (b - a) * 1e6 / (summary.requests + summary.errors) as f64);
                tracing::info!(
                    "{:<12} c={concurrency:<3} {:<36} {:>10.0} req/s  p50 {:>7} µs  p99 {:>7} µs  server CPU {:>7.1} µs/req  errors {}{}",
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
        tracing::info!("memory: emulator with {} stages", opts.stages);
        let fresh = start_emulator(opts, None, dir, EMU)?;
        memory.push(measure_memory(rt, &fresh, signer, opts.stages)?);
    }
    if opts.moto_stages > 0 {
        tracing::info!("memory: moto with {} stages", opts.moto_stages);
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
