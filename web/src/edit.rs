//! The edit model: the stage as last read (base), the user's document (draft), and what core derives
//! from the pair on every keystroke: validation messages by JSON Pointer, the exact `patchOperations`
//! Save sends, and a readable list of changes.
//!
//! The draft is a JSON document, not a typed [`Stage`], so that whatever the user types (`4000`, `abc`)
//! can be held and shown with core's message next to the field. AWS rules live in core only: values are
//! parsed with [`Setting::parse_patch_value`], checked with [`validate_stage`], turned into operations
//! with [`diff`]. Nothing here knows a bound or a message text.

use serde::Deserialize;
use serde_json::{Map, Value};
use stagecraft_core::key::setting_path;
use stagecraft_core::pointer::{JsonPointer, unescape};
use stagecraft_core::settings::ValueKind;
use stagecraft_core::{
    ALL_METHODS_KEY, DiffError, METHOD_SETTINGS, PatchOperation, Setting, Stage, diff,
    validate_stage,
};

use crate::merge::{self, Change, Merge, Side};

/// Where a cell's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Stored on this key and different from what it would inherit.
    Override,
    /// Stored on this key, equal to what it would inherit.
    Same,
    /// Not stored on this key: the `*/*` value applies.
    Inherited,
    /// Not stored here nor on `*/*`: AWS's default applies.
    Default,
    /// Not stored anywhere and without a default.
    Unset,
}

/// What one matrix cell shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The value as shown (`On`, `300`, `INFO`, `—`).
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

/// What Save would send.
#[derive(Clone, Debug, PartialEq)]
pub enum PatchState {
    /// The draft has validation errors.
    Invalid,
    /// The draft is valid but UpdateStage cannot express the change.
    Unexpressible(DiffError),
    /// The operations (possibly none).
    Ops(Vec<PatchOperation>),
}

/// Messages by JSON Pointer into the draft, in pointer order (a sorted list: smaller than a map).
pub type Messages = Vec<(String, Vec<String>)>;

/// The messages at `pointer`, added (empty) if missing.
fn messages_at<'a>(errors: &'a mut Messages, pointer: &str) -> &'a mut Vec<String> {
    let i = errors
        .binary_search_by(|(p, _)| p.as_str().cmp(pointer))
        .unwrap_or_else(|i| {
            errors.insert(i, (pointer.to_owned(), Vec::new()));
            i
        });
    &mut errors[i].1
}

/// Everything derived from (base, draft).
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Messages by JSON Pointer into the draft.
    pub errors: Messages,
    /// The patch.
    pub patch: PatchState,
    /// Readable changes, base → draft.
    pub changes: Vec<Change>,
}

impl Default for Analysis {
    fn default() -> Self {
        Self {
            errors: Vec::new(),
            patch: PatchState::Ops(Vec::new()),
            changes: Vec::new(),
        }
    }
}

impl Analysis {
    /// Whether Save is possible: valid, expressible and not empty.
    #[must_use]
    pub fn can_save(&self) -> bool {
        matches!(&self.patch, PatchState::Ops(ops) if !ops.is_empty())
    }

    /// The operations, when the draft is valid and expressible.
    #[must_use]
    pub fn ops(&self) -> Option<&[PatchOperation]> {
        match &self.patch {
            PatchState::Ops(ops) => Some(ops),
            _ => None,
        }
    }

    /// The number of messages.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.errors.iter().map(|(_, m)| m.len()).sum()
    }

    /// The operations as the pretty JSON array the AWS CLI takes (`--patch-operations file://ops.json`).
    #[must_use]
    pub fn patch_json(&self) -> String {
        match &self.patch {
            PatchState::Ops(ops) => ops_json(ops),
            _ => String::new(),
        }
    }
}

/// `[{"op": …}, …]`, one operation per line.
#[must_use]
pub fn ops_json(ops: &[PatchOperation]) -> String {
    if ops.is_empty() {
        return "[]".to_owned();
    }
    let lines: Vec<String> = ops
        .iter()
        .map(|op| format!("  {}", serde_json::to_string(op).unwrap_or_default()))
        .collect();
    format!("[\n{}\n]", lines.join(",\n"))
}

