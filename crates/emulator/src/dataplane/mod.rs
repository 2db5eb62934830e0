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
mod plan;
mod reply;
mod upstream;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use stagecraft_core::dataplane::authorize::method_arn;
use stagecraft_core::dataplane::cache::{
    CacheDecision, ParameterSource, asks_max_age_zero, cache_key, decide, key_parameter,
};
use stagecraft_core::dataplane::log::write_access_log_line;
use stagecraft_core::dataplane::proxy::{ProxyRequest, RequestContext};
use stagecraft_core::dataplane::texts::{
    CACHE_CONTROL_FORBIDDEN, CACHE_CONTROL_WARNING, MAX_PAYLOAD, MISSING_AUTHENTICATION_TOKEN,
    REQUEST_TOO_LARGE, TOO_MANY_REQUESTS, UNKNOWN_STAGE,
};

use crate::AppState;
use crate::auth::{request_id, verify};
use authorize::{Authorization, Input};
pub use cache::Entry as CachedResponse;
use integration::Call;
use observe::{AuthorizerSample, Observer, Sample};
use plan::{Cluster, Context, Found, Miss, Plans};
use reply::Reply;
use upstream::HttpClient;

/// The host suffix of the `Host`-header invoke URL form.
pub const HOST_SUFFIX: &str = stagecraft_core::invoke_url::LOCAL_HOST_SUFFIX;

/// Data-plane state: per-stage plans, the canary draw, HTTP client, metrics, logs.
pub struct Runtime {
    plans: Plans,
    clusters: Mutex<std::collections::HashMap<(String, String), Cluster>>,
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
            plans: Plans::default(),
            clusters: Mutex::default(),
            rng: Mutex::new(seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed)),
            http: HttpClient::default(),
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

/// A data-plane request's API id, stage name and path below the stage.
struct Target<'a> {
    api: Cow<'a, str>,
    stage: &'a str,
    path: &'a str,
}

/// `rest` split at its first `/`: the part before, and the rest from that `/` (`/` when none).
fn first_segment(rest: &str) -> (&str, &str) {
    rest.find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]))
}

/// Where a request goes when it is for the data plane.
fn target<'a>(headers: &'a HeaderMap, path: &'a str) -> Option<Target<'a>> {
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let api_len = host.len().saturating_sub(HOST_SUFFIX.len());
    if host.len() > HOST_SUFFIX.len()
        && host.is_char_boundary(api_len)
        && host[api_len..].eq_ignore_ascii_case(HOST_SUFFIX)
    {
        let api = &host[..api_len];
        let api = if api.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(api.to_ascii_lowercase())
        } else {
            Cow::Borrowed(api)
        };
        let (stage, path) = first_segment(path.strip_prefix('/').unwrap_or(path));
        return Some(Target { api, stage, path });
    }
    let rest = path.strip_prefix("/restapis/")?;
    let (api, rest) = rest.split_once('/')?;
    let (stage, rest) = rest.split_once('/')?;
    let (marker, path) = first_segment(rest);
    (marker == "_user_request_").then_some(Target {
        api: Cow::Borrowed(api),
        stage,
        path,
    })
}

/// Middleware in front of the control plane: data-plane requests and `GET /metrics` are answered here.
pub async fn intercept(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/metrics" && req.method() == http::Method::GET {
        let mut res = Response::new(Body::from(state.dataplane.observer.prometheus()));
        res.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        );
        return res;
    }
    if target(req.headers(), req.uri().path()).is_none() {
        return next.run(req).await;
    }
    serve(&state, req).await
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

/// `dd/MMM/yyyy:HH:mm:ss +0000`, appended to `out`.
fn write_request_time(out: &mut String, epoch_ms: u64) {
    let fmt = time::macros::format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    );
    if let Some(t) =
        time::OffsetDateTime::from_unix_timestamp(i64::try_from(epoch_ms / 1000).unwrap_or(0))
            .ok()
            .and_then(|t| t.format(fmt).ok())
    {
        out.push_str(&t);
    }
}

