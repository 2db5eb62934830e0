//! Thin handlers: extract, check against the store (rules and texts from core), commit, respond.
//!
//! Decisions where AWS's behaviour is not recorded (each in one place here):
//! - Lists are in creation order (stages: by name); `position` is the offset of the next page as a
//!   decimal string; `limit` defaults to 25 and must be 1–500.
//! - UpdateStage always sets `lastUpdatedDate`; `cacheClusterStatus` becomes `AVAILABLE` when the cache
//!   cluster is enabled and `NOT_AVAILABLE` when disabled, with no `*_IN_PROGRESS` phase.
//! - CreateDeployment needs at least one method and an integration on every method (as AWS reports).
//!   With `stageName` it creates the stage or re-points it (`stageDescription`, `variables` merged,
//!   cache and tracing flags applied when given).
//! - A deployment id in CreateStage that names no deployment: "Deployment id does not exist" (the AWS
//!   text recorded for a canary deployment id).
//! - Tags: stage ARNs `arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}` and REST API ARNs
//!   `…::/restapis/{api}`; anything else is "Invalid ARN specified in the request".

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use stagecraft_core::api::{
    self, Authorizer, CreateDeploymentRequest, CreateResourceRequest, CreateRestApiRequest,
    CreateStageRequest, Deployment, EndpointConfiguration, Method, Page, PatchRequest,
    PutMethodRequest, Resource, RestApi, Tags,
};
use stagecraft_core::{CanarySettings, Stage, apply_with, authorizer, messages};

use crate::AppState;
use crate::error::{AwsJson, Error, Result};
use crate::store::{Api, Ordered, Record, ResourceRec, Store, new_id, now};

/// Path parameters, with rejections reported as AWS-style errors.
pub struct P<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for P<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|e| Error::bad_request(e.body_text()))
    }
}

/// The query string's pairs, decoded, repeated keys kept.
fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn query_one(uri: &Uri, key: &str) -> Option<String> {
    query_pairs(uri)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// [`page`] of `(creation sequence, item)` pairs, in creation order.
fn page_in_creation_order<T>(mut items: Vec<(u64, T)>, uri: &Uri) -> Result<Page<T>> {
    items.sort_by_key(|(seq, _)| *seq);
    page(items.into_iter().map(|(_, item)| item).collect(), uri)
}

fn page<T>(items: Vec<T>, uri: &Uri) -> Result<Page<T>> {
    let limit = match query_one(uri, "limit") {
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| Error::bad_request(messages::invalid_limit(&raw)))?,
        None => 25,
    };
    let start = match query_one(uri, "position") {
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= items.len())
            .ok_or_else(|| Error::bad_request(messages::invalid_position(&raw)))?,
        None => 0,
    };
    let end = (start + limit).min(items.len());
    let position = (end < items.len()).then(|| end.to_string());
    Ok(Page {
        item: items.into_iter().skip(start).take(end - start).collect(),
        position,
    })
}

fn created<T: serde::Serialize>(value: &T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

fn accepted() -> Response {
    StatusCode::ACCEPTED.into_response()
}

fn account(state: &AppState) -> &str {
    &state.config.account_id
}

fn api_mut<'a>(store: &'a mut Store, account: &str, id: &str) -> Result<&'a mut Api> {
    store
        .apis
        .get_mut(id)
        .ok_or_else(|| Error::not_found(messages::invalid_api_id(account, id)))
}

// ---------------------------------------------------------------- REST APIs

fn check_endpoint(config: Option<EndpointConfiguration>) -> Result<EndpointConfiguration> {
    let mut config = config.unwrap_or_default();
    if config.types.is_empty() {
        config.types = vec!["EDGE".into()];
    }
    if config.types.len() > 1 {
        return Err(Error::bad_request(messages::MULTIPLE_ENDPOINT_TYPES));
    }
    let kind = config.types[0].clone();
    if !["EDGE", "REGIONAL", "PRIVATE"].contains(&kind.as_str()) {
        return Err(Error::validation(messages::enum_violation(
            &format!("[{kind}]"),
            "createRestApiInput.endpointConfiguration.types",
            "PRIVATE, EDGE, REGIONAL",
        )));
    }
    if config.ip_address_type.is_none() {
        config.ip_address_type = Some(
            if kind == "PRIVATE" {
                "dualstack"
            } else {
                "ipv4"
            }
            .into(),
        );
    }
    Ok(config)
}

