//! `stagecraft serve`: the web app, plus a SigV4 signing proxy for its API calls.
//!
//! Routes:
//! - `/api/{API Gateway REST path}`: allowlisted operations ([`allowlist`]), signed ([`upstream`])
//!   and forwarded to the target fixed at start-up; answers pass through unchanged ([`proxy`]).
//! - `/api/_stagecraft/try-request`: one request to a stage of the embedded emulator, for the editor's
//!   "Try a request" panel ([`try_request`]).
//! - `/api/_stagecraft/whoami` and `/api/_stagecraft/audit`: the caller and what they may change, and a
//!   stage's audit history ([`portal`]).
//! - anything else: the built web app with SPA fallback ([`static_files`]).
//!
//! Everything goes through [`security::guard`] first (body size, Host, identity ([`identity`]), bearer
//! token, Origin, CSRF, response headers, log line); connections are limited by [`listener`]. Changes are
//! checked against `--read-only` and `--rules` ([`access`]) and recorded in `--audit-log` ([`audit`]).
//!
//! Targets: the embedded emulator (default, in-process, signed with a per-process random key pair),
//! `--target aws` (`https://apigateway.{region}.amazonaws.com`) or `--endpoint URL`; the latter two
//! sign with the standard AWS credential chain ([`credentials`]).

pub mod access;
pub mod account;
pub mod allowlist;
pub mod audit;
pub mod credentials;
pub mod error;
pub mod headers;
pub mod identity;
pub mod listener;
pub mod portal;
pub mod proxy;
pub mod security;
pub mod static_files;
pub mod try_request;
pub mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_credential_types::Credentials;
use axum::Router;
use axum::routing::any;
use stagecraft_emulator::AppState;

use access::Access;
use account::Account;
use audit::{AuditLog, TargetInfo};
use credentials::CredentialSource;
use headers::Policy;
use identity::Trust;
use listener::Limits;
use security::Guard;
use static_files::Site;
use upstream::Target;

/// Where the proxy sends API calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetKind {
    /// The emulator built into this process (no extra port).
    Emulator,
    /// Amazon API Gateway in `--region`.
    Aws,
}

