//! CreateRestApi, GetRestApis, GetRestApi, UpdateRestApi, DeleteRestApi.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::Value;
use stagecraft_core::api::{
    CreateRestApiRequest, Page, PatchRequest, RestApi, model, rest_api, tags,
};

use super::{P, accepted, account, created, page_in_creation_order, query_one};
use crate::AppState;
use crate::error::{AwsJson, Result, parse_json};
use crate::store::{Record, ResourceRec, Tx, new_id, now};

/// CreateRestApi, or ImportRestApi when the query says `mode=import` (both are `POST /restapis`).
pub async fn create(State(state): State<AppState>, uri: Uri, body: Bytes) -> Result<Response> {
    if query_one(&uri, "mode").as_deref() == Some("import") {
        return super::openapi::import_rest_api(&state, &body).await;
    }
    let req: CreateRestApiRequest = parse_json(&body)?;
    let rest_api = req.to_rest_api(new_id(10), new_id(10), now())?;
    let out = state.mutate(|tx| Ok(create_records(tx, rest_api))).await?;
    Ok(created(&out))
}

/// Commits a new API with its root resource and the `Empty` and `Error` models.
pub(crate) fn create_records(tx: &mut Tx<'_>, rest_api: RestApi) -> RestApi {
    let seq = tx.next_seq();
    let root = ResourceRec {
        seq: tx.next_seq(),
        id: rest_api.root_resource_id.clone().unwrap_or_default(),
        path: "/".into(),
        ..ResourceRec::default()
    };
    let id = rest_api.id.clone();
    tx.commit(Record::PutApi {
        seq,
        api: rest_api.clone(),
    });
    tx.commit(Record::PutResource {
        api: id.clone(),
        resource: root,
    });
    for default in model::defaults(new_id(6), new_id(6)) {
        tx.commit(Record::PutModel {
            api: id.clone(),
            model: default,
        });
    }
    rest_api
}

pub async fn list(State(state): State<AppState>, uri: Uri) -> Result<Json<Page<RestApi>>> {
    let apis = state.read(|s| {
        s.apis
            .values()
            .map(|a| (a.seq, a.rest_api.clone()))
            .collect::<Vec<_>>()
    });
    page_in_creation_order(apis, &uri)
}

pub async fn get(State(state): State<AppState>, P(api): P<String>) -> Result<Json<RestApi>> {
    state.read(|s| {
        s.api(account(&state), &api)
            .map(|a| Json(a.rest_api.clone()))
    })
}

pub async fn update(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Value>> {
    let ops = req.operations("updateRestApiInput")?;
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let next = rest_api::update_rest_api(&a.rest_api, &ops)?;
            let seq = a.seq;
            tx.commit(Record::PutApi {
                seq,
                api: next.clone(),
            });
            Ok(next)
        })
        .await?;
    Ok(Json(tags::with_tags(&out)))
}

pub async fn delete(State(state): State<AppState>, P(api): P<String>) -> Result<Response> {
    state
        .mutate(|tx| {
            tx.store().api(account(&state), &api)?;
            for plan in tx.store().plans_without(&api, None) {
                tx.commit(Record::PutUsagePlan { plan });
            }
            tx.commit(Record::DeleteApi { id: api.clone() });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