pub async fn create_rest_api(
    State(state): State<AppState>,
    AwsJson(req): AwsJson<CreateRestApiRequest>,
) -> Result<Response> {
    let name = req
        .name
        .clone()
        .ok_or_else(|| Error::validation(messages::member_null("createRestApiInput.name")))?;
    if req.description.as_deref() == Some("") {
        return Err(Error::bad_request(messages::EMPTY_DESCRIPTION));
    }
    let endpoint = check_endpoint(req.endpoint_configuration.clone())?;
    let tags = req.tags.clone().unwrap_or_default();
    api::check_tags(&tags)?;
    let rest_api = RestApi {
        id: new_id(10),
        name,
        description: req.description,
        version: req.version,
        created_date: Some(now()),
        api_key_source: Some(req.api_key_source.unwrap_or_else(|| "HEADER".into())),
        endpoint_configuration: Some(endpoint),
        disable_execute_api_endpoint: req.disable_execute_api_endpoint.unwrap_or(false),
        root_resource_id: Some(new_id(10)),
        binary_media_types: req.binary_media_types.unwrap_or_default(),
        tags,
        extra: serde_json::Map::new(),
    };
    let out = state.mutate(|tx| create_api_records(tx, rest_api)).await?;
    Ok(created(&out))
}

/// Commits a new API with its root resource.
pub(crate) fn create_api_records(
    tx: &mut crate::store::Tx<'_>,
    rest_api: RestApi,
) -> Result<RestApi> {
    let seq = tx.store.next_seq();
    let root = ResourceRec {
        seq: tx.store.next_seq(),
        id: rest_api.root_resource_id.clone().unwrap_or_default(),
        path: "/".into(),
        ..ResourceRec::default()
    };
    let id = rest_api.id.clone();
    tx.commit(Record::PutApi {
        seq,
        api: rest_api.clone(),
    });
    tx.commit(Record::PutResource {
        api: id,
        resource: root,
    });
    Ok(rest_api)
}

pub async fn get_rest_apis(State(state): State<AppState>, uri: Uri) -> Result<Json<Page<RestApi>>> {
    let apis = state.read(|s| {
        s.apis
            .values()
            .map(|a| (a.seq, a.rest_api.clone()))
            .collect::<Vec<_>>()
    });
    Ok(Json(page_in_creation_order(apis, &uri)?))
}

pub async fn get_rest_api(
    State(state): State<AppState>,
    P(api): P<String>,
) -> Result<Json<RestApi>> {
    state.read(|s| {
        s.api(account(&state), &api)
            .map(|a| Json(a.rest_api.clone()))
    })
}

