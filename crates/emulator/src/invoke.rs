//! Authorizer invocation, shared by TestInvokeAuthorizer and the data plane: the Lambda call (AWS Lambda
//! Invoke API, SigV4 service `lambda`, or the in-process demo function), the verdict on its answer (with
//! core's event and policy rules, `stagecraft_core::dataplane::authorize`), the Cognito token check; and
//! TestInvokeAuthorizer's mapping of it to AWS's response fields (docs/aws-behaviour.md §5).
//!
//! Order: the identity source(s) and `identityValidationExpression` are checked first; a missing
//! identity or a failed expression is `clientStatus: 401` without invoking. Then the function is
//! invoked with the event AWS sends (TOKEN / REQUEST shapes); a function error whose message is
//! exactly `Unauthorized` is 401, any other function error, transport failure or output without a
//! `principalId` and `policyDocument` is 500, and a valid output is `clientStatus: 0`.
//!
//! Decisions where AWS is not recorded:
//! - `clientStatus` is 0 for a Deny policy too: test-invoke runs the authorizer, it does not evaluate
//!   the policy against a method (the console shows success for a Deny, docs/aws-behaviour.md §5).
//! - `methodArn` is `arn:aws:execute-api:{region}:{account}:{api}/null/GET/` (AWS was seen passing
//!   `null` as the stage); the region is the one the request was signed for.
//! - `authorization` holds the identity values that were used, keyed by header / parameter name.
//! - The validation expression must match the whole token (Java `Pattern.matches` semantics).
//! - COGNITO_USER_POOLS: the JWT is decoded, not verified; `claims` are its payload's fields, a
//!   malformed or expired token is 401.
//! - A function named `stagecraft-demo-authorizer` (any ARN ending in `:function:stagecraft-demo-authorizer`)
//!   runs in-process, so `--demo` works without a Lambda endpoint: token `allow` → Allow, `deny` →
//!   Deny, `unauthorized` → the `Unauthorized` error, anything else → another function error (500).
//! - Test-invoke does not fill the stage's authorizer cache.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use axum::Json;
use axum::extract::State;
use axum::http::Extensions;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use stagecraft_core::api::{Authorizer, TestInvokeAuthorizerRequest, TestInvokeAuthorizerResponse};
use stagecraft_core::authorizer::{self, IdentitySource};
use stagecraft_core::dataplane::authorize::{self, Failure, Grant};
use stagecraft_core::dataplane::proxy::{ProxyRequest, RequestContext};
use stagecraft_sigv4::Signer;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::AppState;
use crate::auth::SignedRegion;
use crate::error::{AwsJson, Error, Result};
use crate::handlers::P;

/// The function name that runs in-process.
pub const DEMO_FUNCTION: &str = "stagecraft-demo-authorizer";

/// How long a Lambda authorizer may take (AWS's limit).
const LAMBDA_TIMEOUT: Duration = Duration::from_secs(10);
/// Lambda's limit on a synchronous invocation's response (6 MB); a longer answer is not read further.
const LAMBDA_MAX_RESPONSE: usize = 6 * 1024 * 1024;
/// How much of an unusable answer the execution log quotes (a choice: AWS's is not recorded).
const LOG_QUOTE: usize = 1024;

/// The first [`LOG_QUOTE`] bytes of `bytes` as text, with the full length when cut.
fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LOG_QUOTE)]);
    if bytes.len() > LOG_QUOTE {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text.into_owned()
    }
}

/// An HTTP/1 client for the Lambda Invoke API (plain HTTP: `sam local start-lambda`, a stub).
#[derive(Clone)]
pub struct LambdaClient {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for LambdaClient {
    fn default() -> Self {
        Self::new()
    }
}

impl LambdaClient {
    /// A client with keep-alive.
    #[must_use]
    pub fn new() -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }
}

/// What the function did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Output JSON.
    Output(Value),
    /// A function error (`X-Amz-Function-Error`) with its `errorMessage`.
    FunctionError(String),
    /// The call failed (transport, status, bad body).
    Failed(String),
}

