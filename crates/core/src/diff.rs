//! The minimal, deterministic `patchOperations` that take one stage to another when AWS applies them.
//!
//! Order: stage fields (`/deploymentId` first, so that a canary created later starts on the new
//! deployment), variables, access logs, canary, then method settings (removals, `*/*`, new keys, updates;
//! keys in sorted order, fields in table order).
//!
//! Method settings follow AWS's storage rules: a new key starts as a copy of the current `*/*` (or the
//! AWS defaults), and a field cannot be removed alone. A field present before and absent after is reset
//! by removing the key and re-creating it in the same request. A field that AWS always stores
//! (every field with a default) and that `after` omits means "inherit": it takes the final `*/*` value or
//! the AWS default. When an entry must lose a field that `*/*` would give it on re-creation (say
//! `loggingLevel`), `*/*` is removed before the entry is re-created and re-created after it.
//!
//! Server-managed fields ([`SERVER_MANAGED_FIELDS`](crate::model::SERVER_MANAGED_FIELDS)) are ignored. A change
//! UpdateStage cannot make (`stageName`, `tags`, `webAclArn`, unknown fields, removing or resetting a key
//! with more than two parts such as `x/y/z`) is a [`DiffError`].

use std::borrow::Cow;
use std::fmt;

use serde_json::Map;

use crate::key::{ALL_METHODS_KEY, is_removable_key, setting_path};
use crate::model::{AccessLogSettings, CanarySettings, MethodSetting, SortedMap, Stage};
use crate::patch::PatchOperation;
use crate::pointer::escape;
use crate::rules;
use crate::settings::{METHOD_SETTINGS, Setting};

/// A change that UpdateStage cannot make, or a value it would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffError {
    /// The field, as a JSON Pointer into the stage (`/tags`).
    pub field: String,
    /// Why, and which API makes the change instead.
    pub message: String,
}

impl DiffError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for DiffError {}

/// Computes the patch operations that take `before` to `after`.
///
/// ```
/// use stagecraft_core::{PatchOperation, Stage, diff};
///
/// let before = Stage::from_json(r#"{"stageName": "prod", "description": "v1"}"#)?;
/// let after = Stage::from_json(r#"{"stageName": "prod", "description": "v2", "tracingEnabled": true}"#)?;
/// assert_eq!(
///     diff(&before, &after)?,
///     [
///         PatchOperation::replace("/description", "v2"),
///         PatchOperation::replace("/tracingEnabled", "true"),
///     ]
/// );
///
/// // Tags are not changed by UpdateStage.
/// let tagged = Stage::from_json(r#"{"stageName": "prod", "tags": {"team": "pets"}}"#)?;
/// assert_eq!(diff(&before, &tagged).unwrap_err().field, "/tags");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`DiffError`] for a change UpdateStage cannot make or a value AWS would refuse.
pub fn diff(before: &Stage, after: &Stage) -> Result<Vec<PatchOperation>, DiffError> {
    unchangeable(before, after)?;
    let mut ops = Vec::new();
    stage_fields(before, after, &mut ops)?;
    map_ops("/variables", &before.variables, &after.variables, &mut ops)?;
    access_logs(
        before.access_log_settings.as_ref(),
        after.access_log_settings.as_ref(),
        &mut ops,
    )?;
    canary(before, after, &mut ops)?;
    method_settings(&before.method_settings, &after.method_settings, &mut ops)?;
    Ok(ops)
}

fn unchangeable(before: &Stage, after: &Stage) -> Result<(), DiffError> {
    if let (Some(b), Some(a)) = (&before.stage_name, &after.stage_name)
        && a != b
    {
        return Err(DiffError::new(
            "/stageName",
            "a stage cannot be renamed by UpdateStage: create the new stage (CreateStage) and delete the old one (DeleteStage)",
        ));
    }
    if before.tags != after.tags {
        return Err(DiffError::new(
            "/tags",
            "tags are not changed by UpdateStage: use TagResource and UntagResource",
        ));
    }
    if before.web_acl_arn != after.web_acl_arn {
        return Err(DiffError::new(
            "/webAclArn",
            "webAclArn is not changed by UpdateStage: associate the web ACL through AWS WAF (AssociateWebACL)",
        ));
    }
    extras("", &before.extra, &after.extra)
}