pub async fn delete_rest_api(State(state): State<AppState>, P(api): P<String>) -> Result<Response> {
    state
        .mutate(|tx| {
            tx.store.api(account(&state), &api)?;
            tx.commit(Record::DeleteApi { id: api.clone() });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

// ---------------------------------------------------------------- resources and methods

fn resource_json(r: &ResourceRec, embed_methods: bool) -> Resource {
    let methods: BTreeMap<String, Value> = r
        .methods
        .iter()
        .map(|(verb, m)| {
            let v = if embed_methods {
                serde_json::to_value(m).unwrap_or_default()
            } else {
                json!({})
            };
            (verb.clone(), v)
        })
        .collect();
    Resource {
        id: r.id.clone(),
        parent_id: r.parent_id.clone(),
        path_part: r.path_part.clone(),
        path: r.path.clone(),
        resource_methods: (!methods.is_empty()).then_some(methods),
    }
}

fn embeds(uri: &Uri, what: &str) -> bool {
    query_pairs(uri)
        .iter()
        .any(|(k, v)| k == "embed" && v.split(',').any(|e| e.trim() == what))
}

pub async fn get_resources(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Resource>>> {
    let embed = embeds(&uri, "methods");
    let items = state.read(|s| {
        s.api(account(&state), &api).map(|a| {
            a.resources
                .values()
                .map(|r| (r.seq, resource_json(r, embed)))
                .collect::<Vec<_>>()
        })
    })?;
    Ok(Json(page_in_creation_order(items, &uri)?))
}

pub async fn get_resource(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    uri: Uri,
) -> Result<Json<Resource>> {
    let embed = embeds(&uri, "methods");
    state.read(|s| {
        let a = s.api(account(&state), &api)?;
        Ok(Json(resource_json(a.resource(&id)?, embed)))
    })
}

fn path_part_ok(part: &str) -> bool {
    let inner = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
    let body = match inner {
        Some(i) => i.strip_suffix('+').unwrap_or(i),
        None => part,
    };
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b))
}

pub async fn create_resource(
    State(state): State<AppState>,
    P((api, parent)): P<(String, String)>,
    AwsJson(req): AwsJson<CreateResourceRequest>,
) -> Result<Response> {
    let part = req
        .path_part
        .ok_or_else(|| Error::validation(messages::member_null("createResourceInput.pathPart")))?;
    if !path_part_ok(&part) {
        return Err(Error::bad_request(messages::INVALID_PATH_PART));
    }
    let rec = state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            let p = a.resource(&parent)?;
            if p.path_part.as_deref().is_some_and(|pp| pp.ends_with("+}")) {
                return Err(Error::bad_request(messages::greedy_parent(
                    p.path_part.as_deref().unwrap_or(""),
                )));
            }
            for sibling in a
                .resources
                .values()
                .filter(|r| r.parent_id.as_deref() == Some(parent.as_str()))
            {
                let sp = sibling.path_part.as_deref().unwrap_or("");
                if sp == part {
                    return Err(Error::conflict(messages::resource_exists(&part)));
                }
                if sp.starts_with('{') && part.starts_with('{') {
                    return Err(Error::bad_request(messages::variable_sibling(sp)));
                }
            }
            let path = if p.path == "/" {
                format!("/{part}")
            } else {
                format!("{}/{part}", p.path)
            };
            let rec = ResourceRec {
                seq: tx.store.next_seq(),
                id: new_id(6),
                parent_id: Some(parent.clone()),
                path_part: Some(part.clone()),
                path,
                methods: BTreeMap::new(),
            };
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: rec.clone(),
            });
            Ok(rec)
        })
        .await?;
    Ok(created(&resource_json(&rec, false)))
}

pub async fn delete_resource(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            a.resource(&id)?;
            if a.root_id() == Some(id.as_str()) {
                return Err(Error::bad_request(messages::ROOT_RESOURCE_DELETE));
            }
            let mut doomed = vec![id.clone()];
            let mut i = 0;
            while i < doomed.len() {
                let current = doomed[i].clone();
                doomed.extend(
                    a.resources
                        .values()
                        .filter(|r| r.parent_id.as_deref() == Some(current.as_str()))
                        .map(|r| r.id.clone()),
                );
                i += 1;
            }
            for rid in doomed {
                tx.commit(Record::DeleteResource {
                    api: api.clone(),
                    id: rid,
                });
            }
            Ok(())
        })
        .await?;
    Ok(accepted())
}

const VERBS: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY",
];

fn verb(raw: &str) -> Result<String> {
    let v = raw.to_ascii_uppercase();
    if VERBS.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(Error::bad_request(messages::INVALID_HTTP_METHOD))
    }
}

