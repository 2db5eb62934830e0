//! stagecraft emulator: an AWS-compatible API Gateway (REST, `apigateway` 2015-07-09) control plane for
//! REST APIs, resources, methods, deployments, stages and authorizers.
//!
//! All stage semantics (UpdateStage patches, AWS texts, defaults) come from `stagecraft-core`; this
//! crate adds HTTP (axum), SigV4 verification, storage, durability and authorizer test-invokes.
//!
//! Routes: one per row of core's operation table ([`stagecraft_core::api::Operation`]: AWS's REST
//! paths, rest-json, epoch-second timestamps, lists as `{"item": [...], "position"}`), each answered by
//! the [`handlers`] module of its resource.
//!
//! Anything else is a 404 `UnknownOperationException`. Every request must be SigV4-signed (see [`auth`]).
//!
//! The same port serves the deployed APIs and `GET /metrics` (see [`dataplane`]), and STS's
//! `GetCallerIdentity` (see [`sts`]).

pub mod auth;
pub mod dataplane;
pub mod demo;
pub mod error;
mod handlers;
pub mod invoke;
pub mod journal;
pub mod store;
pub mod sts;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::http::{Method, Uri};
use axum::routing::MethodRouter;
use stagecraft_core::ApiError;
use stagecraft_core::api::Operation;

pub use demo::seed_demo;
pub use error::{AwsJson, Error};
pub use handlers::openapi::import_document;
pub use store::Store;

use journal::Journal;
pub use journal::OpenMode;

/// Emulator settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The access key id requests must be signed with.
    pub access_key: String,
    /// Its secret.
    pub secret_key: String,
    /// Whether SigV4 is checked (on by default; off only for in-process use behind a trusted proxy).
    pub verify_signatures: bool,
    /// The account id in ARNs and "Invalid API identifier specified {account}:{id}".
    pub account_id: String,
    /// The region used when a request carries none (unsigned in-process use).
    pub region: String,
    /// Lambda Invoke API endpoint for TestInvokeAuthorizer (`http://127.0.0.1:3001` for `sam local start-lambda`).
    pub lambda_endpoint: Option<String>,
    /// Seed of the data plane's canary draw (reproducible splits in tests); random when `None`.
    pub seed: Option<u64>,
    /// Directory for data-plane access logs (a file per destination ARN); stderr when `None`.
    pub access_log_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            access_key: "test".into(),
            secret_key: "test".into(),
            verify_signatures: true,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            lambda_endpoint: None,
            seed: None,
            access_log_dir: None,
        }
    }
}

/// Shared state: the settings, the store behind one lock, and the journal.
///
/// One `RwLock` over the whole store serialises every mutation (so concurrent UpdateStage calls on one
/// stage cannot lose an update); reads share it. A mutation is applied in memory and its records are
/// queued to the journal while the lock is held (so the log order is the apply order); the response
/// waits for the journal's fsync, and a failed write undoes the mutation (see [`journal`]).
#[derive(Clone)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    store: Arc<RwLock<Store>>,
    journal: Arc<Journal>,
    lambda: Arc<invoke::LambdaClient>,
    dataplane: Arc<dataplane::Runtime>,
}

impl AppState {
    /// An in-memory emulator.
    #[must_use]
    pub fn in_memory(config: Config) -> Self {
        Self::with_parts(config, Journal::memory())
    }

    /// An emulator persisted to `path`: replays (and compacts) the log, then appends to it. A log with
    /// an unreadable record other than a torn last one is refused (see [`journal`]).
    ///
    /// # Errors
    /// The file cannot be read, written or created, or holds an unreadable record.
    pub fn open(config: Config, path: impl AsRef<Path>) -> std::io::Result<Self> {
        Self::open_with(config, path, OpenMode::default())
    }

    /// [`AppState::open`] with options (`repair`: keep the readable records of a damaged log).
    ///
    /// # Errors
    /// As [`AppState::open`].
    pub fn open_with(
        config: Config,
        path: impl AsRef<Path>,
        mode: OpenMode,
    ) -> std::io::Result<Self> {
        Ok(Self::with_parts(
            config,
            Journal::open(path.as_ref(), mode)?,
        ))
    }

    fn with_parts(config: Config, (store, journal): (Arc<RwLock<Store>>, Journal)) -> Self {
        let dataplane = dataplane::Runtime::new(config.seed, config.access_log_dir.clone());
        Self {
            dataplane: Arc::new(dataplane),
            config: Arc::new(config),
            store,
            journal: Arc::new(journal),
            lambda: Arc::new(invoke::LambdaClient::new()),
        }
    }

