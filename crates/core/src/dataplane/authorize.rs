//! Lambda authorizers at request time (docs/aws-behaviour.md §8.5), as pure functions: the method ARN,
//! the events AWS sends, the reading of the function's answer and the evaluation of its policy against a
//! method ARN. TestInvokeAuthorizer and the data plane share them.
//!
//! Policy evaluation follows IAM: a statement applies when its `Action` covers `execute-api:Invoke` and
//! its `Resource` covers the method ARN (`*` matches any run of characters, `/` included; `?` one
//! character); an applying `Deny` wins, then an applying `Allow`; nothing applying is an implicit deny.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::proxy::{ProxyRequest, proxy_event};
use crate::authorizer::IdentitySource;

/// What a policy says about one method ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// An `Allow` statement covers it and no `Deny` does.
    Allow,
    /// A `Deny` statement covers it.
    ExplicitDeny,
    /// No statement covers it.
    ImplicitDeny,
}

/// How an authorization failed before any policy was evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// 401: a missing identity, a failed `identityValidationExpression`, or the function's `Unauthorized` error.
    Unauthorized,
    /// 500: any other function error, a failed call, or an unusable answer (the reason, for the log).
    Configuration(String),
}

/// A usable authorizer answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Grant {
    /// `principalId` (a number is taken as its text).
    pub principal_id: String,
    /// `policyDocument`.
    pub policy: Value,
    /// `context`, its values as text (as `$context.authorizer.KEY` and the proxy event carry them).
    pub context: BTreeMap<String, String>,
}

/// The message of a failed invocation's 401 (AWS: the function's error text is exactly `Unauthorized`).
pub const UNAUTHORIZED_ERROR: &str = "Unauthorized";

/// A function error: exactly `Unauthorized` is a 401, anything else a configuration error.
#[must_use]
pub fn function_error(message: &str) -> Failure {
    if message == UNAUTHORIZED_ERROR {
        Failure::Unauthorized
    } else {
        Failure::Configuration(format!("Authorizer error: {message}"))
    }
}

/// `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}/{path}`, `path` being the request path
/// below the stage (`/pets/7`; the root gives `…/GET/`).
#[must_use]
pub fn method_arn(
    region: &str,
    account: &str,
    api: &str,
    stage: &str,
    verb: &str,
    path: &str,
) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("arn:aws:execute-api:{region}:{account}:{api}/{stage}/{verb}/{path}")
}

