//! `stagecraft-loadgen`: a small SigV4-signed HTTP/1.1 load client for API Gateway control-plane servers.
//!
//! Requests are SigV4-signed (service `apigateway`) by a [`Signer`] from `stagecraft-sigv4`.
//!
//! - [`client`]: one keep-alive HTTP/1.1 connection per worker that reconnects transparently when the
//!   server closes it (moto answers every request with `Connection: close`).
//! - [`workload`]: GetStage / UpdateStage at N concurrent workers for a duration or a request count.
//! - [`setup`]: creates a REST API, a `GET /` MOCK method, a deployment and stages through the REST API,
//!   so the same workload runs against any server.
//! - [`stats`]: percentiles and the JSON summary.
//! - [`report`]: writes a section of `docs/benchmarks.md`.
//! - [`compare`]: `loadgen compare`, the `cargo xtask bench emulator` orchestrator (stagecraft emulator vs moto).

pub mod client;
pub mod compare;
pub mod report;
pub mod setup;
pub mod stats;
pub mod workload;

pub use client::{Conn, Endpoint, Response};
pub use stagecraft_sigv4::Signer;
pub use stats::Summary;
pub use workload::{Limit, Op, Workload};

/// A tokio runtime for the client: `threads` = 1 is a current-thread runtime (least overhead, leaves
/// the other cores to the server under test), 0 = one worker per CPU.
///
/// # Errors
/// The runtime cannot be built.
pub fn runtime(threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    let mut builder = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        if threads > 1 {
            b.worker_threads(threads);
        }
        b
    };
    Ok(builder.enable_all().build()?)
}