fn request_time(epoch_ms: u64) -> String {
    let mut out = String::new();
    write_request_time(&mut out, epoch_ms);
    out
}

/// The stage's plan and the request's method, under the store's read lock. Drops the stage's cache
/// first when a new plan shows its cluster resized or disabled.
fn find(state: &AppState, api: &str, stage: &str, verb: &str, path: &str) -> Result<Found, Miss> {
    let dp = &state.dataplane;
    let now = dp.epoch.elapsed().as_secs_f64();
    let (found, built) = state.read(|store| {
        let a = store.apis.get(api).ok_or(Miss::UnknownStage)?;
        let (plan, built) = dp
            .plans
            .stage(a, stage, store.generation())
            .ok_or(Miss::UnknownStage)?;
        let ctx = Context {
            api: a,
            ids: (api, stage),
            now,
        };
        let draw = || dp.rng.lock().unwrap_or_else(PoisonError::into_inner).f64() * 100.0;
        Ok((dp.plans.find(plan, &ctx, verb, path, draw), built))
    })?;
    if built && let Ok(f) = &found {
        check_cluster(state, api, stage, &f.stage.cluster);
    }
    found
}

/// Drops the stage's cache when its cluster was resized or disabled since the last plan.
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

/// The values of the integration's `cacheKeyParameters` in this request.
fn key_parameters<'a>(
    names: impl Iterator<Item = &'a str>,
    headers: &HeaderMap,
    query: Option<&str>,
    path: &[(String, String)],
) -> Vec<(String, Option<String>)> {
    names
        .map(|p| {
            let value = key_parameter(p).and_then(|(source, name)| match source {
                ParameterSource::Header => headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                ParameterSource::Query => query_pairs(query)
                    .into_iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v),
                ParameterSource::Path => {
                    path.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
                }
            });
            (p.to_owned(), value)
        })
        .collect()
}

/// The Lambda proxy event's facts (for AWS_PROXY integrations and authorizers).
fn event(
    state: &AppState,
    parts: &http::request::Parts,
    t: &Target<'_>,
    found: &Found,
    request_id: &str,
    epoch_ms: u64,
) -> ProxyRequest {
    let served = found.served();
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    };
    ProxyRequest {
        resource: found.method.resource_path.clone(),
        path: t.path.to_owned(),
        http_method: parts.method.as_str().to_owned(),
        headers: header_pairs(&parts.headers),
        query: query_pairs(parts.uri.query()),
        path_parameters: found.path_parameters.clone(),
        stage_variables: served.variables.as_ref().clone(),
        body: None,
        context: RequestContext {
            account_id: state.config.account_id.clone(),
            api_id: t.api.to_string(),
            deployment_id: served.deployment_id.clone(),
            domain_name: header(http::header::HOST).unwrap_or_default(),
            request_id: request_id.to_owned(),
            request_time: request_time(epoch_ms),
            request_time_epoch: epoch_ms,
            resource_id: found.method.resource_id.clone(),
            stage: t.stage.to_owned(),
            source_ip: "127.0.0.1".into(),
            user_agent: header(http::header::USER_AGENT),
            is_canary: served.canary,
            authorizer: None,
        },
    }
}

/// What one request did, for its access-log line.
struct Done<'a> {
    target: &'a Target<'a>,
    found: &'a Found,
    verb: &'a str,
    request_id: &'a str,
    epoch_ms: u64,
    reply: &'a Reply,
    latency_ms: f64,
    integration_ms: f64,
    authorization: Option<&'a Authorization>,
}