/// The stage's variables.
pub const STAGE_VARIABLES: &[&str] = &["variables"];
/// The canary's stage-variable overrides.
pub const CANARY_OVERRIDES: &[&str] = &["canarySettings", "stageVariableOverrides"];
/// Every name → value map edited as rows, by document path.
const VAR_MAPS: [&[&str]; 2] = [STAGE_VARIABLES, CANARY_OVERRIDES];

fn var_slot(at: &[&str]) -> Option<usize> {
    VAR_MAPS.iter().position(|p| *p == at)
}

/// One stage variable row as the user edits it (rows keep their place while a name is typed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VarRow {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

/// The outcome of replaying the draft on a re-read stage.
#[derive(Clone, Debug, PartialEq)]
pub enum Rebase {
    /// Nobody else changed the stage.
    Unchanged,
    /// Someone did, on other fields: the draft now sits on their stage.
    Clean {
        /// How many fields they changed.
        their_changes: usize,
    },
    /// Someone changed fields the user changed too: a decision is needed (the model is untouched).
    Conflicts(Box<Merge>),
}

/// The stage editor's state.
#[derive(Clone, Debug)]
pub struct EditModel {
    base: Stage,
    base_doc: Value,
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

/// What the last check of one method-settings key found.
#[derive(Clone, Debug, Default)]
struct KeyCheck {
    /// The key.
    key: String,
    /// Core's issues, `(pointer, message)`.
    issues: Vec<(String, String)>,
    /// Changes from the base.
    changes: Vec<Change>,
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
        (_, Value::String(s)) => s.clone(),
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
    let text = stagecraft_core::values::format_double(d);
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

    /// Resets one field of an override to inherit again. A field with a default is dropped (core's
    /// diff re-creates the key from `*/*`); one without (`loggingLevel`) takes `*/*`'s value, as a
    /// re-created key would.
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

    /// The value `key` would have for `setting` without its own: `*/*`'s, else AWS's default.
    #[must_use]
    pub fn inherited(&self, key: &str, setting: &Setting) -> (Option<Value>, Source) {
        if key != ALL_METHODS_KEY
            && let Some(v) = self.setting_value(ALL_METHODS_KEY, setting)
        {
            return (Some(v.clone()), Source::Inherited);
        }
        match setting.default_json() {
            Some(v) => (Some(v), Source::Default),
            None => (None, Source::Unset),
        }
    }

