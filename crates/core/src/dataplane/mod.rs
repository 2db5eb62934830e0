//! AWS's data-plane rules (invoking a deployed stage, docs/aws-behaviour.md §8), as pure functions: routing,
//! response texts, the response-cache key and the cache-control decision, throttling buckets, the
//! Lambda proxy event and answer, stage-variable substitution and access-log lines. The emulator does
//! the I/O.

pub mod authorize;
pub mod cache;
pub mod log;
pub mod proxy;
pub mod routing;
pub mod texts;
pub mod throttle;

pub use routing::{RouteMatch, RouteTable};