fn extras(
    base: &str,
    before: &Map<String, serde_json::Value>,
    after: &Map<String, serde_json::Value>,
) -> Result<(), DiffError> {
    let changed = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, _)| k);
    let added = after.keys().filter(|k| !before.contains_key(*k));
    match changed.chain(added).next() {
        Some(field) => Err(DiffError::new(
            format!("{base}/{}", escape(field)),
            "this field is not one UpdateStage can change, so the change cannot be expressed as a patch",
        )),
        None => Ok(()),
    }
}

fn non_empty(v: Option<&String>) -> Option<&String> {
    v.filter(|s| !s.is_empty())
}

fn stage_fields(
    before: &Stage,
    after: &Stage,
    ops: &mut Vec<PatchOperation>,
) -> Result<(), DiffError> {
    required_field(
        "/deploymentId",
        before.deployment_id.as_ref(),
        after.deployment_id.as_ref(),
        |_| Ok(()),
        "deploymentId cannot be removed: a stage always serves a deployment",
        ops,
    )?;
    text_field(
        "/description",
        before.description.as_ref(),
        after.description.as_ref(),
        ops,
    );
    if before.cache_cluster_enabled != after.cache_cluster_enabled {
        ops.push(PatchOperation::replace(
            "/cacheClusterEnabled",
            after.cache_cluster_enabled.to_string(),
        ));
    }
    required_field(
        "/cacheClusterSize",
        before.cache_cluster_size.as_ref(),
        after.cache_cluster_size.as_ref(),
        rules::cache_cluster_size,
        "cacheClusterSize cannot be unset; set cacheClusterEnabled to false instead",
        ops,
    )?;
    text_field(
        "/clientCertificateId",
        before.client_certificate_id.as_ref(),
        after.client_certificate_id.as_ref(),
        ops,
    );
    if before.tracing_enabled != after.tracing_enabled {
        ops.push(PatchOperation::replace(
            "/tracingEnabled",
            after.tracing_enabled.to_string(),
        ));
    }
    text_field(
        "/documentationVersion",
        before.documentation_version.as_ref(),
        after.documentation_version.as_ref(),
        ops,
    );
    Ok(())
}

/// A field that can be changed but never removed: `check` vets the new value.
fn required_field(
    path: &str,
    before: Option<&String>,
    after: Option<&String>,
    check: fn(&str) -> Result<(), rules::RuleError>,
    cannot_unset: &str,
    ops: &mut Vec<PatchOperation>,
) -> Result<(), DiffError> {
    match (before, after) {
        (b, Some(a)) if b != Some(a) => {
            check(a).map_err(|(_, m)| DiffError::new(path, m))?;
            ops.push(PatchOperation::replace(path, a));
            Ok(())
        }
        (Some(_), None) => Err(DiffError::new(path, cannot_unset)),
        _ => Ok(()),
    }
}

/// A field that `""` clears.
fn text_field(
    path: &str,
    before: Option<&String>,
    after: Option<&String>,
    ops: &mut Vec<PatchOperation>,
) {
    let (b, a) = (non_empty(before), non_empty(after));
    if b != a {
        ops.push(PatchOperation::replace(
            path,
            a.cloned().unwrap_or_default(),
        ));
    }
}

/// Variables or canary overrides: removals, then new or changed names.
fn map_ops(
    base: &str,
    before: &SortedMap<String, String>,
    after: &SortedMap<String, String>,
    ops: &mut Vec<PatchOperation>,
) -> Result<(), DiffError> {
    for name in before.keys().filter(|k| !after.contains_key(*k)) {
        ops.push(PatchOperation::remove(format!("{base}/{}", escape(name))));
    }
    for (name, value) in after.iter().filter(|(k, v)| before.get(*k) != Some(v)) {
        let path = format!("{base}/{}", escape(name));
        rules::variable_name(name)
            .and_then(|()| rules::variable_value(value))
            .map_err(|(_, m)| DiffError::new(&path, m))?;
        ops.push(PatchOperation::replace(path, value));
    }
    Ok(())
}

