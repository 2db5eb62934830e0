//! CreateAuthorizer, GetAuthorizers, GetAuthorizer, UpdateAuthorizer, DeleteAuthorizer
//! (TestInvokeAuthorizer is in [`crate::invoke`]).

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::{Authorizer, Page, PatchRequest};
use stagecraft_core::authorizer;

use super::{P, accepted, account, api_page, created};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Ordered, Record, new_id};

/// Whether `expr` is a regular expression (core has no regex engine).
fn regex_ok(expr: &str) -> bool {
    regex_lite::Regex::new(expr).is_ok()
}

pub async fn create(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<Authorizer>,
) -> Result<Response> {
    let mut new = authorizer::to_new(req, regex_ok)?;
    let out = state
        .mutate(|tx| {
            // AWS answers CreateAuthorizer on an unknown API with a 409, not the usual 404.
            if !tx.store().apis.contains_key(&api) {
                return Err(authorizer::api_missing().into());
            }
            new.id = new_id(6);
            let seq = tx.next_seq();
            tx.commit(Record::PutAuthorizer {
                api: api.clone(),
                authorizer: Ordered {
                    seq,
                    value: new.clone(),
                },
            });
            Ok(new)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Authorizer>>> {
    api_page(&state, &api, &uri, |a| {
        a.authorizers
            .values()
            .map(|x| (x.seq, x.value.clone()))
            .collect::<Vec<_>>()
    })
}

pub async fn get(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Json<Authorizer>> {
    state.read(|s| Ok(Json(s.api(account(&state), &api)?.authorizer(&id)?.clone())))
}

pub async fn update(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Authorizer>> {
    let ops = req.operations("updateAuthorizerInput")?;
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let current = a.authorizers.get(&id).ok_or_else(authorizer::not_found)?;
            let next = authorizer::apply_patch(&current.value, &ops)?;
            authorizer::check(&next, "updateAuthorizerInput", regex_ok)?;
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

pub async fn delete(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            a.authorizer(&id)?;
            let methods = a.resources.values().flat_map(|r| {
                r.methods
                    .iter()
                    .map(|(verb, m)| (verb.as_str(), r.path.as_str(), m))
            });
            authorizer::check_deletable(&id, methods)?;
            tx.commit(Record::DeleteAuthorizer {
                api: api.clone(),
                id: id.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
