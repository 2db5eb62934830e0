//! Change sets between stage documents and the three-way merge behind safe save.
//!
//! A *change* is a leaf where two documents differ. Objects are compared member by member only when both
//! sides are objects, so adding or removing a method-settings override, or the canary, is one change.
//! The maps `variables`, `accessLogSettings` and `canarySettings/stageVariableOverrides` count an absent
//! map as empty, so two people adding different variables do not collide.
//!
//! Three-way: the user's changes (base → mine) are replayed on the stage as re-read (theirs). A change of
//! mine conflicts with one of theirs when one path contains the other and they do not agree; the
//! conflict is shown at the shorter of the two paths as base / theirs / mine, and the user picks a side.

use serde_json::{Map, Value};
use stagecraft_core::settings::option_label;
use stagecraft_core::{SERVER_MANAGED_FIELDS, Setting, parse_method_setting_key};

/// A path into a stage document: unescaped segments.
pub type Path = Vec<String>;

/// Maps that count as empty when absent.
fn is_map_container(path: &[String]) -> bool {
    matches!(
        path.iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["variables"]
            | ["accessLogSettings"]
            | ["canarySettings", "stageVariableOverrides"]
            | ["methodSettings"]
    )
}

/// One difference between two documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Where.
    pub path: Path,
    /// The value before (`None`: absent).
    pub before: Option<Value>,
    /// The value after (`None`: absent).
    pub after: Option<Value>,
}

/// Every change from `before` to `after`, in document order (object members sorted).
#[must_use]
pub fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(&mut path, Some(before), Some(after), &mut out);
    out
}

/// The changes under `prefix`, given the values there on each side.
#[must_use]
pub fn changes_at(prefix: &[String], before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = prefix.to_vec();
    walk(&mut path, before, after, &mut out);
    out
}

fn walk(path: &mut Path, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    let container = is_map_container(path);
    if let (Some(b), Some(a)) = (as_obj(before, container), as_obj(after, container)) {
        let empty = Map::new();
        let (b, a) = (b.unwrap_or(&empty), a.unwrap_or(&empty));
        let mut keys: Vec<String> = b.keys().chain(a.keys()).cloned().collect();
        keys.sort_unstable();
        keys.dedup();
        for key in &keys {
            if path.is_empty() && SERVER_MANAGED_FIELDS.contains(&key.as_str()) {
                continue;
            }
            path.push(key.clone());
            walk(path, b.get(key), a.get(key), out);
            path.pop();
        }
        return;
    }
    out.push(Change {
        path: path.clone(),
        before: before.cloned(),
        after: after.cloned(),
    });
}

/// A change as one line per field: a key or block added or removed whole (a new override, a canary)
/// is split into its fields, so that no summary shows a JSON object.
#[must_use]
pub fn per_field(change: &Change) -> Vec<Change> {
    let fields = |v: &Option<Value>| match v {
        Some(Value::Object(m)) => Some(m.clone()),
        None => Some(Map::new()),
        Some(_) => None,
    };
    match (fields(&change.before), fields(&change.after)) {
        (Some(b), Some(a)) if !(b.is_empty() && a.is_empty()) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .flat_map(|k| {
                    let mut path = change.path.clone();
                    path.push(k.clone());
                    per_field(&Change {
                        path,
                        before: b.get(k).cloned(),
                        after: a.get(k).cloned(),
                    })
                })
                .collect()
        }
        _ => vec![change.clone()],
    }
}

/// `Label: before → after`, one line per field.
#[must_use]
pub fn summary_lines(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .flat_map(per_field)
        .map(|c| {
            format!(
                "{}: {} → {}",
                describe(&c.path),
                show(c.before.as_ref()),
                show(c.after.as_ref())
            )
        })
        .collect()
}

/// An object (or, for a map container, absence as an empty object).
fn as_obj(v: Option<&Value>, container: bool) -> Option<Option<&Map<String, Value>>> {
    match v {
        Some(Value::Object(m)) => Some(Some(m)),
        None if container => Some(None),
        _ => None,
    }
}

/// The value at `path`, if any.
#[must_use]
pub fn get<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |v, seg| v.as_object()?.get(seg))
}

