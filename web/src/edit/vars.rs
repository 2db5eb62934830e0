//! Name → value maps (stage variables, the canary's overrides) edited as rows: rows keep their place
//! and their text while a name is typed, and two rows with one name are reported, not merged.

use serde_json::{Map, Value};

use super::{EditModel, pointer};
use crate::merge;

/// The stage's variables.
pub const STAGE_VARIABLES: &[&str] = &["variables"];
/// The canary's stage-variable overrides.
pub const CANARY_OVERRIDES: &[&str] = &["canarySettings", "stageVariableOverrides"];
/// Every name → value map edited as rows, by document path.
pub(super) const VAR_MAPS: [&[&str]; 2] = [STAGE_VARIABLES, CANARY_OVERRIDES];

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

impl EditModel {
    /// The rows of the name → value map at `at` ([`STAGE_VARIABLES`] or [`CANARY_OVERRIDES`]).
    #[must_use]
    pub fn vars(&self, at: &[&str]) -> &[VarRow] {
        var_slot(at).map_or(&[], |s| self.vars[s].as_slice())
    }

    pub(super) fn vars_from_draft(&mut self) {
        for slot in 0..VAR_MAPS.len() {
            self.var_slot_from_draft(slot);
        }
    }

    pub(super) fn var_slot_from_draft(&mut self, slot: usize) {
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
}
