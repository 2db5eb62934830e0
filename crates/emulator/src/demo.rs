//! `--demo`: a realistic API to explore the emulator and the editor with.
//!
//! REST API `petstore-demo`: `/pets` (GET, POST), `/pets/{petId}` (GET, DELETE), `/orders` (GET, POST),
//! MOCK integrations, a TOKEN authorizer wired to the in-process demo function
//! ([`crate::invoke::DEMO_FUNCTION`]: token `allow` / `deny` / `unauthorized`), three deployments, and
//! two stages: `prod` (a `*/*` entry plus per-method overrides including both cache-control settings,
//! stage variables, access logs, a cache cluster, tracing, tags) and `dev`.

use serde_json::json;
use stagecraft_core::api::{
    Authorizer, CreateDeploymentRequest, CreateRestApiRequest, EndpointConfiguration, Method,
    resource, stage,
};
use stagecraft_core::{PatchOperation, method_setting_key};

use crate::AppState;
use crate::handlers::deployments::deploy;
use crate::handlers::rest_apis::create_records;
use crate::invoke::DEMO_FUNCTION;
use crate::store::{Ordered, Record, ResourceRec, Tx, new_id, now};

/// The demo API's name.
pub const DEMO_API_NAME: &str = "petstore-demo";

/// Seeds the demo API unless an API named [`DEMO_API_NAME`] exists. Returns the API id.
///
/// # Errors
/// The journal cannot take the seed (a 500 `InternalFailure`; nothing is seeded).
pub fn seed_demo(state: &AppState) -> Result<String, crate::Error> {
    let account = state.config.account_id.clone();
    let region = state.config.region.clone();
    state.mutate_now(|tx| {
        if let Some(existing) = tx
            .store()
            .apis
            .values()
            .find(|a| a.rest_api.name == DEMO_API_NAME)
        {
            return existing.rest_api.id.clone();
        }
        seed(tx, &account, &region)
    })
}

fn method(verb: &str, authorizer: Option<&str>) -> Method {
    Method {
        http_method: verb.into(),
        authorization_type: if authorizer.is_some() {
            "CUSTOM"
        } else {
            "NONE"
        }
        .into(),
        authorizer_id: authorizer.map(str::to_owned),
        method_integration: Some(json!({
            "type": "MOCK", "passthroughBehavior": resource::DEFAULT_PASSTHROUGH_BEHAVIOR,
            "timeoutInMillis": resource::DEFAULT_TIMEOUT_IN_MILLIS, "cacheKeyParameters": [],
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "integrationResponses": {"200": {"statusCode": "200", "responseTemplates": {
                "application/json": format!("{{\"demo\": \"petstore\", \"method\": \"{verb}\"}}")
            }}}
        })),
        ..Method::default()
    }
}

