//! The data plane: deployed APIs served on the emulator's own port, with the stage's settings in force
//! (docs/aws-behaviour.md §8; AWS's rules come from [`stagecraft_core::dataplane`]).
//!
//! Invoke URLs: `/restapis/{apiId}/{stageName}/_user_request_/{path}`, and by `Host`
//! `{apiId}.execute-api.localhost[:PORT]` with `/{stageName}/{path}`. `GET /metrics` serves the counters.
//! A stage serves its deployment's snapshot (its canary's, for `percentTraffic`% of requests). Requests
//! are not SigV4-checked unless the method's `authorizationType` is `AWS_IAM`; a request signed (service
//! `execute-api`) with the emulator's key pair counts as allowed `execute-api:InvalidateCache`.
//!
//! CUSTOM and COGNITO_USER_POOLS methods run their authorizer first ([`authorize`]). Responses carry
//! `x-stagecraft-authorizer` (`invoked`, `cached`, …) and `x-stagecraft-cache` (`hit` / `miss`) so a
//! client can see what happened.
//!
//! Not emulated: API keys and usage plans, request validation, VTL, binary media types.

mod authorize;
mod cache;
mod integration;
mod observe;
mod reply;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use stagecraft_core::api::{Authorizer, Method};
use stagecraft_core::dataplane::RouteTable;
use stagecraft_core::dataplane::authorize::method_arn;
use stagecraft_core::dataplane::cache::{
    CacheDecision, ParameterSource, asks_max_age_zero, cache_key, decide, key_parameter,
};
use stagecraft_core::dataplane::log::access_log_line;
use stagecraft_core::dataplane::proxy::{ProxyRequest, RequestContext};
use stagecraft_core::dataplane::texts::{
    CACHE_CONTROL_FORBIDDEN, CACHE_CONTROL_WARNING, MAX_PAYLOAD, MISSING_AUTHENTICATION_TOKEN,
    REQUEST_TOO_LARGE, TOO_MANY_REQUESTS, UNKNOWN_STAGE,
};
use stagecraft_core::dataplane::throttle::TokenBucket;
use stagecraft_core::{
    AccessLogSettings, EffectiveSettings, effective_settings, method_setting_key,
};

use crate::AppState;
use crate::auth::{request_id, verify};
use crate::store::ResourceRec;
use authorize::{Authorization, Input};
use integration::{Call, HttpClient};
use observe::{AuthorizerSample, Observer, Sample};
use reply::Reply;

/// The host suffix of the `Host`-header invoke URL form.
pub const HOST_SUFFIX: &str = stagecraft_core::invoke_url::LOCAL_HOST_SUFFIX;

/// `(api id, stage name)` or `(api id, deployment id)`.
type StageId = (String, String);
/// A stage's cache cluster: enabled, size.
type Cluster = (bool, Option<String>);

/// A deployment's routes with the resources they index.
struct Routes {
    table: RouteTable,
    resources: Arc<Vec<ResourceRec>>,
}

/// Data-plane state: route tables, throttling buckets, the canary draw, HTTP client, metrics, logs.
pub struct Runtime {
    routes: Mutex<HashMap<StageId, Arc<Routes>>>,
    buckets: Mutex<HashMap<(String, String, String), TokenBucket>>,
    clusters: Mutex<HashMap<StageId, Cluster>>,
    rng: Mutex<fastrand::Rng>,
    http: HttpClient,
    observer: Observer,
    epoch: Instant,
}

impl Runtime {
    /// A runtime; `seed` makes the canary split reproducible.
    #[must_use]
    pub fn new(seed: Option<u64>, access_log_dir: Option<PathBuf>) -> Self {
        Self {
            routes: Mutex::default(),
            buckets: Mutex::default(),
            clusters: Mutex::default(),
            rng: Mutex::new(seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed)),
            http: Client::builder(TokioExecutor::new()).build_http(),
            observer: Observer::new(access_log_dir),
            epoch: Instant::now(),
        }
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Runtime")
    }
}

/// The two invoke URLs of a stage on `addr` (`127.0.0.1:4567`).
#[must_use]
pub fn invoke_urls(addr: &str, api: &str, stage: &str) -> [String; 2] {
    stagecraft_core::invoke_url::local(&format!("http://{addr}"), api, stage)
}

/// `(api, stage, path below the stage)` when the request is for the data plane.
fn target(headers: &HeaderMap, path: &str) -> Option<(String, String, String)> {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if let Some(api) = host.to_ascii_lowercase().strip_suffix(HOST_SUFFIX) {
        let rest = path.strip_prefix('/').unwrap_or(path);
        let (stage, below) = rest.split_once('/').map_or((rest, ""), |(s, b)| (s, b));
        return Some((api.to_owned(), stage.to_owned(), format!("/{below}")));
    }
    let rest = path.strip_prefix("/restapis/")?;
    let mut parts = rest.splitn(4, '/');
    let (api, stage, marker) = (parts.next()?, parts.next()?, parts.next()?);
    (marker == "_user_request_").then(|| {
        (
            api.to_owned(),
            stage.to_owned(),
            format!("/{}", parts.next().unwrap_or("")),
        )
    })
}

