//! `loadgen`: SigV4-signed load against an API Gateway control plane.
//!
//! - `loadgen --endpoint URL --op get-stage|update-stage --rest-api-id ID --stage NAME
//!   [--concurrency N] (--duration SECS | --requests N)` prints `{req_per_s, p50_us, p99_us, errors, …}`.
//! - `loadgen setup --endpoint URL [--stages N]` creates an API, a deployment and stages; prints their ids.
//! - `loadgen compare` runs the emulator-vs-moto benchmark (`cargo xtask bench emulator`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use stagecraft_loadgen::{Conn, Endpoint, Limit, Op, Signer, Workload, compare, runtime, setup};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    about = "SigV4-signed HTTP/1.1 load client for API Gateway control planes",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a REST API (GET / with a MOCK integration), a deployment and stages; print their ids as JSON.
    Setup(SetupArgs),
    /// Benchmark `stagecraft emulator` against moto and write docs/benchmarks.md (`cargo xtask bench emulator`).
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
struct Target {
    /// Base URL (`http://127.0.0.1:4567`).
    #[arg(long, required = true)]
    endpoint: Option<String>,
    /// Signing region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Access key id.
    #[arg(long, default_value = "test")]
    access_key: String,
    /// Secret access key.
    #[arg(long, default_value = "test")]
    secret_key: String,
}

impl Target {
    fn build(&self) -> Result<(Arc<Endpoint>, Arc<Signer>)> {
        let Some(url) = &self.endpoint else {
            bail!("--endpoint is required")
        };
        Ok((
            Arc::new(Endpoint::parse(url)?),
            Arc::new(Signer::new(
                &self.access_key,
                &self.secret_key,
                &self.region,
                "apigateway",
            )),
        ))
    }
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    target: Target,
    /// get-stage | update-stage.
    #[arg(long, required = true)]
    op: Option<Op>,
    /// REST API id.
    #[arg(long, required = true)]
    rest_api_id: Option<String>,
    /// Stage name.
    #[arg(long, required = true)]
    stage: Option<String>,
    /// Concurrent workers (one connection each).
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Measure for this many seconds.
    #[arg(long, conflicts_with = "requests")]
    duration: Option<f64>,
    /// Send this many requests in total.
    #[arg(long)]
    requests: Option<u64>,
    /// Unmeasured warm-up seconds before a --duration run.
    #[arg(long, default_value_t = 0.0)]
    warmup: f64,
    /// Client runtime threads (0 = one per CPU).
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(Debug, Args)]
struct SetupArgs {
    #[command(flatten)]
    target: Target,
    /// REST API name.
    #[arg(long, default_value = "loadgen")]
    name: String,
    /// Stage name (with --stages > 1: a prefix, stages PREFIX0…PREFIX{N-1}).
    #[arg(long, default_value = "bench")]
    stage: String,
    /// How many stages.
    #[arg(long, default_value_t = 1)]
    stages: usize,
    /// Parallel connections for creating stages.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The `stagecraft` binary.
    #[arg(long, default_value = "target/release/stagecraft")]
    stagecraft_bin: PathBuf,
    /// The moto server command.
    #[arg(long, default_value = "moto_server")]
    moto_server: String,
    /// Measured seconds per cell.
    #[arg(long, default_value_t = 4.0)]
    duration: f64,
    /// Warm-up seconds per cell.
    #[arg(long, default_value_t = 0.5)]
    warmup: f64,
    /// Concurrency levels, comma-separated.
    #[arg(long, default_value = "1,8,64", value_delimiter = ',')]
    concurrency: Vec<usize>,
    /// Stages for the emulator memory measurement (0 skips it).
    #[arg(long, default_value_t = 10_000)]
    stages: usize,
    /// Stages for moto's memory measurement (0 skips it).
    #[arg(long, default_value_t = 10_000)]
    moto_stages: usize,
    /// Markdown file whose `## Emulator` section is replaced.
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// Do not write the markdown file.
    #[arg(long)]
    no_write: bool,
    /// Also write the raw results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Signing region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Client runtime threads (0 = one per CPU).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Log only warnings and errors, not the progress (otherwise `RUST_LOG`, default `info`).
    #[arg(long)]
    quiet: bool,
}

/// Progress goes to stderr through `tracing`: loadgen's own events at `info` by default,
/// `RUST_LOG` when set, warnings and errors only with `--quiet`.
fn init_logging(quiet: bool) {
    let own = |level: &str| EnvFilter::new(format!("loadgen={level},stagecraft_loadgen={level}"));
    let filter = if quiet {
        own("warn")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| own("info"))
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

fn run(args: &RunArgs) -> Result<()> {
    let (endpoint, signer) = args.target.build()?;
    let limit = match (args.duration, args.requests) {
        (_, Some(n)) => Limit::Requests(n),
        (Some(d), None) => Limit::Duration(Duration::from_secs_f64(d)),
        (None, None) => bail!("give --duration SECS or --requests N"),
    };
    let work = Workload {
        endpoint,
        signer,
        op: args.op.unwrap_or(Op::GetStage),
        rest_api_id: args.rest_api_id.clone().unwrap_or_default(),
        stage: args.stage.clone().unwrap_or_default(),
        concurrency: args.concurrency,
        limit,
        warmup: Duration::from_secs_f64(args.warmup),
    };
    let summary = runtime(args.threads)?.block_on(work.run())?;
    let mut out = summary.to_json();
    out["op"] = json!(work.op.name());
    out["concurrency"] = json!(work.concurrency);
    println!("{out}");
    Ok(())
}

fn setup_cmd(args: &SetupArgs) -> Result<()> {
    let (endpoint, signer) = args.target.build()?;
    let api = runtime(0)?.block_on(async {
        let mut conn = Conn::new(Arc::clone(&endpoint), Arc::clone(&signer));
        let api = setup::create_api(&mut conn, &args.name).await?;
        if args.stages == 1 {
            setup::create_stage(&mut conn, &api, &args.stage).await?;
        } else {
            setup::create_stages(
                &endpoint,
                &signer,
                &api,
                &args.stage,
                args.stages,
                args.concurrency,
            )
            .await?;
        }
        Ok::<_, anyhow::Error>(api)
    })?;
    println!(
        "{}",
        json!({"rest_api_id": api.rest_api_id, "deployment_id": api.deployment_id, "stage": args.stage, "stages": args.stages})
    );
    Ok(())
}

fn compare_cmd(args: &CompareArgs) -> Result<()> {
    let opts = compare::Options {
        stagecraft_bin: args.stagecraft_bin.clone(),
        moto_server: args.moto_server.clone(),
        duration: Duration::from_secs_f64(args.duration),
        warmup: Duration::from_secs_f64(args.warmup),
        concurrency: args.concurrency.clone(),
        stages: args.stages,
        moto_stages: args.moto_stages,
        out: (!args.no_write).then(|| args.out.clone()),
        json_out: args.json.clone(),
        access_key: "test".into(),
        secret_key: "test".into(),
        region: args.region.clone(),
        threads: args.threads,
    };
    compare::compare(&opts).map(|_| ())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(&cli.command, Some(Command::Compare(a)) if a.quiet));
    let result = match &cli.command {
        None => run(&cli.run),
        Some(Command::Setup(a)) => setup_cmd(a),
        Some(Command::Compare(a)) => compare_cmd(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e:#}");
            ExitCode::FAILURE
        }
    }
}
