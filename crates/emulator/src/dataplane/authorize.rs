//! Authorizers in force on CUSTOM and COGNITO_USER_POOLS methods (docs/aws-behaviour.md §8.5), with the
//! stage's authorizer result cache.
//!
//! Order, as AWS: the identity sources (any missing or empty → 401, no call), a TOKEN's
//! `identityValidationExpression` (no match → 401, no call), the cache, the function (through
//! [`crate::invoke`], the code TestInvokeAuthorizer uses), then the policy against the method ARN.
//!
//! The cache lives in [`crate::store::StageCaches::authorizer`] (so FlushStageAuthorizersCache empties
//! it). Its key holds the authorizer id, a fingerprint of the authorizer's configuration and the
//! stage's deployment id, then the identity values: updating the authorizer or redeploying the stage
//! makes every older entry unreachable (and [`store_grant`] drops them). The entry holds the whole
//! policy, evaluated again for each method ARN. *stagecraft*: Deny policies are cached like Allow ones;
//! a 401 or 500 is not cached. COGNITO_USER_POOLS: the JWT is decoded, its `exp` and `aud` checked,
//! its signature is NOT verified (the response says so in `x-stagecraft-authorizer`).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use serde_json::{Value, json};
use stagecraft_core::api::Authorizer;
use stagecraft_core::authorizer::{self, IdentitySource};
use stagecraft_core::dataplane::authorize::{
    Decision, Failure, context_value, evaluate, identity, proxy_authorizer, request_event,
    token_event,
};
use stagecraft_core::dataplane::proxy::ProxyRequest;
use stagecraft_core::dataplane::texts::{
    AUTHORIZER_CONFIGURATION_ERROR, EXPLICIT_DENY, IMPLICIT_DENY, UNAUTHORIZED,
};

use super::cache::now_ms;
use super::reply::Reply;
use crate::AppState;
use crate::invoke::{NoEndpoint, call_authorizer, cognito_claims, token_matches, verdict};

/// How the authorizer took part, for the response headers, metrics and access logs.
#[derive(Clone, Debug, Default)]
pub struct Authorization {
    /// The function was called.
    pub invoked: bool,
    /// A cached policy was used.
    pub cached: bool,
    /// A Cognito token was accepted without its signature being verified.
    pub unverified: bool,
    /// `$context.authorize.status`: 200 when allowed, else the status answered.
    pub status: u16,
    /// `$context.authorize.latency` (ms).
    pub latency_ms: f64,
    /// `$context.authorizer.principalId`.
    pub principal_id: Option<String>,
    /// `$context.authorizer.KEY` (Cognito: `claims.NAME`).
    pub context: BTreeMap<String, String>,
}

impl Authorization {
    /// The value of `x-stagecraft-authorizer`.
    #[must_use]
    pub fn header(&self) -> &'static str {
        if self.unverified {
            "cognito-signature-not-verified"
        } else if self.cached {
            "cached"
        } else if self.invoked {
            "invoked"
        } else {
            "not-invoked"
        }
    }
}

/// What [`authorize`] needs to know about the request.
pub struct Input<'a> {
    /// The method's authorizer (`None`: it names one that does not exist).
    pub authorizer: Option<&'a Authorizer>,
    /// The request's facts.
    pub request: &'a ProxyRequest,
    /// `arn:aws:execute-api:…/{stage}/{VERB}/{path}`.
    pub method_arn: &'a str,
    /// The deployment serving the request.
    pub deployment: &'a str,
}

/// Authorizes one request on `api`/`stage`: `Ok(requestContext.authorizer)` when allowed, else AWS's answer.
pub async fn authorize(
    state: &AppState,
    api: &str,
    stage: &str,
    input: &Input<'_>,
) -> (Authorization, Result<Value, Reply>) {
    let started = Instant::now();
    let mut seen = Authorization::default();
    let result = run(state, api, stage, input, &mut seen).await;
    seen.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    seen.status = match &result {
        Ok(_) => 200,
        Err(reply) => reply.status,
    };
    (seen, result)
}

fn lookup(request: &ProxyRequest, source: &IdentitySource) -> Option<String> {
    match source {
        IdentitySource::Header(n) => request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone()),
        IdentitySource::Query(n) => request
            .query
            .iter()
            .rev()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone()),
        IdentitySource::StageVariable(n) => request.stage_variables.get(n).cloned(),
        IdentitySource::Context(n) => context_value(request, n),
    }
}

fn fingerprint(auth: &Authorizer) -> u64 {
    let mut h = DefaultHasher::new();
    auth.hash(&mut h);
    h.finish()
}