pub async fn put_method(
    State(state): State<AppState>,
    P((api, rid, raw_verb)): P<(String, String, String)>,
    AwsJson(req): AwsJson<PutMethodRequest>,
) -> Result<Response> {
    let verb = verb(&raw_verb)?;
    let auth_type = req.authorization_type.clone().ok_or_else(|| {
        Error::validation(messages::member_null("putMethodInput.authorizationType"))
    })?;
    let method = state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            let mut r = a.resource(&rid)?.clone();
            if r.methods.contains_key(&verb) {
                return Err(Error::conflict(messages::METHOD_EXISTS));
            }
            let needs_authorizer = matches!(auth_type.as_str(), "CUSTOM" | "COGNITO_USER_POOLS");
            if needs_authorizer
                && !req
                    .authorizer_id
                    .as_deref()
                    .is_some_and(|id| a.authorizers.contains_key(id))
            {
                return Err(Error::bad_request(messages::METHOD_NEEDS_AUTHORIZER));
            }
            let method = Method {
                http_method: verb.clone(),
                authorization_type: auth_type.clone(),
                authorizer_id: if needs_authorizer {
                    req.authorizer_id.clone()
                } else {
                    None
                },
                api_key_required: req.api_key_required.unwrap_or(false),
                operation_name: req.operation_name.clone(),
                request_parameters: req.request_parameters.clone(),
                request_models: req.request_models.clone(),
                request_validator_id: req.request_validator_id.clone(),
                authorization_scopes: req.authorization_scopes.clone(),
                method_integration: None,
            };
            r.methods.insert(verb.clone(), method.clone());
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: r,
            });
            Ok(method)
        })
        .await?;
    Ok(created(&method))
}

fn find_method<'a>(a: &'a Api, rid: &str, verb: &str) -> Result<&'a Method> {
    a.resource(rid)?
        .methods
        .get(verb)
        .ok_or_else(|| Error::not_found(messages::INVALID_METHOD_ID))
}

pub async fn get_method(
    State(state): State<AppState>,
    P((api, rid, raw_verb)): P<(String, String, String)>,
) -> Result<Json<Method>> {
    let verb = raw_verb.to_ascii_uppercase();
    state.read(|s| {
        Ok(Json(
            find_method(s.api(account(&state), &api)?, &rid, &verb)?.clone(),
        ))
    })
}

pub async fn delete_method(
    State(state): State<AppState>,
    P((api, rid, raw_verb)): P<(String, String, String)>,
) -> Result<Response> {
    let verb = raw_verb.to_ascii_uppercase();
    state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            find_method(a, &rid, &verb)?;
            let mut r = a.resource(&rid)?.clone();
            r.methods.remove(&verb);
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: r,
            });
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

const INTEGRATION_TYPES: &[&str] = &["HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"];

/// Checks a PutIntegration body and fills AWS's defaults.
fn integration(resource_id: &str, body: &serde_json::Map<String, Value>) -> Result<Value> {
    let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
    if !INTEGRATION_TYPES.contains(&kind) {
        return Err(Error::validation(messages::enum_violation(
            kind,
            "putIntegrationInput.type",
            "HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS",
        )));
    }
    let mut out = body.clone();
    let uri = body.get("uri").and_then(Value::as_str).unwrap_or("");
    match kind {
        "MOCK" => {
            out.remove("uri");
            out.remove("httpMethod");
        }
        _ => {
            if body
                .get("httpMethod")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(Error::bad_request(messages::EMPTY_INTEGRATION_HTTP_METHOD));
            }
            if kind.starts_with("HTTP") {
                if !(uri.starts_with("http://") || uri.starts_with("https://")) {
                    return Err(Error::bad_request(messages::INVALID_HTTP_ENDPOINT));
                }
                out.entry("connectionType")
                    .or_insert_with(|| json!("INTERNET"));
            } else if !uri.starts_with("arn:") {
                return Err(Error::bad_request(messages::INVALID_ARN));
            }
        }
    }
    out.entry("passthroughBehavior")
        .or_insert_with(|| json!("WHEN_NO_MATCH"));
    out.entry("timeoutInMillis").or_insert_with(|| json!(29000));
    out.entry("cacheNamespace")
        .or_insert_with(|| json!(resource_id));
    out.entry("cacheKeyParameters").or_insert_with(|| json!([]));
    Ok(Value::Object(out))
}

