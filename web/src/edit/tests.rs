//! The edit model's tests.

use super::*;
use serde_json::json;
use stagecraft_core::PatchOperation;

use crate::merge::Side;

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
    assert_eq!(bare.cell("~1a/GET", logging).source, Source::Default);
    assert_eq!(bare.cell("~1a/GET", logging).text, "OFF");
    // Stage-wide caching covers GET only (core's effective rule): a POST shows AWS's default.
    let cached = EditModel::new(stage(
        json!({"methodSettings": {"*/*": {"cachingEnabled": true}}}),
    ));
    let caching = Setting::by_field("cachingEnabled").unwrap();
    assert_eq!(cached.cell("~1a/GET", caching).source, Source::Inherited);
    assert_eq!(cached.cell("~1a/POST", caching).source, Source::Default);
    assert_eq!(cached.cell("~1a/POST", caching).text, "Off");
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
        ("300", Source::Copy, true)
    );
    // AWS cannot drop one field: the key stores a copy of */*'s 300 (the one replace that does it).
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
    match m.rebase(theirs) {
        Rebase::Clean { their_changes } => assert_eq!(their_changes.len(), 1),
        other => panic!("{other:?}"),
    }
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

#[test]
fn a_new_override_and_a_reset_field_are_labelled_as_copies() {
    let mut m = demo();
    m.add_override("~1orders/GET");
    assert_eq!(m.cell("~1orders/GET", ttl()).source, Source::Copy);
    // Without a key the method inherits.
    assert_eq!(m.cell("~1orders/POST", ttl()).source, Source::Inherited);
    // */* has nothing to copy from: it takes AWS's default.
    m.reset_setting("*/*", ttl());
    assert_eq!(m.cell("*/*", ttl()).source, Source::Default);
}

#[test]
fn an_all_methods_change_names_the_keys_it_does_not_reach() {
    let mut m = demo();
    assert!(!m.all_methods_changed(ttl()));
    m.set_setting("*/*", ttl(), "900");
    assert!(m.all_methods_changed(ttl()));
    assert_eq!(m.keys_keeping_own(ttl()), ["~1pets/GET"]);
    m.apply_all_methods_value(ttl());
    assert!(m.keys_keeping_own(ttl()).is_empty());
    assert_eq!(m.cell("~1pets/GET", ttl()).text, "900");
    let caching = Setting::by_field("cachingEnabled").unwrap();
    assert_eq!(m.count_stored(caching, &Value::Bool(true)), 2);
}

#[test]
fn a_kept_draft_is_restored_over_its_base() {
    let mut m = demo();
    m.set_setting("~1pets/GET", ttl(), "120");
    let again = EditModel::restore(m.base_doc(), m.draft().clone()).unwrap();
    assert_eq!(again.analysis(), m.analysis());
    assert_eq!(again.vars(STAGE_VARIABLES), m.vars(STAGE_VARIABLES));
    assert!(EditModel::restore(&json!("nope"), json!({})).is_none());
    assert!(EditModel::restore(m.base_doc(), json!([])).is_none());
}

#[test]
fn promoting_the_canary_takes_its_deployment_and_overrides() {
    let mut m = demo();
    m.set_canary(true);
    m.set_text(&["canarySettings", "deploymentId"], "d2");
    m.add_var(CANARY_OVERRIDES);
    m.set_var_name(CANARY_OVERRIDES, 0, "backend");
    m.set_var_value(CANARY_OVERRIDES, 0, "canary.example.com");
    m.promote_canary();
    assert_eq!(m.text(&["deploymentId"]), "d2");
    assert!(m.field(&["canarySettings"]).is_none());
    assert_eq!(m.vars(STAGE_VARIABLES)[0].value, "canary.example.com");
}
