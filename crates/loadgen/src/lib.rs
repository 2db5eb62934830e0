//! `stagecraft-loadgen`: a small SigV4-signed HTTP/1.1 load client for API Gateway control-plane servers.
//!
//! - [`sign`]: SigV4 signing with `aws-sigv4` (service `apigateway`).
//! - [`client`]: one keep-alive HTTP/1.1 connection per worker that reconnects transparently when the
//!   server closes it (moto answers every request with `Connection: close`).
//! - [`workload`]: GetStage / UpdateStage at N concurrent workers for a duration or a request count.
//! - [`setup`]: creates a REST API, a `GET /` MOCK method, a deployment and stages through the REST API,
//!   so the same workload runs against any server.
//! - [`stats`]: percentiles and the JSON summary.
//! - [`compare`]: `loadgen compare`, the `cargo xtask bench emulator` orchestrator (stagecraft emulator vs moto).

pub mod client;
pub mod compare;
pub mod setup;
pub mod sign;
pub mod stats;
pub mod workload;

pub use client::{Conn, Endpoint, Response};
pub use sign::Signer;
pub use stats::Summary;
pub use workload::{Limit, Op, Workload};
