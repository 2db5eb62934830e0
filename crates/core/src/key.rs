//! Method-setting keys and method-setting patch paths.
//!
//! A key is `{resource_path}/{http_method}` with every `/` of the resource path written `~1`
//! (`/pets/{petId}` + `GET` → `~1pets~1{petId}/GET`; the root resource → `~1/GET`), or `*/*` for every
//! method of the stage. AWS stores keys verbatim: it does not decode or normalise them, and it does not
//! check that the resource or method exists. A patch path is `/{key}/{group}/{setting}`.

use crate::pointer;
use crate::settings::Setting;

/// The key of the stage-wide entry that applies to every method.
pub const ALL_METHODS_KEY: &str = "*/*";

/// Builds the key for a resource path and HTTP method (`"/pets/{petId}"`, `"get"` → `~1pets~1{petId}/GET`).
///
/// `"*"`, `"*"` gives `*/*`. A resource path without its leading `/` gets one.
///
/// ```
/// use stagecraft_core::{ALL_METHODS_KEY, method_setting_key};
///
/// assert_eq!(method_setting_key("/pets/{petId}", "get"), "~1pets~1{petId}/GET");
/// assert_eq!(method_setting_key("/", "POST"), "~1/POST");
/// assert_eq!(method_setting_key("*", "*"), ALL_METHODS_KEY);
/// ```
#[must_use]
pub fn method_setting_key(resource_path: &str, http_method: &str) -> String {
    let method = http_method.to_ascii_uppercase();
    if resource_path == "*" {
        return format!("*/{method}");
    }
    let path = resource_path.strip_prefix('/').unwrap_or(resource_path);
    format!("~1{}/{method}", pointer::escape(path))
}

/// A decoded method-setting key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodSettingKey {
    /// The resource path (`/pets/{petId}`, `/`, or `*`).
    pub resource_path: String,
    /// The HTTP method (`GET`, `ANY`, or `*`).
    pub http_method: String,
    /// Whether the key is in the encoded form that binds to a real method (`~1pets/GET`, `*/*`).
    /// Keys such as `pets/GET` are stored by AWS but do not apply to any method.
    pub canonical: bool,
}

/// Decodes a key; `None` if it has no `/` or an empty resource or method part.
///
/// ```
/// use stagecraft_core::parse_method_setting_key;
///
/// let key = parse_method_setting_key("~1pets~1{petId}/GET").unwrap();
/// assert_eq!(key.resource_path, "/pets/{petId}");
/// assert_eq!(key.http_method, "GET");
/// assert!(key.canonical);
///
/// // Stored by AWS as written, but bound to no method.
/// assert!(!parse_method_setting_key("pets/GET").unwrap().canonical);
/// assert_eq!(parse_method_setting_key("pets"), None);
/// ```
#[must_use]
pub fn parse_method_setting_key(key: &str) -> Option<MethodSettingKey> {
    let (resource, method) = key.rsplit_once('/')?;
    if resource.is_empty() || method.is_empty() {
        return None;
    }
    let resource_path = if resource == "*" {
        "*".to_owned()
    } else {
        let decoded = pointer::unescape(resource);
        if decoded.starts_with('/') {
            decoded
        } else {
            format!("/{decoded}")
        }
    };
    let canonical = method_setting_key(&resource_path, method) == key;
    Some(MethodSettingKey {
        resource_path,
        http_method: method.to_owned(),
        canonical,
    })
}

/// [`is_valid_key`] as a regular expression (ECMAScript and JSON Schema syntax): a non-empty resource
/// part, `/`, and a non-empty method without `/`. A key that matches is valid; the converse misses only
/// keys with a line break in the resource part (`.` does not match one). The JSON Schema and the npm
/// package's pre-pass read it.
pub const KEY_PATTERN: &str = "^.+/[^/]+$";

/// Whether `key` is well formed: a non-empty resource part, `/`, a non-empty method (no allocation).
#[must_use]
pub fn is_valid_key(key: &str) -> bool {
    // The last `/`, found bytewise (`rsplit_once` sets up a char searcher).
    key.bytes()
        .rposition(|b| b == b'/')
        .is_some_and(|slash| slash > 0 && slash + 1 < key.len())
}

/// Whether UpdateStage can remove `key` as a whole: `remove /{key}` names a method setting only when its
/// path has exactly two parts, a resource and a method. A stored key with another `/` (`x/y/z`, `a//b`)
/// can be written by a patch (its last two parts are the setting) but not removed by one.
#[must_use]
pub fn is_removable_key(key: &str) -> bool {
    key.split_once('/').is_some_and(|(resource, method)| {
        !resource.is_empty() && !method.is_empty() && !method.contains('/')
    })
}

