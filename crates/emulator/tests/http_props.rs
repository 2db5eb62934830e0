//! A property over the whole HTTP surface: random methods, paths (real and made-up ids, query
//! strings) and bodies (random JSON shaped like the operations' inputs, and random bytes) for every
//! route never give a 5xx, and a 4xx leaves every API, resource, deployment, stage and authorizer as
//! it was. Runs against a fresh in-memory demo API per case, signature checks off.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::body::{Body, to_bytes};
use axum::http::Request;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use stagecraft_core::api::Operation;
use stagecraft_emulator::{AppState, Config, Store, app, seed_demo};
use tower::ServiceExt;

/// Every route of core's operation table (`{…}` where an id goes) and the methods it answers, so
/// a new operation is covered as soon as it exists.
fn routes() -> &'static [(&'static str, Vec<&'static str>)] {
    static ROUTES: OnceLock<Vec<(&'static str, Vec<&'static str>)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut routes: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        for op in Operation::ALL {
            let method = op.method().as_str();
            match routes.iter_mut().find(|(path, _)| *path == op.path()) {
                Some((_, methods)) => methods.push(method),
                None => routes.push((op.path(), vec![method])),
            }
        }
        routes
    })
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Field names the operations read, so random objects often reach past the first check.
const KEYS: &[&str] = &[
    "name",
    "description",
    "stageName",
    "deploymentId",
    "patchOperations",
    "op",
    "path",
    "value",
    "from",
    "variables",
    "tags",
    "type",
    "pathPart",
    "authorizationType",
    "authorizerId",
    "authorizerUri",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "providerARNs",
    "cacheClusterEnabled",
    "cacheClusterSize",
    "tracingEnabled",
    "canarySettings",
    "percentTraffic",
    "methodSettings",
    "headers",
    "stageVariables",
    "authorizationToken",
    "requestParameters",
    "apiKeySource",
    "endpointConfiguration",
    "types",
];

/// Patch paths and values that UpdateStage / UpdateAuthorizer look at.
const PATCH_PATHS: &[&str] = &[
    "/description",
    "/deploymentId",
    "/variables/v",
    "/variables/",
    "/*/*/throttling/burstLimit",
    "/*/*/throttling/rateLimit",
    "/*/*/logging/loglevel",
    "/*/*/caching/ttlInSeconds",
    "/~1pets/GET/caching/enabled",
    "/~1pets/GET/metrics/enabled",
    "/~1pets/GET",
    "/*/*",
    "/cacheClusterEnabled",
    "/cacheClusterSize",
    "/tracingEnabled",
    "/canarySettings/percentTraffic",
    "/canarySettings/deploymentId",
    "/canarySettings/stageVariableOverrides/v",
    "/canarySettings",
    "/accessLogSettings/destinationArn",
    "/accessLogSettings/format",
    "/accessLogSettings",
    "/clientCertificateId",
    "/webAclArn",
    "/tags/k",
    "/name",
    "/authorizerUri",
    "/identitySource",
    "/authorizerResultTtlInSeconds",
    "/type",
    "",
    "/",
    "~1",
];

