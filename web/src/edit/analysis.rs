//! What core derives from (base, draft): messages by JSON Pointer, the patch and the readable changes.
//! Per-keystroke edits redo only what they can change (one method-settings key, or the stage fields).

use serde::Deserialize;
use serde_json::{Map, Value};
use stagecraft_core::key::setting_path;
use stagecraft_core::pointer::unescape;
use stagecraft_core::settings::ValueKind;
use stagecraft_core::{DiffError, PatchOperation, Setting, Stage, diff, validate_stage};

use super::vars::VAR_MAPS;
use super::{EditModel, pointer};
use crate::merge::{self, Change};

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

/// What the last check of one method-settings key found.
#[derive(Clone, Debug, Default)]
pub(super) struct KeyCheck {
    /// The key.
    key: String,
    /// Core's issues, `(pointer, message)`.
    issues: Vec<(String, String)>,
    /// Changes from the base.
    changes: Vec<Change>,
}

impl EditModel {
    /// Everything again (load, discard, rebase). Per-keystroke edits use [`Self::reanalyze_key`] and
    /// [`Self::reanalyze_top`], which redo only what the edit can change: core validates each
    /// method-settings entry on its own, so one entry's issues depend on that entry alone.
    pub(super) fn reanalyze(&mut self) {
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
    pub(super) fn reanalyze_key(&mut self, key: &str) {
        self.check_key(key);
        self.finish();
    }

    /// After a change to stage-level fields.
    pub(super) fn reanalyze_top(&mut self) {
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