/// Sets (`Some`) or removes (`None`) the value at `path`, creating objects on the way and dropping map
/// containers that end up empty.
pub fn set(doc: &mut Value, path: &[String], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        if let Some(v) = value {
            *doc = v;
        }
        return;
    };
    if value.is_none() && get(doc, parents).is_none() {
        return;
    }
    {
        let mut cur = &mut *doc;
        for seg in parents {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            cur = cur
                .as_object_mut()
                .expect("object")
                .entry(seg.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let obj = cur.as_object_mut().expect("object");
        match value {
            Some(v) => {
                obj.insert(last.clone(), v);
            }
            None => {
                obj.remove(last);
            }
        }
    }
    prune(doc, parents);
}

/// Removes empty map containers along `path` (deepest first), except `methodSettings`.
fn prune(doc: &mut Value, path: &[String]) {
    for len in (1..=path.len()).rev() {
        let p = &path[..len];
        if is_map_container(p)
            && p != ["methodSettings"]
            && get(doc, p)
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
        {
            let (last, parents) = p.split_last().expect("non-empty");
            if let Some(Value::Object(parent)) = get_mut(doc, parents) {
                parent.remove(last);
            }
        }
    }
}

fn get_mut<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter()
        .try_fold(doc, |v, seg| v.as_object_mut()?.get_mut(seg))
}

fn overlaps(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// One field both sides changed differently.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// Where (the shorter of the two changed paths).
    pub path: Path,
    /// The value both started from.
    pub base: Option<Value>,
    /// The value on the server now.
    pub theirs: Option<Value>,
    /// The user's value.
    pub mine: Option<Value>,
}

/// Which side to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The server's value.
    Theirs,
    /// The user's value.
    Mine,
}

/// The result of replaying the user's changes on the re-read stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    /// Theirs with every non-conflicting change of mine applied (conflicts keep theirs).
    pub merged: Value,
    /// The user's document (to take conflicting values from).
    pub mine: Value,
    /// The changes the server made since base.
    pub theirs_changes: Vec<Change>,
    /// What needs a decision.
    pub conflicts: Vec<Conflict>,
}

impl Merge {
    /// The merged document with each conflict decided (`choices[i]` for `conflicts[i]`; missing: theirs).
    #[must_use]
    pub fn resolve(&self, choices: &[Side]) -> Value {
        let mut doc = self.merged.clone();
        for (i, c) in self.conflicts.iter().enumerate() {
            if choices.get(i) == Some(&Side::Mine) {
                set(&mut doc, &c.path, c.mine.clone());
            }
        }
        doc
    }
}

/// Replays `base → mine` on `theirs`.
#[must_use]
pub fn three_way(base: &Value, theirs: &Value, mine: &Value) -> Merge {
    let mine_changes = changes(base, mine);
    let theirs_changes = changes(base, theirs);
    // Each conflict is a prefix of a change of mine, and those come in document order: the outermost
    // conflicts below come out in document order too, without sorting.
    let mut conflict_paths: Vec<Path> = Vec::new();
    for m in &mine_changes {
        let overlapping: Vec<&Change> = theirs_changes
            .iter()
            .filter(|t| overlaps(&m.path, &t.path))
            .collect();
        if overlapping.is_empty()
            || overlapping
                .iter()
                .all(|t| t.path == m.path && t.after == m.after)
        {
            continue;
        }
        let shortest = overlapping
            .iter()
            .map(|t| &t.path)
            .chain(std::iter::once(&m.path))
            .min_by_key(|p| p.len())
            .expect("non-empty");
        if !conflict_paths.contains(shortest) {
            conflict_paths.push(shortest.clone());
        }
    }
    let outer: Vec<Path> = conflict_paths
        .iter()
        .filter(|p| {
            !conflict_paths
                .iter()
                .any(|q| q.len() < p.len() && p.starts_with(q))
        })
        .cloned()
        .collect();

    let mut merged = theirs.clone();
    for m in &mine_changes {
        if !outer.iter().any(|c| m.path.starts_with(c)) {
            set(&mut merged, &m.path, m.after.clone());
        }
    }
    let conflicts = outer
        .into_iter()
        .map(|path| Conflict {
            base: get(base, &path).cloned(),
            theirs: get(theirs, &path).cloned(),
            mine: get(mine, &path).cloned(),
            path,
        })
        .collect();
    Merge {
        merged,
        mine: mine.clone(),
        theirs_changes,
        conflicts,
    }
}