/// The in-process demo authorizer.
#[must_use]
pub fn demo_authorizer(event: &Value) -> Outcome {
    let token = event
        .get("authorizationToken")
        .and_then(Value::as_str)
        .or_else(|| {
            event
                .get("headers")
                .and_then(Value::as_object)
                .and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                        .and_then(|(_, v)| v.as_str())
                })
        })
        .unwrap_or("");
    let method_arn = event
        .get("methodArn")
        .and_then(Value::as_str)
        .unwrap_or("*");
    // arn:aws:execute-api:region:account:api/stage/VERB/path → api/*/* for a cacheable policy.
    let resource = match method_arn.split_once('/') {
        Some((prefix, _)) => format!("{prefix}/*/*"),
        None => method_arn.to_owned(),
    };
    let policy = |effect: &str| {
        json!({
            "principalId": "demo-user",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
            ]},
            "context": {"plan": "demo", "source": "stagecraft"}
        })
    };
    match token.trim().to_ascii_lowercase().as_str() {
        "allow" => Outcome::Output(policy("Allow")),
        "deny" => Outcome::Output(policy("Deny")),
        "unauthorized" => Outcome::FunctionError("Unauthorized".into()),
        _ => Outcome::FunctionError(format!(
            "Invalid token: expected allow, deny or unauthorized, got '{token}'"
        )),
    }
}

fn log_date() -> String {
    let fmt = format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    OffsetDateTime::now_utc().format(&fmt).unwrap_or_default()
}

struct Log(Vec<String>);

impl Log {
    fn new(authorizer_id: &str) -> Self {
        let mut log = Self(vec!["Execution log for request test-request".into()]);
        log.line(format!(
            "Starting authorizer: {authorizer_id} for request: test-request"
        ));
        log
    }
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push(format!("{} : {}", log_date(), text.as_ref()));
    }
    fn finish(self) -> String {
        let mut s = self.0.join("\n");
        s.push('\n');
        s
    }
}

fn header<'a>(req: &'a TestInvokeAuthorizerRequest, name: &str) -> Option<&'a str> {
    let single = req
        .headers
        .as_ref()
        .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)));
    if let Some((_, v)) = single {
        return Some(v.as_str());
    }
    req.multi_value_headers
        .as_ref()
        .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .and_then(|(_, v)| v.first().map(String::as_str))
}

fn query(req: &TestInvokeAuthorizerRequest) -> Vec<(String, String)> {
    let pq = req.path_with_query_string.as_deref().unwrap_or("/");
    let q = pq.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn path(req: &TestInvokeAuthorizerRequest) -> String {
    let pq = req.path_with_query_string.as_deref().unwrap_or("/");
    let p = pq.split_once('?').map_or(pq, |(p, _)| p);
    if p.is_empty() { "/".into() } else { p.into() }
}

/// Resolves one identity source from a test-invoke request (`context.X` from `additionalContext`).
fn resolve(source: &IdentitySource, req: &TestInvokeAuthorizerRequest) -> Option<String> {
    match source {
        IdentitySource::Header(n) => header(req, n).map(str::to_owned),
        IdentitySource::Query(n) => query(req).into_iter().find(|(k, _)| k == n).map(|(_, v)| v),
        IdentitySource::StageVariable(n) => {
            req.stage_variables.as_ref().and_then(|v| v.get(n)).cloned()
        }
        IdentitySource::Context(n) => req
            .additional_context
            .as_ref()
            .and_then(|v| v.get(n))
            .cloned(),
    }
}

/// Whether `expr` matches the whole of `text` (Java `Pattern.matches`, as AWS applies
/// `identityValidationExpression`); an invalid expression matches nothing.
pub(crate) fn full_match(expr: &str, text: &str) -> bool {
    regex_lite::Regex::new(&format!("^(?:{expr})$")).is_ok_and(|re| re.is_match(text))
}

/// Base64url as JWTs use it, padded or not; the standard alphabet is accepted too.
fn b64url_decode(input: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    GeneralPurpose::new(&URL_SAFE, config)
        .decode(input)
        .or_else(|_| GeneralPurpose::new(&STANDARD, config).decode(input))
        .ok()
}

/// The payload of a JWT (optionally after `Bearer `), decoded but not verified.
pub(crate) fn jwt_claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let token = token.strip_prefix("Bearer ").unwrap_or(token);
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice::<Value>(&b64url_decode(payload)?)
        .ok()?
        .as_object()
        .cloned()
}

fn response(status: i32, log: Log, started: Instant) -> TestInvokeAuthorizerResponse {
    TestInvokeAuthorizerResponse {
        client_status: status,
        log: Some(log.finish()),
        latency: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        ..TestInvokeAuthorizerResponse::default()
    }
}

