//! Integration inputs and outputs (docs/aws-behaviour.md §8.2): `${stageVariables.x}` in URIs, the Lambda proxy
//! event (format 1.0) and AWS's reading of the function's answer, MOCK status selection.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// Replaces every `${stageVariables.NAME}` with the variable's value (an unknown one becomes empty,
/// as AWS's evaluation of a missing variable does).
#[must_use]
pub fn substitute_stage_variables(text: &str, variables: &BTreeMap<String, String>) -> String {
    const OPEN: &str = "${stageVariables.";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        if let Some(v) = variables.get(&after[..end]) {
            out.push_str(v);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether a mapping template uses VTL (anything beyond static text), which stagecraft does not
/// evaluate.
#[must_use]
pub fn uses_vtl(template: &str) -> bool {
    template.contains('$')
        || template.contains("#set")
        || template.contains("#if")
        || template.contains("#foreach")
}

/// The status a MOCK request template asks for (`{"statusCode": 200}`); `None` if the template is not
/// such static JSON.
#[must_use]
pub fn mock_status(request_template: &str) -> Option<u16> {
    let v: Value = serde_json::from_str(request_template).ok()?;
    let code = v.get("statusCode")?;
    code.as_u64()
        .or_else(|| code.as_str().and_then(|s| s.parse().ok()))
        .and_then(|c| u16::try_from(c).ok())
}

/// The integration response for `status`: the one whose `selectionPattern` matches the status text
/// (`matches(pattern, text)`, a whole-string regex match, *stagecraft*'s choice), else the one without a
/// pattern (or with an empty one). Returns its key (the method response status code).
#[must_use]
pub fn select_integration_response<'a>(
    responses: &'a Map<String, Value>,
    status: &str,
    matches: impl Fn(&str, &str) -> bool,
) -> Option<(&'a str, &'a Value)> {
    fn pattern(r: &Value) -> Option<&str> {
        r.get("selectionPattern")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
    }
    responses
        .iter()
        .find(|(_, r)| pattern(r).is_some_and(|p| matches(p, status)))
        .or_else(|| responses.iter().find(|(_, r)| pattern(r).is_none()))
        .map(|(k, v)| (k.as_str(), v))
}

/// The request facts a Lambda proxy event carries.
#[derive(Clone, Debug, Default)]
pub struct ProxyRequest {
    /// The resource path (`/pets/{petId}`).
    pub resource: String,
    /// The request path below the stage (`/pets/7`).
    pub path: String,
    /// The request verb.
    pub http_method: String,
    /// Headers in arrival order (names as sent).
    pub headers: Vec<(String, String)>,
    /// Query parameters in order, decoded.
    pub query: Vec<(String, String)>,
    /// Path parameters.
    pub path_parameters: Vec<(String, String)>,
    /// Stage variables in force (canary overrides applied).
    pub stage_variables: BTreeMap<String, String>,
    /// The body as text, `None` when empty.
    pub body: Option<String>,
    /// `requestContext` fields.
    pub context: RequestContext,
}

/// `requestContext` of the event (and the `$context` variables of access logs).
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    /// Account id.
    pub account_id: String,
    /// API id.
    pub api_id: String,
    /// Deployment served.
    pub deployment_id: String,
    /// Host the request came to.
    pub domain_name: String,
    /// Request id.
    pub request_id: String,
    /// `dd/MMM/yyyy:HH:mm:ss +0000`.
    pub request_time: String,
    /// Epoch milliseconds.
    pub request_time_epoch: u64,
    /// Resource id.
    pub resource_id: String,
    /// Stage name.
    pub stage: String,
    /// Client address.
    pub source_ip: String,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// Whether the canary deployment serves the request.
    pub is_canary: bool,
    /// `requestContext.authorizer` after an authorizer allowed the request (absent otherwise).
    pub authorizer: Option<Value>,
}

fn single(pairs: &[(String, String)]) -> Value {
    if pairs.is_empty() {
        return Value::Null;
    }
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

fn multi(pairs: &[(String, String)]) -> Value {
    if pairs.is_empty() {
        return Value::Null;
    }
    let mut out: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        if let Value::Array(list) = out
            .entry(k.clone())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(Value::from(v.as_str()));
        }
    }
    Value::Object(out)
}