pub async fn put_integration(
    State(state): State<AppState>,
    P((api, rid, raw_verb)): P<(String, String, String)>,
    AwsJson(body): AwsJson<serde_json::Map<String, Value>>,
) -> Result<Response> {
    let verb = raw_verb.to_ascii_uppercase();
    let value = integration(&rid, &body)?;
    state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            find_method(a, &rid, &verb)?;
            let mut r = a.resource(&rid)?.clone();
            if let Some(m) = r.methods.get_mut(&verb) {
                m.method_integration = Some(value.clone());
            }
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: r,
            });
            Ok(())
        })
        .await?;
    Ok(created(&value))
}

pub async fn get_integration(
    State(state): State<AppState>,
    P((api, rid, raw_verb)): P<(String, String, String)>,
) -> Result<Json<Value>> {
    let verb = raw_verb.to_ascii_uppercase();
    state.read(|s| {
        let m = find_method(s.api(account(&state), &api)?, &rid, &verb)?;
        m.method_integration
            .clone()
            .map(Json)
            .ok_or_else(|| Error::not_found(messages::INVALID_INTEGRATION_ID))
    })
}

// ---------------------------------------------------------------- deployments

fn api_summary(a: &Api) -> BTreeMap<String, BTreeMap<String, Value>> {
    a.resources
        .values()
        .filter(|r| !r.methods.is_empty())
        .map(|r| {
            let methods = r
                .methods
                .iter()
                .map(|(v, m)| {
                    (v.clone(), json!({"authorizationType": m.authorization_type, "apiKeyRequired": m.api_key_required}))
                })
                .collect();
            (r.path.clone(), methods)
        })
        .collect()
}

/// Commits a deployment (and its stage effects); shared with the demo seed.
pub(crate) fn deploy(
    tx: &mut crate::store::Tx<'_>,
    account: &str,
    api: &str,
    req: &CreateDeploymentRequest,
) -> Result<Deployment> {
    let a = tx.store.api(account, api)?;
    let methods: Vec<&Method> = a
        .resources
        .values()
        .flat_map(|r| r.methods.values())
        .collect();
    if methods.is_empty() {
        return Err(Error::bad_request(messages::NO_METHODS));
    }
    if methods.iter().any(|m| m.method_integration.is_none()) {
        return Err(Error::bad_request(messages::NO_INTEGRATION));
    }
    let stage_name = req.stage_name.as_deref().filter(|s| !s.is_empty());
    if let Some(canary) = &req.canary_settings {
        let name = match req.stage_name.as_deref() {
            None => return Err(Error::bad_request(messages::canary_needs_stage(None))),
            Some("") => return Err(Error::bad_request(messages::canary_needs_stage(Some("")))),
            Some(n) => n,
        };
        if !a.stages.contains_key(name) {
            return Err(Error::bad_request(messages::canary_stage_missing(name)));
        }
        if let Some(p) = canary.percent_traffic {
            api::check_percent_traffic(p)?;
        }
        if let Some(o) = &canary.stage_variable_overrides {
            api::check_variables(o)?;
        }
    }
    if let Some(name) = stage_name {
        api::check_stage_name(name)?;
    }
    if let Some(v) = &req.variables {
        api::check_variables(v)?;
    }
    if let Some(size) = &req.cache_cluster_size {
        api::check_cache_cluster_size(size)?;
    }
    let now = now();
    let deployment = Deployment {
        id: new_id(6),
        description: req.description.clone(),
        created_date: Some(now),
        api_summary: Some(api_summary(a)),
    };
    let existing = stage_name.and_then(|n| a.stages.get(n)).cloned();
    let resources = Some(a.resources.values().cloned().collect());
    let seq = tx.store.next_seq();
    tx.commit(Record::PutDeployment {
        api: api.into(),
        deployment: Ordered {
            seq,
            value: deployment.clone(),
        },
        resources,
    });
    let Some(name) = stage_name else {
        return Ok(deployment);
    };
    let mut stage = existing.unwrap_or_else(|| Stage {
        stage_name: Some(name.into()),
        cache_cluster_status: Some(api::cache_cluster_status(false).into()),
        created_date: Some(now),
        ..Stage::default()
    });
    if let Some(canary) = &req.canary_settings {
        stage.canary_settings = Some(CanarySettings {
            percent_traffic: canary.percent_traffic.unwrap_or(0.0),
            deployment_id: Some(deployment.id.clone()),
            stage_variable_overrides: canary.stage_variable_overrides.clone().unwrap_or_default(),
            use_stage_cache: canary.use_stage_cache.unwrap_or(false),
            extra: serde_json::Map::new(),
        });
    } else {
        stage.deployment_id = Some(deployment.id.clone());
        if let Some(d) = &req.stage_description {
            stage.description = Some(d.clone());
        }
        if let Some(v) = &req.variables {
            stage.variables.extend(v.clone());
        }
        if let Some(size) = &req.cache_cluster_size {
            stage.cache_cluster_size = Some(size.clone());
        }
        if let Some(enabled) = req.cache_cluster_enabled {
            stage.cache_cluster_enabled = enabled;
            stage.cache_cluster_status = Some(api::cache_cluster_status(enabled).into());
        }
        if let Some(t) = req.tracing_enabled {
            stage.tracing_enabled = t;
        }
    }
    stage.last_updated_date = Some(now);
    tx.commit(Record::PutStage {
        api: api.into(),
        stage: Box::new(stage),
    });
    Ok(deployment)
}