/// The request facts of a test-invoke: `pathWithQueryString`, headers, stage variables; AWS's
/// placeholders for the rest (`test-invoke-stage`, `test-invoke-resource-id`, `GET`).
fn test_request(req: &TestInvokeAuthorizerRequest, account: &str, api: &str) -> ProxyRequest {
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, values) in req.multi_value_headers.iter().flatten() {
        if !headers.iter().any(|(h, _)| h == k) {
            headers.extend(values.iter().map(|v| (k.clone(), v.clone())));
        }
    }
    let path = path(req);
    ProxyRequest {
        resource: path.clone(),
        path,
        http_method: "GET".into(),
        headers,
        query: query(req),
        stage_variables: req.stage_variables.clone().unwrap_or_default(),
        context: RequestContext {
            account_id: account.to_owned(),
            api_id: api.to_owned(),
            request_id: "test-request".into(),
            resource_id: "test-invoke-resource-id".into(),
            stage: "test-invoke-stage".into(),
            source_ip: "test-invoke-source-ip".into(),
            user_agent: Some("stagecraft-test-invoke".into()),
            ..RequestContext::default()
        },
        ..ProxyRequest::default()
    }
}

/// `POST /restapis/{api}/authorizers/{id}`.
pub async fn test_invoke_authorizer(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    extensions: Extensions,
    AwsJson(req): AwsJson<TestInvokeAuthorizerRequest>,
) -> Result<Json<TestInvokeAuthorizerResponse>> {
    let account = state.config.account_id.clone();
    let auth: Authorizer = state.read(|s| s.api(&account, &api)?.authorizer(&id).cloned())?;
    let region = extensions
        .get::<SignedRegion>()
        .map_or_else(|| state.config.region.clone(), |r| r.0.clone());
    let started = Instant::now();
    let mut log = Log::new(&id);
    let sources = authorizer::identity_sources(&auth);
    let method_arn = format!("arn:aws:execute-api:{region}:{account}:{api}/null/GET/");

    // Identity.
    let Some(values) = authorize::identity(&sources, |s| resolve(s, &req)) else {
        log.line("The identity source was not found or empty: Unauthorized request: test-request");
        log.line("Unauthorized");
        return Ok(Json(response(401, log, started)));
    };
    let token = values.first().map(|(_, v)| v.clone()).unwrap_or_default();
    let identity: BTreeMap<String, Vec<String>> =
        values.into_iter().map(|(k, v)| (k, vec![v])).collect();
    if auth.authorizer_type != "REQUEST" {
        log.line(format!("Incoming identity: {token}"));
    }

    if auth.authorizer_type == "COGNITO_USER_POOLS" {
        let claims = match cognito_claims(&auth, &token) {
            Ok(c) => c,
            Err(why) => {
                log.line(format!("Unauthorized request: {why}"));
                return Ok(Json(response(401, log, started)));
            }
        };
        log.line("Successfully completed authorizer execution");
        let mut out = response(0, log, started);
        out.principal_id = claims.get("sub").cloned();
        out.claims = Some(claims);
        out.authorization = Some(identity);
        return Ok(Json(out));
    }

    if !token_matches(&auth, &token) {
        log.line(format!(
            "Incoming identity does not match the validation expression: {}",
            auth.identity_validation_expression.as_deref().unwrap_or("")
        ));
        log.line("Unauthorized");
        return Ok(Json(response(401, log, started)));
    }

    let event = if auth.authorizer_type == "TOKEN" {
        authorize::token_event(&token, &method_arn)
    } else {
        authorize::request_event(&test_request(&req, &account, &api), &method_arn)
    };
    let call = match call_authorizer(&state, &auth, &event, &region).await {
        Ok(call) => call,
        Err(NoEndpoint(function)) => {
            return Err(Error::bad_request(format!(
                "TestInvokeAuthorizer needs a Lambda endpoint to invoke {function}: start the emulator with --lambda-endpoint URL (for example http://127.0.0.1:3001 for `sam local start-lambda`)"
            )));
        }
    };
    log.line(format!(
        "Endpoint request URI: https://lambda.{}.amazonaws.com/2015-03-31/functions/{}/invocations",
        call.region, call.function
    ));
    log.line(format!(
        "Endpoint request body after transformations: {event}"
    ));
    if let Outcome::Output(output) = &call.outcome {
        log.line(format!("Authorizer result body before parsing: {output}"));
    }
    match verdict(call.outcome) {
        Ok(grant) => {
            log.line(format!(
                "Using valid authorizer policy for principal: {}",
                grant.principal_id
            ));
            log.line("Successfully completed authorizer execution");
            let mut out = response(0, log, started);
            out.principal_id = Some(grant.principal_id);
            out.policy = Some(grant.policy.to_string());
            out.authorization = Some(identity);
            Ok(Json(out))
        }
        Err(Failure::Unauthorized) => {
            log.line("Execution failed due to an authorizer error: Unauthorized");
            log.line("Unauthorized");
            Ok(Json(response(401, log, started)))
        }
        Err(Failure::Configuration(why)) => {
            log.line(format!(
                "Execution failed due to configuration error: {why}"
            ));
            log.line("AuthorizerConfigurationException");
            Ok(Json(response(500, log, started)))
        }
    }
}

