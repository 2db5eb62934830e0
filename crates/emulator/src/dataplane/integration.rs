//! Running a method's integration (docs/aws-behaviour.md §8.2): MOCK, HTTP / HTTP_PROXY (plain `http://`
//! targets), AWS_PROXY through the Lambda Invoke API at `--lambda-endpoint`.
//!
//! An integration is read once per stage plan ([`Prepared::new`], with the stage variables in force):
//! a MOCK's answer is built then, an HTTP target without path parameters is parsed then, and a request
//! only runs what is left.
//!
//! *stagecraft* limits and choices:
//! - Mapping templates (VTL) are not evaluated. A MOCK request template must be static JSON
//!   (`{"statusCode": 200}`); a response template is served as static text. A method whose templates
//!   use VTL is served with an `x-stagecraft-warning` header saying so.
//! - A MOCK without any integration response answers AWS's 500 `{"message": "Internal server error"}`;
//!   an HTTP integration without one passes the backend's status and body.
//! - `selectionPattern` must match the whole status text (not recorded).
//! - `AWS` (non-proxy service) integrations and `https://` targets are not run: 502
//!   `Internal server error`, with the reason in `x-stagecraft-warning`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::Value;
use stagecraft_core::dataplane::proxy::{
    ProxyRequest, mock_status, parse_proxy_response, proxy_event, select_integration_response,
    substitute_stage_variables, uses_vtl,
};
use stagecraft_core::dataplane::texts::{
    CONFIGURATION_ERROR, ENDPOINT_TIMED_OUT, INTEGRATION_FAILURE, INTERNAL_SERVER_ERROR,
};

use super::reply::{Reply, json_headers};
use super::upstream::{Failure, HttpClient};
use crate::AppState;
use crate::invoke::{Outcome, invoke_lambda};

/// The warning header for features stagecraft does not emulate.
pub const WARNING_HEADER: &str = "x-stagecraft-warning";
const VTL_WARNING: &str = "mapping templates (VTL) are not evaluated by stagecraft";

/// AWS's default and maximum `timeoutInMillis`.
const DEFAULT_TIMEOUT_MS: u64 = 29_000;

/// Where an HTTP integration sends requests.
#[derive(Debug)]
enum Target {
    /// Parsed once: the URI had no path parameters to fill.
    Fixed(http::Uri),
    /// The URI after stage variables, with `{param}` / `{param+}` to fill per request.
    Template(String),
}

#[derive(Debug)]
enum Kind {
    /// The answer, built once.
    Mock(Reply),
    Http {
        proxy: bool,
        /// The integration's `httpMethod` (`None`: the request's, for `ANY` or none).
        verb: Option<String>,
        target: Target,
    },
    /// The function named by the URI (`None`: the URI names none).
    Lambda(Option<String>),
    /// An integration type stagecraft does not run.
    Other(String),
}

/// A method's integration, ready to run.
#[derive(Debug)]
pub struct Prepared {
    kind: Kind,
    timeout: Duration,
    vtl: bool,
    /// The stored integration JSON (integration responses of HTTP integrations).
    integration: Value,
}

/// One request to run through an integration.
pub struct Call<'a> {
    /// The request verb.
    pub verb: &'a str,
    /// The raw query string.
    pub query: Option<&'a str>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// Path parameters.
    pub path_parameters: &'a [(String, String)],
    /// The Lambda proxy event's facts (built only for AWS_PROXY, see [`Prepared::needs_event`]).
    pub event: Option<&'a ProxyRequest>,
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn templates_use_vtl(integration: &Value) -> bool {
    let in_map = |m: Option<&Value>| {
        m.and_then(Value::as_object)
            .is_some_and(|t| t.values().filter_map(Value::as_str).any(uses_vtl))
    };
    let responses = integration
        .get("integrationResponses")
        .and_then(Value::as_object);
    in_map(integration.get("requestTemplates"))
        || responses.is_some_and(|r| r.values().any(|r| in_map(r.get("responseTemplates"))))
}

impl Prepared {
    /// Reads `integration` (`Value::Null` when the method has none) with the stage variables in force.
    pub fn new(integration: &Value, variables: &BTreeMap<String, String>) -> Self {
        let vtl = templates_use_vtl(integration);
        let uri = || substitute_stage_variables(text(integration, "uri").unwrap_or(""), variables);
        let kind = match text(integration, "type").unwrap_or("") {
            "MOCK" => {
                let reply = mock(integration);
                Kind::Mock(if vtl {
                    reply.with_header(WARNING_HEADER, VTL_WARNING)
                } else {
                    reply
                })
            }
            kind @ ("HTTP" | "HTTP_PROXY") => {
                let uri = uri();
                Kind::Http {
                    proxy: kind == "HTTP_PROXY",
                    verb: match text(integration, "httpMethod") {
                        Some("ANY") | None => None,
                        Some(v) => Some(v.to_owned()),
                    },
                    target: match uri.parse::<http::Uri>() {
                        Ok(parsed) if !uri.contains('{') => Target::Fixed(parsed),
                        _ => Target::Template(uri),
                    },
                }
            }
            "AWS_PROXY" => Kind::Lambda(lambda_function(&uri()).map(str::to_owned)),
            other => Kind::Other(other.to_owned()),
        };
        Self {
            kind,
            timeout: Duration::from_millis(
                integration
                    .get("timeoutInMillis")
                    .and_then(Value::as_u64)
                    .unwrap_or(DEFAULT_TIMEOUT_MS),
            ),
            vtl,
            integration: integration.clone(),
        }
    }