const VALUES: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "3600",
    "1e400",
    "NaN",
    "inf",
    "0.5",
    "100.0",
    "true",
    "false",
    "INFO",
    "ERROR",
    "OFF",
    "0.5",
    "6.1",
    "118",
    "237",
    "arn:aws:logs:us-east-1:123456789012:log-group:g",
    "$context.requestId",
    "{deployment}",
    "method.request.header.Authorization",
    "x\u{0}y",
    "🙂",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(list).prop_map(str::to_owned)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![pick(VALUES), "\\PC{0,16}", "[a-z0-9~%*./{}-]{0,12}"]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop_oneof![pick(KEYS), text()], inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn patch_op() -> impl Strategy<Value = Value> {
    (
        pick(&[
            "replace", "add", "remove", "copy", "move", "test", "REPLACE", "bogus",
        ]),
        prop_oneof![pick(PATCH_PATHS), text()],
        prop_oneof![text().prop_map(Value::from), json()],
        proptest::option::of(pick(PATCH_PATHS)),
    )
        .prop_map(|(op, path, value, from)| {
            let mut o = json!({"op": op, "path": path, "value": value});
            if let Some(from) = from {
                o["from"] = json!(from);
            }
            o
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        json().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(patch_op(), 0..4)
            .prop_map(|ops| json!({"patchOperations": ops}).to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

/// A path segment: the demo's own id for that place (most of the time), another real name, or noise.
fn segment() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        8 => Just(None),
        1 => pick(&["prod", "dev", "GET", "POST", "ANY", "get", "*", "nope"]).prop_map(Some),
        1 => "[a-zA-Z0-9%~._*-]{0,12}".prop_map(Some),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => (
            pick(&["limit", "position", "embed", "deploymentId", "tagKeys", "mode"]),
            prop_oneof![pick(&["1", "0", "500", "501", "-1", "methods", "x", ""]), text()],
        )
            .prop_map(|(k, v)| {
                let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
                format!("?{k}={v}")
            }),
    ]
}

fn first_key<V>(map: &BTreeMap<String, V>) -> String {
    map.keys().next().cloned().unwrap_or_default()
}

/// Ids of the demo API: (placeholder, value).
fn demo_ids(state: &AppState, api: &str) -> Vec<(&'static str, String)> {
    state.read(|s| {
        let a = &s.apis[api];
        let resource = a
            .resources
            .values()
            .find(|r| !r.methods.is_empty())
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let arn = format!("arn:aws:apigateway:us-east-1::/restapis/{api}/stages/prod");
        vec![
            ("{restapi_id}", api.to_owned()),
            ("{resource_id}", resource),
            ("{http_method}", "GET".to_owned()),
            ("{deployment_id}", first_key(&a.deployments)),
            ("{stage_name}", "prod".to_owned()),
            ("{authorizer_id}", first_key(&a.authorizers)),
            (
                "{resource_arn}",
                form_urlencoded::byte_serialize(arn.as_bytes()).collect(),
            ),
        ]
    })
}

#[derive(Debug)]
struct Case {
    route: usize,
    method: String,
    segments: Vec<Option<String>>,
    query: String,
    body: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (0..routes().len())
        .prop_flat_map(|route| {
            (
                Just(route),
                prop_oneof![
                    8 => pick(routes()[route].1.as_slice()),
                    2 => pick(METHODS),
                    1 => "[A-Z]{1,8}",
                ],
                prop::collection::vec(segment(), 4),
                query(),
                body(),
            )
        })
        .prop_map(|(route, method, segments, query, body)| Case {
            route,
            method,
            segments,
            query,
            body,
        })
}

/// Sends one case to a fresh demo emulator: (status, body, state changed?).
fn run(case: &Case) -> (u16, String, bool) {
    let state = AppState::in_memory(Config {
        verify_signatures: false,
        ..Config::default()
    });
    let api = seed_demo(&state).unwrap();
    let mut path = routes()[case.route].0.to_owned();
    let mut i = 0;
    for (placeholder, id) in demo_ids(&state, &api) {
        if path.contains(placeholder) {
            let value = case.segments[i % case.segments.len()].clone().unwrap_or(id);
            path = path.replace(placeholder, &value);
            i += 1;
        }
    }
    // Parameters the demo has no value for (documentation parts, models, …): a random or unknown id.
    while let Some((start, end)) = path.find('{').zip(path.find('}')) {
        if end < start {
            break;
        }
        let value = case.segments[i % case.segments.len()]
            .clone()
            .unwrap_or_else(|| "unknown1".to_owned());
        path.replace_range(start..=end, &value);
        i += 1;
    }
    path.push_str(&case.query);
    let Ok(request) = Request::builder()
        .method(case.method.as_str())
        .uri(&path)
        .header("content-type", "application/json")
        .body(Body::from(case.body.clone()))
    else {
        return (0, String::new(), false);
    };
    let before = state.read(Store::snapshot);
    let router = app(state.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, text) = runtime.block_on(async move {
        let response = router.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    });
    let changed = state.read(Store::snapshot) != before;
    (status, format!("{} {path}: {text}", case.method), changed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn no_5xx_and_a_4xx_changes_nothing(case in case()) {
        let (status, what, changed) = run(&case);
        prop_assert!(status < 500, "{status} for {what}");
        if (400..500).contains(&status) {
            prop_assert!(!changed, "{status} changed the state: {what}");
        }
    }
}