/// Appends the `$context` variable `name` to `out`; `false` when it has no value here.
fn context_variable(d: &Done<'_>, name: &str, out: &mut String) -> bool {
    let served = d.found.served();
    let method = &d.found.method;
    match name {
        "requestId" | "extendedRequestId" => out.push_str(d.request_id),
        "identity.sourceIp" => out.push_str("127.0.0.1"),
        "requestTime" => write_request_time(out, d.epoch_ms),
        "requestTimeEpoch" => {
            let _ = write!(out, "{}", d.epoch_ms);
        }
        "httpMethod" => out.push_str(d.verb),
        "resourcePath" => out.push_str(&method.resource_path),
        "resourceId" => out.push_str(&method.resource_id),
        "path" => {
            let _ = write!(out, "/{}{}", d.target.stage, d.target.path);
        }
        "stage" => out.push_str(d.target.stage),
        "apiId" => out.push_str(&d.target.api),
        "status" => {
            let _ = write!(out, "{}", d.reply.status);
        }
        "protocol" => out.push_str("HTTP/1.1"),
        "responseLength" => {
            let _ = write!(out, "{}", d.reply.body.len());
        }
        "responseLatency" => {
            let _ = write!(out, "{:.0}", d.latency_ms);
        }
        "integrationLatency" => {
            let _ = write!(out, "{:.0}", d.integration_ms);
        }
        "isCanaryRequest" => {
            let _ = write!(out, "{}", served.canary);
        }
        "deploymentId" => out.push_str(&served.deployment_id),
        "error.message" | "error.messageString" => {
            let Some(e) = &d.reply.error else {
                return false;
            };
            if name == "error.message" {
                out.push_str(e);
            } else {
                let _ = write!(out, "\"{e}\"");
            }
        }
        other => {
            let Some(a) = d.authorization else {
                return false;
            };
            match other {
                "authorize.status" | "authorizer.status" => {
                    let _ = write!(out, "{}", a.status);
                }
                "authorize.latency" | "authorizer.latency" => {
                    let _ = write!(out, "{:.0}", a.latency_ms);
                }
                _ => {
                    let value = match other.strip_prefix("authorizer.") {
                        Some("principalId") => a.principal_id.as_deref(),
                        Some(key) => a.context.get(key).map(String::as_str),
                        None => None,
                    };
                    let Some(v) = value else {
                        return false;
                    };
                    out.push_str(v);
                }
            }
        }
    }
    true
}

