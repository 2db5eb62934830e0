//! Token buckets for method throttling (docs/aws-behaviour.md §8.3): `burstLimit` is the bucket's size,
//! `rateLimit` its refill per second. *stagecraft*: one bucket per method (AWS does not record whether
//! `*/*` limits share one bucket), limited by the account's defaults (10,000 rps, 5,000 burst).

/// The account-level rate limit per Region.
pub const ACCOUNT_RATE_LIMIT: f64 = 10_000.0;
/// The account-level burst limit per Region.
pub const ACCOUNT_BURST_LIMIT: i64 = 5_000;

/// A token bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    updated: f64,
}

impl TokenBucket {
    /// A full bucket for the effective limits at time `now` (seconds). Negative limits (`-1`, "not
    /// set") fall back to the account's; both are capped by the account's.
    #[must_use]
    pub fn new(rate_limit: f64, burst_limit: i64, now: f64) -> Self {
        let rate = if rate_limit < 0.0 {
            ACCOUNT_RATE_LIMIT
        } else {
            rate_limit.min(ACCOUNT_RATE_LIMIT)
        };
        let burst = if burst_limit < 0 {
            ACCOUNT_BURST_LIMIT
        } else {
            burst_limit.min(ACCOUNT_BURST_LIMIT)
        };
        let burst = burst as f64;
        Self {
            rate,
            burst,
            tokens: burst,
            updated: now,
        }
    }

    /// Whether the bucket was made for these limits (a changed setting gets a new bucket).
    #[must_use]
    pub fn limits_match(&self, other: &Self) -> bool {
        self.rate.to_bits() == other.rate.to_bits() && self.burst.to_bits() == other.burst.to_bits()
    }

    /// Takes one token at time `now` (seconds); `false` means 429.
    pub fn try_take(&mut self, now: f64) -> bool {
        let elapsed = (now - self.updated).max(0.0);
        self.tokens = self.rate.mul_add(elapsed, self.tokens).min(self.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let mut b = TokenBucket::new(1.0, 3, 0.0);
        assert!((0..3).all(|_| b.try_take(0.0)));
        assert!(!b.try_take(0.0));
        assert!(b.try_take(1.0));
        assert!(!b.try_take(1.0));
        let mut zero = TokenBucket::new(0.0, 0, 0.0);
        assert!(!zero.try_take(100.0), "0/0 blocks everything");
    }
}