/// Serve the web editor and a signing proxy to the embedded emulator, AWS or any AWS-compatible endpoint.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless --allow-remote).
    #[arg(long, visible_alias = "listen", alias = "bind", default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    addr: SocketAddr,
    /// Port to listen on (overrides the port of --addr).
    #[arg(long, short)]
    port: Option<u16>,
    /// Where API calls go [default: emulator, or the --endpoint when one is given].
    #[arg(long, value_enum)]
    target: Option<TargetKind>,
    /// Any AWS-compatible endpoint (a separate `stagecraft emulator`, LocalStack, a VPC endpoint).
    #[arg(long, value_name = "URL", conflicts_with = "target")]
    endpoint: Option<String>,
    /// Signing region [default: AWS_REGION / the profile's region / us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// AWS profile for credentials and region (aws, --endpoint).
    #[arg(long)]
    profile: Option<String>,
    /// Persist the embedded emulator's state to this file.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// With --state: if the file has unreadable records, copy it to FILE.corrupt-SECONDS and keep the
    /// readable ones instead of refusing to start.
    #[arg(long, requires = "state")]
    repair: bool,
    /// Seed the embedded emulator with a demo REST API.
    #[arg(long)]
    demo: bool,
    /// Allow a non-loopback --addr; requires --token, or --trusted-identity-header (then only the
    /// trusted proxies are served).
    #[arg(long)]
    allow_remote: bool,
    /// Bearer token every request must carry (with --allow-remote), except those of a trusted proxy
    /// that names the user. Also read from STAGECRAFT_TOKEN.
    #[arg(long, env = "STAGECRAFT_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The header in which the portal's authenticating proxy names the user (e.g. X-Forwarded-User),
    /// believed only from --trusted-proxy peers; from any other peer it is ignored.
    #[arg(long, value_name = "NAME", requires = "trusted_proxy")]
    trusted_identity_header: Option<String>,
    /// The header with the user's groups, comma-separated (e.g. X-Forwarded-Groups), from the same
    /// trusted proxies.
    #[arg(long, value_name = "NAME", requires = "trusted_identity_header")]
    trusted_groups_header: Option<String>,
    /// Addresses (10.0.0.5) or CIDR blocks (10.0.0.0/8) of the proxies whose identity headers are
    /// believed; repeat or separate with commas.
    #[arg(long, value_name = "ADDR", num_args = 1.., value_delimiter = ',', requires = "trusted_identity_header")]
    trusted_proxy: Vec<String>,
    /// Refuse every change (UpdateStage, CreateStage, DeleteStage, CreateDeployment, cache flushes):
    /// the editor only reads.
    #[arg(long)]
    read_only: bool,
    /// JSON file of who may change which APIs and stages (see the README, "Running it for a team");
    /// changes no rule allows are refused with 403 AccessDeniedException.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Append every change forwarded or refused to FILE as one JSON line (time, user, target account
    /// and region, API, stage, patch operations, result, request id), on disk before the editor gets
    /// the answer; the editor's History view reads it.
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// The built web app [default: ./dist, else the workspace's dist/]; `x.br` / `x.gz` beside a file are sent
    /// to clients that accept that encoding.
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// Development with `trunk serve` (a `[[proxy]]` to this server): accept API calls from this origin
    /// (e.g. http://127.0.0.1:8081) and do not require the CSRF token. Loopback only.
    #[arg(long, value_name = "URL", conflicts_with = "allow_remote")]
    dev_origin: Option<String>,
    /// Origins that may show the editor in a frame (a portal using `?embed=1`), e.g.
    /// https://portal.example.com; repeat or separate with commas. Without it no site may frame the
    /// editor (`frame-ancestors 'none'`, `X-Frame-Options: DENY`).
    #[arg(long, value_name = "ORIGIN", num_args = 1.., value_delimiter = ',')]
    frame_ancestors: Vec<String>,
    /// Connections served at once; one more is answered 503.
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Seconds a client has to send a request's headers (and its body); idle connections close after it.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds one call to the target may take before the editor gets a 504.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    target_timeout: u64,
    /// Log only warnings and errors: no line per API call (otherwise `RUST_LOG`, default `info`).
    #[arg(long, short)]
    quiet: bool,
}

fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    if let Some(port) = text.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|e| format!("invalid port: {e}"))?;
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse()
        .map_err(|e| format!("{e} (expected IP:PORT, e.g. 127.0.0.1:8080)"))
}

/// Shared by every handler.
#[derive(Debug)]
pub struct ServeState {
    /// Access rules.
    pub guard: Guard,
    /// Response headers (CSP, framing).
    pub headers: Policy,
    /// Client limits.
    pub limits: Limits,
    /// Where `/api` goes.
    pub target: Target,
    /// The web app.
    pub site: Site,
    /// Where identities come from.
    pub trust: Trust,
    /// Who may change what.
    pub access: Access,
    /// `--audit-log`.
    pub audit: Option<AuditLog>,
}

/// The whole server: proxy, static files, guard.
pub fn app(state: Arc<ServeState>) -> Router {
    Router::new()
        .route(try_request::PATH, any(try_request::handle))
        .route(portal::WHOAMI, any(portal::whoami))
        .route(portal::AUDIT, any(portal::audit))
        .route(portal::EMBED_JS, any(portal::embed_file))
        .route(portal::EMBED_DTS, any(portal::embed_file))
        .route("/api", any(proxy::handle))
        .route("/api/", any(proxy::handle))
        .route("/api/{*path}", any(proxy::handle))
        .fallback(static_files::handle)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .with_state(state)
}

