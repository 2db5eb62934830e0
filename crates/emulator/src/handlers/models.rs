//! CreateModel, GetModels, GetModel, UpdateModel, DeleteModel. Every new API starts with the `Empty` and `Error`
//! models (see [`super::rest_apis::create_records`]).

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::{CreateModelRequest, Model, Page, PatchRequest, model};

use super::{P, accepted, account, api_page, created};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Api, Record, new_id};

pub async fn create(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateModelRequest>,
) -> Result<Response> {
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let new = req.to_model(new_id(6), |name| a.models.contains_key(name))?;
            tx.commit(Record::PutModel {
                api: api.clone(),
                model: new.clone(),
            });
            Ok(new)
        })
        .await?;
    Ok(created(&out))
}

/// Models are listed by name (docs/aws-behaviour.md §6).
pub async fn list(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Model>>> {
    api_page(&state, &api, &uri, |a| {
        a.models
            .values()
            .cloned()
            .zip(0u64..)
            .map(|(m, i)| (i, m))
            .collect::<Vec<_>>()
    })
}

pub async fn get(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Json<Model>> {
    state.read(|s| {
        s.apis
            .get(&api)
            .and_then(|a| a.models.get(&name))
            .cloned()
            .map(Json)
            .ok_or_else(|| model::not_found(&name).into())
    })
}

pub async fn update(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Model>> {
    let ops = req.operations("updateModelInput")?;
    let out = state
        .mutate(|tx| {
            let current = tx
                .store()
                .apis
                .get(&api)
                .and_then(|a| a.models.get(&name))
                .ok_or_else(|| model::not_found(&name))?;
            let next = model::update_model(current, &ops)?;
            tx.commit(Record::PutModel {
                api: api.clone(),
                model: next.clone(),
            });
            Ok(next)
        })
        .await?;
    Ok(Json(out))
}

/// Where model `name` is used: `method request: /pets/GET` or `method response: /pets/GET 200`.
fn first_use(a: &Api, name: &str) -> Option<String> {
    let mut resources: Vec<_> = a.resources.values().collect();
    resources.sort_by_key(|r| r.seq);
    for r in resources {
        for (verb, m) in &r.methods {
            let uses = |models: Option<&std::collections::BTreeMap<String, String>>| {
                models.is_some_and(|ms| ms.values().any(|n| n == name))
            };
            if uses(m.request_models.as_ref()) {
                return Some(format!("method request: {}/{verb}", r.path));
            }
            for (code, response) in m.method_responses.iter().flatten() {
                if uses(response.response_models.as_ref()) {
                    return Some(format!("method response: {}/{verb} {code}", r.path));
                }
            }
        }
    }
    None
}

pub async fn delete(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx
                .store()
                .apis
                .get(&api)
                .filter(|a| a.models.contains_key(&name))
                .ok_or_else(|| model::not_found(&name))?;
            if let Some(place) = first_use(a, &name) {
                return Err(model::in_use(&name, &place).into());
            }
            tx.commit(Record::DeleteModel {
                api: api.clone(),
                name: name.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