fn deployment_json(d: &Deployment, summary: bool) -> Deployment {
    let mut d = d.clone();
    if !summary {
        d.api_summary = None;
    }
    d
}

pub async fn create_deployment(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateDeploymentRequest>,
) -> Result<Response> {
    let d = state
        .mutate(|tx| deploy(tx, account(&state), &api, &req))
        .await?;
    Ok(created(&deployment_json(&d, false)))
}

pub async fn get_deployments(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Deployment>>> {
    let summary = embeds(&uri, "apisummary");
    let items = state.read(|s| {
        s.api(account(&state), &api).map(|a| {
            a.deployments
                .values()
                .map(|d| (d.seq, deployment_json(&d.value, summary)))
                .collect::<Vec<_>>()
        })
    })?;
    Ok(Json(page_in_creation_order(items, &uri)?))
}

pub async fn get_deployment(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    uri: Uri,
) -> Result<Json<Deployment>> {
    let summary = embeds(&uri, "apisummary");
    state.read(|s| {
        Ok(Json(deployment_json(
            s.api(account(&state), &api)?.deployment(&id)?,
            summary,
        )))
    })
}

pub async fn delete_deployment(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            a.deployment(&id)?;
            let in_use = a.stages.values().any(|s| {
                s.deployment_id.as_deref() == Some(id.as_str())
                    || s.canary_settings
                        .as_ref()
                        .and_then(|c| c.deployment_id.as_deref())
                        == Some(id.as_str())
            });
            if in_use {
                return Err(Error::bad_request(messages::ACTIVE_STAGES));
            }
            tx.commit(Record::DeleteDeployment {
                api: api.clone(),
                id: id.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

// ---------------------------------------------------------------- stages

pub async fn create_stage(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateStageRequest>,
) -> Result<Response> {
    let stage = state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            let stage = req.to_stage(now())?;
            let name = stage.stage_name.clone().unwrap_or_default();
            if a.stages.contains_key(&name) {
                return Err(Error::conflict(messages::STAGE_EXISTS));
            }
            let canary_dep = stage
                .canary_settings
                .as_ref()
                .and_then(|c| c.deployment_id.as_deref());
            let deps_ok = stage
                .deployment_id
                .as_deref()
                .is_some_and(|d| a.deployments.contains_key(d))
                && canary_dep.is_none_or(|d| a.deployments.contains_key(d));
            if !deps_ok {
                return Err(Error::bad_request(messages::DEPLOYMENT_NOT_FOUND));
            }
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(stage.clone()),
            });
            Ok(stage)
        })
        .await?;
    Ok(created(&stage))
}

pub async fn get_stage(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    state.read(|s| {
        let stage = s.api(account(&state), &api)?.stage(&name)?;
        Ok(Json(stage).into_response())
    })
}