/// A human-readable name for a document path (`GET /pets · Cache TTL (s)`).
#[must_use]
pub fn describe(path: &[String]) -> String {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["methodSettings", key, rest @ ..] => {
            let target = describe_key(key);
            match rest {
                [] => format!("{target} · override"),
                [field] => format!(
                    "{target} · {}",
                    Setting::by_field(field).map_or(*field, |s| s.label)
                ),
                _ => format!("{target} · {}", rest.join("/")),
            }
        }
        ["variables", name] => format!("Stage variable {name}"),
        ["accessLogSettings", f] => format!("Access logs · {f}"),
        ["canarySettings", "stageVariableOverrides", name] => {
            format!("Canary variable override {name}")
        }
        ["canarySettings", f] => format!("Canary · {f}"),
        [f] => match *f {
            "deploymentId" => "Deployment",
            "description" => "Description",
            "cacheClusterEnabled" => "Cache cluster",
            "cacheClusterSize" => "Cache cluster size",
            "tracingEnabled" => "X-Ray tracing",
            "canarySettings" => "Canary",
            "accessLogSettings" => "Access logs",
            "variables" => "Stage variables",
            other => other,
        }
        .to_owned(),
        _ => format!("/{}", p.join("/")),
    }
}

/// `GET /pets`, `All methods (*/*)`, or the raw key when it does not parse.
#[must_use]
pub fn describe_key(key: &str) -> String {
    if key == "*/*" {
        return "All methods (*/*)".to_owned();
    }
    match parse_method_setting_key(key) {
        Some(k) => format!("{} {}", k.http_method, k.resource_path),
        None => key.to_owned(),
    }
}

