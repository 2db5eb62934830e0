//! Response caching rules (docs/aws-behaviour.md §8.4): the cache key, the `Cache-Control: max-age=0` decision
//! and AWS's limits.

use crate::effective::{CacheControlStrategy, EffectiveSettings};

/// *AWS*: the largest response that is cached (1 MiB).
pub const MAX_CACHED_RESPONSE: usize = 1_048_576;

/// Where a `cacheKeyParameters` entry reads its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterSource {
    /// `method.request.querystring.NAME`.
    Query,
    /// `method.request.header.NAME`.
    Header,
    /// `method.request.path.NAME`.
    Path,
}

/// Splits `method.request.querystring.q` into its source and name; `None` for other forms.
#[must_use]
pub fn key_parameter(parameter: &str) -> Option<(ParameterSource, &str)> {
    let rest = parameter
        .strip_prefix("method.request.")
        .or_else(|| parameter.strip_prefix("integration.request."))?;
    let (kind, name) = rest.split_once('.')?;
    let source = match kind {
        "querystring" => ParameterSource::Query,
        "header" => ParameterSource::Header,
        "path" => ParameterSource::Path,
        _ => return None,
    };
    Some((source, name))
}

/// The cache key: the integration's `cacheNamespace` (AWS's default is the resource id), the verb
/// (*stagecraft*: not recorded, so GET and HEAD do not share entries), the resource path, every path
/// parameter (*stagecraft*: so `/pets/1` and `/pets/2` never share an entry) and the values of the
/// `cacheKeyParameters` (an absent value differs from an empty one).
#[must_use]
pub fn cache_key(
    namespace: &str,
    verb: &str,
    resource_path: &str,
    path_parameters: &[(String, String)],
    key_parameters: &[(String, Option<String>)],
) -> String {
    use std::fmt::Write;
    let mut key = format!("{namespace}\u{0}{verb}\u{0}{resource_path}");
    for (name, value) in path_parameters {
        let _ = write!(key, "\u{0}p:{name}={value}");
    }
    for (name, value) in key_parameters {
        match value {
            Some(v) => {
                let _ = write!(key, "\u{0}k:{name}={v}");
            }
            None => {
                let _ = write!(key, "\u{0}k:{name}");
            }
        }
    }
    key
}

/// Whether a `Cache-Control` header asks for a fresh response (`max-age=0`, any case, among other
/// directives).
#[must_use]
pub fn asks_max_age_zero(cache_control: &str) -> bool {
    cache_control.split(',').any(|d| {
        d.split_once('=').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("max-age") && v.trim().trim_matches('"') == "0"
        })
    })
}

/// What to do with the cache for one request of a caching method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheDecision {
    /// Serve a live entry, else call the integration and store its answer.
    Use,
    /// Call the integration and replace the entry (an allowed `max-age=0`).
    Refresh,
    /// `FAIL_WITH_403`.
    Forbid,
    /// `SUCCEED_WITH_RESPONSE_HEADER`: as [`Self::Use`], plus the warning header.
    UseWithWarning,
}

/// AWS's decision for a request with (`max_age_zero`) or without a `Cache-Control: max-age=0`;
/// `authorized` says whether the caller may `execute-api:InvalidateCache`.
#[must_use]
pub const fn decide(
    settings: &EffectiveSettings,
    max_age_zero: bool,
    authorized: bool,
) -> CacheDecision {
    if !max_age_zero {
        return CacheDecision::Use;
    }
    if !settings.require_authorization_for_cache_control || authorized {
        return CacheDecision::Refresh;
    }
    match settings.unauthorized_cache_control_header_strategy {
        CacheControlStrategy::FailWith403 => CacheDecision::Forbid,
        CacheControlStrategy::SucceedWithResponseHeader => CacheDecision::UseWithWarning,
        CacheControlStrategy::SucceedWithoutResponseHeader => CacheDecision::Use,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Stage, effective_settings};

    #[test]
    fn max_age_parsing() {
        assert!(asks_max_age_zero("max-age=0"));
        assert!(asks_max_age_zero("no-store, MAX-AGE = 0"));
        assert!(!asks_max_age_zero("max-age=10"));
        assert!(!asks_max_age_zero("no-cache"));
    }

    #[test]
    fn decisions_follow_the_strategy() {
        let mut s = effective_settings(&Stage::default(), "~1a/GET");
        assert_eq!(decide(&s, false, false), CacheDecision::Use);
        assert_eq!(decide(&s, true, true), CacheDecision::Refresh);
        assert_eq!(decide(&s, true, false), CacheDecision::UseWithWarning);
        s.unauthorized_cache_control_header_strategy = CacheControlStrategy::FailWith403;
        assert_eq!(decide(&s, true, false), CacheDecision::Forbid);
        s.unauthorized_cache_control_header_strategy =
            CacheControlStrategy::SucceedWithoutResponseHeader;
        assert_eq!(decide(&s, true, false), CacheDecision::Use);
        s.require_authorization_for_cache_control = false;
        assert_eq!(decide(&s, true, false), CacheDecision::Refresh);
    }

    #[test]
    fn keys_separate_parameters() {
        let p = |v: &str| vec![("id".to_owned(), v.to_owned())];
        assert_ne!(
            cache_key("r", "GET", "/a/{id}", &p("1"), &[]),
            cache_key("r", "GET", "/a/{id}", &p("2"), &[])
        );
        let q = |v: Option<&str>| {
            vec![(
                "method.request.querystring.q".to_owned(),
                v.map(str::to_owned),
            )]
        };
        assert_ne!(
            cache_key("r", "GET", "/a", &[], &q(None)),
            cache_key("r", "GET", "/a", &[], &q(Some("")))
        );
        assert_eq!(
            key_parameter("method.request.header.X-A"),
            Some((ParameterSource::Header, "X-A"))
        );
    }
}
