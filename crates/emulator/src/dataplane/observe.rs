//! Access logs (one line per request in the stage's format, to `--access-log-dir` or stderr) and
//! CloudWatch-style counters served at `GET /metrics` in the Prometheus text format.
//!
//! Metrics follow CloudWatch's dimensions: every request counts for its API and stage; it also counts
//! for its resource and method only when the method's `metricsEnabled` is on.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Counters of one dimension set.
#[derive(Clone, Copy, Debug, Default)]
struct Counters {
    count: u64,
    error_4xx: u64,
    error_5xx: u64,
    cache_hits: u64,
    cache_misses: u64,
    latency_ms: f64,
    integration_latency_ms: f64,
    authorizer_invocations: u64,
    authorizer_cache_hits: u64,
    authorizer_denials: u64,
}

/// One exported series: name, help text, value.
type Series = (&'static str, &'static str, fn(&Counters) -> f64);

/// `(api, stage, resource path, method)`; the last two empty for the stage-level series.
type Dimensions = (String, String, String, String);

/// One finished request, for the counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Response status.
    pub status: u16,
    /// `Some(true)` for a cache hit, `Some(false)` for a miss, `None` when the method does not cache.
    pub cache_hit: Option<bool>,
    /// Total latency.
    pub latency_ms: f64,
    /// Integration latency (0 without a call).
    pub integration_latency_ms: f64,
    /// The authorizer's part, when the method has one.
    pub authorizer: Option<AuthorizerSample>,
}

/// The counters one method's requests add to: the stage's, and the method's own when it has
/// `metricsEnabled`. Taken from [`Observer::cells`] when a stage's plan is built, so a request only
/// locks and adds.
#[derive(Clone, Debug)]
pub struct Cells {
    stage: Arc<Mutex<Counters>>,
    method: Option<Arc<Mutex<Counters>>>,
}

impl Cells {
    /// Counts one request.
    pub fn record(&self, s: &Sample) {
        for cell in std::iter::once(&self.stage).chain(&self.method) {
            cell.lock().unwrap_or_else(PoisonError::into_inner).add(s);
        }
    }
}

impl Counters {
    fn add(&mut self, s: &Sample) {
        self.count += 1;
        self.error_4xx += u64::from((400..500).contains(&s.status));
        self.error_5xx += u64::from(s.status >= 500);
        self.cache_hits += u64::from(s.cache_hit == Some(true));
        self.cache_misses += u64::from(s.cache_hit == Some(false));
        self.latency_ms += s.latency_ms;
        self.integration_latency_ms += s.integration_latency_ms;
        if let Some(a) = s.authorizer {
            self.authorizer_invocations += u64::from(a.invoked);
            self.authorizer_cache_hits += u64::from(a.cache_hit);
            self.authorizer_denials += u64::from(a.denied);
        }
    }
}

/// What the authorizer did for one request.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuthorizerSample {
    /// The function was called.
    pub invoked: bool,
    /// A cached policy was used.
    pub cache_hit: bool,
    /// The request was refused (401, 403 or 500 from the authorizer).
    pub denied: bool,
}

/// Metrics and access-log sinks.
#[derive(Debug, Default)]
pub struct Observer {
    counters: Mutex<BTreeMap<Dimensions, Arc<Mutex<Counters>>>>,
    log_dir: Option<PathBuf>,
    files: Mutex<BTreeMap<String, File>>,
}

impl Observer {
    /// Writes access logs under `log_dir` (stderr when `None`).
    #[must_use]
    pub fn new(log_dir: Option<PathBuf>) -> Self {
        Self {
            log_dir,
            ..Self::default()
        }
    }

    /// The counters of a method of `api`/`stage`; `method` (resource path, verb) when it has
    /// `metricsEnabled`. The same dimensions always get the same counters.
    pub fn cells(&self, api: &str, stage: &str, method: Option<(&str, &str)>) -> Cells {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let mut cell = |resource: &str, verb: &str| {
            counters
                .entry((
                    api.to_owned(),
                    stage.to_owned(),
                    resource.to_owned(),
                    verb.to_owned(),
                ))
                .or_default()
                .clone()
        };
        Cells {
            stage: cell("", ""),
            method: method.map(|(resource, verb)| cell(resource, verb)),
        }
    }

    /// Appends one access-log line for the destination `arn` (a file named after it, `:` and `/`
    /// replaced by `_`).
    pub fn access_log(&self, arn: &str, line: &str) {
        let Some(dir) = &self.log_dir else {
            {
                eprintln!("{line}");
            }
            return;
        };
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        if !files.contains_key(arn) {
            let name: String = arn
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let opened = std::fs::create_dir_all(dir).and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join(format!("{name}.log")))
            });
            match opened {
                Ok(f) => {
                    files.insert(arn.to_owned(), f);
                }
                Err(_) => return,
            }
        }
        if let Some(f) = files.get_mut(arn) {
            let _ = writeln!(f, "{line}");
        }
    }

    /// The counters in the Prometheus text format.
    #[must_use]
    pub fn prometheus(&self) -> String {
        let counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let series: [Series; 10] = [
            ("apigateway_count", "Requests (CloudWatch Count).", |c| {
                c.count as f64
            }),
            ("apigateway_4xx_errors", "Client errors (4XXError).", |c| {
                c.error_4xx as f64
            }),
            ("apigateway_5xx_errors", "Server errors (5XXError).", |c| {
                c.error_5xx as f64
            }),
            (
                "apigateway_cache_hits",
                "Cache hits (CacheHitCount).",
                |c| c.cache_hits as f64,
            ),
            (
                "apigateway_cache_misses",
                "Cache misses (CacheMissCount).",
                |c| c.cache_misses as f64,
            ),
            (
                "apigateway_latency_milliseconds_sum",
                "Sum of Latency.",
                |c| c.latency_ms,
            ),
            (
                "apigateway_integration_latency_milliseconds_sum",
                "Sum of IntegrationLatency.",
                |c| c.integration_latency_ms,
            ),
            (
                "apigateway_authorizer_invocations",
                "Authorizer function calls (stagecraft).",
                |c| c.authorizer_invocations as f64,
            ),
            (
                "apigateway_authorizer_cache_hits",
                "Requests authorized by a cached policy (stagecraft).",
                |c| c.authorizer_cache_hits as f64,
            ),
            (
                "apigateway_authorizer_denials",
                "Requests the authorizer refused: 401, 403 or 500 (stagecraft).",
                |c| c.authorizer_denials as f64,
            ),
        ];
        let mut out = String::new();
        for (name, help, value) in series {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((api, stage, resource, method), c) in counters.iter() {
                let c = *c.lock().unwrap_or_else(PoisonError::into_inner);
                let _ = write!(out, "{name}{{api=\"{api}\",stage=\"{stage}\"");
                if !resource.is_empty() {
                    let resource = resource.replace('\\', "\\\\").replace('"', "\\\"");
                    let _ = write!(out, ",resource=\"{resource}\",method=\"{method}\"");
                }
                let _ = writeln!(out, "}} {}", value(&c));
            }
        }
        out
    }
}
