//! The editor inside a team portal: the embed protocol's messages and origin rule, and the History
//! view's revert. Plain logic with native tests; [`crate::components`] wires it to the page.
//!
//! ## postMessage protocol (`?embed=1` in a frame)
//!
//! Every message is an object `{"stagecraft": 1, "type": …, …}`. The editor accepts messages only from
//! its parent window whose origin is one of `--frame-ancestors` (the page's
//! `<meta name="stagecraft-frame-ancestors">`), and answers only that origin, never `*`.
//!
//! Host → editor: `hello` (the editor answers `ready`), `open {restApiId, stage}`, `isDirty` (answered
//! with `dirty`), `navigate {id, proceed}` (the answer to `confirmNavigation`).
//!
//! Editor → host: `ready {restApiId?, stage?, unsaved}` (after `hello`, and whenever a stage has
//! loaded), `dirty {restApiId, stage, unsaved}` (whenever the count of unsaved changes changes),
//! `saved {restApiId, stage, operations}` (the patch operations sent), `conflict {restApiId, stage,
//! conflicts}`, `error {restApiId, stage, errorType, message, status}`, `confirmNavigation {id,
//! unsaved, restApiId, stage}` (leaving a stage with unsaved changes, whether the host asked with
//! `open` or the user clicked a link: the editor moves only once the host answers `navigate` with
//! `proceed: true`).

use serde::Deserialize as _;
use serde_json::{Value, json};
use stagecraft_core::Stage;

/// The protocol's version, in every message.
pub const VERSION: u32 = 1;

/// A message from the host page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMessage {
    /// The host is listening: answer `ready`.
    Hello,
    /// Open a stage.
    Open {
        /// REST API id.
        rest_api_id: String,
        /// Stage name.
        stage: String,
    },
    /// Ask for the unsaved count.
    IsDirty,
    /// The answer to `confirmNavigation`.
    Navigate {
        /// The question's id.
        id: u32,
        /// Leave (the unsaved changes stay as this tab's draft).
        proceed: bool,
    },
}

impl HostMessage {
    /// The message in `data` (JSON text of the posted object), if it is one of ours.
    #[must_use]
    pub fn parse(data: &str) -> Option<Self> {
        // Read by hand from the parsed value: a derived internally tagged enum would link serde's
        // buffering deserializer and the owned-`Value` one just for these four messages.
        let value: Value = serde_json::from_str(data).ok()?;
        if value.get("stagecraft")?.as_u64()? != u64::from(VERSION) {
            return None;
        }
        let text = |name: &str| value.get(name)?.as_str().map(str::to_owned);
        Some(match value.get("type")?.as_str()? {
            "hello" => Self::Hello,
            "isDirty" => Self::IsDirty,
            "open" => Self::Open {
                rest_api_id: text("restApiId")?,
                stage: text("stage")?,
            },
            "navigate" => Self::Navigate {
                id: u32::try_from(value.get("id")?.as_u64()?).ok()?,
                proceed: value.get("proceed")?.as_bool()?,
            },
            _ => return None,
        })
    }
}

/// A message to the host: `{"stagecraft": 1, "type": kind, ...fields}`.
#[must_use]
pub fn message(kind: &str, fields: Value) -> Value {
    let mut out = json!({ "stagecraft": VERSION, "type": kind });
    if let (Some(out), Value::Object(fields)) = (out.as_object_mut(), fields) {
        out.extend(fields);
    }
    out
}

/// Whether `origin` (a message's) is one of `allowed` (`--frame-ancestors` sources: `'self'`, an
/// origin, or one with `*.` before the host, which matches subdomains only). `own` is this page's
/// origin, for `'self'`.
#[must_use]
pub fn origin_allowed(origin: &str, allowed: &[String], own: &str) -> bool {
    if origin == "null" || origin.is_empty() {
        return false;
    }
    allowed.iter().any(|source| {
        if source == "'self'" {
            return origin == own;
        }
        match source.split_once("://*.") {
            Some((scheme, rest)) => {
                let Some(host) = origin
                    .strip_prefix(scheme)
                    .and_then(|o| o.strip_prefix("://"))
                else {
                    return false;
                };
                let (want_host, want_port) = split_port(rest);
                let (host, port) = split_port(host);
                port == want_port
                    && host.len() > want_host.len() + 1
                    && host.ends_with(want_host)
                    && host[..host.len() - want_host.len()].ends_with('.')
            }
            None => source.eq_ignore_ascii_case(origin),
        }
    })
}

