//! Authorizer rules: what CreateAuthorizer / UpdateAuthorizer accept, with AWS's texts where AWS has one
//! (see `messages` for which are recorded and which are stagecraft's).
//!
//! - `authorizerResultTtlInSeconds`: 0–3600; unset means 300 (AWS omits it from the output when unset).
//! - TOKEN: a Lambda `authorizerUri` and exactly one `method.request.header.X` identity source.
//! - REQUEST: a Lambda `authorizerUri`; a comma-separated list of `method.request.header.X`,
//!   `method.request.querystring.X`, `stageVariables.X` or `context.X`, required only when the TTL is > 0.
//! - COGNITO_USER_POOLS: one or more user-pool `providerARNs` and one header identity source.
//! - `identityValidationExpression` is a regex; core has no regex engine, so the caller passes one in
//!   to [`check`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::messages;
use crate::patch::{Op, PatchOperation};

/// Largest accepted TTL.
pub const MAX_TTL: i64 = 3600;
/// The TTL of an authorizer that sets none.
pub const DEFAULT_TTL: i64 = 300;
/// The three authorizer types.
pub const TYPES: &[&str] = &["TOKEN", "REQUEST", "COGNITO_USER_POOLS"];

/// An authorizer (CreateAuthorizer / GetAuthorizer output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorizer {
    /// The authorizer id.
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// `TOKEN`, `REQUEST` or `COGNITO_USER_POOLS`.
    #[serde(rename = "type", default)]
    pub authorizer_type: String,
    /// User pool ARNs (COGNITO_USER_POOLS).
    #[serde(
        rename = "providerARNs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_arns: Option<Vec<String>>,
    /// Free text for OpenAPI round trips (AWS answers `custom` / `cognito_user_pools` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{lambdaArn}/invocations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_uri: Option<String>,
    /// IAM role API Gateway assumes to invoke the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_credentials: Option<String>,
    /// Where the identity comes from (`method.request.header.Auth`, …, comma-separated for REQUEST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_source: Option<String>,
    /// Regex the token must match (TOKEN) or the `aud` claim (COGNITO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_validation_expression: Option<String>,
    /// Cache TTL, 0–3600; omitted when never set (the effective default is 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_result_ttl_in_seconds: Option<i64>,
}

impl Authorizer {
    /// The header a TOKEN or COGNITO_USER_POOLS authorizer reads its token from
    /// (`method.request.header.Authorization` → `Authorization`).
    #[must_use]
    pub fn token_header(&self) -> Option<&str> {
        self.identity_source
            .as_deref()?
            .split(',')
            .find_map(|s| s.trim().strip_prefix("method.request.header."))
    }
}

/// TestInvokeAuthorizer input (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInvokeAuthorizerRequest {
    /// Request headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Request headers with several values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    /// Path plus query string (`/pets?type=dog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_with_query_string: Option<String>,
    /// Request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Stage variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// Extra `$context` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<BTreeMap<String, String>>,
}

/// TestInvokeAuthorizer output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInvokeAuthorizerResponse {
    /// The status the client would get; 0 when the authorizer succeeded.
    pub client_status: i32,
    /// The execution log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// Milliseconds.
    pub latency: i64,
    /// The principal the authorizer returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// The policy document, as a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The authorization response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<BTreeMap<String, Vec<String>>>,
    /// Cognito claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<BTreeMap<String, String>>,
}

/// The 404 for an authorizer id that names no authorizer of the API.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_AUTHORIZER_ID)
}

/// CreateAuthorizer's answer for an API id that names no API: AWS's 409 (GetAuthorizers and the
/// others answer the usual 404).
#[must_use]
pub fn api_missing() -> ApiError {
    ApiError::conflict(messages::CONCURRENT_MODIFICATION)
}

/// Checks an authorizer as CreateAuthorizer / UpdateAuthorizer do (`input`: `createAuthorizerInput` or
/// `updateAuthorizerInput`, as AWS names the request in its enum error): the type, then [`validate`],
/// then the `identityValidationExpression`'s syntax with `regex_ok`.
///
/// # Errors
/// A type outside the enum (`ValidationException`), or the first rule broken (`BadRequestException`).
pub fn check(
    authorizer: &Authorizer,
    input: &str,
    regex_ok: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    if !TYPES.contains(&authorizer.authorizer_type.as_str()) {
        return Err(ApiError::enum_violation(
            &authorizer.authorizer_type,
            &format!("{input}.type"),
            TYPES,
        ));
    }
    validate(authorizer)?;
    if let Some(expr) = &authorizer.identity_validation_expression
        && !regex_ok(expr)
    {
        return Err(ApiError::bad_request(
            messages::invalid_identity_validation_expression(expr),
        ));
    }
    Ok(())
}

