//! Running a method's integration (docs/aws-behaviour.md §8.2): MOCK, HTTP / HTTP_PROXY (plain `http://`
//! targets), AWS_PROXY through the Lambda Invoke API at `--lambda-endpoint`.
//!
//! *stagecraft* limits and choices:
//! - Mapping templates (VTL) are not evaluated. A MOCK request template must be static JSON
//!   (`{"statusCode": 200}`); a response template is served as static text. A method whose templates
//!   use VTL is served with an `x-stagecraft-warning` header saying so.
//! - An integration without any integration response answers with the MOCK's status (empty body) or the
//!   HTTP backend's status and body (AWS answers 500 for such a configuration).
//! - `selectionPattern` must match the whole status text (not recorded).
//! - `AWS` (non-proxy service) integrations and `https://` targets are not run: 502
//!   `Internal server error`, with the reason in `x-stagecraft-warning`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::HeaderMap;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;
use stagecraft_core::dataplane::proxy::{
    ProxyRequest, mock_status, parse_proxy_response, proxy_event, select_integration_response,
    substitute_stage_variables, uses_vtl,
};
use stagecraft_core::dataplane::texts::{
    CONFIGURATION_ERROR, ENDPOINT_TIMED_OUT, INTEGRATION_FAILURE, INTERNAL_SERVER_ERROR,
};

use super::reply::Reply;
use crate::AppState;
use crate::invoke::{Outcome, invoke_lambda};

/// The warning header for features stagecraft does not emulate.
pub const WARNING_HEADER: &str = "x-stagecraft-warning";
const VTL_WARNING: &str = "mapping templates (VTL) are not evaluated by stagecraft";

/// AWS's default and maximum `timeoutInMillis`.
const DEFAULT_TIMEOUT_MS: u64 = 29_000;

/// An HTTP/1 client for HTTP integrations.
pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// One request to run through an integration.
pub struct Call<'a> {
    /// The stored integration JSON.
    pub integration: &'a Value,
    /// The request verb.
    pub verb: &'a str,
    /// The raw query string.
    pub query: Option<&'a str>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// Stage variables in force.
    pub variables: &'a BTreeMap<String, String>,
    /// The proxy event's facts (path parameters, context).
    pub event: &'a ProxyRequest,
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

/// Runs the integration within its `timeoutInMillis` (504 `Endpoint request timed out` after it).
pub async fn run(state: &AppState, http: &HttpClient, call: Call<'_>) -> Reply {
    let timeout = call
        .integration
        .get("timeoutInMillis")
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_TIMEOUT_MS);
    let vtl = templates_use_vtl(call.integration);
    let kind = text(call.integration, "type").unwrap_or("");
    let work = async {
        match kind {
            "MOCK" => mock(call.integration),
            "HTTP" | "HTTP_PROXY" => http_call(http, &call, kind == "HTTP_PROXY").await,
            "AWS_PROXY" => lambda(state, &call).await,
            other => Reply::gateway(INTERNAL_SERVER_ERROR).with_header(
                WARNING_HEADER,
                &format!("{other} integrations are not run by stagecraft"),
            ),
        }
    };
    let reply = match tokio::time::timeout(Duration::from_millis(timeout), work).await {
        Ok(reply) => reply,
        Err(_) => Reply::gateway(ENDPOINT_TIMED_OUT),
    };
    if vtl {
        reply.with_header(WARNING_HEADER, VTL_WARNING)
    } else {
        reply
    }
}

fn full_match(pattern: &str, text: &str) -> bool {
    regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(text))
}

/// Maps a status (and a backend body) through the integration responses.
fn integration_response(integration: &Value, status: u16, backend: Option<Vec<u8>>) -> Reply {
    let responses = integration
        .get("integrationResponses")
        .and_then(Value::as_object)
        .filter(|r| !r.is_empty());
    let Some(responses) = responses else {
        return Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: backend.unwrap_or_default(),
            error: None,
        };
    };
    let Some((key, chosen)) =
        select_integration_response(responses, &status.to_string(), full_match)
    else {
        return Reply::gateway(CONFIGURATION_ERROR);
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
        Some(t) if !t.is_empty() => t.as_bytes().to_vec(),
        _ => backend.unwrap_or_default(),
    };
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body,
        error: None,
    }
}