    /// Whether [`Call::event`] is needed (AWS_PROXY).
    pub const fn needs_event(&self) -> bool {
        matches!(self.kind, Kind::Lambda(_))
    }

    /// The integration's `cacheNamespace`, if set.
    pub fn cache_namespace(&self) -> Option<&str> {
        text(&self.integration, "cacheNamespace")
    }

    /// The integration's `cacheKeyParameters`.
    pub fn cache_key_parameters(&self) -> impl Iterator<Item = &str> {
        self.integration
            .get("cacheKeyParameters")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(Value::as_str)
    }

    /// Runs the integration within its `timeoutInMillis` (504 `Endpoint request timed out` after it).
    pub async fn run(&self, state: &AppState, http: &HttpClient, call: Call<'_>) -> Reply {
        let work = async {
            match &self.kind {
                Kind::Mock(reply) => reply.clone(),
                Kind::Http {
                    proxy,
                    verb,
                    target,
                } => {
                    let verb = verb.as_deref().unwrap_or(call.verb);
                    http_call(http, &self.integration, target, verb, &call, *proxy).await
                }
                Kind::Lambda(function) => lambda(state, function.as_deref(), &call).await,
                Kind::Other(other) => Reply::gateway(INTERNAL_SERVER_ERROR).with_header(
                    WARNING_HEADER,
                    &format!("{other} integrations are not run by stagecraft"),
                ),
            }
        };
        // A MOCK answers at once (its VTL warning is part of the prepared answer).
        if matches!(self.kind, Kind::Mock(_)) {
            return work.await;
        }
        let reply = tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| Reply::gateway(ENDPOINT_TIMED_OUT));
        if self.vtl {
            reply.with_header(WARNING_HEADER, VTL_WARNING)
        } else {
            reply
        }
    }
}

fn full_match(pattern: &str, text: &str) -> bool {
    regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(text))
}

/// Maps a status (and a backend body) through the integration responses; `None` when the
/// integration has none.
fn integration_response(integration: &Value, status: u16, backend: Option<Bytes>) -> Option<Reply> {
    let responses = integration
        .get("integrationResponses")
        .and_then(Value::as_object)
        .filter(|r| !r.is_empty())?;
    let Some((key, chosen)) =
        select_integration_response(responses, &status.to_string(), full_match)
    else {
        return Some(Reply::gateway(CONFIGURATION_ERROR));
    };
    let status = text(chosen, "statusCode")
        .unwrap_or(key)
        .parse()
        .unwrap_or(status);
    let template = chosen
        .get("responseTemplates")
        .and_then(Value::as_object)
        .and_then(|t| t.get("application/json").or_else(|| t.values().next()))
        .and_then(Value::as_str);
    let body = match template {
        Some(t) if !t.is_empty() => Bytes::copy_from_slice(t.as_bytes()),
        _ => backend.unwrap_or_default(),
    };
    Some(Reply {
        status,
        headers: json_headers(),
        body,
        error: None,
    })
}

/// A MOCK's answer: the request template's status through the integration responses (none → AWS's 500).
fn mock(integration: &Value) -> Reply {
    let template = integration
        .get("requestTemplates")
        .and_then(Value::as_object)
        .and_then(|t| t.get("application/json").or_else(|| t.values().next()))
        .and_then(Value::as_str);
    let status = template.and_then(mock_status).unwrap_or(200);
    integration_response(integration, status, None)
        .unwrap_or_else(|| Reply::gateway(CONFIGURATION_ERROR))
}

/// The target URI: `{param}` / `{param+}` from the path parameters, and for HTTP_PROXY the request's
/// query string.
fn target_uri(target: &Target, call: &Call<'_>, proxy: bool) -> Option<http::Uri> {
    let query = call.query.filter(|q| proxy && !q.is_empty());
    let mut url = match (target, query) {
        (Target::Fixed(uri), None) => return Some(uri.clone()),
        (Target::Fixed(uri), Some(_)) => uri.to_string(),
        (Target::Template(template), _) => {
            let mut url = template.clone();
            for (name, value) in call.path_parameters {
                url = url
                    .replace(&format!("{{{name}+}}"), value)
                    .replace(&format!("{{{name}}}"), value);
            }
            url
        }
    };
    if let Some(q) = query {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(q);
    }
    url.parse().ok()
}