fn split_port(host: &str) -> (&str, &str) {
    match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, p),
        _ => (host, ""),
    }
}

/// The draft (a stage document) that undoes an audited UpdateStage on `current`: core's diff from the
/// stage after the change back to the stage before it, applied to the stage as it is now. Saving it
/// goes through the usual conflict check.
///
/// # Errors
/// The entry's stages are not stages, the inverse cannot be expressed, or it no longer applies to
/// `current` (AWS's message).
pub fn revert(current: &Stage, before: &Value, after: &Value) -> Result<Value, String> {
    let read = |v: &Value, what: &str| {
        Stage::deserialize(v)
            .map_err(|e| format!("the audit entry's {what} stage is unreadable: {e}"))
    };
    let (before, after) = (read(before, "before")?, read(after, "after")?);
    let inverse = stagecraft_core::diff(&after, &before).map_err(|e| e.to_string())?;
    if inverse.is_empty() {
        return Err("the change altered nothing that UpdateStage can undo".into());
    }
    let reverted = stagecraft_core::apply(current, &inverse)
        .map_err(|e| format!("the stage has changed since: {e}"))?;
    serde_json::to_value(&reverted).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_messages() {
        assert_eq!(
            HostMessage::parse(r#"{"stagecraft":1,"type":"open","restApiId":"a1","stage":"dev"}"#),
            Some(HostMessage::Open {
                rest_api_id: "a1".into(),
                stage: "dev".into()
            })
        );
        assert_eq!(
            HostMessage::parse(r#"{"stagecraft":1,"type":"navigate","id":3,"proceed":true}"#),
            Some(HostMessage::Navigate {
                id: 3,
                proceed: true
            })
        );
        assert_eq!(
            HostMessage::parse(r#"{"stagecraft":1,"type":"hello"}"#),
            Some(HostMessage::Hello)
        );
        for other in [
            r#"{"type":"hello"}"#,
            r#"{"stagecraft":2,"type":"hello"}"#,
            r#"{"stagecraft":1,"type":"format-disk"}"#,
            r#"{"stagecraft":1,"type":"open","restApiId":"a1"}"#,
            "not json",
            "\"hello\"",
        ] {
            assert_eq!(HostMessage::parse(other), None, "{other}");
        }
        assert_eq!(
            message("dirty", json!({"unsaved": 2})),
            json!({"stagecraft": 1, "type": "dirty", "unsaved": 2})
        );
    }

    #[test]
    fn origins() {
        let allowed = [
            "https://portal.example.com".to_owned(),
            "https://*.corp.example".to_owned(),
            "http://127.0.0.1:9000".to_owned(),
            "'self'".to_owned(),
        ];
        let own = "http://127.0.0.1:8080";
        for (origin, ok) in [
            ("https://portal.example.com", true),
            ("http://portal.example.com", false),
            ("https://portal.example.com.evil.example", false),
            ("https://a.corp.example", true),
            ("https://a.b.corp.example", true),
            ("https://corp.example", false),
            ("https://evilcorp.example", false),
            ("https://a.corp.example:8443", false),
            ("http://127.0.0.1:9000", true),
            ("http://127.0.0.1:9001", false),
            ("http://127.0.0.1:8080", true),
            ("null", false),
        ] {
            assert_eq!(origin_allowed(origin, &allowed, own), ok, "{origin}");
        }
        assert!(!origin_allowed(own, &[], own));
    }

    fn stage(description: &str, level: &str) -> Value {
        json!({
            "stageName": "dev",
            "deploymentId": "d1",
            "description": description,
            "variables": {"level": level},
        })
    }

    #[test]
    fn revert_undoes_one_change_and_keeps_later_ones() {
        let before = stage("v1", "info");
        let after = stage("v2", "info");
        // Someone changed a variable since: the revert puts the description back and keeps it.
        let current: Stage = serde_json::from_value(stage("v2", "debug")).unwrap();
        let draft = revert(&current, &before, &after).unwrap();
        assert_eq!(draft["description"], "v1");
        assert_eq!(draft["variables"]["level"], "debug");
        assert!(revert(&current, &before, &before).is_err());
        assert!(
            revert(&current, &json!({"stageName": 5}), &after)
                .unwrap_err()
                .contains("unreadable")
        );
    }
}