/// The Lambda proxy event, format 1.0. Absent maps and body are `null`; a repeated key keeps its last
/// value in the single-value maps.
#[must_use]
pub fn proxy_event(r: &ProxyRequest) -> Value {
    let c = &r.context;
    let variables: Vec<(String, String)> = r
        .stage_variables
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut event = json!({
        "resource": r.resource,
        "path": r.path,
        "httpMethod": r.http_method,
        "headers": single(&r.headers),
        "multiValueHeaders": multi(&r.headers),
        "queryStringParameters": single(&r.query),
        "multiValueQueryStringParameters": multi(&r.query),
        "pathParameters": single(&r.path_parameters),
        "stageVariables": single(&variables),
        "requestContext": {
            "accountId": c.account_id,
            "apiId": c.api_id,
            "deploymentId": c.deployment_id,
            "domainName": c.domain_name,
            "domainPrefix": c.domain_name.split('.').next().unwrap_or(""),
            "extendedRequestId": c.request_id,
            "httpMethod": r.http_method,
            "identity": {
                "accessKey": null, "accountId": null, "caller": null, "cognitoAuthenticationProvider": null,
                "cognitoAuthenticationType": null, "cognitoIdentityId": null, "cognitoIdentityPoolId": null,
                "principalOrgId": null, "sourceIp": c.source_ip, "user": null,
                "userAgent": c.user_agent, "userArn": null
            },
            "path": format!("/{}{}", c.stage, r.path),
            "protocol": "HTTP/1.1",
            "requestId": c.request_id,
            "requestTime": c.request_time,
            "requestTimeEpoch": c.request_time_epoch,
            "resourceId": c.resource_id,
            "resourcePath": r.resource,
            "stage": c.stage,
        },
        "body": r.body,
        "isBase64Encoded": false,
    });
    if let Some(authorizer) = &c.authorizer {
        event["requestContext"]["authorizer"] = authorizer.clone();
    }
    event
}

/// A Lambda proxy answer as the client gets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers (a header in both maps is sent with every value).
    pub headers: Vec<(String, String)>,
    /// The body text (base64 text is returned as is: stagecraft has no binary media types).
    pub body: String,
}

fn header_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// Reads a function's answer as AWS does; `None` is AWS's 502 (`Malformed Lambda proxy response`):
/// a non-object, an unknown top-level key, a status that is not a number, a header map that is not an
/// object, a multi-value header that is not a list, a body that is not a string.
#[must_use]
pub fn parse_proxy_response(answer: &Value) -> Option<ProxyResponse> {
    const KEYS: &[&str] = &[
        "statusCode",
        "headers",
        "multiValueHeaders",
        "body",
        "isBase64Encoded",
    ];
    let obj = answer.as_object()?;
    if obj.keys().any(|k| !KEYS.contains(&k.as_str())) {
        return None;
    }
    let status = match obj.get("statusCode") {
        None | Some(Value::Null) => 200,
        Some(Value::Number(n)) => u16::try_from(n.as_u64()?).ok()?,
        Some(Value::String(s)) => s.trim().parse().ok()?,
        Some(_) => return None,
    };
    if !(100..=599).contains(&status) {
        return None;
    }
    let mut headers = Vec::new();
    match obj.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                headers.push((k.clone(), header_text(v)?));
            }
        }
        Some(_) => return None,
    }
    match obj.get("multiValueHeaders") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                for item in v.as_array()? {
                    headers.push((k.clone(), header_text(item)?));
                }
            }
        }
        Some(_) => return None,
    }
    let body = match obj.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return None,
    };
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    Some(ProxyResponse {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_variables_are_substituted() {
        let vars = BTreeMap::from([("host".to_owned(), "h:1".to_owned())]);
        assert_eq!(
            substitute_stage_variables(
                "http://${stageVariables.host}/x/${stageVariables.none}?a",
                &vars
            ),
            "http://h:1/x/?a"
        );
        assert_eq!(
            substitute_stage_variables("${stageVariables.open", &vars),
            "${stageVariables.open"
        );
    }

    #[test]
    fn proxy_answers_as_recorded() {
        let ok = |v: Value| parse_proxy_response(&v);
        assert_eq!(
            ok(json!({"headers": {"a": true}})).map(|r| (r.status, r.headers.len())),
            Some((200, 2))
        );
        assert_eq!(
            ok(json!({"statusCode": "201"})).map(|r| r.status),
            Some(201)
        );
        assert_eq!(ok(json!({"statusCode": "test"})), None);
        assert_eq!(ok(json!({"statusCode": 200, "other": 1})), None);
        assert_eq!(ok(json!({"multiValueHeaders": {"a": "b"}})), None);
        assert_eq!(ok(json!("text")), None);
        assert_eq!(ok(json!({"body": {"a": 1}})), None);
    }

    #[test]
    fn mock_selection() {
        assert_eq!(mock_status(r#"{"statusCode": 404}"#), Some(404));
        assert_eq!(mock_status("#set($x = 1)"), None);
        let responses: Map<String, Value> = serde_json::from_value(json!({
            "200": {"statusCode": "200"},
            "404": {"statusCode": "404", "selectionPattern": "4\\d\\d"}
        }))
        .unwrap_or_default();
        let m = |p: &str, t: &str| p == "4\\d\\d" && t.starts_with('4');
        assert_eq!(
            select_integration_response(&responses, "404", m).map(|r| r.0),
            Some("404")
        );
        assert_eq!(
            select_integration_response(&responses, "200", m).map(|r| r.0),
            Some("200")
        );
    }
}