/// Middleware in front of the control plane: data-plane requests and `GET /metrics` are answered here.
pub async fn intercept(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/metrics" && req.method() == http::Method::GET {
        let mut res = Response::new(Body::from(state.dataplane.observer.prometheus()));
        if let Ok(v) = "text/plain; version=0.0.4".parse() {
            res.headers_mut().insert("content-type", v);
        }
        return res;
    }
    match target(req.headers(), req.uri().path()) {
        Some((api, stage, path)) => serve(&state, req, &api, &stage, &path).await,
        None => next.run(req).await,
    }
}

/// What the store says about one request.
struct Plan {
    resource: ResourceRec,
    method: Method,
    path_parameters: Vec<(String, String)>,
    settings: EffectiveSettings,
    cluster: Cluster,
    variables: BTreeMap<String, String>,
    deployment_id: String,
    canary: bool,
    use_stage_cache: bool,
    access_log: Option<AccessLogSettings>,
    /// The authorizer of a CUSTOM / COGNITO_USER_POOLS method (`None` also when it no longer exists).
    authorizer: Option<Authorizer>,
}

fn routes(state: &AppState, api: &crate::store::Api, deployment: &str) -> Arc<Routes> {
    let key = (api.rest_api.id.clone(), deployment.to_owned());
    let mut cache = state
        .dataplane
        .routes
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(r) = cache.get(&key) {
        return r.clone();
    }
    let resources = api
        .snapshots
        .get(deployment)
        .cloned()
        .unwrap_or_else(|| Arc::new(api.resources.values().cloned().collect()));
    let table = RouteTable::new(
        resources
            .iter()
            .map(|r| (r.path.as_str(), r.methods.keys().map(String::as_str))),
    );
    let routes = Arc::new(Routes { table, resources });
    cache.insert(key, routes.clone());
    routes
}

fn plan(
    state: &AppState,
    api_id: &str,
    stage_name: &str,
    verb: &str,
    path: &str,
) -> Result<Plan, Reply> {
    state.read(|store| {
        let api = store
            .apis
            .get(api_id)
            .ok_or_else(|| Reply::gateway(UNKNOWN_STAGE))?;
        let stage = api
            .stages
            .get(stage_name)
            .ok_or_else(|| Reply::gateway(UNKNOWN_STAGE))?;
        let mut variables = stage.variables.clone();
        let mut deployment = stage.deployment_id.clone().unwrap_or_default();
        let mut canary = false;
        let mut use_stage_cache = true;
        if let Some(c) = &stage.canary_settings
            && let Some(d) = &c.deployment_id
        {
            let draw = state
                .dataplane
                .rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .f64()
                * 100.0;
            if draw < c.percent_traffic {
                canary = true;
                use_stage_cache = c.use_stage_cache;
                deployment.clone_from(d);
                variables.extend(c.stage_variable_overrides.clone());
            }
        }
        let routes = routes(state, api, &deployment);
        let found = routes
            .table
            .find(verb, path)
            .ok_or_else(|| Reply::gateway(MISSING_AUTHENTICATION_TOKEN))?;
        let resource = routes.resources[found.resource].clone();
        let method = resource
            .methods
            .get(&found.method)
            .cloned()
            .ok_or_else(|| Reply::gateway(MISSING_AUTHENTICATION_TOKEN))?;
        let settings =
            effective_settings(stage, &method_setting_key(&resource.path, &found.method));
        let authorizer = method
            .authorizer_id
            .as_ref()
            .and_then(|id| api.authorizers.get(id))
            .map(|a| a.value.clone());
        Ok(Plan {
            resource,
            method,
            path_parameters: found.path_parameters,
            settings,
            cluster: (
                stage.cache_cluster_enabled,
                stage.cache_cluster_size.clone(),
            ),
            variables,
            deployment_id: deployment,
            canary,
            use_stage_cache,
            access_log: stage.access_log_settings.clone(),
            authorizer,
        })
    })
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query.map_or_else(Vec::new, |q| {
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    })
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

fn request_time(epoch_ms: u64) -> String {
    let fmt = time::macros::format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    );
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(epoch_ms / 1000).unwrap_or(0))
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