/// The authorizer CreateAuthorizer stores (before it gets its id): the required members, [`check`],
/// and AWS's default `authType`.
///
/// # Errors
/// A missing `name` or `type` (`ValidationException`), or what [`check`] reports.
pub fn to_new(
    mut authorizer: Authorizer,
    regex_ok: impl Fn(&str) -> bool,
) -> Result<Authorizer, ApiError> {
    if authorizer.name.is_empty() {
        return Err(ApiError::member_null("createAuthorizerInput.name"));
    }
    if authorizer.authorizer_type.is_empty() {
        return Err(ApiError::member_null("createAuthorizerInput.type"));
    }
    check(&authorizer, "createAuthorizerInput", regex_ok)?;
    if authorizer.auth_type.is_none() {
        authorizer.auth_type = Some(default_auth_type(&authorizer.authorizer_type).into());
    }
    Ok(authorizer)
}

/// Checks that authorizer `id` may be deleted: no method uses it. `methods` are
/// `(http method, resource path, method)`.
///
/// # Errors
/// `BadRequestException` naming the first method that uses it.
pub fn check_deletable<'a>(
    id: &str,
    methods: impl IntoIterator<Item = (&'a str, &'a str, &'a crate::api::Method)>,
) -> Result<(), ApiError> {
    for (verb, path, method) in methods {
        if method.authorizer_id.as_deref() == Some(id) {
            return Err(ApiError::bad_request(messages::authorizer_in_use(
                verb, path,
            )));
        }
    }
    Ok(())
}

/// One parsed identity source expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentitySource {
    /// `method.request.header.X`
    Header(String),
    /// `method.request.querystring.X`
    Query(String),
    /// `stageVariables.X`
    StageVariable(String),
    /// `context.X`
    Context(String),
}

fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Parses one identity source expression.
#[must_use]
pub fn parse_identity_source(expr: &str) -> Option<IdentitySource> {
    let expr = expr.trim();
    let (ctor, name): (fn(String) -> IdentitySource, &str) =
        if let Some(n) = expr.strip_prefix("method.request.header.") {
            (IdentitySource::Header, n)
        } else if let Some(n) = expr.strip_prefix("method.request.querystring.") {
            (IdentitySource::Query, n)
        } else if let Some(n) = expr.strip_prefix("stageVariables.") {
            (IdentitySource::StageVariable, n)
        } else if let Some(n) = expr.strip_prefix("context.") {
            (IdentitySource::Context, n)
        } else {
            return None;
        };
    name_ok(name).then(|| ctor(name.to_owned()))
}

/// The identity sources of an authorizer (empty when it has none).
#[must_use]
pub fn identity_sources(authorizer: &Authorizer) -> Vec<IdentitySource> {
    authorizer
        .identity_source
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .filter_map(parse_identity_source)
        .collect()
}

/// The TTL in effect: the stored one, or 300.
#[must_use]
pub fn effective_ttl(authorizer: &Authorizer) -> i64 {
    authorizer
        .authorizer_result_ttl_in_seconds
        .unwrap_or(DEFAULT_TTL)
}

/// The Lambda function ARN inside an authorizer URI
/// (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{lambdaArn}/invocations`).
#[must_use]
pub fn lambda_function_arn(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("apigateway:")?;
    let (region, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("lambda:path/")?;
    let rest = rest.strip_prefix("2015-03-31/functions/")?;
    let function = rest.strip_suffix("/invocations")?;
    (!region.is_empty() && !function.is_empty()).then_some(function)
}

/// The region named in an authorizer URI.
#[must_use]
pub fn uri_region(uri: &str) -> Option<&str> {
    uri.split(':').nth(3).filter(|r| !r.is_empty())
}

fn cognito_arn_ok(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", p, "cognito-idp", region, account, pool]
        if p.starts_with("aws") && !region.is_empty() && !account.is_empty()
            && pool.strip_prefix("userpool/").is_some_and(|id| !id.is_empty()))
}