const HOP_BY_HOP: &[&str] = &[
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
];

async fn http_call(
    http: &HttpClient,
    integration: &Value,
    target: &Target,
    verb: &str,
    call: &Call<'_>,
    proxy: bool,
) -> Reply {
    let failure = |why: &str| Reply::gateway(INTEGRATION_FAILURE).with_header(WARNING_HEADER, why);
    let Some(uri) = target_uri(target, call, proxy) else {
        return failure("the integration URI is not a valid URL");
    };
    if uri.scheme_str() != Some("http") {
        return failure("stagecraft calls plain http:// integration targets only");
    }
    let Ok(method) = http::Method::from_bytes(verb.as_bytes()) else {
        return failure("the integration request could not be built");
    };
    let mut headers = HeaderMap::with_capacity(call.headers.len() + 1);
    if let Some(host) = uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    {
        headers.insert(http::header::HOST, host);
    }
    for (k, v) in call.headers {
        if !HOP_BY_HOP.contains(&k.as_str()) {
            headers.append(k.clone(), v.clone());
        }
    }
    let mut req = http::Request::new(Full::new(call.body.clone()));
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    let (parts, body) = match http.send(req).await {
        Ok(answer) => answer,
        Err(Failure::Unreachable) => return failure("the integration target could not be reached"),
        Err(Failure::CutOff) => return failure("the integration response was cut off"),
        Err(Failure::TooLarge) => {
            return failure("the integration response is larger than API Gateway's 10 MB limit");
        }
    };
    let status = parts.status.as_u16();
    let mut headers = parts.headers;
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
    if proxy {
        return Reply {
            status,
            headers,
            body,
            error: None,
        };
    }
    integration_response(integration, status, Some(body.clone())).unwrap_or_else(|| Reply {
        status,
        headers: json_headers(),
        body,
        error: None,
    })
}

/// `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations` → function.
fn lambda_function(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(":lambda:path/2015-03-31/functions/")?;
    rest.strip_suffix("/invocations")
}

async fn lambda(state: &AppState, function: Option<&str>, call: &Call<'_>) -> Reply {
    let bad = |why: &str| Reply::gateway(INTERNAL_SERVER_ERROR).with_header(WARNING_HEADER, why);
    let Some(function) = function else {
        return bad("the integration URI names no Lambda function");
    };
    let Some(endpoint) = state.config.lambda_endpoint.as_deref() else {
        return bad("no --lambda-endpoint to invoke the function");
    };
    let Some(event) = call.event else {
        return bad("the request's Lambda event was not built");
    };
    let region = state.config.region.clone();
    let mut event = event.clone();
    event.body = (!call.body.is_empty()).then(|| String::from_utf8_lossy(&call.body).into_owned());
    match invoke_lambda(state, endpoint, function, &region, &proxy_event(&event)).await {
        Outcome::Output(answer) => match parse_proxy_response(&answer) {
            Some(r) => {
                let mut reply = Reply {
                    status: r.status,
                    headers: HeaderMap::with_capacity(r.headers.len()),
                    body: Bytes::from(r.body),
                    error: None,
                };
                for (k, v) in &r.headers {
                    reply = reply.with_header(k, v);
                }
                reply
            }
            None => Reply::gateway(INTERNAL_SERVER_ERROR),
        },
        Outcome::FunctionError(_) | Outcome::Failed(_) => Reply::gateway(INTERNAL_SERVER_ERROR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_uri() {
        assert_eq!(
            lambda_function(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"
            ),
            Some("arn:aws:lambda:us-east-1:1:function:f")
        );
        assert_eq!(lambda_function("arn:aws:s3:::x"), None);
    }

    #[test]
    fn a_mock_answers_through_its_integration_responses() {
        let template = serde_json::json!({"application/json": "{\"statusCode\": 201}"});
        let bare = serde_json::json!({"type": "MOCK", "requestTemplates": template});
        let reply = mock(&bare);
        assert_eq!(
            (reply.status, &reply.body[..]),
            (500, &br#"{"message": "Internal server error"}"#[..]),
            "no integration response: AWS's 500"
        );
        let mut with = bare;
        with["integrationResponses"] = serde_json::json!({
            "200": {"statusCode": "200", "responseTemplates": {"application/json": "ok"}},
            "201": {"statusCode": "201", "selectionPattern": "201",
                    "responseTemplates": {"application/json": "created"}}
        });
        let reply = mock(&with);
        assert_eq!((reply.status, &reply.body[..]), (201, &b"created"[..]));
    }
}