/// Whether this request's throttling bucket has a token.
fn admit(state: &AppState, api: &str, stage: &str, s: &EffectiveSettings) -> bool {
    let now = state.dataplane.epoch.elapsed().as_secs_f64();
    let fresh = TokenBucket::new(s.throttling_rate_limit, s.throttling_burst_limit, now);
    let mut buckets = state
        .dataplane
        .buckets
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let bucket = buckets
        .entry((api.to_owned(), stage.to_owned(), s.key.clone()))
        .or_insert_with(|| fresh.clone());
    if !bucket.limits_match(&fresh) {
        *bucket = fresh;
    }
    bucket.try_take(now)
}

/// Drops the stage's cache when its cluster was resized or disabled since the last request.
fn check_cluster(state: &AppState, api: &str, stage: &str, cluster: &Cluster) {
    let mut seen = state
        .dataplane
        .clusters
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let key = (api.to_owned(), stage.to_owned());
    if seen.get(&key).is_some_and(|old| old != cluster) {
        cache::clear(state, api, stage);
    }
    seen.insert(key, cluster.clone());
}

fn key_parameters(
    integration: &Value,
    headers: &HeaderMap,
    query: &[(String, String)],
    path: &[(String, String)],
) -> Vec<(String, Option<String>)> {
    let list = integration
        .get("cacheKeyParameters")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    list.iter()
        .filter_map(Value::as_str)
        .map(|p| {
            let value = key_parameter(p).and_then(|(source, name)| match source {
                ParameterSource::Header => headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                ParameterSource::Query => query
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone()),
                ParameterSource::Path => {
                    path.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
                }
            });
            (p.to_owned(), value)
        })
        .collect()
}

