//! UpdateStage patch operations as they travel on the wire (`value` is always a string).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A JSON Patch operation name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// `add`
    Add,
    /// `remove`
    Remove,
    /// `replace`
    Replace,
    /// `move`
    Move,
    /// `copy`
    Copy,
    /// `test`
    Test,
}

impl Op {
    /// Every op, in the order AWS's model lists them.
    pub const ALL: [Op; 6] = [
        Op::Add,
        Op::Remove,
        Op::Replace,
        Op::Move,
        Op::Copy,
        Op::Test,
    ];

    /// The wire name (`replace`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Remove => "remove",
            Self::Replace => "replace",
            Self::Move => "move",
            Self::Copy => "copy",
            Self::Test => "test",
        }
    }

    /// Parses a wire name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One element of `patchOperations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchOperation {
    /// The operation.
    pub op: Op,
    /// The target, a JSON Pointer with AWS's stage paths.
    pub path: String,
    /// The new value, always a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The source path of a `copy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl crate::write::WriteJson for PatchOperation {
    /// `{"op":…,"path":…,"value":…,"from":…}`, absent options left out (as `Serialize` writes it).
    fn write_json(&self, out: &mut String) {
        use crate::write::{write_key, write_str};
        out.push('{');
        let mut first = true;
        write_key(out, &mut first, "op");
        write_str(out, self.op.as_str());
        write_key(out, &mut first, "path");
        write_str(out, &self.path);
        for (name, value) in [("value", &self.value), ("from", &self.from)] {
            if let Some(value) = value {
                write_key(out, &mut first, name);
                write_str(out, value);
            }
        }
        out.push('}');
    }
}

impl PatchOperation {
    /// `{"op":"replace","path":…,"value":…}`.
    pub fn replace(path: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            op: Op::Replace,
            path: path.into(),
            value: Some(value.into()),
            from: None,
        }
    }

    /// `{"op":"remove","path":…}`.
    pub fn remove(path: impl Into<String>) -> Self {
        Self {
            op: Op::Remove,
            path: path.into(),
            value: None,
            from: None,
        }
    }

    /// The map key this operation's path names under `prefix` (`/requestTemplates/`), unescaped
    /// (`application~1json` → `application/json`); `None` for another path, an empty key or a deeper one.
    #[must_use]
    pub fn key_under(&self, prefix: &str) -> Option<String> {
        self.path
            .strip_prefix(prefix)
            .filter(|k| !k.is_empty() && !k.contains('/'))
            .map(crate::pointer::unescape)
    }
}