/// The TOKEN event.
#[must_use]
pub fn token_event(token: &str, method_arn: &str) -> Value {
    json!({"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn})
}

/// The REQUEST event: the proxy event's request fields (empty maps as `{}`, no body) with `type` and
/// `methodArn`.
#[must_use]
pub fn request_event(request: &ProxyRequest, method_arn: &str) -> Value {
    let mut event = proxy_event(request);
    if let Value::Object(fields) = &mut event {
        fields.remove("body");
        fields.remove("isBase64Encoded");
        for (_, value) in fields.iter_mut() {
            if value.is_null() {
                *value = Value::Object(Map::new());
            }
        }
        if let Some(Value::Object(context)) = fields.get_mut("requestContext") {
            context.remove("authorizer");
        }
        fields.insert("type".into(), "REQUEST".into());
        fields.insert("methodArn".into(), method_arn.into());
    }
    event
}

/// The values of `sources` as `(name, value)`, read with `lookup`; `None` when one is missing or empty
/// (AWS answers 401 without calling the function).
pub fn identity(
    sources: &[IdentitySource],
    lookup: impl Fn(&IdentitySource) -> Option<String>,
) -> Option<Vec<(String, String)>> {
    sources
        .iter()
        .map(|source| {
            let name = match source {
                IdentitySource::Header(n)
                | IdentitySource::Query(n)
                | IdentitySource::StageVariable(n)
                | IdentitySource::Context(n) => n.clone(),
            };
            lookup(source).filter(|v| !v.is_empty()).map(|v| (name, v))
        })
        .collect()
}

/// The `context.NAME` identity sources AWS documents, read from the request's facts.
#[must_use]
pub fn context_value(request: &ProxyRequest, name: &str) -> Option<String> {
    let c = &request.context;
    Some(match name {
        "accountId" => c.account_id.clone(),
        "apiId" => c.api_id.clone(),
        "deploymentId" => c.deployment_id.clone(),
        "domainName" => c.domain_name.clone(),
        "httpMethod" => request.http_method.clone(),
        "identity.sourceIp" => c.source_ip.clone(),
        "identity.userAgent" => c.user_agent.clone()?,
        "path" => format!("/{}{}", c.stage, request.path),
        "protocol" => "HTTP/1.1".into(),
        "requestId" | "extendedRequestId" => c.request_id.clone(),
        "requestTime" => c.request_time.clone(),
        "requestTimeEpoch" => c.request_time_epoch.to_string(),
        "resourceId" => c.resource_id.clone(),
        "resourcePath" => request.resource.clone(),
        "stage" => c.stage.clone(),
        _ => return None,
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(value: Option<&Value>) -> Option<Vec<&str>> {
    match value? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(list) => list.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// The statements of a policy, each checked for shape; `None` when one is malformed.
fn statements(policy: &Value) -> Option<Vec<&Map<String, Value>>> {
    let list = match policy.get("Statement")? {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        one @ Value::Object(_) => vec![one],
        _ => return None,
    };
    list.into_iter()
        .map(|s| {
            let s = s.as_object()?;
            let effect = s.get("Effect")?.as_str()?;
            let ok = matches!(effect, "Allow" | "Deny")
                && strings(s.get("Action")).is_some()
                && strings(s.get("Resource")).is_some();
            ok.then_some(s)
        })
        .collect()
}

/// Reads the function's output: `principalId`, a `policyDocument` whose statements have an `Effect`
/// (`Allow` / `Deny`), `Action` and `Resource`, and a flat `context`.
///
/// # Errors
/// Why the output is unusable (AWS answers 500).
pub fn parse_output(output: &Value) -> Result<Grant, String> {
    let principal = output.get("principalId").and_then(scalar_text);
    let policy = output
        .get("policyDocument")
        .filter(|p| p.get("Statement").is_some());
    let (Some(principal_id), Some(policy)) = (principal, policy) else {
        return Err(
            "Invalid JSON in response: the output needs a principalId and a policyDocument".into(),
        );
    };
    if statements(policy).is_none() {
        return Err(format!(
            "Could not parse policy: each statement needs an Effect (Allow or Deny), an Action and a Resource: {policy}"
        ));
    }
    let mut context = BTreeMap::new();
    match output.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let Some(text) = scalar_text(v) else {
                    return Err(format!(
                        "Invalid context: the value of '{k}' is an object or an array; context values must be strings, numbers or booleans"
                    ));
                };
                context.insert(k.clone(), text);
            }
        }
        Some(other) => return Err(format!("Invalid context: {other} is not an object")),
    }
    Ok(Grant {
        principal_id,
        policy: policy.clone(),
        context,
    })
}

/// IAM wildcard matching: `*` any run of characters, `?` exactly one.
#[must_use]
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether an `Action` entry covers `execute-api:Invoke` (service prefix and action are case-insensitive, as in IAM).
fn covers_invoke(action: &str) -> bool {
    wildcard_match(&action.to_ascii_lowercase(), "execute-api:invoke")
}

/// Evaluates `policy` for `method_arn` (a malformed policy allows nothing).
#[must_use]
pub fn evaluate(policy: &Value, method_arn: &str) -> Decision {
    let Some(list) = statements(policy) else {
        return Decision::ImplicitDeny;
    };
    let mut allowed = false;
    for s in list {
        let applies = strings(s.get("Action")).is_some_and(|a| a.iter().any(|a| covers_invoke(a)))
            && strings(s.get("Resource"))
                .is_some_and(|r| r.iter().any(|r| wildcard_match(r, method_arn)));
        if !applies {
            continue;
        }
        if s.get("Effect").and_then(Value::as_str) == Some("Deny") {
            return Decision::ExplicitDeny;
        }
        allowed = true;
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// `requestContext.authorizer` of a Lambda proxy event after a Lambda authorizer allowed the request:
/// `principalId`, `integrationLatency` (ms) and the `context` keys.
#[must_use]
pub fn proxy_authorizer(
    grant_principal: &str,
    context: &BTreeMap<String, String>,
    latency_ms: u64,
) -> Value {
    let mut out: Map<String, Value> = context
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    out.insert("principalId".into(), grant_principal.into());
    out.insert("integrationLatency".into(), latency_ms.into());
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/7";

    fn policy(statements: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    fn stmt(effect: &str, resource: &str) -> Value {
        json!({"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource})
    }

    #[test]
    fn method_arns() {
        assert_eq!(
            method_arn("us-east-1", "1", "abc", "prod", "GET", "/"),
            "arn:aws:execute-api:us-east-1:1:abc/prod/GET/"
        );
        assert_eq!(
            method_arn("us-east-1", "1", "abc", "prod", "DELETE", "/pets/7"),
            "arn:aws:execute-api:us-east-1:1:abc/prod/DELETE/pets/7"
        );
    }

    #[test]
    fn wildcards_span_slashes() {
        assert!(wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abc/*",
            ARN
        ));
        assert!(wildcard_match("arn:aws:execute-api:*:*:abc/*/GET/*", ARN));
        assert!(wildcard_match("*", ARN));
        assert!(wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/?",
            ARN
        ));
        assert!(!wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/DELETE/*",
            ARN
        ));
        assert!(!wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets",
            ARN
        ));
        assert!(wildcard_match("a*b*c", "aXbYbc"));
        assert!(!wildcard_match("", "x"));
    }

    #[test]
    fn explicit_deny_wins_and_silence_denies() {
        let both = policy(json!([stmt("Allow", "*"), stmt("Deny", "*/GET/pets/*")]));
        assert_eq!(evaluate(&both, ARN), Decision::ExplicitDeny);
        let get_only = policy(json!([stmt(
            "Allow",
            "arn:aws:execute-api:*:*:abc/*/GET/*"
        )]));
        assert_eq!(evaluate(&get_only, ARN), Decision::Allow);
        assert_eq!(
            evaluate(&get_only, &ARN.replace("/GET/", "/DELETE/")),
            Decision::ImplicitDeny
        );
        let one = json!({"Statement": {"Action": ["execute-api:*"], "Effect": "Allow", "Resource": [ARN]}});
        assert_eq!(evaluate(&one, ARN), Decision::Allow);
        let other_action =
            policy(json!([{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}]));
        assert_eq!(evaluate(&other_action, ARN), Decision::ImplicitDeny);
    }

    #[test]
    fn outputs() {
        let ok = json!({"principalId": 7, "policyDocument": policy(json!([stmt("Allow", "*")])),
                        "context": {"n": 1, "b": true, "s": "x"}});
        let grant = parse_output(&ok).unwrap();
        assert_eq!(grant.principal_id, "7");
        assert_eq!(grant.context["n"], "1");
        assert_eq!(grant.context["b"], "true");
        assert!(parse_output(&json!({"principalId": "u"})).is_err());
        let bad_effect =
            json!({"principalId": "u", "policyDocument": policy(json!([stmt("Maybe", "*")]))});
        assert!(
            parse_output(&bad_effect)
                .unwrap_err()
                .starts_with("Could not parse policy")
        );
        let nested = json!({"principalId": "u", "policyDocument": policy(json!([stmt("Allow", "*")])),
                            "context": {"o": {"x": 1}}});
        assert!(
            parse_output(&nested)
                .unwrap_err()
                .starts_with("Invalid context")
        );
        assert_eq!(function_error("Unauthorized"), Failure::Unauthorized);
        assert!(matches!(function_error("boom"), Failure::Configuration(_)));
    }

    #[test]
    fn request_event_has_empty_maps_and_no_body() {
        let r = ProxyRequest {
            resource: "/pets".into(),
            path: "/pets".into(),
            http_method: "GET".into(),
            body: Some("x".into()),
            ..ProxyRequest::default()
        };
        let e = request_event(&r, ARN);
        assert_eq!(e["type"], "REQUEST");
        assert_eq!(e["methodArn"], ARN);
        assert_eq!(e["headers"], json!({}));
        assert!(e.get("body").is_none());
        assert_eq!(token_event("t", ARN)["authorizationToken"], "t");
    }

    #[test]
    fn identity_needs_every_source() {
        let sources = [
            IdentitySource::Header("A".into()),
            IdentitySource::Query("q".into()),
        ];
        let all = identity(&sources, |_| Some("v".into())).unwrap();
        assert_eq!(
            all,
            vec![("A".into(), "v".into()), ("q".into(), "v".into())]
        );
        let some =
            |s: &IdentitySource| matches!(s, IdentitySource::Header(_)).then(|| "v".to_owned());
        assert!(identity(&sources, some).is_none());
        assert!(identity(&sources, |_| Some(String::new())).is_none());
    }

    proptest! {
        /// A literal pattern matches only itself; `*` matches everything; a pattern matches the text it was
        /// cut from with any middle replaced by `*`.
        #[test]
        fn wildcard_laws(text in "[a-z/:*?]{0,20}", cut in 0usize..20, len in 0usize..20) {
            let literal = text.replace(['*', '?'], "x");
            prop_assert!(wildcard_match(&literal, &literal));
            prop_assert!(wildcard_match("*", &text));
            let chars: Vec<char> = literal.chars().collect();
            let start = cut.min(chars.len());
            let end = (start + len).min(chars.len());
            let pattern: String = chars[..start].iter().chain(['*'].iter()).chain(chars[end..].iter()).collect();
            prop_assert!(wildcard_match(&pattern, &literal));
            let longer = format!("{literal}x");
            prop_assert!(!wildcard_match(&longer, &literal));
        }
    }
}
