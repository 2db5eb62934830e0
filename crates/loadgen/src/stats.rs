//! Latency percentiles and the run summary.

use serde_json::{Value, json};

/// The nearest-rank percentile `p` (0–100] of `sorted` (ascending); 0 for an empty slice.
#[must_use]
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let n = sorted.len();
    // Nearest rank: the smallest value with at least p% of the samples at or below it.
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Successful (2xx) responses per second of measured time.
    pub req_per_s: f64,
    /// Median latency of successful requests, microseconds.
    pub p50_us: u32,
    /// 99th percentile latency of successful requests, microseconds.
    pub p99_us: u32,
    /// Successful requests.
    pub requests: u64,
    /// Failed requests (transport errors and non-2xx answers).
    pub errors: u64,
    /// Measured seconds.
    pub seconds: f64,
    /// TCP connections opened.
    pub connects: u64,
    /// The first error, for diagnosis.
    pub first_error: Option<String>,
}

impl Summary {
    /// Builds a summary from raw latencies (microseconds, any order).
    #[must_use]
    pub fn from_samples(
        mut latencies_us: Vec<u32>,
        errors: u64,
        seconds: f64,
        connects: u64,
        first_error: Option<String>,
    ) -> Self {
        latencies_us.sort_unstable();
        let requests = latencies_us.len() as u64;
        let req_per_s = if seconds > 0.0 {
            requests as f64 / seconds
        } else {
            0.0
        };
        Self {
            req_per_s,
            p50_us: percentile(&latencies_us, 50.0),
            p99_us: percentile(&latencies_us, 99.0),
            requests,
            errors,
            seconds,
            connects,
            first_error,
        }
    }

    /// `{req_per_s, p50_us, p99_us, errors, requests, seconds, connects[, first_error]}`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "req_per_s": (self.req_per_s * 10.0).round() / 10.0,
            "p50_us": self.p50_us,
            "p99_us": self.p99_us,
            "errors": self.errors,
            "requests": self.requests,
            "seconds": (self.seconds * 1000.0).round() / 1000.0,
            "connects": self.connects,
        });
        if let Some(e) = &self.first_error {
            v["first_error"] = json!(e);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[7], 50.0), 7);
        assert_eq!(percentile(&[7], 99.0), 7);
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&v, 0.0), 1);
        let v: Vec<u32> = (1..=10).collect();
        assert_eq!(percentile(&v, 50.0), 5);
        assert_eq!(percentile(&v, 99.0), 10);
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), 2);
        assert_eq!(percentile(&[1, 2, 3, 4], 51.0), 3);
    }

    #[test]
    fn summary_sorts_and_rates() {
        let s = Summary::from_samples(vec![30, 10, 20, 40], 1, 2.0, 1, None);
        assert_eq!(s.requests, 4);
        assert!((s.req_per_s - 2.0).abs() < f64::EPSILON);
        assert_eq!((s.p50_us, s.p99_us), (20, 40));
        assert_eq!(s.to_json()["errors"], 1);
    }
}
