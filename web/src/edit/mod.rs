//! The edit model: the stage as last read (base), the user's document (draft), and what core derives
//! from the pair on every keystroke: validation messages by JSON Pointer, the exact `patchOperations`
//! Save sends, and a readable list of changes.
//!
//! The draft is a JSON document, not a typed [`Stage`], so that whatever the user types (`4000`, `abc`)
//! can be held and shown with core's message next to the field. AWS rules live in core only: values are
//! parsed with [`Setting::parse_patch_value`], checked with [`validate_stage`], turned into operations
//! with [`diff`]. Nothing here knows a bound or a message text.
//!
//! The model is split by job: this module holds the state, the matrix cells and the stage fields;
//! [`analysis`] derives messages, patch and changes; [`vars`] edits name → value maps as rows;
//! [`rebase`] replays the draft on a stage someone else changed.

mod analysis;
mod rebase;
mod vars;

use serde::Deserialize as _;
use serde_json::{Map, Value};
use stagecraft_core::effective;
use stagecraft_core::key::setting_path;
use stagecraft_core::pointer::JsonPointer;
use stagecraft_core::settings::{ValueKind, option_label};
use stagecraft_core::{ALL_METHODS_KEY, METHOD_SETTINGS, Setting, Stage};

pub use analysis::{Analysis, Messages, PatchState, ops_json};
pub use rebase::Rebase;
pub use vars::{CANARY_OVERRIDES, STAGE_VARIABLES, VarRow};

use crate::merge::{self, Change};
use analysis::KeyCheck;
use vars::VAR_MAPS;

/// Where a cell's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Stored on this key and different from what it would inherit.
    Override,
    /// Stored on this key, equal to `*/*` now: a copy, which later `*/*` changes do not reach.
    Same,
    /// Not in the draft's entry for this key, which is stored: Save makes AWS store a copy of the final
    /// `*/*` value (AWS cannot remove one field of a key), which later `*/*` changes do not reach.
    Copy,
    /// Not stored on this key: the `*/*` value applies.
    Inherited,
    /// Not stored here nor (for this method) on `*/*`: AWS's default applies.
    Default,
}

/// What one matrix cell shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The value as shown (`On`, `300`, `INFO`, `403 Forbidden`, `—`).
    pub text: String,
    /// The value as an editor starts with (`true`, `300`, `10000`).
    pub raw: String,
    /// Where the value comes from.
    pub source: Source,
    /// Whether the draft differs from the stage as read.
    pub dirty: bool,
    /// Core's message for this field, if it is invalid.
    pub error: Option<String>,
}

/// The stage editor's state.
#[derive(Clone, Debug)]
pub struct EditModel {
    base: Stage,
    base_doc: Value,
    /// Which base this is: a new number whenever the base changes (see [`EditModel::base_id`]).
    base_id: u32,
    draft: Value,
    /// Rows per map of [`VAR_MAPS`], in its order.
    vars: [Vec<VarRow>; 2],
    analysis: Analysis,
    /// Issues and changes per method-settings key (only keys with either), sorted by key.
    per_key: Vec<KeyCheck>,
    /// Core's issues for everything but `methodSettings`.
    top_issues: Vec<(String, String)>,
    /// The draft as a typed stage, kept up to date entry by entry (invalid entries left out).
    typed: Stage,
    /// The base without `methodSettings`.
    base_top: Value,
    /// Changes outside `methodSettings`.
    top_changes: Vec<Change>,
}

/// A fresh [`EditModel::base_id`].
fn next_base_id() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn to_doc(stage: &Stage) -> Value {
    serde_json::to_value(stage).unwrap_or_else(|_| Value::Object(Map::new()))
}

fn ms_pointer(key: &str, field: &str) -> String {
    JsonPointer::root()
        .push("methodSettings")
        .push(key)
        .push(field)
        .as_str()
        .to_owned()
}

/// The pointer of a document path given as segments.
#[must_use]
pub fn pointer(path: &[&str]) -> String {
    path.iter()
        .fold(JsonPointer::root(), |p, s| p.push(s))
        .as_str()
        .to_owned()
}

/// A stored value as shown in a cell.
#[must_use]
pub fn display(setting: &Setting, value: &Value) -> String {
    match (setting.kind, value) {
        (ValueKind::Bool, Value::Bool(b)) => if *b { "On" } else { "Off" }.to_owned(),
        (ValueKind::Double { .. }, Value::Number(n)) => trim_double(n.as_f64().unwrap_or_default()),
        (_, Value::String(s)) => option_label(s).to_owned(),
        (_, v) => v.to_string(),
    }
}

/// A stored value as an editor's text.
#[must_use]
pub fn raw(setting: &Setting, value: &Value) -> String {
    match (setting.kind, value) {
        (ValueKind::Double { .. }, Value::Number(n)) => trim_double(n.as_f64().unwrap_or_default()),
        (_, Value::String(s)) => s.clone(),
        (_, v) => v.to_string(),
    }
}