async fn serve(state: &AppState, req: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let Some(t) = target(&parts.headers, parts.uri.path()) else {
        return Reply::gateway(MISSING_AUTHENTICATION_TOKEN).into_response();
    };
    let Ok(body) = to_bytes(body, MAX_PAYLOAD).await else {
        return Reply::gateway(REQUEST_TOO_LARGE).into_response();
    };
    let (api, stage, path) = (t.api.as_ref(), t.stage, t.path);
    let verb = parts.method.as_str();
    let found = match find(state, api, stage, verb, path) {
        Ok(f) => f,
        Err(Miss::UnknownStage) => return Reply::gateway(UNKNOWN_STAGE).into_response(),
        Err(Miss::NoRoute) => return Reply::gateway(MISSING_AUTHENTICATION_TOKEN).into_response(),
    };
    let method = &found.method;
    let served = found.served();
    let signed = parts
        .headers
        .contains_key(http::header::AUTHORIZATION)
        .then(|| verify(state, &parts, &body, "execute-api"));
    if method.authorization_type == "AWS_IAM" {
        match &signed {
            None => return Reply::gateway(MISSING_AUTHENTICATION_TOKEN).into_response(),
            Some(Err(e)) => return e.clone().into_response(),
            Some(Ok(_)) => {}
        }
    }
    let authorized = matches!(signed, Some(Ok(_)));
    let request_id = request_id();
    let epoch_ms = cache::now_ms();
    let has_authorizer = matches!(
        method.authorization_type.as_str(),
        "CUSTOM" | "COGNITO_USER_POOLS"
    );
    let mut event = (has_authorizer || method.integration.needs_event())
        .then(|| self::event(state, &parts, &t, &found, &request_id, epoch_ms));
    let mut cache_hit = None;
    let mut integration_ms = 0.0;
    let mut authorization: Option<Authorization> = None;
    let reply = 'reply: {
        let now = state.dataplane.epoch.elapsed().as_secs_f64();
        if !method
            .bucket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .try_take(now)
        {
            break 'reply Reply::gateway(TOO_MANY_REQUESTS);
        }
        if has_authorizer && let Some(event) = &mut event {
            let arn = method_arn(
                &state.config.region,
                &state.config.account_id,
                api,
                stage,
                verb,
                path,
            );
            let input = Input {
                authorizer: method.authorizer.as_ref(),
                request: event,
                method_arn: &arn,
                deployment: &served.deployment_id,
            };
            // Boxed, like the integration call below: the request's own future stays small (it is
            // moved into place on every request), and only requests that call out pay for the rest.
            let (seen, result) = Box::pin(authorize::authorize(state, api, stage, &input)).await;
            authorization = Some(seen);
            match result {
                Ok(value) => event.context.authorizer = Some(value),
                Err(reply) => break 'reply reply,
            }
        }
        let caching = method.settings.caches(found.stage.cluster.0);
        let mut cache_slot = None;
        let mut warning = false;
        if caching {
            let max_age_zero = parts
                .headers
                .get(http::header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .is_some_and(asks_max_age_zero);
            let decision = decide(&method.settings, max_age_zero, authorized);
            if decision == CacheDecision::Forbid {
                break 'reply Reply::gateway(CACHE_CONTROL_FORBIDDEN);
            }
            warning = decision == CacheDecision::UseWithWarning;
            let namespace = method
                .integration
                .cache_namespace()
                .unwrap_or(&method.resource_id);
            let namespace = if served.canary && !served.use_stage_cache {
                Cow::Owned(format!("canary:{}:{namespace}", served.deployment_id))
            } else {
                Cow::Borrowed(namespace)
            };
            let key = cache_key(
                &namespace,
                verb,
                &method.resource_path,
                &found.path_parameters,
                &key_parameters(
                    method.integration.cache_key_parameters(),
                    &parts.headers,
                    parts.uri.query(),
                    &found.path_parameters,
                ),
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
        let reply = Box::pin(method.integration.run(
            state,
            &state.dataplane.http,
            Call {
                verb,
                query: parts.uri.query(),
                headers: &parts.headers,
                body: Bytes::clone(&body),
                path_parameters: &found.path_parameters,
                event: event.as_ref(),
            },
        ))
        .await;
        integration_ms = call_started.elapsed().as_secs_f64() * 1000.0;
        if let Some(key) = cache_slot {
            cache::put(
                state,
                api,
                stage,
                key,
                &reply,
                method.settings.cache_ttl_in_seconds,
            );
        }
        if warning {
            reply.with_header("Warning", CACHE_CONTROL_WARNING)
        } else {
            reply
        }
    };
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let observer = &state.dataplane.observer;
    method.cells(observer, api, stage).record(&Sample {
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
    if let Some(log) = &found.stage.access_log {
        let done = Done {
            target: &t,
            found: &found,
            verb,
            request_id: &request_id,
            epoch_ms,
            reply: &reply,
            latency_ms,
            integration_ms,
            authorization: authorization.as_ref(),
        };
        let mut line = String::with_capacity(log.format.len() + 64);
        write_access_log_line(&mut line, &log.format, |name, out| {
            context_variable(&done, name, out)
        });
        observer.access_log(&log.arn, &line);
    }
    let mut response = reply.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(request_id)) {
        headers.append(http::HeaderName::from_static("x-amzn-requestid"), v);
    }
    if let Some(v) = &served.deployment_header {
        headers.insert(
            http::HeaderName::from_static("x-stagecraft-deployment"),
            v.clone(),
        );
    }
    if let Some(a) = &authorization {
        headers.insert(
            http::HeaderName::from_static("x-stagecraft-authorizer"),
            HeaderValue::from_static(a.header()),
        );
    }
    if let Some(hit) = cache_hit {
        headers.insert(
            http::HeaderName::from_static("x-stagecraft-cache"),
            HeaderValue::from_static(if hit { "hit" } else { "miss" }),
        );
    }
    response
}
