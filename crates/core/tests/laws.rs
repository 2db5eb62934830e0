//! Property tests of the core laws over generated, AWS-reachable stages:
//! `apply(a, diff(a, b)) == b`, `diff(a, a) == []`, every diff op passes `validate_patch_ops`,
//! `apply` never panics on arbitrary operations, and the wire JSON round-trips.

use proptest::prelude::*;
use serde_json::{Value, json};
use stagecraft_core::settings::{METHOD_SETTINGS, ValueKind};
use stagecraft_core::{
    AccessLogSettings, CanarySettings, MethodSetting, Op, PatchOperation, SortedMap, Stage, apply,
    diff, validate_patch_ops, validate_stage,
};

const KEYS: &[&str] = &[
    "*/*",
    "~1/GET",
    "~1pets/GET",
    "~1pets~1{petId}/DELETE",
    "~1orders/POST",
    "test/GET",
];
const DEPLOYMENTS: &[&str] = &["d1", "d2", "d3"];

fn setting_value(kind: ValueKind) -> BoxedStrategy<Value> {
    match kind {
        ValueKind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        ValueKind::Integer { min, max } => {
            prop_oneof![Just(min), Just(max), min..=max.min(100_000)]
                .prop_map(Value::from)
                .boxed()
        }
        ValueKind::Double { min, .. } => prop_oneof![Just(min), Just(10000.0), min..1e6f64]
            .prop_map(Value::from)
            .boxed(),
        ValueKind::Enum(options) => proptest::sample::select(options)
            .prop_map(Value::from)
            .boxed(),
    }
}

/// A full entry as AWS stores it: every field with a default, `loggingLevel` maybe absent.
fn method_setting() -> impl Strategy<Value = MethodSetting> {
    let fields: Vec<_> = METHOD_SETTINGS
        .iter()
        .map(|s| {
            let value = setting_value(s.kind);
            if s.default.is_some() {
                value.prop_map(Some).boxed()
            } else {
                proptest::option::of(value).boxed()
            }
        })
        .collect();
    fields.prop_map(|values| {
        let mut entry = MethodSetting::default();
        for (s, v) in METHOD_SETTINGS.iter().zip(values) {
            if let Some(v) = v {
                entry.set(s, v);
            }
        }
        entry
    })
}

fn names() -> impl Strategy<Value = SortedMap<String, String>> {
    proptest::collection::btree_map("[a-c]{1,2}", "[A-Za-z0-9 ._~:/?#&=,-]{1,8}", 0..4)
        .prop_map(SortedMap::from)
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-z0-9 ]{1,10}")
}

fn access_logs() -> impl Strategy<Value = Option<AccessLogSettings>> {
    let format = proptest::option::of(prop_oneof![
        Just("$context.requestId".to_owned()),
        Just("$context.requestId $context.status".to_owned()),
        Just("{\"id\":\"$context.extendedRequestId\"}".to_owned()),
    ]);
    let arn = proptest::option::of(prop_oneof![
        Just("arn:aws:logs:us-east-1:123456789012:log-group:a".to_owned()),
        Just(
            "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-b".to_owned()
        ),
    ]);
    // An access-log block exists only once one of its fields is set.
    (format, arn).prop_map(|(format, destination_arn)| {
        (format.is_some() || destination_arn.is_some()).then(|| AccessLogSettings {
            format,
            destination_arn,
            ..AccessLogSettings::default()
        })
    })
}

fn canary() -> impl Strategy<Value = Option<CanarySettings>> {
    let pct = prop_oneof![Just(0.0), Just(100.0), Just(10.5), 0.0..=100.0f64];
    proptest::option::of(
        (
            pct,
            proptest::sample::select(DEPLOYMENTS),
            names(),
            any::<bool>(),
        )
            .prop_map(
                |(percent_traffic, d, stage_variable_overrides, use_stage_cache)| CanarySettings {
                    percent_traffic,
                    deployment_id: Some(d.to_owned()),
                    stage_variable_overrides,
                    use_stage_cache,
                    ..CanarySettings::default()
                },
            ),
    )
}

