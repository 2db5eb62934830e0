//! Safe save: the draft replayed on the stage as re-read just before saving.

use stagecraft_core::Stage;

use super::{EditModel, to_doc};
use crate::merge::{self, Change, Merge, Side};

/// The outcome of replaying the draft on a re-read stage.
#[derive(Clone, Debug, PartialEq)]
pub enum Rebase {
    /// Nobody else changed the stage.
    Unchanged,
    /// Someone did, on other fields: the draft now sits on their stage.
    Clean {
        /// What they changed.
        their_changes: Vec<Change>,
    },
    /// Someone changed fields the user changed too: a decision is needed (the model is untouched).
    Conflicts(Box<Merge>),
}

impl EditModel {
    /// Replays the draft on `theirs` (the stage as re-read before saving).
    pub fn rebase(&mut self, theirs: Stage) -> Rebase {
        let theirs_doc = to_doc(&theirs);
        let their_changes = merge::changes(&self.base_doc, &theirs_doc);
        if their_changes.is_empty() {
            self.set_base(theirs, theirs_doc);
            self.reanalyze();
            return Rebase::Unchanged;
        }
        let merge = merge::three_way(&self.base_doc, &theirs_doc, &self.draft);
        if !merge.conflicts.is_empty() {
            return Rebase::Conflicts(Box::new(merge));
        }
        self.set_base(theirs, theirs_doc);
        self.draft = merge.merged;
        self.vars_from_draft();
        self.reanalyze();
        Rebase::Clean { their_changes }
    }

    /// Takes the user's decisions on a conflicted merge: the base becomes `theirs`.
    pub fn resolve(&mut self, theirs: Stage, merge: &Merge, choices: &[Side]) {
        let doc = to_doc(&theirs);
        self.set_base(theirs, doc);
        self.draft = merge.resolve(choices);
        self.vars_from_draft();
        self.reanalyze();
    }
}