fn seed(tx: &mut Tx<'_>, account: &str, region: &str) -> String {
    let request = CreateRestApiRequest {
        name: Some(DEMO_API_NAME.into()),
        description: Some("Demo API seeded by stagecraft --demo".into()),
        endpoint_configuration: Some(EndpointConfiguration {
            types: vec!["REGIONAL".into()],
            ..EndpointConfiguration::default()
        }),
        ..CreateRestApiRequest::default()
    };
    let Ok(rest_api) = request.to_rest_api(new_id(10), new_id(10), now()) else {
        return String::new();
    };
    let rest_api = create_records(tx, rest_api);
    let api = rest_api.id.clone();
    let root = rest_api.root_resource_id.clone().unwrap_or_default();

    let authorizer_id = new_id(6);
    let authorizer = Authorizer {
        id: authorizer_id.clone(),
        name: "demo-token-authorizer".into(),
        authorizer_type: "TOKEN".into(),
        auth_type: Some("custom".into()),
        authorizer_uri: Some(format!(
            "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:{account}:function:{DEMO_FUNCTION}/invocations"
        )),
        identity_source: Some("method.request.header.Authorization".into()),
        authorizer_result_ttl_in_seconds: Some(300),
        ..Authorizer::default()
    };
    let seq = tx.next_seq();
    tx.commit(Record::PutAuthorizer {
        api: api.clone(),
        authorizer: Ordered {
            seq,
            value: authorizer,
        },
    });

    let add =
        |tx: &mut Tx<'_>, parent: &str, parent_path: &str, part: &str, methods: Vec<Method>| {
            let path = if parent_path == "/" {
                format!("/{part}")
            } else {
                format!("{parent_path}/{part}")
            };
            let rec = ResourceRec {
                seq: tx.next_seq(),
                id: new_id(6),
                parent_id: Some(parent.into()),
                path_part: Some(part.into()),
                path: path.clone(),
                methods: methods
                    .into_iter()
                    .map(|m| (m.http_method.clone(), m))
                    .collect(),
            };
            let id = rec.id.clone();
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: rec,
            });
            (id, path)
        };
    let auth = Some(authorizer_id.as_str());
    let (pets, pets_path) = add(
        tx,
        &root,
        "/",
        "pets",
        vec![method("GET", None), method("POST", auth)],
    );
    add(
        tx,
        &pets,
        &pets_path,
        "{petId}",
        vec![method("GET", None), method("DELETE", auth)],
    );
    add(
        tx,
        &root,
        "/",
        "orders",
        vec![method("GET", auth), method("POST", auth)],
    );

    let deploy_to =
        |tx: &mut Tx<'_>, stage: &str, description: &str, variables: &[(&str, &str)]| {
            let req = CreateDeploymentRequest {
                stage_name: Some(stage.into()),
                description: Some(description.into()),
                variables: Some(
                    variables
                        .iter()
                        .map(|(k, v)| ((*k).into(), (*v).into()))
                        .collect(),
                ),
                ..CreateDeploymentRequest::default()
            };
            deploy(tx, account, &api, &req).ok()
        };
    deploy_to(
        tx,
        "prod",
        "Initial release: /pets",
        &[
            ("backendHost", "petstore.example.com"),
            ("logLevel", "INFO"),
        ],
    );
    deploy_to(tx, "prod", "Add /orders behind the token authorizer", &[]);
    deploy_to(
        tx,
        "dev",
        "Try per-method caching",
        &[("backendHost", "dev.petstore.example.com")],
    );

    let configure = |tx: &mut Tx<'_>, name: &str, ops: &[PatchOperation], tags: &[(&str, &str)]| {
        let Some(a) = tx.store().apis.get(&api) else {
            return;
        };
        let Some(current) = a.stages.get(name) else {
            return;
        };
        let Ok(mut next) = stage::update(current, ops, a, now()) else {
            return;
        };
        next.tags = tags
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        tx.commit(Record::PutStage {
            api: api.clone(),
            stage: Box::new(next),
        });
    };
    let r = PatchOperation::replace;
    let pets = method_setting_key("/pets", "GET");
    let pet = method_setting_key("/pets/{petId}", "GET");
    let orders = method_setting_key("/orders", "POST");
    // `replace /{key}/{suffix}` of one method's setting.
    let m = |key: &str, suffix: &str, value: &str| {
        PatchOperation::replace(format!("/{key}/{suffix}"), value)
    };
    let log_group = format!("arn:aws:logs:{region}:{account}:log-group:petstore-prod-access");
    configure(
        tx,
        "prod",
        &[
            r("/description", "Production"),
            r("/cacheClusterEnabled", "true"),
            r("/cacheClusterSize", "0.5"),
            r("/tracingEnabled", "true"),
            r("/*/*/metrics/enabled", "true"),
            r("/*/*/logging/loglevel", "INFO"),
            r("/*/*/throttling/burstLimit", "200"),
            r("/*/*/throttling/rateLimit", "100"),
            m(&pets, "caching/enabled", "true"),
            m(&pets, "caching/ttlInSeconds", "60"),
            m(&pets, "caching/requireAuthorizationForCacheControl", "true"),
            m(
                &pets,
                "caching/unauthorizedCacheControlHeaderStrategy",
                "FAIL_WITH_403",
            ),
            m(&pet, "caching/enabled", "true"),
            m(&pet, "caching/requireAuthorizationForCacheControl", "false"),
            m(
                &pet,
                "caching/unauthorizedCacheControlHeaderStrategy",
                "SUCCEED_WITHOUT_RESPONSE_HEADER",
            ),
            m(&orders, "throttling/burstLimit", "10"),
            m(&orders, "throttling/rateLimit", "5"),
            r("/accessLogSettings/destinationArn", log_group.as_str()),
            r(
                "/accessLogSettings/format",
                "$context.requestId $context.identity.sourceIp $context.httpMethod $context.resourcePath $context.status $context.responseLatency",
            ),
        ],
        &[("team", "pets"), ("env", "prod")],
    );
    configure(
        tx,
        "dev",
        &[
            r("/description", "Development"),
            r("/*/*/logging/loglevel", "ERROR"),
            r("/*/*/logging/dataTrace", "true"),
        ],
        &[("env", "dev")],
    );
    api
}
