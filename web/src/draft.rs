//! Unsaved edits kept per stage in the tab's session storage, so that a reload, Back past the app or a
//! crash does not lose them. A draft is the stage as it was read (the base) and the user's document;
//! on return it is replayed on the stage as re-read, like a save.

use serde_json::Value;

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

fn key(api: &str, stage: &str) -> String {
    format!("stagecraft.draft {}", Value::from(vec![api, stage]))
}

/// Keeps `draft` (over `base`) for the stage.
pub fn save(api: &str, stage: &str, base: &Value, draft: &Value) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(&(base, draft))) {
        let _ = s.set_item(&key(api, stage), &text);
    }
}

/// The stage's draft, if one is kept (and readable).
#[must_use]
pub fn load(api: &str, stage: &str) -> Option<Draft> {
    let text = storage()?.get_item(&key(api, stage)).ok().flatten()?;
    let (base, draft): (Value, Value) = serde_json::from_str(&text).ok()?;
    Some(Draft { base, draft })
}

/// Forgets the stage's draft.
pub fn clear(api: &str, stage: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(api, stage));
    }
}
