//! Unsaved edits kept per stage in the tab's session storage, so that a reload, Back past the app or a
//! crash does not lose them. A draft is the stage as it was read (the base) and the user's document;
//! on return it is replayed on the stage as re-read, like a save.
//!
//! The two are kept apart so that an edit costs a write of the edits only: the base (the whole stage,
//! ~100 KB at a thousand method settings) is written when it changes (a load, a save, a rebase), and
//! each edit writes the draft as [`edits`] over it (the top-level members and method-settings entries
//! that differ), a few hundred bytes.

use serde_json::{Map, Value};

/// A stored draft.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// The stage as read when the edits began.
    pub base: Value,
    /// The user's document.
    pub draft: Value,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn key(api: &str, stage: &str, part: &str) -> String {
    format!("stagecraft.draft.{part} {}", Value::from(vec![api, stage]))
}

/// Keeps the stage's base (write it once per base: see [`save_edits`]).
pub fn save_base(api: &str, stage: &str, base: &Value) {
    if let Some(s) = storage() {
        let _ = s.set_item(&key(api, stage, "base"), &base.to_string());
    }
}

/// Keeps `draft` as its edits over `base` (the base already kept by [`save_base`]).
pub fn save_edits(api: &str, stage: &str, base: &Value, draft: &Value) {
    if let Some(s) = storage() {
        let _ = s.set_item(&key(api, stage, "edits"), &edits(base, draft).to_string());
    }
}

/// The stage's draft, if one is kept (and readable).
#[must_use]
pub fn load(api: &str, stage: &str) -> Option<Draft> {
    let s = storage()?;
    let read = |part: &str| -> Option<Value> {
        let text = s.get_item(&key(api, stage, part)).ok().flatten()?;
        serde_json::from_str(&text).ok()
    };
    let base = read("base")?;
    let draft = apply(&base, &read("edits")?)?;
    Some(Draft { base, draft })
}

/// Forgets the stage's draft.
pub fn clear(api: &str, stage: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(api, stage, "base"));
        let _ = s.remove_item(&key(api, stage, "edits"));
    }
}

const SETTINGS: &str = "methodSettings";

/// `draft`'s edits over `base`: `{"set": {member: value}, "unset": [member], "settings": {key: entry
/// or null (removed)}}` — the top-level members other than `methodSettings` that differ, and the
/// method-settings entries that differ.
#[must_use]
pub fn edits(base: &Value, draft: &Value) -> Value {
    let empty = Map::new();
    let (b, d) = (
        base.as_object().unwrap_or(&empty),
        draft.as_object().unwrap_or(&empty),
    );
    let mut set = Map::new();
    for (name, value) in d {
        if *name != SETTINGS && b.get(name) != Some(value) {
            set.insert(name.clone(), value.clone());
        }
    }
    let unset: Vec<Value> = b
        .keys()
        .filter(|name| *name != SETTINGS && !d.contains_key(*name))
        .map(|name| Value::from(name.as_str()))
        .collect();
    fn entries(v: &Value) -> Option<&Map<String, Value>> {
        v.get(SETTINGS).and_then(Value::as_object)
    }
    let (bs, ds) = (
        entries(base).unwrap_or(&empty),
        entries(draft).unwrap_or(&empty),
    );
    let mut settings = Map::new();
    for (k, entry) in ds {
        if bs.get(k) != Some(entry) {
            settings.insert(k.clone(), entry.clone());
        }
    }
    for k in bs.keys().filter(|k| !ds.contains_key(*k)) {
        settings.insert(k.clone(), Value::Null);
    }
    let mut out = Map::new();
    out.insert("set".into(), Value::Object(set));
    out.insert("unset".into(), Value::Array(unset));
    out.insert("settings".into(), Value::Object(settings));
    Value::Object(out)
}

/// The draft that [`edits`] described over `base`; `None` when either is not what it should be.
#[must_use]
pub fn apply(base: &Value, edits: &Value) -> Option<Value> {
    let mut draft = base.as_object()?.clone();
    for (name, value) in edits.get("set")?.as_object()? {
        draft.insert(name.clone(), value.clone());
    }
    for name in edits.get("unset")?.as_array()? {
        draft.remove(name.as_str()?);
    }
    let changed = edits.get("settings")?.as_object()?;
    if !changed.is_empty() {
        let settings = draft
            .entry(SETTINGS)
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()?;
        for (k, entry) in changed {
            if entry.is_null() {
                settings.remove(k);
            } else {
                settings.insert(k.clone(), entry.clone());
            }
        }
    }
    Some(Value::Object(draft))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_round_trip_and_stay_small() {
        let base = json!({
            "stageName": "prod", "description": "d", "variables": {"a": "1"},
            "methodSettings": {"*/*": {"cacheTtlInSeconds": 300}, "~1a/GET": {"cacheTtlInSeconds": 60},
                               "~1b/GET": {"cacheTtlInSeconds": 10}}
        });
        let draft = json!({
            "stageName": "prod", "variables": {"a": "2"}, "tracingEnabled": true,
            "methodSettings": {"*/*": {"cacheTtlInSeconds": 300}, "~1a/GET": {"cacheTtlInSeconds": 120},
                               "~1c/GET": {"cacheTtlInSeconds": 5}}
        });
        let e = edits(&base, &draft);
        assert_eq!(
            e,
            json!({
                "set": {"variables": {"a": "2"}, "tracingEnabled": true},
                "unset": ["description"],
                "settings": {"~1a/GET": {"cacheTtlInSeconds": 120}, "~1c/GET": {"cacheTtlInSeconds": 5},
                             "~1b/GET": null}
            })
        );
        assert_eq!(apply(&base, &e), Some(draft));
        // No edits: the base itself.
        assert_eq!(apply(&base, &edits(&base, &base)), Some(base.clone()));
        // A draft that gained the first method setting.
        let bare = json!({"stageName": "prod"});
        let one = json!({"stageName": "prod", "methodSettings": {"*/*": {"metricsEnabled": true}}});
        assert_eq!(apply(&bare, &edits(&bare, &one)), Some(one));
        // Anything else is not a draft.
        assert_eq!(apply(&base, &json!({"set": {}})), None);
        assert_eq!(apply(&json!([]), &edits(&base, &base)), None);
    }
}