fn access_logs(
    before: Option<&AccessLogSettings>,
    after: Option<&AccessLogSettings>,
    ops: &mut Vec<PatchOperation>,
) -> Result<(), DiffError> {
    let is_empty = |s: &&AccessLogSettings| {
        s.format.is_none() && s.destination_arn.is_none() && s.extra.is_empty()
    };
    let (before, after) = (
        before.filter(|s| !is_empty(s)),
        after.filter(|s| !is_empty(s)),
    );
    let Some(a) = after else {
        if before.is_some() {
            ops.push(PatchOperation::remove("/accessLogSettings"));
        }
        return Ok(());
    };
    let empty = AccessLogSettings::default();
    let b = before.unwrap_or(&empty);
    extras("/accessLogSettings", &b.extra, &a.extra)?;
    let loses_field = (b.format.is_some() && a.format.is_none())
        || (b.destination_arn.is_some() && a.destination_arn.is_none());
    let current = if loses_field {
        ops.push(PatchOperation::remove("/accessLogSettings"));
        &empty
    } else {
        b
    };
    if let Some(arn) = &a.destination_arn
        && current.destination_arn.as_ref() != Some(arn)
    {
        rules::access_log_destination(arn)
            .map_err(|(_, m)| DiffError::new("/accessLogSettings/destinationArn", m))?;
        ops.push(PatchOperation::replace(
            "/accessLogSettings/destinationArn",
            arn,
        ));
    }
    if let Some(format) = &a.format
        && current.format.as_ref() != Some(format)
    {
        rules::access_log_format(format)
            .map_err(|(_, m)| DiffError::new("/accessLogSettings/format", m))?;
        ops.push(PatchOperation::replace("/accessLogSettings/format", format));
    }
    Ok(())
}

fn canary(before: &Stage, after: &Stage, ops: &mut Vec<PatchOperation>) -> Result<(), DiffError> {
    let Some(a) = &after.canary_settings else {
        if before.canary_settings.is_some() {
            ops.push(PatchOperation::remove("/canarySettings"));
        }
        return Ok(());
    };
    // A canary that does not exist yet is created by the first canary op on the stage's deployment.
    let created = CanarySettings {
        deployment_id: after.deployment_id.clone(),
        ..CanarySettings::default()
    };
    let (current, creating) = match &before.canary_settings {
        Some(b) => (b, false),
        None => (&created, true),
    };
    extras("/canarySettings", &current.extra, &a.extra)?;
    if current.deployment_id.is_some() && a.deployment_id.is_none() {
        return Err(DiffError::new(
            "/canarySettings/deploymentId",
            "a canary always has a deployment; its deploymentId cannot be removed",
        ));
    }
    if creating || current.percent_traffic.to_bits() != a.percent_traffic.to_bits() {
        let raw = crate::values::format_double(a.percent_traffic);
        rules::percent_traffic(a.percent_traffic, &raw)
            .map_err(|(_, m)| DiffError::new("/canarySettings/percentTraffic", m))?;
        ops.push(PatchOperation::replace(
            "/canarySettings/percentTraffic",
            raw,
        ));
    }
    if let Some(id) = &a.deployment_id
        && current.deployment_id.as_ref() != Some(id)
    {
        ops.push(PatchOperation::replace("/canarySettings/deploymentId", id));
    }
    if current.use_stage_cache != a.use_stage_cache {
        ops.push(PatchOperation::replace(
            "/canarySettings/useStageCache",
            a.use_stage_cache.to_string(),
        ));
    }
    map_ops(
        "/canarySettings/stageVariableOverrides",
        &current.stage_variable_overrides,
        &a.stage_variable_overrides,
        ops,
    )
}

type Entries = SortedMap<String, MethodSetting>;

/// Whether `before` has a table field that `after` lacks (only a remove and re-create can drop it).
fn loses_field(before: &MethodSetting, after: &MethodSetting) -> bool {
    before
        .rows()
        .iter()
        .zip(after.rows())
        .any(|(b, a)| b.is_some() && a.is_none())
}

/// `entry` with every omitted field that AWS always stores taken from `inherit` (the final `*/*`) or
/// the AWS default. Borrows when nothing is omitted, as in every entry AWS returns.
fn fill<'a>(entry: &'a MethodSetting, inherit: Option<&MethodSetting>) -> Cow<'a, MethodSetting> {
    let omitted = |s: &&Setting| s.default.is_some() && entry.get(s).is_none();
    let complete = METHOD_SETTINGS
        .iter()
        .zip(entry.rows())
        .all(|(s, v)| s.default.is_none() || v.is_some());
    if complete {
        return Cow::Borrowed(entry);
    }
    let mut out = entry.clone();
    for s in METHOD_SETTINGS.iter().filter(omitted) {
        if let Some(default) = s.default_json() {
            out.set(s, inherit.and_then(|i| i.get(s)).unwrap_or(default));
        }
    }
    Cow::Owned(out)
}