fn header_source(source: Option<&str>) -> Result<(), ApiError> {
    match source.map(parse_identity_source) {
        Some(Some(IdentitySource::Header(_))) if !source.unwrap_or("").contains(',') => Ok(()),
        _ => Err(ApiError::bad_request(messages::invalid_token_source(
            source,
        ))),
    }
}

/// Checks an authorizer as CreateAuthorizer / UpdateAuthorizer would (the type must already be one of
/// [`TYPES`]; an unknown type is a validation error the caller reports).
///
/// # Errors
/// The first problem as a `BadRequestException`.
pub fn validate(authorizer: &Authorizer) -> Result<(), ApiError> {
    if authorizer.name.trim().is_empty() {
        return Err(ApiError::bad_request(messages::AUTHORIZER_NAME_REQUIRED));
    }
    if let Some(ttl) = authorizer.authorizer_result_ttl_in_seconds
        && !(0..=MAX_TTL).contains(&ttl)
    {
        return Err(ApiError::bad_request(messages::invalid_authorizer_ttl(
            &ttl.to_string(),
        )));
    }
    let lambda_uri = || {
        authorizer
            .authorizer_uri
            .as_deref()
            .and_then(lambda_function_arn)
            .map(|_| ())
            .ok_or_else(|| ApiError::bad_request(messages::INVALID_AUTHORIZER_URI))
    };
    match authorizer.authorizer_type.as_str() {
        "TOKEN" => {
            lambda_uri()?;
            header_source(authorizer.identity_source.as_deref())
        }
        "REQUEST" => {
            lambda_uri()?;
            let raw = authorizer.identity_source.as_deref().unwrap_or("");
            let mut count = 0;
            for expr in raw.split(',').filter(|s| !s.trim().is_empty()) {
                parse_identity_source(expr).ok_or_else(|| {
                    ApiError::bad_request(messages::invalid_identity_source(expr.trim()))
                })?;
                count += 1;
            }
            if count == 0 && effective_ttl(authorizer) > 0 {
                return Err(ApiError::bad_request(
                    messages::REQUEST_NEEDS_IDENTITY_SOURCE,
                ));
            }
            Ok(())
        }
        "COGNITO_USER_POOLS" => {
            let arns = authorizer.provider_arns.as_deref().unwrap_or(&[]);
            if arns.is_empty() || !arns.iter().all(|a| cognito_arn_ok(a)) {
                return Err(ApiError::bad_request(messages::INVALID_PROVIDER_ARNS));
            }
            header_source(authorizer.identity_source.as_deref())
        }
        other => Err(ApiError::enum_violation(
            other,
            "createAuthorizerInput.type",
            TYPES,
        )),
    }
}

/// The `authType` AWS reports for an authorizer created without one.
#[must_use]
pub fn default_auth_type(authorizer_type: &str) -> &'static str {
    if authorizer_type == "COGNITO_USER_POOLS" {
        "cognito_user_pools"
    } else {
        "custom"
    }
}

