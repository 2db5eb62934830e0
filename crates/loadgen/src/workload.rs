//! The GetStage / UpdateStage workload: N workers, each with its own keep-alive connection, for a
//! duration (after a warm-up) or a fixed number of requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Result, bail};
use bytes::Bytes;
use http::Method;
use serde_json::json;

use crate::Signer;
use crate::client::{Conn, Endpoint, Prepared};
use crate::stats::Summary;

/// Which operation to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `GET /restapis/{id}/stages/{name}`.
    GetStage,
    /// `PATCH /restapis/{id}/stages/{name}` replacing `/*/*/throttling/burstLimit` with an incrementing value.
    UpdateStage,
}

impl Op {
    /// `get_stage` / `update_stage`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Op::GetStage => "get_stage",
            Op::UpdateStage => "update_stage",
        }
    }
}

impl std::str::FromStr for Op {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "get-stage" | "get_stage" => Ok(Op::GetStage),
            "update-stage" | "update_stage" => Ok(Op::UpdateStage),
            other => bail!("unknown op `{other}` (get-stage | update-stage)"),
        }
    }
}

/// How long a run lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Measure for this long (after the warm-up).
    Duration(Duration),
    /// Send exactly this many requests in total (no warm-up).
    Requests(u64),
}

/// One load run.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Target server.
    pub endpoint: Arc<Endpoint>,
    /// Signer (key pair and region).
    pub signer: Arc<Signer>,
    /// The operation.
    pub op: Op,
    /// REST API id.
    pub rest_api_id: String,
    /// Stage name.
    pub stage: String,
    /// Concurrent workers (connections).
    pub concurrency: usize,
    /// Duration or request count.
    pub limit: Limit,
    /// Unmeasured warm-up before a duration-limited run.
    pub warmup: Duration,
}

/// The UpdateStage body for the `n`-th update: `burstLimit` cycles through 1..=5000.
#[must_use]
pub fn update_body(n: u64) -> Bytes {
    let value = n % 5000 + 1;
    Bytes::from(
        json!({"patchOperations": [
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": value.to_string()}
        ]})
        .to_string(),
    )
}

struct WorkerResult {
    latencies: Vec<u32>,
    errors: u64,
    connects: u64,
    first_error: Option<String>,
}

struct Shared {
    work: Workload,
    path: String,
    updates: AtomicU64,
    issued: AtomicU64,
    measure_start: Instant,
    end: Option<Instant>,
}

impl Workload {
    /// Runs the workload and summarises it.
    ///
    /// # Errors
    /// A worker panicked.
    pub async fn run(&self) -> Result<Summary> {
        let concurrency = self.concurrency.max(1);
        let start = Instant::now();
        let (measure_start, end) = match self.limit {
            Limit::Duration(d) => (start + self.warmup, Some(start + self.warmup + d)),
            Limit::Requests(_) => (start, None),
        };
        let shared = Arc::new(Shared {
            work: self.clone(),
            path: format!("/restapis/{}/stages/{}", self.rest_api_id, self.stage),
            updates: AtomicU64::new(0),
            issued: AtomicU64::new(0),
            measure_start,
            end,
        });
        let workers: Vec<_> = (0..concurrency)
            .map(|_| tokio::spawn(worker(Arc::clone(&shared))))
            .collect();
        let mut latencies = Vec::new();
        let (mut errors, mut connects, mut first_error) = (0, 0, None);
        for w in workers {
            let r = w.await?;
            latencies.extend(r.latencies);
            errors += r.errors;
            connects += r.connects;
            if first_error.is_none() {
                first_error = r.first_error;
            }
        }
        let seconds = match self.limit {
            Limit::Duration(d) => d.as_secs_f64(),
            Limit::Requests(_) => start.elapsed().as_secs_f64(),
        };
        Ok(Summary::from_samples(
            latencies,
            errors,
            seconds,
            connects,
            first_error,
        ))
    }
}

async fn worker(shared: Arc<Shared>) -> WorkerResult {
    let w = &shared.work;
    let mut conn = Conn::new(Arc::clone(&w.endpoint), Arc::clone(&w.signer));
    let mut out = WorkerResult {
        latencies: Vec::with_capacity(4096),
        errors: 0,
        connects: 0,
        first_error: None,
    };
    // A GET is identical within one second (SigV4 dates have second resolution): sign it once per second.
    let mut cached: Option<(u64, Prepared)> = None;
    loop {
        let t0 = Instant::now();
        match (shared.end, w.limit) {
            (Some(end), _) if t0 >= end => break,
            (None, Limit::Requests(n)) if shared.issued.fetch_add(1, Ordering::Relaxed) >= n => {
                break;
            }
            _ => {}
        }
        let now = SystemTime::now();
        let prepared = match w.op {
            Op::GetStage => {
                let sec = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
                match &cached {
                    Some((s, p)) if *s == sec => Ok(p.clone()),
                    _ => conn
                        .prepare(Method::GET, &shared.path, Bytes::new(), now)
                        .inspect(|p| cached = Some((sec, p.clone()))),
                }
            }
            Op::UpdateStage => {
                let n = shared.updates.fetch_add(1, Ordering::Relaxed);
                conn.prepare(Method::PATCH, &shared.path, update_body(n), now)
            }
        };
        let result = match prepared {
            Ok(p) => conn.send(&p).await.and_then(crate::client::Response::ok),
            Err(e) => Err(e),
        };
        let t1 = Instant::now();
        let counted = t0 >= shared.measure_start && shared.end.is_none_or(|end| t1 <= end);
        match result {
            Ok(_) if counted => {
                let us = u32::try_from(t1.duration_since(t0).as_micros()).unwrap_or(u32::MAX);
                out.latencies.push(us);
            }
            Ok(_) => {}
            Err(e) => {
                if counted {
                    out.errors += 1;
                }
                if out.first_error.is_none() {
                    out.first_error = Some(format!("{e:#}"));
                }
                // Don't spin on a dead server.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
    out.connects = conn.connects;
    out
}