fn mock(integration: &Value) -> Reply {
    let template = integration
        .get("requestTemplates")
        .and_then(Value::as_object)
        .and_then(|t| t.get("application/json").or_else(|| t.values().next()))
        .and_then(Value::as_str);
    let status = template.and_then(mock_status).unwrap_or(200);
    integration_response(integration, status, None)
}

/// The target URL: stage variables, `{param}` / `{param+}` from the path parameters, and for
/// HTTP_PROXY the request's query string.
fn target_url(call: &Call<'_>, proxy: bool) -> String {
    let mut url =
        substitute_stage_variables(text(call.integration, "uri").unwrap_or(""), call.variables);
    for (name, value) in &call.event.path_parameters {
        url = url
            .replace(&format!("{{{name}+}}"), value)
            .replace(&format!("{{{name}}}"), value);
    }
    if proxy && let Some(q) = call.query.filter(|q| !q.is_empty()) {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(q);
    }
    url
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

async fn http_call(http: &HttpClient, call: &Call<'_>, proxy: bool) -> Reply {
    let url = target_url(call, proxy);
    let failure = |why: &str| Reply::gateway(INTEGRATION_FAILURE).with_header(WARNING_HEADER, why);
    let Ok(uri) = url.parse::<http::Uri>() else {
        return failure("the integration URI is not a valid URL");
    };
    if uri.scheme_str() != Some("http") {
        return failure("stagecraft calls plain http:// integration targets only");
    }
    let verb = match text(call.integration, "httpMethod") {
        Some("ANY") | None => call.verb,
        Some(v) => v,
    };
    let mut req = http::Request::builder().method(verb).uri(uri.clone());
    if let Some(authority) = uri.authority() {
        req = req.header("host", authority.as_str());
    }
    for (k, v) in call.headers {
        if !HOP_BY_HOP.contains(&k.as_str()) {
            req = req.header(k, v);
        }
    }
    let Ok(req) = req.body(Full::new(call.body.clone())) else {
        return failure("the integration request could not be built");
    };
    let res = match http.request(req).await {
        Ok(r) => r,
        Err(_) => return failure("the integration target could not be reached"),
    };
    let status = res.status().as_u16();
    let headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(k, _)| !HOP_BY_HOP.contains(&k.as_str()))
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let Ok(body) = res.into_body().collect().await else {
        return failure("the integration response was cut off");
    };
    let body = body.to_bytes().to_vec();
    if proxy {
        Reply {
            status,
            headers,
            body,
            error: None,
        }
    } else {
        integration_response(call.integration, status, Some(body))
    }
}

/// `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations` → function.
fn lambda_function(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(":lambda:path/2015-03-31/functions/")?;
    rest.strip_suffix("/invocations")
}

async fn lambda(state: &AppState, call: &Call<'_>) -> Reply {
    let uri =
        substitute_stage_variables(text(call.integration, "uri").unwrap_or(""), call.variables);
    let bad = |why: &str| Reply::gateway(INTERNAL_SERVER_ERROR).with_header(WARNING_HEADER, why);
    let Some(function) = lambda_function(&uri) else {
        return bad("the integration URI names no Lambda function");
    };
    let Some(endpoint) = state.config.lambda_endpoint.as_deref() else {
        return bad("no --lambda-endpoint to invoke the function");
    };
    let region = state.config.region.clone();
    let mut event = call.event.clone();
    event.body = (!call.body.is_empty()).then(|| String::from_utf8_lossy(&call.body).into_owned());
    match invoke_lambda(state, endpoint, function, &region, &proxy_event(&event)).await {
        Outcome::Output(answer) => match parse_proxy_response(&answer) {
            Some(r) => Reply {
                status: r.status,
                headers: r.headers,
                body: r.body.into_bytes(),
                error: None,
            },
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
}