/// Applies UpdateAuthorizer `patchOperations` (replace of the scalar fields; add/remove of
/// `/providerARNs/{arn}`), then [`validate`]s the result. Atomic.
///
/// A `replace` with `""` clears an optional field; `replace /authorizerResultTtlInSeconds` takes an integer string.
///
/// # Errors
/// AWS's "Invalid patch path" / "Invalid patch operation" texts, or the validation error.
pub fn apply_patch(
    authorizer: &Authorizer,
    ops: &[PatchOperation],
) -> Result<Authorizer, ApiError> {
    let mut next = authorizer.clone();
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        let opt = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        if let Some(arn) = op.path.strip_prefix("/providerARNs/") {
            let arn = crate::pointer::unescape(arn);
            let arns = next.provider_arns.get_or_insert_with(Vec::new);
            match op.op {
                Op::Add => {
                    if !arns.contains(&arn) {
                        arns.push(arn);
                    }
                }
                Op::Remove => arns.retain(|a| *a != arn),
                _ => {
                    return Err(ApiError::bad_request(messages::invalid_patch_op(
                        "add, remove",
                    )));
                }
            }
            continue;
        }
        if op.op != Op::Replace {
            return Err(ApiError::bad_request(messages::invalid_patch_op("replace")));
        }
        match op.path.as_str() {
            "/name" => next.name = value,
            "/type" => {
                if !TYPES.contains(&value.as_str()) {
                    return Err(ApiError::enum_violation(
                        &value,
                        "updateAuthorizerInput.type",
                        TYPES,
                    ));
                }
                next.authorizer_type = value;
            }
            "/authType" => next.auth_type = opt(&value),
            "/authorizerUri" => next.authorizer_uri = opt(&value),
            "/authorizerCredentials" => next.authorizer_credentials = opt(&value),
            "/identitySource" => next.identity_source = opt(&value),
            "/identityValidationExpression" => next.identity_validation_expression = opt(&value),
            "/authorizerResultTtlInSeconds" => {
                let ttl = value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::bad_request(messages::invalid_authorizer_ttl(&value)))?;
                next.authorizer_result_ttl_in_seconds = Some(ttl);
            }
            path => return Err(ApiError::bad_request(messages::invalid_patch_path(path))),
        }
    }
    validate(&next)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations";

    fn token() -> Authorizer {
        Authorizer {
            id: "a1".into(),
            name: "auth".into(),
            authorizer_type: "TOKEN".into(),
            authorizer_uri: Some(URI.into()),
            identity_source: Some("method.request.header.Authorization".into()),
            ..Authorizer::default()
        }
    }

    #[test]
    fn extracts_function_arn() {
        assert_eq!(
            lambda_function_arn(URI),
            Some("arn:aws:lambda:us-east-1:123456789012:function:auth")
        );
        assert_eq!(
            lambda_function_arn("arn:aws:lambda:us-east-1:1:function:x"),
            None
        );
        assert_eq!(uri_region(URI), Some("us-east-1"));
    }

    #[test]
    fn token_rules() {
        assert!(validate(&token()).is_ok());
        let mut a = token();
        a.identity_source = Some("method.request.querystring.key".into());
        assert_eq!(
            validate(&a).unwrap_err().message,
            "Invalid token source expression: method.request.querystring.key. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'."
        );
        let mut a = token();
        a.authorizer_result_ttl_in_seconds = Some(3601);
        assert!(validate(&a).unwrap_err().message.contains("3601"));
        let mut a = token();
        a.authorizer_uri = Some("nope".into());
        assert_eq!(
            validate(&a).unwrap_err().message,
            messages::INVALID_AUTHORIZER_URI
        );
    }

    #[test]
    fn request_rules() {
        let mut a = token();
        a.authorizer_type = "REQUEST".into();
        a.identity_source = Some(
            "method.request.header.A, method.request.querystring.b,stageVariables.c,context.d"
                .into(),
        );
        assert!(validate(&a).is_ok());
        assert_eq!(identity_sources(&a).len(), 4);
        a.identity_source = None;
        assert_eq!(
            validate(&a).unwrap_err().message,
            messages::REQUEST_NEEDS_IDENTITY_SOURCE
        );
        a.authorizer_result_ttl_in_seconds = Some(0);
        assert!(validate(&a).is_ok());
        a.identity_source = Some("method.request.path.id".into());
        assert!(validate(&a).is_err());
    }

    #[test]
    fn cognito_rules() {
        let mut a = Authorizer {
            name: "c".into(),
            authorizer_type: "COGNITO_USER_POOLS".into(),
            identity_source: Some("method.request.header.Authorization".into()),
            ..Authorizer::default()
        };
        assert_eq!(
            validate(&a).unwrap_err().message,
            messages::INVALID_PROVIDER_ARNS
        );
        a.provider_arns = Some(vec![
            "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc".into(),
        ]);
        assert!(validate(&a).is_ok());
    }

    #[test]
    fn patches_atomically() {
        let a = token();
        let ops = [
            PatchOperation::replace("/authorizerResultTtlInSeconds", "60"),
            PatchOperation::replace("/name", "renamed"),
        ];
        let b = apply_patch(&a, &ops).unwrap();
        assert_eq!(
            (b.name.as_str(), b.authorizer_result_ttl_in_seconds),
            ("renamed", Some(60))
        );
        let bad = [
            PatchOperation::replace("/name", "x"),
            PatchOperation::replace("/bogus", "1"),
        ];
        assert_eq!(
            apply_patch(&a, &bad).unwrap_err().message,
            "Invalid patch path /bogus"
        );
        let ttl = [PatchOperation::replace(
            "/authorizerResultTtlInSeconds",
            "9999",
        )];
        assert!(apply_patch(&a, &ttl).is_err());
    }
}