/// A double without a trailing `.0` (`25`, `10.5`).
fn trim_double(d: f64) -> String {
    let text = stagecraft_core::format_double(d);
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

impl EditModel {
    /// A model with no pending change.
    #[must_use]
    pub fn new(stage: Stage) -> Self {
        let base_doc = to_doc(&stage);
        let mut model = Self {
            draft: base_doc.clone(),
            vars: [Vec::new(), Vec::new()],
            base: stage,
            base_doc,
            base_id: next_base_id(),
            analysis: Analysis::default(),
            per_key: Vec::new(),
            top_issues: Vec::new(),
            typed: Stage::default(),
            base_top: Value::Null,
            top_changes: Vec::new(),
        };
        model.vars_from_draft();
        model.reanalyze();
        model
    }

    /// A model whose draft is `draft` over `base` (a draft kept from an earlier visit); `None` when
    /// either is not a stage document.
    #[must_use]
    pub fn restore(base: &Value, draft: Value) -> Option<Self> {
        // From `&Value`, as every response: one deserializer per type in the download.
        let base = Stage::deserialize(base).ok()?;
        if !draft.is_object() {
            return None;
        }
        let mut model = Self::new(base);
        model.draft = draft;
        model.vars_from_draft();
        model.reanalyze();
        Some(model)
    }

    /// The stage as last read.
    #[must_use]
    pub fn base(&self) -> &Stage {
        &self.base
    }

    /// The base as a document.
    #[must_use]
    pub fn base_doc(&self) -> &Value {
        &self.base_doc
    }

    /// Identifies the base: equal ids, same base (so a copy of it need not be written again).
    #[must_use]
    pub fn base_id(&self) -> u32 {
        self.base_id
    }

    /// Replaces the base (its document too) with `stage`.
    fn set_base(&mut self, stage: Stage, doc: Value) {
        self.base = stage;
        self.base_doc = doc;
        self.base_id = next_base_id();
    }

    /// The user's document.
    #[must_use]
    pub fn draft(&self) -> &Value {
        &self.draft
    }

    /// What core says about the draft.
    #[must_use]
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Whether the draft differs from the base.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        !self.analysis.changes.is_empty()
    }

    /// Starts over from `stage` (after a save or a reload).
    pub fn reset_to(&mut self, stage: Stage) {
        *self = Self::new(stage);
    }

    /// Drops every pending change.
    pub fn discard(&mut self) {
        self.draft = self.base_doc.clone();
        self.vars_from_draft();
        self.reanalyze();
    }

    /// Messages at one pointer.
    #[must_use]
    pub fn errors_at(&self, pointer: &str) -> &[String] {
        let errors = &self.analysis.errors;
        errors
            .binary_search_by(|(p, _)| p.as_str().cmp(pointer))
            .map_or(&[], |i| &errors[i].1)
    }

    // ---- method settings ----

    fn settings(&self) -> Option<&Map<String, Value>> {
        self.draft.get("methodSettings")?.as_object()
    }

    fn settings_mut(&mut self) -> &mut Map<String, Value> {
        let doc = self.draft.as_object_mut().expect("the draft is an object");
        doc.entry("methodSettings")
            .or_insert_with(|| Value::Object(Map::new()));
        doc.get_mut("methodSettings")
            .and_then(Value::as_object_mut)
            .expect("methodSettings is an object")
    }

    /// The keys stored in the draft, sorted.
    #[must_use]
    pub fn override_keys(&self) -> Vec<String> {
        self.settings()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether the draft stores `key`.
    #[must_use]
    pub fn has_override(&self, key: &str) -> bool {
        self.settings().is_some_and(|m| m.contains_key(key))
    }

    /// The stored value of one field.
    #[must_use]
    pub fn setting_value(&self, key: &str, setting: &Setting) -> Option<&Value> {
        self.settings()?.get(key)?.get(setting.field)
    }

    /// A new override as AWS creates it: fields with a default are left out (they inherit: core's diff
    /// fills them from the final `*/*`), fields without one (`loggingLevel`) are copied from `*/*`.
    fn new_entry(&self, key: &str) -> Value {
        let mut entry = Map::new();
        if key != ALL_METHODS_KEY {
            for s in METHOD_SETTINGS.iter().filter(|s| s.default.is_none()) {
                if let Some(v) = self.setting_value(ALL_METHODS_KEY, s) {
                    entry.insert(s.field.to_owned(), v.clone());
                }
            }
        }
        Value::Object(entry)
    }

    /// Adds an override for `key` that inherits everything.
    pub fn add_override(&mut self, key: &str) {
        if !self.has_override(key) {
            let entry = self.new_entry(key);
            self.settings_mut().insert(key.to_owned(), entry);
            self.reanalyze_key(key);
        }
    }

    /// Removes `key`'s override.
    pub fn remove_override(&mut self, key: &str) {
        if self.settings_mut().remove(key).is_some() {
            self.reanalyze_key(key);
        }
    }

    /// Sets a field from what the user typed (creating the override). A value core cannot parse is
    /// kept as the typed text, so validation reports it.
    pub fn set_setting(&mut self, key: &str, setting: &Setting, text: &str) {
        let value = setting
            .parse_patch_value(&setting_path(key, setting), text)
            .unwrap_or_else(|_| Value::String(text.to_owned()));
        self.set_setting_value(key, setting, Some(value));
    }

    /// Sets (`Some`) or resets (`None`) one field's stored value.
    pub fn set_setting_value(&mut self, key: &str, setting: &Setting, value: Option<Value>) {
        let fresh = self.new_entry(key);
        let entry = self.settings_mut().entry(key.to_owned()).or_insert(fresh);
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let fields = entry.as_object_mut().expect("object");
        match value {
            Some(v) => {
                fields.insert(setting.field.to_owned(), v);
            }
            None => {
                fields.remove(setting.field);
            }
        }
        self.reanalyze_key(key);
    }

    /// Resets one field of an override to `*/*`'s value. AWS cannot remove one field of a key: Save
    /// re-creates the key, which stores a *copy* of the final `*/*` value ([`Source::Copy`]); only
    /// [`Self::remove_override`] makes every field of a method inherit again. A field with a default is
    /// dropped (core's diff re-creates the key from `*/*`); one without (`loggingLevel`) takes `*/*`'s
    /// value, as a re-created key would.
    pub fn reset_setting(&mut self, key: &str, setting: &Setting) {
        if self.setting_value(key, setting).is_none() {
            return;
        }
        let copy = if setting.default.is_none() && key != ALL_METHODS_KEY {
            self.setting_value(ALL_METHODS_KEY, setting).cloned()
        } else {
            None
        };
        self.set_setting_value(key, setting, copy);
    }

    /// The value `key` would have for `setting` without its own: core's rule for the settings in force
    /// ([`stagecraft_core::effective`]: `*/*`'s value, which for caching covers GET only, else AWS's
    /// default).
    #[must_use]
    pub fn inherited(&self, key: &str, setting: &'static Setting) -> (Value, Source) {
        let (all, verb) = if key == ALL_METHODS_KEY {
            (None, "")
        } else {
            (
                self.setting_value(ALL_METHODS_KEY, setting).cloned(),
                key.rsplit_once('/').map_or("", |(_, v)| v),
            )
        };
        match effective::inherited_value(setting, all, verb) {
            (v, effective::Source::AllMethods) => (v, Source::Inherited),
            (v, _) => (v, Source::Default),
        }
    }

    /// What the matrix shows for one field of one key.
    #[must_use]
    pub fn cell(&self, key: &str, setting: &'static Setting) -> Cell {
        let stored = self.setting_value(key, setting);
        let (parent, parent_source) = self.inherited(key, setting);
        let copied = (key != ALL_METHODS_KEY && self.has_override(key))
            .then(|| self.setting_value(ALL_METHODS_KEY, setting))
            .flatten();
        let (value, source) = match (stored, copied) {
            (Some(v), _) if *v == parent => (v.clone(), Source::Same),
            (Some(v), _) => (v.clone(), Source::Override),
            (None, Some(v)) => (v.clone(), Source::Copy),
            (None, None) => (parent, parent_source),
        };
        let base = self
            .base_doc
            .get("methodSettings")
            .and_then(|m| m.get(key))
            .and_then(|e| e.get(setting.field));
        let pointer = ms_pointer(key, setting.field);
        Cell {
            text: display(setting, &value),
            raw: raw(setting, &value),
            source,
            dirty: base != stored,
            error: self.errors_at(&pointer).first().cloned(),
        }
    }

    /// Whether any field of `key` differs from the base (or the override was added or removed).
    #[must_use]
    pub fn row_dirty(&self, key: &str) -> bool {
        let get = |doc: &Value| doc.get("methodSettings").and_then(|m| m.get(key)).cloned();
        get(&self.base_doc) != get(&self.draft)
    }

    /// Whether the draft's `*/*` value of `setting` differs from the stage as read.
    #[must_use]
    pub fn all_methods_changed(&self, setting: &Setting) -> bool {
        let base = self
            .base_doc
            .get("methodSettings")
            .and_then(|m| m.get(ALL_METHODS_KEY))
            .and_then(|e| e.get(setting.field));
        base != self.setting_value(ALL_METHODS_KEY, setting)
    }

    /// The methods whose stored value of `setting` differs from the draft's `*/*` value: a `*/*`
    /// change does not reach them (every stored key holds its own copy of every field).
    #[must_use]
    pub fn keys_keeping_own(&self, setting: &Setting) -> Vec<String> {
        let mut keys = Vec::new();
        self.each_keeping_own(setting, |k| keys.push(k.to_owned()));
        keys
    }

    /// How many methods [`Self::keys_keeping_own`] lists, without listing them.
    #[must_use]
    pub fn count_keeping_own(&self, setting: &Setting) -> usize {
        let mut n = 0;
        self.each_keeping_own(setting, |_| n += 1);
        n
    }

    fn each_keeping_own(&self, setting: &Setting, mut f: impl FnMut(&str)) {
        let star = self.all_methods_value(setting);
        let Some(map) = self.settings() else {
            return;
        };
        for (k, e) in map {
            if k.as_str() != ALL_METHODS_KEY
                && e.get(setting.field)
                    .is_some_and(|v| Some(v) != star.as_ref())
            {
                f(k);
            }
        }
    }

    /// How many stored keys (`*/*` included) hold `value` for `setting`.
    #[must_use]
    pub fn count_stored(&self, setting: &Setting, value: &Value) -> usize {
        self.settings().map_or(0, |m| {
            m.values()
                .filter(|e| e.get(setting.field) == Some(value))
                .count()
        })
    }

    /// Gives every method in [`Self::keys_keeping_own`] the draft's `*/*` value of `setting`.
    pub fn apply_all_methods_value(&mut self, setting: &Setting) {
        let Some(star) = self.all_methods_value(setting) else {
            return;
        };
        let keys = self.keys_keeping_own(setting);
        for key in &keys {
            if let Some(entry) = self
                .settings_mut()
                .get_mut(key)
                .and_then(Value::as_object_mut)
            {
                entry.insert(setting.field.to_owned(), star.clone());
            }
        }
        self.reanalyze();
    }

    /// `*/*`'s value of `setting` in the draft, else AWS's default.
    fn all_methods_value(&self, setting: &Setting) -> Option<Value> {
        self.setting_value(ALL_METHODS_KEY, setting)
            .cloned()
            .or_else(|| setting.default_json())
    }

    // ---- stage fields ----

    /// The value at a document path.
    #[must_use]
    pub fn field(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(&self.draft, |v, seg| v.get(seg))
    }

    /// A field as text (`""` when absent).
    #[must_use]
    pub fn text(&self, path: &[&str]) -> String {
        match self.field(path) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), trim_double),
            Some(v) => v.to_string(),
        }
    }

    /// A boolean field (`false` when absent).
    #[must_use]
    pub fn flag(&self, path: &[&str]) -> bool {
        self.field(path).and_then(Value::as_bool).unwrap_or(false)
    }

    /// Sets or removes a stage field (empty map containers are dropped).
    pub fn set_field(&mut self, path: &[&str], value: Option<Value>) {
        let owned: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        merge::set(&mut self.draft, &owned, value);
        // A row map inside (or around) the field follows the draft (the canary toggle).
        for (slot, at) in VAR_MAPS.iter().enumerate() {
            if at.starts_with(path) || path.starts_with(at) {
                self.var_slot_from_draft(slot);
            }
        }
        self.reanalyze_top();
    }

    /// Sets a text field; an empty text removes it.
    pub fn set_text(&mut self, path: &[&str], text: &str) {
        let value = (!text.is_empty()).then(|| Value::String(text.to_owned()));
        self.set_field(path, value);
    }

    /// Sets a number field from what the user typed (kept as text when it is not a number).
    pub fn set_number(&mut self, path: &[&str], text: &str) {
        let value = stagecraft_core::parse_double(text)
            .map_or_else(|| Value::String(text.to_owned()), Value::from);
        self.set_field(path, Some(value));
    }

    /// Promotes the canary (core's [`stagecraft_core::canary::promote`]): its deployment and
    /// overrides become the stage's and the canary goes. Nothing happens while the draft is invalid.
    pub fn promote_canary(&mut self) {
        let Ok(stage) = Stage::deserialize(&self.draft) else {
            return;
        };
        if let Some(promoted) = stagecraft_core::canary::promote(&stage) {
            self.draft = to_doc(&promoted);
            self.vars_from_draft();
            self.reanalyze();
        }
    }

    /// Turns the canary on (at 0 % on the stage's deployment) or off.
    pub fn set_canary(&mut self, on: bool) {
        let value = on.then(|| {
            let mut canary = Map::new();
            canary.insert("percentTraffic".into(), Value::from(0.0));
            if let Some(dep) = self.draft.get("deploymentId").cloned() {
                canary.insert("deploymentId".into(), dep);
            }
            canary.insert("useStageCache".into(), Value::Bool(false));
            Value::Object(canary)
        });
        self.set_field(&["canarySettings"], value);
    }
}

#[cfg(test)]
mod tests;