fn configuration_error(why: &str) -> Reply {
    tracing::warn!("authorizer configuration error: {why}");
    let mut reply = Reply::gateway(AUTHORIZER_CONFIGURATION_ERROR);
    reply.error = Some("Authorizer configuration error".into());
    reply
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the answer sent, built once for a refused request"
)]
fn decide(
    decision: Decision,
    principal: String,
    context: BTreeMap<String, String>,
    invoked_ms: u64,
    seen: &mut Authorization,
) -> Result<Value, Reply> {
    let value = proxy_authorizer(&principal, &context, invoked_ms);
    seen.principal_id = Some(principal);
    seen.context = context;
    match decision {
        Decision::Allow => Ok(value),
        Decision::ExplicitDeny => Err(Reply::gateway(EXPLICIT_DENY)),
        Decision::ImplicitDeny => Err(Reply::gateway(IMPLICIT_DENY)),
    }
}

/// A cached grant for `key`, evaluated for `method_arn`; an expired one is removed.
fn cached(
    state: &AppState,
    api: &str,
    stage: &str,
    key: &str,
    method_arn: &str,
) -> Option<(Decision, String, BTreeMap<String, String>)> {
    let now = now_ms();
    state
        .stage_caches(api, stage, |c| {
            let entry = c.authorizer.get(key)?;
            if entry["expires"].as_u64().unwrap_or(0) <= now {
                c.authorizer.remove(key);
                return None;
            }
            let context = serde_json::from_value(entry["context"].clone()).ok()?;
            Some((
                evaluate(&entry["policy"], method_arn),
                entry["principalId"].as_str()?.to_owned(),
                context,
            ))
        })
        .flatten()
}

/// Caches a grant under `key` for `ttl` seconds, dropping the entries of the same authorizer that an
/// update or a redeployment made unreachable.
fn store_grant(state: &AppState, api: &str, stage: &str, key: String, entry: Value, prefix: &str) {
    let id_prefix = prefix.split('\u{1f}').next().unwrap_or("").to_owned() + "\u{1f}";
    state.stage_caches(api, stage, |c| {
        c.authorizer
            .retain(|k, _| !k.starts_with(&id_prefix) || k.starts_with(prefix));
        c.authorizer.insert(key, entry);
    });
}

async fn run(
    state: &AppState,
    api: &str,
    stage: &str,
    input: &Input<'_>,
    seen: &mut Authorization,
) -> Result<Value, Reply> {
    let Some(auth) = input.authorizer else {
        return Err(configuration_error(
            "the method's authorizer does not exist",
        ));
    };
    let sources = authorizer::identity_sources(auth);
    let values = identity(&sources, |s| lookup(input.request, s))
        .ok_or_else(|| Reply::gateway(UNAUTHORIZED))?;
    let token = values.first().map_or("", |(_, v)| v.as_str());
    if auth.authorizer_type == "COGNITO_USER_POOLS" {
        let claims = cognito_claims(auth, token).map_err(|why| {
            tracing::info!("Cognito token refused: {why}");
            Reply::gateway(UNAUTHORIZED)
        })?;
        seen.unverified = true;
        seen.principal_id = claims.get("sub").cloned();
        seen.context = claims
            .iter()
            .map(|(k, v)| (format!("claims.{k}"), v.clone()))
            .collect();
        return Ok(json!({ "claims": claims }));
    }
    if !token_matches(auth, token) {
        return Err(Reply::gateway(UNAUTHORIZED));
    }
    let ttl = authorizer::effective_ttl(auth);
    let prefix = format!(
        "{}\u{1f}{:016x}\u{1f}{}\u{1f}",
        auth.id,
        fingerprint(auth),
        input.deployment
    );
    let key = values.iter().fold(prefix.clone(), |mut k, (_, v)| {
        k.push_str(v);
        k.push('\u{1f}');
        k
    });
    if ttl > 0
        && let Some((decision, principal, context)) =
            cached(state, api, stage, &key, input.method_arn)
    {
        seen.cached = true;
        return decide(decision, principal, context, 0, seen);
    }
    let event = if auth.authorizer_type == "TOKEN" {
        token_event(token, input.method_arn)
    } else {
        request_event(input.request, input.method_arn)
    };
    let called = Instant::now();
    seen.invoked = true;
    let call = call_authorizer(state, auth, &event, &state.config.region)
        .await
        .map_err(|NoEndpoint(function)| {
            configuration_error(&format!(
                "no Lambda endpoint to invoke {function}: start the emulator with --lambda-endpoint URL"
            ))
        })?;
    let invoked_ms = u64::try_from(called.elapsed().as_millis()).unwrap_or(u64::MAX);
    let grant = match verdict(call.outcome) {
        Ok(grant) => grant,
        Err(Failure::Unauthorized) => return Err(Reply::gateway(UNAUTHORIZED)),
        Err(Failure::Configuration(why)) => return Err(configuration_error(&why)),
    };
    let decision = evaluate(&grant.policy, input.method_arn);
    if ttl > 0 {
        let expires = now_ms().saturating_add(u64::try_from(ttl).unwrap_or(0) * 1000);
        let entry = json!({"principalId": grant.principal_id, "policy": grant.policy,
                           "context": grant.context, "expires": expires});
        store_grant(state, api, stage, key, entry, &prefix);
    }
    decide(
        decision,
        grant.principal_id,
        grant.context,
        invoked_ms,
        seen,
    )
}