/// Stages that share name, tags and server-managed fields, as two states of one AWS stage do.
fn stage() -> impl Strategy<Value = Stage> {
    let settings = proptest::collection::btree_map(
        proptest::sample::select(KEYS).prop_map(str::to_owned),
        method_setting(),
        0..5,
    )
    .prop_map(SortedMap::from);
    (
        proptest::sample::select(DEPLOYMENTS),
        (text(), text(), text()),
        (
            any::<bool>(),
            proptest::sample::select(stagecraft_core::model::CACHE_CLUSTER_SIZES),
            any::<bool>(),
        ),
        settings,
        names(),
        access_logs(),
        canary(),
    )
        .prop_map(
            |(
                deployment,
                (description, cert, docs),
                (cache, size, tracing),
                method_settings,
                variables,
                logs,
                canary,
            )| {
                Stage {
                    deployment_id: Some(deployment.to_owned()),
                    stage_name: Some("prod".to_owned()),
                    description,
                    client_certificate_id: cert,
                    documentation_version: docs,
                    cache_cluster_enabled: cache,
                    cache_cluster_size: Some(size.to_owned()),
                    tracing_enabled: tracing,
                    method_settings,
                    variables,
                    access_log_settings: logs,
                    canary_settings: canary,
                    ..Stage::default()
                }
            },
        )
}

fn arbitrary_op() -> impl Strategy<Value = PatchOperation> {
    let segment = prop_oneof![
        Just("*".to_owned()),
        Just("~1pets".to_owned()),
        Just("GET".to_owned()),
        Just("variables".to_owned()),
        Just("canarySettings".to_owned()),
        Just("accessLogSettings".to_owned()),
        Just("stageVariableOverrides".to_owned()),
        Just("".to_owned()),
        proptest::sample::select(METHOD_SETTINGS).prop_map(|s| s.patch_suffix.to_owned()),
        "[a-zA-Z~0-9{}+]{0,6}",
    ];
    let path = proptest::collection::vec(segment, 0..6).prop_map(|s| format!("/{}", s.join("/")));
    let value = proptest::option::of(prop_oneof![
        Just("true".to_owned()),
        Just("3600".to_owned()),
        Just("-1".to_owned()),
        Just("1e999".to_owned()),
        Just("NaN".to_owned()),
        ".{0,12}",
    ]);
    let from = proptest::option::of(prop_oneof![
        Just("/canarySettings/deploymentId".to_owned()),
        Just("/canarySettings/stageVariableOverrides".to_owned()),
        ".{0,8}",
    ]);
    (proptest::sample::select(&Op::ALL[..]), path, value, from).prop_map(
        |(op, path, value, from)| PatchOperation {
            op,
            path,
            value,
            from,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn apply_of_diff_reaches_the_target(a in stage(), b in stage()) {
        let ops = diff(&a, &b).unwrap();
        prop_assert_eq!(apply(&a, &ops).unwrap(), b);
    }

    #[test]
    fn diff_of_a_stage_with_itself_is_empty(a in stage()) {
        prop_assert_eq!(diff(&a, &a).unwrap(), vec![]);
    }

    #[test]
    fn every_diff_op_passes_validate_patch(a in stage(), b in stage()) {
        let ops = diff(&a, &b).unwrap();
        let report = validate_patch_ops(&ops);
        prop_assert!(report.valid, "{:?}", report.errors);
    }

    #[test]
    fn generated_stages_are_valid_and_round_trip(a in stage()) {
        let wire = serde_json::to_value(&a).unwrap();
        prop_assert!(validate_stage(&wire).valid);
        prop_assert_eq!(serde_json::from_value::<Stage>(wire).unwrap(), a);
    }

    #[test]
    fn apply_never_panics_and_is_atomic(a in stage(), ops in proptest::collection::vec(arbitrary_op(), 0..6)) {
        let before = a.clone();
        if let Ok(next) = apply(&a, &ops) {
            // Whatever apply accepts still serialises to a document the validator accepts.
            let wire = serde_json::to_value(&next).unwrap();
            prop_assert!(validate_stage(&wire).valid, "{:?} -> {}", ops, json!(wire));
        }
        prop_assert_eq!(a, before);
    }
}