pub async fn get_stages(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Response> {
    let filter = query_one(&uri, "deploymentId");
    state.read(|s| {
        let a = s.api(account(&state), &api)?;
        let item: Vec<&Stage> = a
            .stages
            .values()
            .filter(|st| {
                filter
                    .as_deref()
                    .is_none_or(|d| st.deployment_id.as_deref() == Some(d))
            })
            .collect();
        Ok(Json(json!({ "item": item })).into_response())
    })
}

pub async fn update_stage(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Response> {
    let stage = state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            let current = a.stage(&name)?;
            let mut next = apply_with(current, &req.patch_operations, a)?;
            next.last_updated_date = Some(now());
            next.cache_cluster_status =
                Some(api::cache_cluster_status(next.cache_cluster_enabled).into());
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(next.clone()),
            });
            Ok(next)
        })
        .await?;
    Ok(Json(stage).into_response())
}

pub async fn delete_stage(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            tx.store.api(account(&state), &api)?.stage(&name)?;
            tx.commit(Record::DeleteStage {
                api: api.clone(),
                name: name.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

fn flush(state: &AppState, api: &str, name: &str, authorizers: bool) -> Result<Response> {
    let mut store = state
        .store
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let a = api_mut(&mut store, account(state), api)?;
    a.stage(name)?;
    let caches = a.caches.entry(name.to_owned()).or_default();
    if authorizers {
        caches.authorizer.clear();
    } else {
        caches.response.clear();
    }
    Ok(accepted())
}

pub async fn flush_authorizers_cache(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    flush(&state, &api, &name, true)
}

pub async fn flush_stage_cache(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    flush(&state, &api, &name, false)
}

// ---------------------------------------------------------------- authorizers

/// Checks the type enum and the core rules, plus the regex syntax.
pub(crate) fn check_authorizer(a: &Authorizer, input: &str) -> Result<()> {
    if !authorizer::TYPES.contains(&a.authorizer_type.as_str()) {
        return Err(Error::validation(messages::enum_violation(
            &a.authorizer_type,
            &format!("{input}.type"),
            "TOKEN, REQUEST, COGNITO_USER_POOLS",
        )));
    }
    authorizer::validate(a)?;
    if let Some(expr) = &a.identity_validation_expression {
        regex_lite::Regex::new(expr).map_err(|_| {
            Error::bad_request(messages::invalid_identity_validation_expression(expr))
        })?;
    }
    Ok(())
}

pub async fn create_authorizer(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(mut req): AwsJson<Authorizer>,
) -> Result<Response> {
    if req.name.is_empty() {
        return Err(Error::validation(messages::member_null(
            "createAuthorizerInput.name",
        )));
    }
    if req.authorizer_type.is_empty() {
        return Err(Error::validation(messages::member_null(
            "createAuthorizerInput.type",
        )));
    }
    check_authorizer(&req, "createAuthorizerInput")?;
    if req.auth_type.is_none() {
        req.auth_type = Some(authorizer::default_auth_type(&req.authorizer_type).into());
    }
    let out = state
        .mutate(|tx| {
            tx.store.api(account(&state), &api)?;
            req.id = new_id(6);
            let seq = tx.store.next_seq();
            tx.commit(Record::PutAuthorizer {
                api: api.clone(),
                authorizer: Ordered {
                    seq,
                    value: req.clone(),
                },
            });
            Ok(req)
        })
        .await?;
    Ok(created(&out))
}

pub async fn get_authorizers(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Authorizer>>> {
    let items = state.read(|s| {
        s.api(account(&state), &api).map(|a| {
            a.authorizers
                .values()
                .map(|x| (x.seq, x.value.clone()))
                .collect::<Vec<_>>()
        })
    })?;
    Ok(Json(page_in_creation_order(items, &uri)?))
}

pub async fn get_authorizer(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Json<Authorizer>> {
    state.read(|s| Ok(Json(s.api(account(&state), &api)?.authorizer(&id)?.clone())))
}

pub async fn update_authorizer(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Authorizer>> {
    let out = state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            let current = a
                .authorizers
                .get(&id)
                .ok_or_else(|| Error::not_found(messages::INVALID_AUTHORIZER_ID))?;
            let next = authorizer::apply_patch(&current.value, &req.patch_operations)?;
            check_authorizer(&next, "updateAuthorizerInput")?;
            let seq = current.seq;
            tx.commit(Record::PutAuthorizer {
                api: api.clone(),
                authorizer: Ordered {
                    seq,
                    value: next.clone(),
                },
            });
            Ok(next)
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_authorizer(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx.store.api(account(&state), &api)?;
            a.authorizer(&id)?;
            for r in a.resources.values() {
                for (v, m) in &r.methods {
                    if m.authorizer_id.as_deref() == Some(id.as_str()) {
                        return Err(Error::bad_request(messages::authorizer_in_use(v, &r.path)));
                    }
                }
            }
            tx.commit(Record::DeleteAuthorizer {
                api: api.clone(),
                id: id.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

// ---------------------------------------------------------------- tags

/// What a tag ARN names.
enum Tagged {
    Api(String),
    Stage(String, String),
}

fn parse_arn(arn: &str) -> Result<Tagged> {
    let invalid = || Error::bad_request(messages::INVALID_ARN);
    let rest = arn.strip_prefix("arn:").ok_or_else(invalid)?;
    let (_, rest) = rest.split_once(":apigateway:").ok_or_else(invalid)?;
    let (_region, path) = rest.split_once("::").ok_or_else(invalid)?;
    let segments: Vec<&str> = path
        .strip_prefix('/')
        .ok_or_else(invalid)?
        .split('/')
        .collect();
    match segments.as_slice() {
        ["restapis", api] if !api.is_empty() => Ok(Tagged::Api((*api).into())),
        ["restapis", api, "stages", stage] if !api.is_empty() && !stage.is_empty() => {
            Ok(Tagged::Stage((*api).into(), (*stage).into()))
        }
        _ => Err(invalid()),
    }
}

fn current_tags(store: &Store, account: &str, target: &Tagged) -> Result<BTreeMap<String, String>> {
    match target {
        Tagged::Api(api) => Ok(store.api(account, api)?.rest_api.tags.clone()),
        Tagged::Stage(api, stage) => Ok(store.api(account, api)?.stage(stage)?.tags.clone()),
    }
}

fn commit_tags(
    tx: &mut crate::store::Tx<'_>,
    account: &str,
    target: &Tagged,
    tags: BTreeMap<String, String>,
) -> Result<()> {
    match target {
        Tagged::Api(api) => {
            let a = tx.store.api(account, api)?;
            let mut rest_api = a.rest_api.clone();
            rest_api.tags = tags;
            let seq = a.seq;
            tx.commit(Record::PutApi { seq, api: rest_api });
        }
        Tagged::Stage(api, name) => {
            let mut stage = tx.store.api(account, api)?.stage(name)?.clone();
            stage.tags = tags;
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(stage),
            });
        }
    }
    Ok(())
}

pub async fn get_tags(State(state): State<AppState>, P(arn): P<String>) -> Result<Json<Tags>> {
    let target = parse_arn(&arn)?;
    state.read(|s| {
        Ok(Json(Tags {
            tags: current_tags(s, account(&state), &target)?,
        }))
    })
}

pub async fn tag_resource(
    State(state): State<AppState>,
    P(arn): P<String>,
    AwsJson(req): AwsJson<Tags>,
) -> Result<Response> {
    let target = parse_arn(&arn)?;
    state
        .mutate(|tx| {
            let mut tags = current_tags(tx.store, account(&state), &target)?;
            tags.extend(req.tags.clone());
            api::check_tags(&tags)?;
            commit_tags(tx, account(&state), &target, tags)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn untag_resource(
    State(state): State<AppState>,
    P(arn): P<String>,
    uri: Uri,
) -> Result<Response> {
    let target = parse_arn(&arn)?;
    let keys: Vec<String> = query_pairs(&uri)
        .into_iter()
        .filter(|(k, _)| k == "tagKeys")
        .map(|(_, v)| v)
        .collect();
    state
        .mutate(|tx| {
            let mut tags = current_tags(tx.store, account(&state), &target)?;
            for k in &keys {
                tags.remove(k);
            }
            commit_tags(tx, account(&state), &target, tags)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