/// Ops that turn `current` (an existing entry, or the base a new entry starts from) into `target`.
fn entry_ops(
    key: &str,
    current: &MethodSetting,
    target: &MethodSetting,
    creating: bool,
    ops: &mut Vec<PatchOperation>,
) {
    let start = ops.len();
    let rows = METHOD_SETTINGS
        .iter()
        .zip(target.rows().iter().zip(current.rows()));
    for (s, (target, current)) in rows {
        if let Some(v) = target
            && current.as_ref() != Some(v)
        {
            ops.push(PatchOperation::replace(
                setting_path(key, s),
                v.to_patch_value(s),
            ));
        }
    }
    if creating && ops.len() == start {
        // The target equals the base: one replace with the base's own value creates the entry.
        let first = METHOD_SETTINGS
            .iter()
            .zip(target.rows())
            .find_map(|(s, v)| v.as_ref().map(|v| (s, v)));
        if let Some((s, v)) = first {
            ops.push(PatchOperation::replace(
                setting_path(key, s),
                v.to_patch_value(s),
            ));
        }
    }
}

/// Pairs the entries of two maps by key in one sorted pass: `(key, before, after)`.
fn merge<'a>(
    before: &'a Entries,
    after: &'a Entries,
) -> impl Iterator<
    Item = (
        &'a str,
        Option<&'a MethodSetting>,
        Option<&'a MethodSetting>,
    ),
> {
    let (mut b, mut a) = (before.iter().peekable(), after.iter().peekable());
    std::iter::from_fn(move || {
        let order = match (b.peek(), a.peek()) {
            (Some((kb, _)), Some((ka, _))) => kb.cmp(ka),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => return None,
        };
        Some(match order {
            std::cmp::Ordering::Less => b.next().map(|(k, e)| (k.as_str(), Some(e), None))?,
            std::cmp::Ordering::Greater => a.next().map(|(k, e)| (k.as_str(), None, Some(e)))?,
            std::cmp::Ordering::Equal => {
                let (k, eb) = b.next()?;
                let (_, ea) = a.next()?;
                (k.as_str(), Some(eb), Some(ea))
            }
        })
    })
}

