//! CreateRequestValidator, GetRequestValidators, GetRequestValidator, UpdateRequestValidator,
//! DeleteRequestValidator. As AWS answers, CreateRequestValidator on an API that does not exist is a
//! 400 (`Invalid REST API identifier specified`) and the per-validator operations say the validator is
//! unknown.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::request_validator::{self, CreateRequestValidatorRequest};
use stagecraft_core::api::{Page, PatchRequest, RequestValidator};

use super::{P, accepted, api_page, created};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Ordered, Record, Store, new_id};

/// Validator `id` of API `api`; an unknown API reads as an unknown validator.
fn find<'a>(s: &'a Store, api: &str, id: &str) -> Result<&'a Ordered<RequestValidator>> {
    s.apis
        .get(api)
        .and_then(|a| a.request_validators.get(id))
        .ok_or_else(|| request_validator::not_found().into())
}

pub async fn create(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateRequestValidatorRequest>,
) -> Result<Response> {
    let out = state
        .mutate(|tx| {
            if !tx.store().apis.contains_key(&api) {
                return Err(request_validator::api_missing().into());
            }
            let validator = req.to_validator(new_id(6))?;
            let seq = tx.next_seq();
            tx.commit(Record::PutRequestValidator {
                api: api.clone(),
                validator: Ordered {
                    seq,
                    value: validator.clone(),
                },
            });
            Ok(validator)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<RequestValidator>>> {
    api_page(&state, &api, &uri, |a| {
        a.request_validators
            .values()
            .map(|v| (v.seq, v.value.clone()))
            .collect::<Vec<_>>()
    })
}

pub async fn get(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Json<RequestValidator>> {
    state.read(|s| Ok(Json(find(s, &api, &id)?.value.clone())))
}

pub async fn update(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<RequestValidator>> {
    let ops = req.operations("updateRequestValidatorInput")?;
    let out = state
        .mutate(|tx| {
            let current = find(tx.store(), &api, &id)?;
            let validator = Ordered {
                seq: current.seq,
                value: request_validator::update_request_validator(&current.value, &ops)?,
            };
            tx.commit(Record::PutRequestValidator {
                api: api.clone(),
                validator: validator.clone(),
            });
            Ok(validator.value)
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
            find(tx.store(), &api, &id)?;
            tx.commit(Record::DeleteRequestValidator {
                api: api.clone(),
                id: id.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