/// A short display of a document value (`—` when absent, strings without quotes).
#[must_use]
pub fn show(value: Option<&Value>) -> String {
    match value {
        None => "—".to_owned(),
        Some(Value::String(s)) => match option_label(s) {
            label if label == s => s.clone(),
            label => format!("{label} ({s})"),
        },
        Some(Value::Object(m)) if m.is_empty() => "(override added: a copy of */*)".to_owned(),
        Some(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Path {
        s.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn changes_descend_only_into_objects_on_both_sides() {
        let before = json!({"description": "a", "createdDate": 1,
            "methodSettings": {"*/*": {"cacheTtlInSeconds": 300}, "~1a/GET": {"metricsEnabled": true}}});
        let after = json!({"description": "b", "createdDate": 2, "variables": {"x": "1"},
            "methodSettings": {"*/*": {"cacheTtlInSeconds": 60}}});
        let got: Vec<(Path, Option<Value>, Option<Value>)> = changes(&before, &after)
            .into_iter()
            .map(|c| (c.path, c.before, c.after))
            .collect();
        assert_eq!(
            got,
            vec![
                (p("description"), Some(json!("a")), Some(json!("b"))),
                (
                    vec![
                        "methodSettings".into(),
                        "*/*".into(),
                        "cacheTtlInSeconds".into()
                    ],
                    Some(json!(300)),
                    Some(json!(60))
                ),
                (
                    vec!["methodSettings".into(), "~1a/GET".into()],
                    Some(json!({"metricsEnabled": true})),
                    None
                ),
                (p("variables/x"), None, Some(json!("1"))),
            ]
        );
    }

    #[test]
    fn set_creates_and_prunes_containers() {
        let mut doc = json!({"methodSettings": {}});
        set(&mut doc, &p("variables/a"), Some(json!("1")));
        assert_eq!(doc, json!({"methodSettings": {}, "variables": {"a": "1"}}));
        set(&mut doc, &p("variables/a"), None);
        assert_eq!(doc, json!({"methodSettings": {}}));
        set(&mut doc, &p("accessLogSettings/format"), None);
        assert_eq!(doc, json!({"methodSettings": {}}));
    }

    #[test]
    fn disjoint_changes_rebase_cleanly() {
        let base = json!({"description": "d", "methodSettings": {"*/*": {"cacheTtlInSeconds": 300, "metricsEnabled": false}}});
        let theirs = json!({"description": "theirs", "methodSettings": {"*/*": {"cacheTtlInSeconds": 300, "metricsEnabled": true}}});
        let mine = json!({"description": "d", "methodSettings": {"*/*": {"cacheTtlInSeconds": 60, "metricsEnabled": false}}});
        let m = three_way(&base, &theirs, &mine);
        assert!(m.conflicts.is_empty());
        assert_eq!(
            m.merged,
            json!({"description": "theirs", "methodSettings": {"*/*": {"cacheTtlInSeconds": 60, "metricsEnabled": true}}})
        );
        assert_eq!(m.theirs_changes.len(), 2);
    }

    #[test]
    fn same_field_changed_both_sides_is_a_conflict() {
        let base = json!({"methodSettings": {"*/*": {"cacheTtlInSeconds": 300}}});
        let theirs = json!({"methodSettings": {"*/*": {"cacheTtlInSeconds": 120}}});
        let mine = json!({"methodSettings": {"*/*": {"cacheTtlInSeconds": 60}}});
        let m = three_way(&base, &theirs, &mine);
        assert_eq!(
            m.conflicts,
            vec![Conflict {
                path: vec![
                    "methodSettings".to_owned(),
                    "*/*".to_owned(),
                    "cacheTtlInSeconds".to_owned()
                ],
                base: Some(json!(300)),
                theirs: Some(json!(120)),
                mine: Some(json!(60)),
            }]
        );
        assert_eq!(m.merged, theirs);
        assert_eq!(m.resolve(&[Side::Mine]), mine);
        assert_eq!(m.resolve(&[Side::Theirs]), theirs);
    }

    #[test]
    fn identical_changes_do_not_conflict() {
        let base = json!({"description": "a"});
        let both = json!({"description": "b"});
        let m = three_way(&base, &both, &both);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.merged, both);
    }

    #[test]
    fn removed_override_against_edited_field_conflicts_at_the_override() {
        let key = "~1pets/GET".to_owned();
        let base = json!({"methodSettings": {"~1pets/GET": {"cacheTtlInSeconds": 300, "metricsEnabled": false}}});
        let theirs = json!({"methodSettings": {"~1pets/GET": {"cacheTtlInSeconds": 10, "metricsEnabled": false}}});
        let mine = json!({"methodSettings": {}});
        let m = three_way(&base, &theirs, &mine);
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].path, vec!["methodSettings".to_owned(), key]);
        assert_eq!(m.conflicts[0].mine, None);
        assert_eq!(m.resolve(&[Side::Mine]), json!({"methodSettings": {}}));
    }

    #[test]
    fn conflicts_come_once_each_in_document_order() {
        let base = json!({"description": "d", "methodSettings": {
            "~1a/GET": {"cacheTtlInSeconds": 300, "metricsEnabled": false},
            "~1b/GET": {"cacheTtlInSeconds": 300}
        }});
        let theirs = json!({"description": "t", "methodSettings": {
            "~1b/GET": {"cacheTtlInSeconds": 10}
        }});
        let mine = json!({"description": "m", "methodSettings": {
            "~1a/GET": {"cacheTtlInSeconds": 60, "metricsEnabled": true},
            "~1b/GET": {"cacheTtlInSeconds": 60}
        }});
        let m = three_way(&base, &theirs, &mine);
        let paths: Vec<String> = m.conflicts.iter().map(|c| c.path.join("/")).collect();
        assert_eq!(
            paths,
            [
                "description",
                "methodSettings/~1a/GET",
                "methodSettings/~1b/GET/cacheTtlInSeconds"
            ]
        );
    }

    #[test]
    fn variables_added_on_both_sides_merge() {
        let base = json!({"methodSettings": {}});
        let theirs = json!({"methodSettings": {}, "variables": {"a": "1"}});
        let mine = json!({"methodSettings": {}, "variables": {"b": "2"}});
        let m = three_way(&base, &theirs, &mine);
        assert!(m.conflicts.is_empty());
        assert_eq!(
            m.merged,
            json!({"methodSettings": {}, "variables": {"a": "1", "b": "2"}})
        );
    }

    #[test]
    fn describes_paths() {
        assert_eq!(
            describe(&[
                "methodSettings".into(),
                "~1pets/GET".into(),
                "cacheTtlInSeconds".into()
            ]),
            "GET /pets · Cache TTL (s)"
        );
        assert_eq!(
            describe(&["methodSettings".into(), "*/*".into()]),
            "All methods (*/*) · override"
        );
        assert_eq!(
            describe(&["variables".into(), "backend".into()]),
            "Stage variable backend"
        );
        assert_eq!(show(None), "—");
        assert_eq!(show(Some(&json!("INFO"))), "INFO");
        assert_eq!(show(Some(&json!(60))), "60");
    }
}
