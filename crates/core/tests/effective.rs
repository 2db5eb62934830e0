//! Property test: the effective setting of any method, for random stages, is what AWS's rules say:
//! the method's own entry, else the `*/*` entry (`cachingEnabled` only for GET), else AWS's default.
//!
//! The oracle scans every key and compares decoded keys, independently of the library's map lookups.

use proptest::prelude::*;
use serde_json::Value;
use stagecraft_core::effective::Source;
use stagecraft_core::key::parse_method_setting_key;
use stagecraft_core::settings::{METHOD_SETTINGS, ValueKind};
use stagecraft_core::{MethodSetting, Stage, effective_settings, method_setting_key};

const PATHS: &[&str] = &["/", "/pets", "/pets/{petId}", "/orders", "*"];
const VERBS: &[&str] = &["GET", "POST", "DELETE", "ANY", "*"];

fn value(kind: ValueKind) -> BoxedStrategy<Value> {
    match kind {
        ValueKind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        ValueKind::Integer { min, max } => (min..=max.min(10_000)).prop_map(Value::from).boxed(),
        ValueKind::Double { min, .. } => (min..1e6f64).prop_map(Value::from).boxed(),
        ValueKind::Enum(options) => proptest::sample::select(options)
            .prop_map(Value::from)
            .boxed(),
    }
}

/// A possibly partial entry.
fn entry() -> impl Strategy<Value = MethodSetting> {
    let fields: Vec<_> = METHOD_SETTINGS
        .iter()
        .map(|s| proptest::option::of(value(s.kind)))
        .collect();
    fields.prop_map(|values| {
        let mut e = MethodSetting::default();
        for (s, v) in METHOD_SETTINGS.iter().zip(values) {
            if let Some(v) = v {
                e.set(s, v);
            }
        }
        e
    })
}

fn stage() -> impl Strategy<Value = Stage> {
    let key = (
        proptest::sample::select(PATHS),
        proptest::sample::select(VERBS),
    )
        .prop_map(|(p, v)| method_setting_key(p, v));
    proptest::collection::btree_map(key, entry(), 0..8).prop_map(|method_settings| Stage {
        method_settings: method_settings.into(),
        ..Stage::default()
    })
}

/// AWS's rule for one field, by a linear scan over decoded keys.
fn oracle(stage: &Stage, path: &str, verb: &str, field: &str) -> (Value, Source) {
    let setting = METHOD_SETTINGS.iter().find(|s| s.field == field).unwrap();
    let find = |p: &str, v: &str| {
        stage.method_settings.iter().find_map(|(k, e)| {
            let d = parse_method_setting_key(k)?;
            (d.canonical && d.resource_path == p && d.http_method == v).then_some(e)
        })
    };
    if let Some(v) = find(path, verb).and_then(|e| e.get_field(field)) {
        return (v, Source::Method);
    }
    if (field != "cachingEnabled" || verb == "GET")
        && let Some(v) = find("*", "*").and_then(|e| e.get_field(field))
    {
        return (v, Source::AllMethods);
    }
    let default = setting.default_json().unwrap_or_else(|| Value::from("OFF"));
    (default, Source::Default)
}

proptest! {
    #[test]
    fn effective_settings_follow_aws_rules(
        stage in stage(),
        path in proptest::sample::select(&PATHS[..4]),
        verb in proptest::sample::select(&VERBS[..4]),
    ) {
        let e = effective_settings(&stage, &method_setting_key(path, verb));
        prop_assert_eq!(e.resolved.len(), METHOD_SETTINGS.len());
        for r in &e.resolved {
            let (value, source) = oracle(&stage, path, verb, r.setting.field);
            prop_assert_eq!(&r.value, &value, "{}", r.setting.field);
            prop_assert_eq!(r.source, source, "{}", r.setting.field);
        }
        let json = e.to_json();
        prop_assert_eq!(&json["settings"]["throttlingBurstLimit"]["value"], &Value::from(e.throttling_burst_limit));
        prop_assert_eq!(&json["settings"]["cachingEnabled"]["value"], &Value::Bool(e.caching_enabled));
        prop_assert_eq!(&json["settings"]["loggingLevel"]["value"], &Value::from(e.logging_level.clone()));
    }
}