    /// Runs `f` with shared access to the store.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&self.store.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs a mutation: `f` checks and records its changes through [`store::Tx::commit`]; the changes are
    /// journaled in order and the call returns once they are durable. When `f` fails, or the journal
    /// cannot take the changes, nothing is changed.
    ///
    /// # Errors
    /// `f`'s error, or a 500 when the state file cannot be written.
    pub async fn mutate<T>(
        &self,
        f: impl FnOnce(&mut store::Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (value, ticket) = self.journal.run(&self.store, f)?;
        if let Some(ticket) = ticket {
            ticket
                .await
                .map_err(|e| Error::internal(format!("Could not persist the change: {e}")))?;
        }
        Ok(value)
    }

    /// Runs `f` on a stage's caches (the data plane fills them; the flush operations empty them).
    /// `None` when the API or stage does not exist.
    pub fn stage_caches<T>(
        &self,
        api: &str,
        stage: &str,
        f: impl FnOnce(&mut store::StageCaches) -> T,
    ) -> Option<T> {
        let mut guard = self.store.write().unwrap_or_else(PoisonError::into_inner);
        let a = guard.apis.get_mut(api)?;
        if !a.stages.contains_key(stage) {
            return None;
        }
        if let Some(caches) = a.caches.get_mut(stage) {
            return Some(f(caches));
        }
        Some(f(a.caches.entry(stage.to_owned()).or_default()))
    }

    /// Runs a mutation without waiting for durability (seeding at start-up).
    ///
    /// # Errors
    /// A 500 when the journal cannot encode the changes (nothing is changed).
    pub(crate) fn mutate_now<T>(
        &self,
        f: impl FnOnce(&mut store::Tx<'_>) -> T,
    ) -> Result<T, Error> {
        self.journal
            .run(&self.store, |tx| Ok(f(tx)))
            .map(|(value, _ticket)| value)
    }
}

async fn unknown(method: Method, uri: Uri) -> Error {
    ApiError::unknown_operation(method.as_str(), uri.path()).into()
}

/// The emulator's router: every operation of core's table, grouped by path (each path answers its
/// other methods with `UnknownOperationException`), the SigV4 + body-limit middleware, and AWS-style
/// errors for unknown routes.
pub fn app(state: AppState) -> Router {
    let mut paths: Vec<&'static str> = Vec::new();
    for op in Operation::ALL {
        if !paths.contains(&op.path()) {
            paths.push(op.path());
        }
    }
    let mut router = Router::new();
    for path in paths {
        let methods = Operation::ALL
            .iter()
            .filter(|op| op.path() == path)
            .map(|op| handlers::route(*op))
            .fold(MethodRouter::new(), MethodRouter::merge);
        router = router.route(path, methods.fallback(unknown));
    }
    router
        .route(
            stagecraft_core::sts::PATH,
            axum::routing::post(sts::handle).fallback(unknown),
        )
        .fallback(unknown)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::sigv4,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            dataplane::intercept,
        ))
        .with_state(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// What `stagecraft emulator` runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Listen address.
    pub addr: SocketAddr,
    /// State file (append-only log); in memory when `None`.
    pub state_file: Option<PathBuf>,
    /// Keep the readable records of a damaged state file (after copying it aside) instead of refusing.
    pub repair: bool,
    /// Seed the demo API.
    pub demo: bool,
    /// OpenAPI files (JSON or YAML) to import at start-up, each as ImportRestApi does (or over the API of the
    /// same name).
    pub imports: Vec<PathBuf>,
    /// Settings.
    pub config: Config,
}

/// Binds, prints `listening on http://ADDR`, serves until SIGINT/SIGTERM, then drains and returns.
///
/// One thread serves every connection (a current-thread runtime; the journal writes on a thread of its
/// own): a request is small work between two socket calls, and handing it between worker threads
/// (waking a parked worker, stealing its task) cost more CPU per request than the request itself.
///
/// # Errors
/// A message for a bad state file, an address that cannot be bound or a server failure.
pub fn run(options: ServeOptions) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let state = match &options.state_file {
            Some(path) => AppState::open_with(
                options.config.clone(),
                path,
                OpenMode {
                    repair: options.repair,
                },
            )
            .map_err(|e| format!("cannot open state file {}: {e}", path.display()))?,
            None => AppState::in_memory(options.config.clone()),
        };
        let demo = if options.demo {
            Some(
                seed_demo(&state)
                    .map_err(|e| format!("cannot seed the demo API: {}", e.message))?,
            )
        } else {
            None
        };
        for path in &options.imports {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let api = import_document(&state, &bytes)
                .map_err(|e| format!("cannot import {}: {}", path.display(), e.message))?;
            tracing::info!(file = %path.display(), api = %api.id, "imported");
        }
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|e| format!("cannot bind {}: {e}", options.addr))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        {
            // Written without `println!`: a reader that closes stdout after the first line (a
            // supervisor, a test harness) must not stop the server.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{local}");
            if let Some(api) = &demo {
                for url in dataplane::invoke_urls(&local.to_string(), api, "prod") {
                    let _ = writeln!(out, "demo stage prod: {url}pets");
                }
            }
            let _ = out.flush();
        }
        // Small answers go out at once (no Nagle delay on keep-alive connections).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| e.to_string())
    })
}