/// Runs `stagecraft serve` until SIGINT/SIGTERM.
pub fn run(args: ServeArgs) -> ExitCode {
    crate::logging::init(args.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("stagecraft serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stagecraft serve: error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn serve(mut args: ServeArgs) -> Result<(), String> {
    if let Some(port) = args.port {
        args.addr.set_port(port);
    }
    if !args.addr.ip().is_loopback() && !args.allow_remote {
        return Err(format!(
            "refusing to listen on {} (not a loopback address): pass --allow-remote --token TOKEN to expose the editor",
            args.addr
        ));
    }
    if args.allow_remote && args.token.is_none() && args.trusted_identity_header.is_none() {
        return Err("--allow-remote needs --token TOKEN, or --trusted-identity-header NAME with --trusted-proxy ADDR (a portal's authenticating proxy)".into());
    }
    let trust = Trust::new(
        args.trusted_identity_header.as_deref(),
        args.trusted_groups_header.as_deref(),
        &args.trusted_proxy,
        args.allow_remote,
        args.token.is_some(),
    )?;
    let mut access = Access::new(args.read_only);
    if let Some(path) = &args.rules {
        access = access.with_rules_file(path)?;
    }
    if let Some(token) = &args.token {
        security::check_token(token)?;
    }
    let policy = Policy::new(&args.frame_ancestors)?;
    let limits = Limits {
        max_connections: args.max_connections as usize,
        header_timeout: Duration::from_secs(args.header_timeout),
    };
    let remote_target = args.endpoint.is_some() || args.target == Some(TargetKind::Aws);
    if remote_target && (args.demo || args.state.is_some()) {
        return Err("--demo and --state apply to the embedded emulator; leave out --target aws / --endpoint".into());
    }
    let (target, account) = if remote_target {
        let (target, config) = remote(&args).await?;
        let account = Account::from_sts(&config, args.endpoint.as_deref());
        (target, account)
    } else {
        let account = Account::fixed(stagecraft_emulator::Config::default().account_id);
        (embedded(&args)?, account)
    };
    let target = target.with_timeout(Duration::from_secs(args.target_timeout));
    let dist = resolve_dist(args.dist.as_deref());
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let csrf = security::random_hex(32);
    let target_kind = match (&args.endpoint, remote_target) {
        (Some(_), _) => "endpoint",
        (None, true) => "aws",
        (None, false) => "emulator",
    };
    let site = Site::new(dist, &csrf)
        .with_target(target_kind, target.region(), args.endpoint.as_deref())
        .with_frame_ancestors(&args.frame_ancestors);
    let audit = match &args.audit_log {
        Some(path) => {
            let log = AuditLog::open(
                path,
                TargetInfo {
                    kind: target_kind.to_owned(),
                    region: target.region().to_owned(),
                    account: None,
                    endpoint: args.endpoint.clone(),
                },
                account,
            )?;
            // Learn the account now rather than on the first change.
            let early = log.clone();
            tokio::spawn(async move { early.target().await });
            Some(log)
        }
        None => None,
    };
    let state = Arc::new(ServeState {
        guard: Guard::new(csrf.clone(), args.token.clone(), local, args.allow_remote)
            .with_dev_origin(args.dev_origin.clone()),
        headers: policy,
        limits,
        site,
        target,
        trust,
        access,
        audit,
    });
    if remote_target {
        // Fetch credentials now, so a missing profile or login shows at start-up rather than on the first call.
        let warm = state.clone();
        tokio::spawn(async move {
            if let Err(e) = warm.target.credentials.get().await {
                tracing::warn!(
                    "{} (API calls fail until credentials are available)",
                    e.message
                );
            }
        });
    }
    if let Some(origin) = &args.dev_origin {
        tracing::warn!("development mode: /api accepts calls from {origin} without the CSRF token");
    }
    tracing::info!(
        "/api → {} (region {})",
        state.target.description,
        state.target.region()
    );
    match state.site.dir() {
        Some(dir) => tracing::info!("web app from {}", dir.display()),
        None => tracing::info!(
            "no built web app found (run `cargo xtask serve` or `trunk build --release`)"
        ),
    }
    // Signal handlers go in before the URL is printed, so a SIGTERM right after it is a clean stop.
    let shutdown = shutdown_signal()?;
    {
        use std::io::Write;
        {
            println!("stagecraft serve: http://{local}");
        }
        let _ = std::io::stdout().flush();
    }
    listener::serve(listener, app(state), limits, shutdown).await;
    Ok(())
}

/// The embedded emulator, signed with a random per-process key pair.
fn embedded(args: &ServeArgs) -> Result<Target, String> {
    let region = args.region.clone().unwrap_or_else(|| "us-east-1".into());
    let access_key = format!("STAGECRAFT{}", security::random_hex(5).to_ascii_uppercase());
    let secret_key = security::random_hex(20);
    let config = stagecraft_emulator::Config {
        access_key: access_key.clone(),
        secret_key: secret_key.clone(),
        verify_signatures: true,
        region: region.clone(),
        ..stagecraft_emulator::Config::default()
    };
    let state = match &args.state {
        Some(path) => AppState::open_with(
            config,
            path,
            stagecraft_emulator::OpenMode {
                repair: args.repair,
            },
        )
        .map_err(|e| format!("cannot open state file {}: {e}", path.display()))?,
        None => AppState::in_memory(config),
    };
    let mut description = "embedded emulator".to_owned();
    if let Some(path) = &args.state {
        description.push_str(&format!(" (state {})", path.display()));
    }
    if args.demo {
        let api = stagecraft_emulator::seed_demo(&state)
            .map_err(|e| format!("cannot seed the demo API: {}", e.message))?;
        description.push_str(&format!(" with demo API {api}"));
    }
    let credentials = CredentialSource::fixed(Credentials::new(
        access_key,
        secret_key,
        None,
        None,
        "stagecraft-serve",
    ));
    Ok(Target::embedded(
        stagecraft_emulator::app(state),
        region,
        credentials,
        description,
    ))
}

/// AWS or `--endpoint`, with credentials (and region) from the standard chain; and that chain's
/// configuration, for STS.
async fn remote(args: &ServeArgs) -> Result<(Target, aws_config::SdkConfig), String> {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    // Region: --region, else environment, else the profile, else us-east-1 (no IMDS wait at start-up).
    let mut profile_region = aws_config::profile::ProfileFileRegionProvider::builder();
    if let Some(p) = &args.profile {
        profile_region = profile_region.profile_name(p);
    }
    let region = RegionProviderChain::first_try(args.region.clone().map(aws_config::Region::new))
        .or_else(aws_config::environment::EnvironmentVariableRegionProvider::new())
        .or_else(profile_region.build())
        .or_else("us-east-1");
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .region(region);
    if let Some(p) = &args.profile {
        loader = loader.profile_name(p);
    }
    let config = loader.load().await;
    let region = config
        .region()
        .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
    let provider = config
        .credentials_provider()
        .ok_or("no AWS credential provider could be configured")?;
    let credentials = CredentialSource::provider(provider);
    let target = match &args.endpoint {
        Some(url) => Target::endpoint(url, region, credentials)?,
        None => Target::endpoint(
            &format!("https://apigateway.{region}.amazonaws.com"),
            region.clone(),
            credentials,
        )?,
    };
    Ok((target, config))
}

/// `--dist`, else `./dist`, else the workspace's `dist/` (dev builds run from anywhere).
fn resolve_dist(given: Option<&std::path::Path>) -> Option<PathBuf> {
    if let Some(dir) = given {
        return Some(dir.to_path_buf());
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    [PathBuf::from("dist"), workspace]
        .into_iter()
        .find(|d| d.join("index.html").is_file())
}

/// Resolves on SIGINT or SIGTERM; the handlers are installed when this is called, not when first polled.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl Future<Output = ()>, String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl Future<Output = ()>, String> {
    Ok(stagecraft_emulator::shutdown_signal())
}
