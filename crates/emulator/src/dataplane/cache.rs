//! The stage's response cache, kept in [`crate::store::StageCaches::response`] (so FlushStageCache
//! empties it): the reply as served (its body shared, not copied, on a hit) and when it expires.
//!
//! *stagecraft*: bodies that are not UTF-8 are not cached. Changing `cacheClusterSize` or disabling the
//! cluster drops every entry before the next request uses the cache, as AWS replaces the instance.

use stagecraft_core::dataplane::cache::MAX_CACHED_RESPONSE;

use super::reply::Reply;
use crate::AppState;

/// One cached response.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    reply: Reply,
    /// Epoch milliseconds.
    expires: u64,
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A live entry for `key`, if any (an expired one is removed).
pub fn get(state: &AppState, api: &str, stage: &str, key: &str) -> Option<Reply> {
    let now = now_ms();
    state
        .stage_caches(api, stage, |c| {
            let entry = c.response.get(key)?;
            if entry.expires <= now {
                c.response.remove(key);
                return None;
            }
            Some(entry.reply.clone())
        })
        .flatten()
}

/// Stores `reply` for `ttl` seconds, if it is small enough and text.
pub fn put(state: &AppState, api: &str, stage: &str, key: String, reply: &Reply, ttl: i64) {
    if reply.body.len() > MAX_CACHED_RESPONSE || std::str::from_utf8(&reply.body).is_err() {
        return;
    }
    let expires = now_ms().saturating_add(u64::try_from(ttl).unwrap_or(0).saturating_mul(1000));
    let entry = Entry {
        reply: Reply {
            error: None,
            ..reply.clone()
        },
        expires,
    };
    state.stage_caches(api, stage, |c| c.response.insert(key, entry));
}

/// Empties the stage's cache.
pub fn clear(state: &AppState, api: &str, stage: &str) {
    state.stage_caches(api, stage, |c| c.response.clear());
}