/// The Lambda function an authorizer names has no endpoint to run on (its ARN).
#[derive(Debug)]
pub(crate) struct NoEndpoint(pub String);

/// One authorizer invocation: the function, the region it runs in, and what it did.
pub(crate) struct Call {
    pub function: String,
    pub region: String,
    pub outcome: Outcome,
}

/// Whether a TOKEN authorizer's `identityValidationExpression` (if any) matches the whole token; other
/// types have none to check.
pub(crate) fn token_matches(auth: &Authorizer, token: &str) -> bool {
    auth.authorizer_type != "TOKEN"
        || auth
            .identity_validation_expression
            .as_deref()
            .is_none_or(|expr| full_match(expr, token))
}

/// The claims of a COGNITO_USER_POOLS token (decoded, not verified), as text; why it is refused
/// (not a JWT, expired, `aud` failing `identityValidationExpression`) otherwise.
pub(crate) fn cognito_claims(
    auth: &Authorizer,
    token: &str,
) -> std::result::Result<BTreeMap<String, String>, String> {
    let claims = jwt_claims(token).ok_or("the token is not a valid JWT")?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if claims
        .get("exp")
        .and_then(Value::as_u64)
        .is_some_and(|exp| exp < now)
    {
        return Err("the token has expired".into());
    }
    if let Some(expr) = &auth.identity_validation_expression {
        let aud = claims.get("aud").and_then(Value::as_str).unwrap_or("");
        if !full_match(expr, aud) {
            return Err(format!("the token's aud does not match {expr}"));
        }
    }
    Ok(claims
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect())
}

/// Invokes the authorizer's function with `event`: the in-process demo function, or the Lambda endpoint.
///
/// # Errors
/// [`NoEndpoint`] when the function is not the demo's and no `--lambda-endpoint` is configured.
pub(crate) async fn call_authorizer(
    state: &AppState,
    auth: &Authorizer,
    event: &Value,
    default_region: &str,
) -> std::result::Result<Call, NoEndpoint> {
    let function = auth
        .authorizer_uri
        .as_deref()
        .and_then(authorizer::lambda_function_arn)
        .unwrap_or("")
        .to_owned();
    let region = function
        .split(':')
        .nth(3)
        .filter(|r| !r.is_empty())
        .unwrap_or(default_region)
        .to_owned();
    let is_demo =
        function == DEMO_FUNCTION || function.ends_with(&format!(":function:{DEMO_FUNCTION}"));
    let outcome = if is_demo {
        demo_authorizer(event)
    } else {
        let Some(endpoint) = state.config.lambda_endpoint.as_deref() else {
            return Err(NoEndpoint(function));
        };
        invoke_lambda(state, endpoint, &function, &region, event).await
    };
    Ok(Call {
        function,
        region,
        outcome,
    })
}

/// What an invocation means: a usable grant, or AWS's 401 / 500.
///
/// # Errors
/// [`Failure::Unauthorized`] for the `Unauthorized` function error; [`Failure::Configuration`] otherwise.
pub(crate) fn verdict(outcome: Outcome) -> std::result::Result<Grant, Failure> {
    match outcome {
        Outcome::Output(v) => authorize::parse_output(&v).map_err(Failure::Configuration),
        Outcome::FunctionError(message) => Err(authorize::function_error(&message)),
        Outcome::Failed(why) => Err(Failure::Configuration(why)),
    }
}