    /// What the matrix shows for one field of one key.
    #[must_use]
    pub fn cell(&self, key: &str, setting: &Setting) -> Cell {
        let stored = self.setting_value(key, setting);
        let (parent, parent_source) = self.inherited(key, setting);
        let (value, source) = match stored {
            Some(v) if parent.as_ref() == Some(v) => (Some(v.clone()), Source::Same),
            Some(v) => (Some(v.clone()), Source::Override),
            None => (parent, parent_source),
        };
        let base = self
            .base_doc
            .get("methodSettings")
            .and_then(|m| m.get(key))
            .and_then(|e| e.get(setting.field));
        let pointer = ms_pointer(key, setting.field);
        Cell {
            text: value
                .as_ref()
                .map_or_else(|| "—".to_owned(), |v| display(setting, v)),
            raw: value.as_ref().map(|v| raw(setting, v)).unwrap_or_default(),
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
        let value = stagecraft_core::values::parse_double(text)
            .map_or_else(|| Value::String(text.to_owned()), Value::from);
        self.set_field(path, Some(value));
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

    // ---- stage variables and canary overrides ----

    /// The rows of the name → value map at `at` ([`STAGE_VARIABLES`] or [`CANARY_OVERRIDES`]).
    #[must_use]
    pub fn vars(&self, at: &[&str]) -> &[VarRow] {
        var_slot(at).map_or(&[], |s| self.vars[s].as_slice())
    }

    fn vars_from_draft(&mut self) {
        for slot in 0..VAR_MAPS.len() {
            self.var_slot_from_draft(slot);
        }
    }

    fn var_slot_from_draft(&mut self, slot: usize) {
        self.vars[slot] = VAR_MAPS[slot]
            .iter()
            .try_fold(&self.draft, |v, seg| v.get(seg))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| VarRow {
                        name: k.clone(),
                        value: v.as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
    }

    fn vars_to_draft(&mut self, slot: usize) {
        let mut map = Map::new();
        for row in &self.vars[slot] {
            map.insert(row.name.clone(), Value::String(row.value.clone()));
        }
        let value = (!map.is_empty()).then_some(Value::Object(map));
        let path: Vec<String> = VAR_MAPS[slot].iter().map(|s| (*s).to_owned()).collect();
        merge::set(&mut self.draft, &path, value);
        self.reanalyze_top();
    }

    /// Changes the rows of the map at `at` and writes them to the draft.
    fn edit_vars(&mut self, at: &[&str], f: impl FnOnce(&mut Vec<VarRow>) -> bool) {
        if let Some(slot) = var_slot(at)
            && f(&mut self.vars[slot])
        {
            self.vars_to_draft(slot);
        }
    }

    /// Adds an empty row to the map at `at`.
    pub fn add_var(&mut self, at: &[&str]) {
        self.edit_vars(at, |rows| {
            rows.push(VarRow::default());
            true
        });
    }

    /// Removes row `i` of the map at `at`.
    pub fn remove_var(&mut self, at: &[&str], i: usize) {
        self.edit_vars(at, |rows| {
            let ok = i < rows.len();
            if ok {
                rows.remove(i);
            }
            ok
        });
    }

    /// Renames row `i` of the map at `at`.
    pub fn set_var_name(&mut self, at: &[&str], i: usize, name: &str) {
        self.edit_vars(at, |rows| {
            rows.get_mut(i)
                .map(|r| name.clone_into(&mut r.name))
                .is_some()
        });
    }

    /// Sets the value of row `i` of the map at `at`.
    pub fn set_var_value(&mut self, at: &[&str], i: usize, value: &str) {
        self.edit_vars(at, |rows| {
            rows.get_mut(i)
                .map(|r| value.clone_into(&mut r.value))
                .is_some()
        });
    }

    /// Messages for row `i` of the map at `at`.
    #[must_use]
    pub fn var_errors(&self, at: &[&str], i: usize) -> Vec<String> {
        let Some(row) = self.vars(at).get(i) else {
            return Vec::new();
        };
        let mut path = at.to_vec();
        path.push(&row.name);
        self.errors_at(&pointer(&path)).to_vec()
    }

    // ---- analysis ----

    /// Everything again (load, discard, rebase). Per-keystroke edits use [`Self::reanalyze_key`] and
    /// [`Self::reanalyze_top`], which redo only what the edit can change: core validates each
    /// method-settings entry on its own, so one entry's issues depend on that entry alone.
    fn reanalyze(&mut self) {
        self.base_top = without_method_settings(&self.base_doc);
        self.per_key.clear();
        self.typed.method_settings.clear();
        let mut keys = self.override_keys();
        if let Some(base) = self
            .base_doc
            .get("methodSettings")
            .and_then(Value::as_object)
        {
            keys.extend(base.keys().cloned());
        }
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            self.check_key(&key);
        }
        self.check_top();
        self.finish();
    }

    /// After a change to one method-settings key.
    fn reanalyze_key(&mut self, key: &str) {
        self.check_key(key);
        self.finish();
    }

    /// After a change to stage-level fields.
    fn reanalyze_top(&mut self) {
        self.check_top();
        self.finish();
    }

    /// Core's issues for `pointer → message`, with typed-text messages for method settings.
    fn issues_of(&self, doc: &Value) -> Vec<(String, String)> {
        validate_stage(doc)
            .errors
            .into_iter()
            .map(|issue| {
                let message = self
                    .typed_message(issue.path.as_str())
                    .unwrap_or(issue.message);
                (issue.path.as_str().to_owned(), message)
            })
            .collect()
    }

    fn check_key(&mut self, key: &str) {
        let base_entry = self.base_doc.get("methodSettings").and_then(|m| m.get(key));
        let changes = merge::changes_at(
            &["methodSettings".to_owned(), key.to_owned()],
            base_entry,
            self.settings().and_then(|m| m.get(key)),
        );
        let issues = match self.settings().and_then(|m| m.get(key)).cloned() {
            None => {
                self.typed.method_settings.remove(key);
                Vec::new()
            }
            Some(entry) => self.check_entry(key, entry),
        };
        let check = (!issues.is_empty() || !changes.is_empty()).then(|| KeyCheck {
            key: key.to_owned(),
            issues,
            changes,
        });
        match (
            self.per_key.binary_search_by(|k| k.key.as_str().cmp(key)),
            check,
        ) {
            (Ok(i), Some(check)) => self.per_key[i] = check,
            (Ok(i), None) => {
                self.per_key.remove(i);
            }
            (Err(i), Some(check)) => self.per_key.insert(i, check),
            (Err(_), None) => {}
        }
    }

    /// Validates one stored entry; keeps its typed form when valid. Returns its issues.
    fn check_entry(&mut self, key: &str, entry: Value) -> Vec<(String, String)> {
        let mut one = Map::new();
        one.insert(key.to_owned(), entry);
        let mut doc = Map::new();
        doc.insert("methodSettings".to_owned(), Value::Object(one));
        let doc = Value::Object(doc);
        let issues = self.issues_of(&doc);
        if !issues.is_empty() {
            self.typed.method_settings.remove(key);
            return issues;
        }
        match stagecraft_core::MethodSetting::deserialize(&doc["methodSettings"][key]) {
            Ok(ms) => {
                self.typed.method_settings.insert(key.to_owned(), ms);
                Vec::new()
            }
            Err(e) => {
                self.typed.method_settings.remove(key);
                vec![(pointer(&["methodSettings", key]), e.to_string())]
            }
        }
    }

    fn check_top(&mut self) {
        let top = without_method_settings(&self.draft);
        self.top_changes = merge::changes(&self.base_top, &top);
        self.top_issues = self.issues_of(&top);
        if self.top_issues.is_empty() {
            match Stage::deserialize(&top) {
                Ok(mut stage) => {
                    stage.method_settings = std::mem::take(&mut self.typed.method_settings);
                    self.typed = stage;
                }
                Err(e) => self.top_issues.push((String::new(), e.to_string())),
            }
        }
    }

    fn finish(&mut self) {
        let mut errors = Messages::new();
        for (at, message) in self
            .top_issues
            .iter()
            .chain(self.per_key.iter().flat_map(|k| &k.issues))
        {
            let list = messages_at(&mut errors, at);
            if !list.contains(message) {
                list.push(message.clone());
            }
        }
        // Two rows with one name: the draft keeps only the last, so the user must see it.
        for (at, rows) in VAR_MAPS.iter().zip(&self.vars) {
            for (i, row) in rows.iter().enumerate() {
                if rows[..i].iter().any(|r| r.name == row.name) {
                    let mut path = at.to_vec();
                    path.push(&row.name);
                    messages_at(&mut errors, &pointer(&path))
                        .push(format!("Duplicate stage variable name: {}", row.name));
                }
            }
        }
        let patch = if errors.is_empty() {
            match diff(&self.base, &self.typed) {
                Ok(ops) => PatchState::Ops(ops),
                Err(e) => {
                    messages_at(&mut errors, &e.field).push(e.message.clone());
                    PatchState::Unexpressible(e)
                }
            }
        } else {
            PatchState::Invalid
        };
        // Document order: stage fields before "methodSettings", its keys, then the fields after it.
        let (before, after): (Vec<&Change>, Vec<&Change>) =
            self.top_changes.iter().partition(|c| {
                c.path
                    .first()
                    .is_some_and(|f| f.as_str() < "methodSettings")
            });
        let changes = before
            .into_iter()
            .chain(self.per_key.iter().flat_map(|k| &k.changes))
            .chain(after)
            .cloned()
            .collect();
        self.analysis = Analysis {
            errors,
            patch,
            changes,
        };
    }

    /// For a method-setting field holding typed text core could not parse, core's patch message for
    /// that text (the one AWS would answer), rather than a JSON type error.
    fn typed_message(&self, pointer: &str) -> Option<String> {
        let rest = pointer.strip_prefix("/methodSettings/")?;
        let (key, field) = rest.rsplit_once('/')?;
        let (key, field) = (unescape(key), unescape(field));
        let setting = Setting::by_field(&field)?;
        let Some(Value::String(text)) = self.setting_value(&key, setting) else {
            return None;
        };
        if matches!(setting.kind, ValueKind::Enum(_)) {
            return None;
        }
        setting
            .parse_patch_value(&setting_path(&key, setting), text)
            .err()
    }

    // ---- safe save ----

    /// Replays the draft on `theirs` (the stage as re-read before saving).
    pub fn rebase(&mut self, theirs: Stage) -> Rebase {
        let theirs_doc = to_doc(&theirs);
        let their_changes = merge::changes(&self.base_doc, &theirs_doc);
        if their_changes.is_empty() {
            self.base = theirs;
            self.base_doc = theirs_doc;
            self.reanalyze();
            return Rebase::Unchanged;
        }
        let merge = merge::three_way(&self.base_doc, &theirs_doc, &self.draft);
        if !merge.conflicts.is_empty() {
            return Rebase::Conflicts(Box::new(merge));
        }
        self.base = theirs;
        self.base_doc = theirs_doc;
        self.draft = merge.merged;
        self.vars_from_draft();
        self.reanalyze();
        Rebase::Clean {
            their_changes: their_changes.len(),
        }
    }

    /// Takes the user's decisions on a conflicted merge: the base becomes `theirs`.
    pub fn resolve(&mut self, theirs: Stage, merge: &Merge, choices: &[Side]) {
        self.base_doc = to_doc(&theirs);
        self.base = theirs;
        self.draft = merge.resolve(choices);
        self.vars_from_draft();
        self.reanalyze();
    }
}

fn without_method_settings(doc: &Value) -> Value {
    let mut top = Map::new();
    for (field, value) in doc.as_object().into_iter().flatten() {
        if field != "methodSettings" {
            top.insert(field.clone(), value.clone());
        }
    }
    Value::Object(top)
}

/// The ten settings, for iteration by index.
#[must_use]
pub fn settings() -> &'static [Setting] {
    METHOD_SETTINGS
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stage(v: Value) -> Stage {
        serde_json::from_value(v).unwrap()
    }

    fn full(extra: Value) -> Value {
        let mut base = json!({
            "metricsEnabled": false, "dataTraceEnabled": false, "throttlingBurstLimit": 5000,
            "throttlingRateLimit": 10000.0, "cachingEnabled": false, "cacheTtlInSeconds": 300,
            "cacheDataEncrypted": false, "requireAuthorizationForCacheControl": true,
            "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    }

    fn demo() -> EditModel {
        EditModel::new(stage(json!({
            "stageName": "prod", "deploymentId": "d1", "description": "production",
            "variables": {"backend": "api.example.com"},
            "methodSettings": {
                "*/*": full(json!({"loggingLevel": "INFO", "cachingEnabled": true})),
                "~1pets/GET": full(json!({"loggingLevel": "INFO", "cachingEnabled": true, "cacheTtlInSeconds": 60}))
            }
        })))
    }

    fn ttl() -> &'static Setting {
        Setting::by_field("cacheTtlInSeconds").unwrap()
    }

    #[test]
    fn fresh_model_is_clean_and_valid() {
        let m = demo();
        assert!(!m.is_dirty());
        assert_eq!(m.analysis().patch, PatchState::Ops(vec![]));
        assert!(!m.analysis().can_save());
        assert_eq!(
            m.vars(STAGE_VARIABLES),
            &[VarRow {
                name: "backend".into(),
                value: "api.example.com".into()
            }]
        );
    }

    #[test]
    fn editing_an_override_gives_the_exact_patch() {
        let mut m = demo();
        m.set_setting("~1pets/GET", ttl(), "120");
        assert!(m.analysis().can_save());
        assert_eq!(
            m.analysis().patch_json(),
            "[\n  {\"op\":\"replace\",\"path\":\"/~1pets/GET/caching/ttlInSeconds\",\"value\":\"120\"}\n]"
        );
        let cell = m.cell("~1pets/GET", ttl());
        assert_eq!(
            (cell.text.as_str(), cell.source, cell.dirty),
            ("120", Source::Override, true)
        );
        assert_eq!(m.analysis().changes.len(), 1);
    }

    #[test]
    fn out_of_range_ttl_shows_core_message_and_blocks_save() {
        let mut m = demo();
        m.set_setting("~1pets/GET", ttl(), "4000");
        let cell = m.cell("~1pets/GET", ttl());
        assert_eq!(
            cell.error.as_deref(),
            Some("Invalid time-to-live setting, must be an integer no greater than 3600")
        );
        assert_eq!(cell.text, "4000");
        assert_eq!(m.analysis().patch, PatchState::Invalid);
        assert!(!m.analysis().can_save());
        m.set_setting("~1pets/GET", ttl(), "abc");
        assert!(
            m.cell("~1pets/GET", ttl())
                .error
                .unwrap()
                .contains("time-to-live")
        );
        m.set_setting("~1pets/GET", ttl(), "3600");
        assert!(m.analysis().can_save());
    }

    #[test]
    fn inherited_values_come_from_all_methods_then_defaults() {
        let m = demo();
        let c = m.cell("~1orders/POST", ttl());
        assert_eq!((c.text.as_str(), c.source), ("300", Source::Inherited));
        let star = m.cell("*/*", ttl());
        assert_eq!(star.source, Source::Same);
        let logging = Setting::by_field("loggingLevel").unwrap();
        assert_eq!(m.cell("*/*", logging).source, Source::Override);
        let bare = EditModel::new(stage(json!({"methodSettings": {}})));
        assert_eq!(bare.cell("~1a/GET", ttl()).source, Source::Default);
        assert_eq!(bare.cell("~1a/GET", logging).source, Source::Unset);
        assert_eq!(bare.cell("~1a/GET", logging).text, "—");
        let caching = Setting::by_field("cachingEnabled").unwrap();
        assert_eq!(m.cell("~1pets/GET", caching).text, "On");
        assert_eq!(m.cell("~1pets/GET", caching).source, Source::Same);
    }

    #[test]
    fn reset_field_and_remove_override() {
        let mut m = demo();
        m.reset_setting("~1pets/GET", ttl());
        let c = m.cell("~1pets/GET", ttl());
        assert_eq!(
            (c.text.as_str(), c.source, c.dirty),
            ("300", Source::Inherited, true)
        );
        // The key inherits */*'s 300 again; core's diff finds the one replace that does it.
        assert_eq!(
            m.analysis().ops().unwrap(),
            &[PatchOperation::replace(
                "/~1pets/GET/caching/ttlInSeconds",
                "300"
            )]
        );
        let logging = Setting::by_field("loggingLevel").unwrap();
        m.set_setting("~1pets/GET", logging, "ERROR");
        m.reset_setting("~1pets/GET", logging);
        assert_eq!(m.cell("~1pets/GET", logging).source, Source::Same);
        m.discard();
        m.remove_override("~1pets/GET");
        assert_eq!(
            m.analysis().patch_json(),
            "[\n  {\"op\":\"remove\",\"path\":\"/~1pets/GET\"}\n]"
        );
        assert!(!m.has_override("~1pets/GET"));
    }

    #[test]
    fn adding_an_override_creates_the_key() {
        let mut m = demo();
        m.add_override("~1orders/POST");
        assert!(m.has_override("~1orders/POST"));
        // loggingLevel has no default: the new key copies */*'s, as AWS does.
        assert_eq!(
            m.cell("~1orders/POST", Setting::by_field("loggingLevel").unwrap())
                .source,
            Source::Same
        );
        assert!(m.analysis().can_save());
        m.set_setting("~1orders/POST", ttl(), "10");
        assert_eq!(
            m.analysis().ops().unwrap(),
            &[PatchOperation::replace(
                "/~1orders/POST/caching/ttlInSeconds",
                "10"
            )]
        );
    }

    #[test]
    fn stage_fields_and_variables() {
        let mut m = demo();
        m.set_text(&["description"], "");
        m.set_var_value(STAGE_VARIABLES, 0, "other.example.com");
        m.add_var(STAGE_VARIABLES);
        m.set_var_name(STAGE_VARIABLES, 1, "bad name");
        assert!(
            m.var_errors(STAGE_VARIABLES, 1)[0].contains("bad name"),
            "{:?}",
            m.var_errors(STAGE_VARIABLES, 1)
        );
        assert!(!m.analysis().can_save());
        m.set_var_name(STAGE_VARIABLES, 1, "backend");
        assert!(
            m.var_errors(STAGE_VARIABLES, 1)
                .contains(&"Duplicate stage variable name: backend".to_owned())
        );
        m.set_var_name(STAGE_VARIABLES, 1, "region");
        m.set_var_value(STAGE_VARIABLES, 1, "eu");
        assert!(m.analysis().can_save());
        let paths: Vec<&str> = m
            .analysis()
            .ops()
            .unwrap()
            .iter()
            .map(|o| o.path.as_str())
            .collect();
        assert_eq!(
            paths,
            ["/description", "/variables/backend", "/variables/region"]
        );
        m.remove_var(STAGE_VARIABLES, 1);
        m.remove_var(STAGE_VARIABLES, 0);
        assert_eq!(
            m.analysis().ops().unwrap(),
            &[
                PatchOperation::replace("/description", ""),
                PatchOperation::remove("/variables/backend")
            ]
        );
    }

    #[test]
    fn canary_overrides_edit_like_variables() {
        let mut m = demo();
        m.set_canary(true);
        assert!(m.vars(CANARY_OVERRIDES).is_empty());
        m.add_var(CANARY_OVERRIDES);
        m.set_var_name(CANARY_OVERRIDES, 0, "bad name");
        assert!(
            m.var_errors(CANARY_OVERRIDES, 0)[0].contains("bad name"),
            "{:?}",
            m.var_errors(CANARY_OVERRIDES, 0)
        );
        assert!(!m.analysis().can_save());
        m.set_var_name(CANARY_OVERRIDES, 0, "backend");
        m.set_var_value(CANARY_OVERRIDES, 0, "canary.example.com");
        assert!(m.analysis().can_save());
        assert!(
            m.analysis()
                .ops()
                .unwrap()
                .iter()
                .any(|o| o.path == "/canarySettings/stageVariableOverrides/backend")
        );
        assert_eq!(m.vars(STAGE_VARIABLES).len(), 1);
        m.add_var(CANARY_OVERRIDES);
        m.set_var_name(CANARY_OVERRIDES, 1, "backend");
        assert!(
            m.var_errors(CANARY_OVERRIDES, 1)
                .contains(&"Duplicate stage variable name: backend".to_owned())
        );
        m.remove_var(CANARY_OVERRIDES, 1);
        m.remove_var(CANARY_OVERRIDES, 0);
        assert!(m.field(CANARY_OVERRIDES).is_none());
        m.add_var(CANARY_OVERRIDES);
        m.set_canary(false);
        assert!(m.vars(CANARY_OVERRIDES).is_empty());
        assert!(!m.is_dirty());
    }

    #[test]
    fn canary_and_number_fields() {
        let mut m = demo();
        m.set_canary(true);
        m.set_number(&["canarySettings", "percentTraffic"], "150");
        assert_eq!(m.errors_at("/canarySettings/percentTraffic").len(), 1);
        m.set_number(&["canarySettings", "percentTraffic"], "12.5");
        assert!(m.analysis().can_save());
        assert_eq!(m.text(&["canarySettings", "percentTraffic"]), "12.5");
        m.set_canary(false);
        assert!(!m.is_dirty());
    }

    #[test]
    fn clean_rebase_keeps_my_change_on_their_stage() {
        let mut m = demo();
        m.set_setting("~1pets/GET", ttl(), "120");
        let mut theirs = m.base().clone();
        theirs.description = Some("changed by someone".into());
        assert_eq!(m.rebase(theirs), Rebase::Clean { their_changes: 1 });
        assert_eq!(m.text(&["description"]), "changed by someone");
        assert_eq!(
            m.analysis().ops().unwrap(),
            &[PatchOperation::replace(
                "/~1pets/GET/caching/ttlInSeconds",
                "120"
            )]
        );
    }

    #[test]
    fn conflicting_rebase_asks_then_resolves() {
        let mut m = demo();
        m.set_setting("~1pets/GET", ttl(), "120");
        let mut theirs = m.base().clone();
        theirs
            .method_settings
            .get_mut("~1pets/GET")
            .unwrap()
            .set(ttl(), json!(90));
        let Rebase::Conflicts(merge) = m.rebase(theirs.clone()) else {
            panic!("expected a conflict")
        };
        assert_eq!(merge.conflicts.len(), 1);
        assert_eq!(
            (
                merge.conflicts[0].base.clone(),
                merge.conflicts[0].theirs.clone(),
                merge.conflicts[0].mine.clone()
            ),
            (Some(json!(60)), Some(json!(90)), Some(json!(120)))
        );
        // Undecided: the model still holds the user's draft on the old base.
        assert_eq!(m.cell("~1pets/GET", ttl()).text, "120");
        m.resolve(theirs.clone(), &merge, &[Side::Mine]);
        assert_eq!(
            m.analysis().ops().unwrap(),
            &[PatchOperation::replace(
                "/~1pets/GET/caching/ttlInSeconds",
                "120"
            )]
        );
        let Rebase::Unchanged = m.rebase(theirs.clone()) else {
            panic!()
        };
        m.discard();
        let mut m2 = demo();
        m2.set_setting("~1pets/GET", ttl(), "120");
        let Rebase::Conflicts(merge) = m2.rebase(theirs.clone()) else {
            panic!()
        };
        m2.resolve(theirs, &merge, &[Side::Theirs]);
        assert!(!m2.is_dirty());
    }

    #[test]
    fn unexpressible_change_is_reported() {
        let mut m = demo();
        m.set_field(&["tags"], Some(json!({"team": "x"})));
        assert!(matches!(m.analysis().patch, PatchState::Unexpressible(_)));
        assert!(m.errors_at("/tags")[0].contains("TagResource"));
    }

    #[test]
    fn incremental_analysis_equals_a_full_one() {
        let mut m = demo();
        let logging = Setting::by_field("loggingLevel").unwrap();
        type Step = Box<dyn Fn(&mut EditModel)>;
        let steps: Vec<Step> = vec![
            Box::new(|m| m.set_setting("~1pets/GET", ttl(), "4000")),
            Box::new(|m| m.set_setting("~1pets/GET", ttl(), "30")),
            Box::new(|m| m.add_override("~1orders/GET")),
            Box::new(move |m| m.set_setting("~1orders/GET", logging, "ERROR")),
            Box::new(|m| m.set_setting("*/*", ttl(), "abc")),
            Box::new(|m| m.set_setting("*/*", ttl(), "200")),
            Box::new(move |m| m.reset_setting("~1pets/GET", logging)),
            Box::new(|m| m.remove_override("~1pets/GET")),
            Box::new(|m| m.set_text(&["description"], "x")),
            Box::new(|m| m.add_var(STAGE_VARIABLES)),
            Box::new(|m| m.set_var_name(STAGE_VARIABLES, 1, "v2")),
            Box::new(|m| m.set_var_value(STAGE_VARIABLES, 1, "ok")),
            Box::new(|m| m.set_canary(true)),
            Box::new(|m| m.add_var(CANARY_OVERRIDES)),
            Box::new(|m| m.set_var_name(CANARY_OVERRIDES, 0, "bad name")),
            Box::new(|m| m.set_var_name(CANARY_OVERRIDES, 0, "backend")),
            Box::new(|m| m.set_number(&["canarySettings", "percentTraffic"], "101")),
        ];
        for (i, step) in steps.iter().enumerate() {
            step(&mut m);
            let mut full = m.clone();
            full.reanalyze();
            assert_eq!(full.analysis(), m.analysis(), "after step {i}");
        }
    }

    #[test]
    fn display_formats() {
        let rate = Setting::by_field("throttlingRateLimit").unwrap();
        assert_eq!(display(rate, &json!(10000.0)), "10000");
        assert_eq!(display(rate, &json!(12.5)), "12.5");
        assert_eq!(
            raw(Setting::by_field("metricsEnabled").unwrap(), &json!(true)),
            "true"
        );
    }
}
