//! `stagecraft emulator`: an AWS-compatible API Gateway control plane on a local port, which also serves
//! the deployed APIs (the data plane).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use stagecraft_emulator::{Config, ServeOptions};

/// Run the API Gateway emulator (point boto3, the AWS CLI or Terraform at it with an endpoint URL).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4567")]
    addr: SocketAddr,
    /// Persist state to this append-only log (replayed on start); in memory when absent. A write is
    /// acknowledged only once it is on disk; a log with an unreadable record (other than a last one
    /// cut short by a crash) is refused, naming its byte offset.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// With --state: if the file has unreadable records, copy it to FILE.corrupt-SECONDS and keep the
    /// readable ones instead of refusing to start.
    #[arg(long, requires = "state")]
    repair: bool,
    /// Access key id that requests must be signed with.
    #[arg(long, default_value = "test")]
    access_key: String,
    /// Secret access key that requests must be signed with.
    #[arg(long, default_value = "test")]
    secret_key: String,
    /// AWS Lambda Invoke API endpoint for TestInvokeAuthorizer (e.g. `sam local start-lambda`'s http://127.0.0.1:3001).
    #[arg(long, value_name = "URL")]
    lambda_endpoint: Option<String>,
    /// Account id used in ARNs and error messages.
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// Region used for requests that carry none.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Seed of the data plane's canary split (reproducible `percentTraffic` draws).
    #[arg(long)]
    seed: Option<u64>,
    /// Write data-plane access logs here (a file per destination ARN) instead of stderr.
    #[arg(long, value_name = "DIR")]
    access_log_dir: Option<PathBuf>,
    /// Seed a demo REST API (petstore-demo) with stages, deployments and a built-in TOKEN authorizer.
    #[arg(long)]
    demo: bool,
    /// Import an OpenAPI 3 / Swagger 2 file (JSON or YAML, with the x-amazon-apigateway extensions) at start-up, as
    /// ImportRestApi does; an API of the same title is overwritten instead. Repeatable.
    #[arg(long = "import", value_name = "FILE")]
    imports: Vec<PathBuf>,
    /// Log only warnings and errors (otherwise `RUST_LOG`, default `info`).
    #[arg(long)]
    quiet: bool,
}

/// Runs the emulator until SIGINT/SIGTERM.
pub fn run(args: Args) -> ExitCode {
    if let Some(url) = &args.lambda_endpoint
        && !url.starts_with("http://")
    {
        eprintln!("error: --lambda-endpoint must be an http:// URL (got {url})");
        return ExitCode::from(2);
    }
    crate::logging::init(args.quiet);
    let options = ServeOptions {
        addr: args.addr,
        state_file: args.state,
        repair: args.repair,
        demo: args.demo,
        imports: args.imports,
        config: Config {
            access_key: args.access_key,
            secret_key: args.secret_key,
            lambda_endpoint: args.lambda_endpoint,
            account_id: args.account_id,
            region: args.region,
            seed: args.seed,
            access_log_dir: args.access_log_dir,
            ..Config::default()
        },
    };
    match stagecraft_emulator::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
