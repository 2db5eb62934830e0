//! JSON Pointers (RFC 6901): built segment by segment, escaped in one place.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A JSON Pointer such as `/methodSettings/~01pets~1GET/cacheTtlInSeconds`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonPointer(String);

impl JsonPointer {
    /// The pointer to the whole document (`""`).
    #[must_use]
    pub const fn root() -> Self {
        Self(String::new())
    }

    /// This pointer with one more segment, escaped (`~` → `~0`, `/` → `~1`).
    #[must_use]
    pub fn push(&self, segment: impl fmt::Display) -> Self {
        let segment = segment.to_string();
        let mut out = String::with_capacity(self.0.len() + segment.len() + 1);
        out.push_str(&self.0);
        out.push('/');
        out.push_str(&escape(&segment));
        Self(out)
    }

    /// The pointer as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A pointer from already escaped text (`/methodSettings/~01pets~1GET`).
    pub(crate) const fn from_escaped(text: String) -> Self {
        Self(text)
    }

    /// The unescaped reference tokens, in order.
    pub fn segments(&self) -> impl Iterator<Item = String> + '_ {
        self.0.split('/').skip(1).map(unescape)
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escapes one reference token: `~` → `~0`, `/` → `~1`.
#[must_use]
pub fn escape(segment: &str) -> String {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1")
    } else {
        segment.to_owned()
    }
}

/// Appends `/` and one escaped reference token to `buf` (no allocation beyond `buf`'s growth).
pub(crate) fn push_escaped(buf: &mut String, segment: &str) {
    buf.push('/');
    let mut rest = segment;
    while let Some(i) = rest.bytes().position(|b| b == b'~' || b == b'/') {
        buf.push_str(&rest[..i]);
        buf.push_str(if rest.as_bytes()[i] == b'~' {
            "~0"
        } else {
            "~1"
        });
        rest = &rest[i + 1..];
    }
    buf.push_str(rest);
}

/// Unescapes one reference token: `~1` → `/`, `~0` → `~`.
#[must_use]
pub fn unescape(segment: &str) -> String {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~")
    } else {
        segment.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_method_setting_keys() {
        let p = JsonPointer::root()
            .push("methodSettings")
            .push("~1pets/GET")
            .push("cacheTtlInSeconds");
        assert_eq!(p.as_str(), "/methodSettings/~01pets~1GET/cacheTtlInSeconds");
        assert_eq!(unescape("~01pets~1GET"), "~1pets/GET");
    }

    #[test]
    fn root_is_empty() {
        assert_eq!(JsonPointer::root().to_string(), "");
    }
}