/// Calls `POST {endpoint}/2015-03-31/functions/{function}/invocations`, SigV4-signed for `lambda`.
pub(crate) async fn invoke_lambda(
    state: &AppState,
    endpoint: &str,
    function: &str,
    region: &str,
    event: &Value,
) -> Outcome {
    let encoded: String = form_urlencoded::byte_serialize(function.as_bytes()).collect();
    let url = format!(
        "{}/2015-03-31/functions/{encoded}/invocations",
        endpoint.trim_end_matches('/')
    );
    let uri: http::Uri = match url.parse() {
        Ok(u) => u,
        Err(e) => return Outcome::Failed(format!("Invalid Lambda endpoint {url}: {e}")),
    };
    let host = uri.authority().map(ToString::to_string).unwrap_or_default();
    let request = http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("host", host)
        .header("content-type", "application/json")
        .header("x-amz-invocation-type", "RequestResponse")
        .body(Bytes::from(event.to_string()));
    let Ok(mut request) = request else {
        return Outcome::Failed("could not build the Lambda request".into());
    };
    let signer = Signer::new(
        &state.config.access_key,
        &state.config.secret_key,
        region,
        "lambda",
    );
    if signer
        .sign_request(&mut request, SystemTime::now())
        .is_err()
    {
        return Outcome::Failed("could not sign the Lambda request".into());
    }
    let request = request.map(Full::new);
    let call = async {
        let res = state.lambda.client.request(request).await.map_err(|e| {
            let mut why = format!("Lambda endpoint failed: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                why.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            why
        })?;
        let status = res.status();
        let function_error = res.headers().contains_key("x-amz-function-error");
        let too_large = || {
            format!(
                "Response payload size exceeded maximum allowed payload size ({LAMBDA_MAX_RESPONSE} bytes)"
            )
        };
        let declared = res
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > LAMBDA_MAX_RESPONSE as u64) {
            return Err(too_large());
        }
        let bytes = http_body_util::Limited::new(res.into_body(), LAMBDA_MAX_RESPONSE)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    too_large()
                } else {
                    format!("Lambda endpoint closed the connection mid-answer: {e}")
                }
            })?
            .to_bytes();
        Ok::<_, String>((status, function_error, bytes))
    };
    let (status, function_error, bytes) = match tokio::time::timeout(LAMBDA_TIMEOUT, call).await {
        Err(_) => return Outcome::Failed("Lambda invocation timed out after 10000 ms".into()),
        Ok(Err(e)) => return Outcome::Failed(e),
        Ok(Ok(r)) => r,
    };
    let text = quote(&bytes);
    if !status.is_success() {
        return Outcome::Failed(format!("Lambda returned HTTP {}: {text}", status.as_u16()));
    }
    let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
    if function_error {
        let message = parsed
            .as_ref()
            .and_then(|v| v.get("errorMessage"))
            .and_then(Value::as_str)
            .map_or(text, str::to_owned);
        return Outcome::FunctionError(message);
    }
    match parsed {
        Some(v) => Outcome::Output(v),
        None => Outcome::Failed(format!("Invalid JSON in response: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_function() {
        let ev = |t: &str| json!({"type": "TOKEN", "authorizationToken": t, "methodArn": "arn:aws:execute-api:us-east-1:1:api/null/GET/"});
        let Outcome::Output(allow) = demo_authorizer(&ev("allow")) else {
            panic!()
        };
        assert_eq!(allow["policyDocument"]["Statement"][0]["Effect"], "Allow");
        assert_eq!(
            allow["policyDocument"]["Statement"][0]["Resource"],
            "arn:aws:execute-api:us-east-1:1:api/*/*"
        );
        let Outcome::Output(deny) = demo_authorizer(&ev("deny")) else {
            panic!()
        };
        assert_eq!(deny["policyDocument"]["Statement"][0]["Effect"], "Deny");
        assert_eq!(
            demo_authorizer(&ev("unauthorized")),
            Outcome::FunctionError("Unauthorized".into())
        );
        assert!(
            matches!(demo_authorizer(&ev("x")), Outcome::FunctionError(m) if m != "Unauthorized")
        );
    }

    #[test]
    fn decodes_jwt_payload() {
        // {"sub":"u1","aud":"client"}
        let claims = jwt_claims("e30.eyJzdWIiOiJ1MSIsImF1ZCI6ImNsaWVudCJ9.sig").unwrap();
        assert_eq!(claims["sub"], "u1");
        assert!(full_match("cli.*", "client"));
        assert!(!full_match("cli", "client"));
    }
}