fn method_settings(
    before: &Entries,
    after: &Entries,
    ops: &mut Vec<PatchOperation>,
) -> Result<(), DiffError> {
    let defaults = MethodSetting::aws_defaults();
    let star_target = after.get(ALL_METHODS_KEY).map(|e| fill(e, None));
    let empty = MethodSetting::default();

    // One sorted pass: entries that go, entries (re-)created, and in-place updates (emitted last).
    let mut removes = Vec::new();
    let mut creates = Vec::new();
    let mut update_ops = Vec::new();
    for (key, old, new) in merge(before, after) {
        let old_fields = old.unwrap_or(&empty).unknown_fields();
        if let Some(new) = new
            && old_fields != new.unknown_fields()
        {
            extras(
                &format!("/methodSettings/{}", escape(key)),
                old_fields,
                new.unknown_fields(),
            )?;
        }
        if key == ALL_METHODS_KEY {
            continue;
        }
        match (old, new) {
            (Some(_), None) => removes.push(key),
            (old, Some(new)) => {
                let target = fill(new, star_target.as_deref());
                match old {
                    Some(old) if !loses_field(old, &target) => {
                        entry_ops(key, old, &target, false, &mut update_ops);
                    }
                    Some(_) => {
                        removes.push(key);
                        creates.push((key, target));
                    }
                    None => creates.push((key, target)),
                }
            }
            (None, None) => {}
        }
    }

    // Entries that must lose a field `*/*` would give them are created while `*/*` is absent.
    let (without_star, with_star): (Vec<_>, Vec<_>) = creates
        .into_iter()
        .partition(|(_, t)| star_target.as_ref().is_some_and(|st| loses_field(st, t)));
    let star_before = before.get(ALL_METHODS_KEY);
    let star_goes = star_before.is_some()
        && (star_target.is_none()
            || !without_star.is_empty()
            || star_before
                .zip(star_target.as_ref())
                .is_some_and(|(b, t)| loses_field(b, t)));

    for key in &removes {
        if !is_removable_key(key) {
            return Err(DiffError::new(
                format!("/methodSettings/{}", escape(key)),
                "UpdateStage removes a method setting only by a two-part key (resource/method); this key has more parts, so removing or resetting it cannot be expressed as a patch",
            ));
        }
        ops.push(PatchOperation::remove(format!("/{key}")));
    }
    let mut star_now = if star_goes {
        ops.push(PatchOperation::remove(format!("/{ALL_METHODS_KEY}")));
        None
    } else {
        star_before
    };
    for (key, target) in &without_star {
        entry_ops(key, &defaults, target, true, ops);
    }
    if let Some(star) = &star_target {
        match star_now {
            Some(current) => entry_ops(ALL_METHODS_KEY, current, star, false, ops),
            None => entry_ops(ALL_METHODS_KEY, &defaults, star, true, ops),
        }
        star_now = Some(star);
    }
    let base = star_now.unwrap_or(&defaults);
    for (key, target) in &with_star {
        entry_ops(key, base, target, true, ops);
    }
    ops.append(&mut update_ops);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::apply;
    use serde_json::{Value, json};

    fn stage(v: Value) -> Stage {
        serde_json::from_value(v).unwrap()
    }

    fn ops_json(before: &Stage, after: &Stage) -> Value {
        serde_json::to_value(diff(before, after).unwrap()).unwrap()
    }

    fn full(extra: Value) -> Value {
        let mut base = serde_json::to_value(MethodSetting::aws_defaults()).unwrap();
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    }

    #[test]
    fn identical_stages_need_no_ops() {
        let s = stage(
            json!({"deploymentId": "d", "methodSettings": {"*/*": full(json!({}))}, "variables": {"a": "b"}}),
        );
        assert_eq!(diff(&s, &s).unwrap(), vec![]);
    }

    #[test]
    fn new_key_sends_only_what_differs_from_all_methods() {
        let before =
            stage(json!({"methodSettings": {"*/*": full(json!({"cachingEnabled": true}))}}));
        let after = stage(json!({"methodSettings": {
            "*/*": full(json!({"cachingEnabled": true})),
            "~1pets/GET": full(json!({"cachingEnabled": true, "cacheTtlInSeconds": 60}))
        }}));
        assert_eq!(
            ops_json(&before, &after),
            json!([{"op":"replace","path":"/~1pets/GET/caching/ttlInSeconds","value":"60"}])
        );
    }

    #[test]
    fn a_key_of_more_than_two_parts_cannot_be_removed_or_reset() {
        let odd = json!({"methodSettings": {"x/y/z": full(json!({"loggingLevel": "INFO"}))}});
        let before = stage(odd.clone());
        // Removing it: UpdateStage's `remove /x/y/z` would name no key (apply refuses it, as AWS does).
        let err = diff(&before, &stage(json!({"methodSettings": {}}))).unwrap_err();
        assert_eq!(err.field, "/methodSettings/x~1y~1z");
        let remove = [PatchOperation::remove("/x/y/z")];
        assert!(apply(&before, &remove).is_err());
        // Resetting a field of it needs the same removal.
        let reset = stage(json!({"methodSettings": {"x/y/z": full(json!({}))}}));
        assert_eq!(
            diff(&before, &reset).unwrap_err().field,
            "/methodSettings/x~1y~1z"
        );
        // Writing it stays possible, and round-trips.
        let ops = diff(&stage(json!({"methodSettings": {}})), &before).unwrap();
        assert_eq!(
            apply(&stage(json!({"methodSettings": {}})), &ops).unwrap(),
            before
        );
    }

    proptest::proptest! {
        /// `is_removable_key` says exactly when apply takes `remove /{key}` for a stored key.
        #[test]
        fn removable_keys_are_the_ones_apply_removes(key in "[a-z~1*]{0,2}/[a-z/]{0,3}") {
            let before = stage(json!({"methodSettings": {key.clone(): full(json!({}))}}));
            let removed = apply(&before, &[PatchOperation::remove(format!("/{key}"))]).is_ok();
            proptest::prop_assert_eq!(removed, is_removable_key(&key), "{:?}", key);
        }
    }

    #[test]
    fn dropping_a_field_removes_and_recreates_the_key() {
        let before = stage(
            json!({"methodSettings": {"~1a/GET": full(json!({"loggingLevel": "INFO", "metricsEnabled": true}))}}),
        );
        let after =
            stage(json!({"methodSettings": {"~1a/GET": full(json!({"metricsEnabled": true}))}}));
        let ops = diff(&before, &after).unwrap();
        assert_eq!(
            serde_json::to_value(&ops).unwrap(),
            json!([{"op":"remove","path":"/~1a/GET"},{"op":"replace","path":"/~1a/GET/metrics/enabled","value":"true"}])
        );
        assert_eq!(apply(&before, &ops).unwrap(), after);
    }

    #[test]
    fn all_methods_is_removed_around_an_entry_that_must_lose_its_field() {
        let star = full(json!({"loggingLevel": "ERROR"}));
        let before = stage(json!({"methodSettings": {"*/*": star.clone()}}));
        let after = stage(json!({"methodSettings": {"*/*": star, "~1a/GET": full(json!({}))}}));
        let ops = diff(&before, &after).unwrap();
        assert_eq!(
            serde_json::to_value(&ops).unwrap(),
            json!([
                {"op":"remove","path":"/*/*"},
                {"op":"replace","path":"/~1a/GET/metrics/enabled","value":"false"},
                {"op":"replace","path":"/*/*/logging/loglevel","value":"ERROR"}
            ])
        );
        assert_eq!(apply(&before, &ops).unwrap(), after);
    }

    #[test]
    fn stage_fields_variables_logs_and_canary() {
        let before = stage(
            json!({"deploymentId": "d1", "description": "old", "variables": {"a": "1", "b": "2"},
            "accessLogSettings": {"format": "$context.requestId", "destinationArn": "arn:aws:logs:us-east-1:1:log-group:g"}}),
        );
        let after = stage(
            json!({"deploymentId": "d2", "variables": {"a": "1", "c": "3"}, "tracingEnabled": true,
            "canarySettings": {"percentTraffic": 10.0, "deploymentId": "d1", "useStageCache": false}}),
        );
        let ops = diff(&before, &after).unwrap();
        assert_eq!(
            serde_json::to_value(&ops).unwrap(),
            json!([
                {"op":"replace","path":"/deploymentId","value":"d2"},
                {"op":"replace","path":"/description","value":""},
                {"op":"replace","path":"/tracingEnabled","value":"true"},
                {"op":"remove","path":"/variables/b"},
                {"op":"replace","path":"/variables/c","value":"3"},
                {"op":"remove","path":"/accessLogSettings"},
                {"op":"replace","path":"/canarySettings/percentTraffic","value":"10.0"},
                {"op":"replace","path":"/canarySettings/deploymentId","value":"d1"}
            ])
        );
        assert_eq!(apply(&before, &ops).unwrap(), after);
    }

    #[test]
    fn refuses_changes_update_stage_cannot_make() {
        let before = stage(json!({"stageName": "prod", "tags": {"team": "a"}}));
        let err = diff(
            &before,
            &stage(json!({"stageName": "prod", "tags": {"team": "b"}})),
        )
        .unwrap_err();
        assert_eq!(err.field, "/tags");
        assert!(err.message.contains("TagResource"));
        assert_eq!(
            diff(
                &before,
                &stage(json!({"stageName": "dev", "tags": {"team": "a"}}))
            )
            .unwrap_err()
            .field,
            "/stageName"
        );
    }

    #[test]
    fn ignores_server_managed_fields() {
        let before = stage(
            json!({"createdDate": 1, "lastUpdatedDate": 2, "cacheClusterStatus": "AVAILABLE"}),
        );
        let after = stage(
            json!({"createdDate": 5, "lastUpdatedDate": 6, "cacheClusterStatus": "NOT_AVAILABLE"}),
        );
        assert_eq!(diff(&before, &after).unwrap(), vec![]);
        let mut listed = crate::model::SERVER_MANAGED_FIELDS.to_vec();
        listed.sort_unstable();
        assert_eq!(
            listed,
            ["cacheClusterStatus", "createdDate", "lastUpdatedDate"]
        );
    }
}