async fn serve(state: &AppState, req: Request, api: &str, stage: &str, path: &str) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, MAX_PAYLOAD).await else {
        return Reply::gateway(REQUEST_TOO_LARGE).into_response();
    };
    let verb = parts.method.as_str().to_owned();
    let plan = match plan(state, api, stage, &verb, path) {
        Ok(p) => p,
        Err(reply) => return reply.into_response(),
    };
    let signed = parts
        .headers
        .contains_key("authorization")
        .then(|| verify(state, &parts, &body, "execute-api"));
    if plan.method.authorization_type == "AWS_IAM" {
        match &signed {
            None => return Reply::gateway(MISSING_AUTHENTICATION_TOKEN).into_response(),
            Some(Err(e)) => return e.clone().into_response(),
            Some(Ok(_)) => {}
        }
    }
    let authorized = matches!(signed, Some(Ok(_)));
    let request_id = request_id();
    let epoch_ms = cache::now_ms();
    let query = query_pairs(parts.uri.query());
    let mut event = ProxyRequest {
        resource: plan.resource.path.clone(),
        path: path.to_owned(),
        http_method: verb.clone(),
        headers: header_pairs(&parts.headers),
        query: query.clone(),
        path_parameters: plan.path_parameters.clone(),
        stage_variables: plan.variables.clone(),
        body: None,
        context: RequestContext {
            account_id: state.config.account_id.clone(),
            api_id: api.to_owned(),
            deployment_id: plan.deployment_id.clone(),
            domain_name: parts
                .headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("")
                .to_owned(),
            request_id: request_id.clone(),
            request_time: request_time(epoch_ms),
            request_time_epoch: epoch_ms,
            resource_id: plan.resource.id.clone(),
            stage: stage.to_owned(),
            source_ip: "127.0.0.1".into(),
            user_agent: parts
                .headers
                .get("user-agent")
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned),
            is_canary: plan.canary,
            authorizer: None,
        },
    };
    let mut cache_hit = None;
    let mut integration_ms = 0.0;
    let mut authorization: Option<Authorization> = None;
    let reply = 'reply: {
        if !admit(state, api, stage, &plan.settings) {
            break 'reply Reply::gateway(TOO_MANY_REQUESTS);
        }
        if matches!(
            plan.method.authorization_type.as_str(),
            "CUSTOM" | "COGNITO_USER_POOLS"
        ) {
            let arn = method_arn(
                &state.config.region,
                &state.config.account_id,
                api,
                stage,
                &verb,
                path,
            );
            let input = Input {
                authorizer: plan.authorizer.as_ref(),
                request: &event,
                method_arn: &arn,
                deployment: &plan.deployment_id,
            };
            let (seen, result) = authorize::authorize(state, api, stage, &input).await;
            authorization = Some(seen);
            match result {
                Ok(value) => event.context.authorizer = Some(value),
                Err(reply) => break 'reply reply,
            }
        }
        check_cluster(state, api, stage, &plan.cluster);
        let caching = plan.settings.caches(plan.cluster.0);
        let integration = plan
            .method
            .method_integration
            .clone()
            .unwrap_or(Value::Null);
        let mut cache_slot = None;
        let mut warning = false;
        if caching {
            let max_age_zero = parts
                .headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok())
                .is_some_and(asks_max_age_zero);
            let decision = decide(&plan.settings, max_age_zero, authorized);
            if decision == CacheDecision::Forbid {
                break 'reply Reply::gateway(CACHE_CONTROL_FORBIDDEN);
            }
            warning = decision == CacheDecision::UseWithWarning;
            let namespace = integration
                .get("cacheNamespace")
                .and_then(Value::as_str)
                .unwrap_or(&plan.resource.id);
            let namespace = if plan.canary && !plan.use_stage_cache {
                format!("canary:{}:{namespace}", plan.deployment_id)
            } else {
                namespace.to_owned()
            };
            let key = cache_key(
                &namespace,
                &verb,
                &plan.resource.path,
                &plan.path_parameters,
                &key_parameters(&integration, &parts.headers, &query, &plan.path_parameters),
            );
            if decision != CacheDecision::Refresh
                && let Some(hit) = cache::get(state, api, stage, &key)
            {
                cache_hit = Some(true);
                break 'reply if warning {
                    hit.with_header("Warning", CACHE_CONTROL_WARNING)
                } else {
                    hit
                };
            }
            cache_hit = Some(false);
            cache_slot = Some(key);
        }
        let call_started = Instant::now();
        let reply = integration::run(
            state,
            &state.dataplane.http,
            Call {
                integration: &integration,
                verb: &verb,
                query: parts.uri.query(),
                headers: &parts.headers,
                body: Bytes::clone(&body),
                variables: &plan.variables,
                event: &event,
            },
        )
        .await;
        integration_ms = call_started.elapsed().as_secs_f64() * 1000.0;
        if let Some(key) = cache_slot {
            cache::put(
                state,
                api,
                stage,
                key,
                &reply,
                plan.settings.cache_ttl_in_seconds,
            );
        }
        if warning {
            reply.with_header("Warning", CACHE_CONTROL_WARNING)
        } else {
            reply
        }
    };
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    state.dataplane.observer.record(&Sample {
        api: api.to_owned(),
        stage: stage.to_owned(),
        method: plan
            .settings
            .metrics_enabled
            .then(|| (plan.resource.path.clone(), plan.method.http_method.clone())),
        status: reply.status,
        cache_hit,
        latency_ms,
        integration_latency_ms: integration_ms,
        authorizer: authorization.as_ref().map(|a| AuthorizerSample {
            invoked: a.invoked,
            cache_hit: a.cached,
            denied: a.status != 200,
        }),
    });
    if let Some(AccessLogSettings {
        format: Some(format),
        destination_arn: Some(arn),
        ..
    }) = &plan.access_log
    {
        let status = reply.status.to_string();
        let length = reply.body.len().to_string();
        let line = access_log_line(format, |name| {
            Some(match name {
                "requestId" | "extendedRequestId" => request_id.clone(),
                "identity.sourceIp" => "127.0.0.1".into(),
                "requestTime" => request_time(epoch_ms),
                "requestTimeEpoch" => epoch_ms.to_string(),
                "httpMethod" => verb.clone(),
                "resourcePath" => plan.resource.path.clone(),
                "resourceId" => plan.resource.id.clone(),
                "path" => format!("/{stage}{path}"),
                "stage" => stage.to_owned(),
                "apiId" => api.to_owned(),
                "status" => status.clone(),
                "protocol" => "HTTP/1.1".into(),
                "responseLength" => length.clone(),
                "responseLatency" => format!("{latency_ms:.0}"),
                "integrationLatency" => format!("{integration_ms:.0}"),
                "isCanaryRequest" => plan.canary.to_string(),
                "deploymentId" => plan.deployment_id.clone(),
                "error.message" => reply.error.clone()?,
                "error.messageString" => format!("\"{}\"", reply.error.clone()?),
                "authorize.status" | "authorizer.status" => {
                    authorization.as_ref()?.status.to_string()
                }
                "authorize.latency" | "authorizer.latency" => {
                    format!("{:.0}", authorization.as_ref()?.latency_ms)
                }
                other => {
                    let a = authorization.as_ref()?;
                    let key = other.strip_prefix("authorizer.")?;
                    if key == "principalId" {
                        a.principal_id.clone()?
                    } else {
                        a.context.get(key)?.clone()
                    }
                }
            })
        });
        state.dataplane.observer.access_log(arn, &line);
    }
    let mut response = reply
        .with_header("x-amzn-RequestId", &request_id)
        .into_response();
    let headers = response.headers_mut();
    if let Ok(v) = plan.deployment_id.parse() {
        headers.insert("x-stagecraft-deployment", v);
    }
    if let Some(a) = &authorization {
        headers.insert(
            "x-stagecraft-authorizer",
            http::HeaderValue::from_static(a.header()),
        );
    }
    if let Some(hit) = cache_hit {
        headers.insert(
            "x-stagecraft-cache",
            http::HeaderValue::from_static(if hit { "hit" } else { "miss" }),
        );
    }
    response
}