/// Splits a method-setting patch path `/{key}/{group}/{setting}` into its key and table row.
///
/// `None` when the suffix is not one of the ten settings or the key is malformed
/// (for example the empty method of `/{proxy+}/ANY//throttling/burstLimit`).
#[must_use]
pub fn parse_setting_path(path: &str) -> Option<(&str, &'static Setting)> {
    let rest = path.strip_prefix('/')?;
    let (key_and_group, name) = rest.rsplit_once('/')?;
    let (key, group) = key_and_group.rsplit_once('/')?;
    let suffix_len = group.len() + 1 + name.len();
    let setting = Setting::by_patch_suffix(&rest[rest.len() - suffix_len..])?;
    is_valid_key(key).then_some((key, setting))
}

/// The patch path of one setting of one key: `/{key}/{suffix}`.
#[must_use]
pub fn setting_path(key: &str, setting: &Setting) -> String {
    format!("/{key}/{}", setting.patch_suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A key that matches [`KEY_PATTERN`] is valid (`regex_lite`'s `.` matches more than
        /// ECMAScript's, so this holds for ECMAScript too); one without a line break matches iff valid.
        #[test]
        fn key_pattern_is_is_valid_key(key in "[a-z/~*\n\r\u{2028}é]{0,8}") {
            let pattern = regex_lite::Regex::new(KEY_PATTERN).unwrap();
            if pattern.is_match(&key) {
                proptest::prop_assert!(is_valid_key(&key), "{key:?}");
            }
            if !key.contains(['\n', '\r', '\u{2028}']) {
                proptest::prop_assert_eq!(pattern.is_match(&key), is_valid_key(&key), "{:?}", key);
            }
        }
    }

    #[test]
    fn encodes_keys() {
        assert_eq!(
            method_setting_key("/pets/{petId}", "GET"),
            "~1pets~1{petId}/GET"
        );
        assert_eq!(method_setting_key("/", "get"), "~1/GET");
        assert_eq!(method_setting_key("*", "*"), "*/*");
        assert_eq!(method_setting_key("pets", "POST"), "~1pets/POST");
    }

    #[test]
    fn decodes_keys() {
        let k = parse_method_setting_key("~1pets~1{petId}/GET").unwrap();
        assert_eq!(
            (
                k.resource_path.as_str(),
                k.http_method.as_str(),
                k.canonical
            ),
            ("/pets/{petId}", "GET", true)
        );
        let root = parse_method_setting_key("~1/GET").unwrap();
        assert_eq!((root.resource_path.as_str(), root.canonical), ("/", true));
        let all = parse_method_setting_key("*/*").unwrap();
        assert_eq!(
            (
                all.resource_path.as_str(),
                all.http_method.as_str(),
                all.canonical
            ),
            ("*", "*", true)
        );
        let raw = parse_method_setting_key("test/GET").unwrap();
        assert_eq!(
            (raw.resource_path.as_str(), raw.canonical),
            ("/test", false)
        );
        assert!(parse_method_setting_key("GET").is_none());
        assert!(parse_method_setting_key("~1pets/").is_none());
    }

    #[test]
    fn parses_setting_paths() {
        let (key, s) = parse_setting_path("/~1pets~1{petId}/GET/caching/ttlInSeconds").unwrap();
        assert_eq!((key, s.field), ("~1pets~1{petId}/GET", "cacheTtlInSeconds"));
        assert_eq!(
            parse_setting_path("/*/*/logging/loglevel").unwrap().0,
            "*/*"
        );
        assert_eq!(
            parse_setting_path("/~1/GET/metrics/enabled").unwrap().0,
            "~1/GET"
        );
        assert_eq!(
            parse_setting_path("/test/GET/throttling/burstLimit")
                .unwrap()
                .0,
            "test/GET"
        );
        assert_eq!(
            parse_setting_path("//tenant/x/GET/caching/enabled")
                .unwrap()
                .0,
            "/tenant/x/GET"
        );
        assert!(parse_setting_path("/{proxy+}/ANY//throttling/burstLimit").is_none());
        assert!(parse_setting_path("/*/*/logging/level").is_none());
        assert!(parse_setting_path("/GET/metrics/enabled").is_none());
        assert!(parse_setting_path("/description").is_none());
    }
}
