//! GetGatewayResponses, GetGatewayResponse, PutGatewayResponse, UpdateGatewayResponse,
//! DeleteGatewayResponse. The rules and defaults are core's ([`gateway_response`]); the response type is
//! checked before the API is looked up, as AWS validates the request first.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::gateway_response::{self, PutGatewayResponseRequest};
use stagecraft_core::api::{GatewayResponse, Page, PatchRequest};

use super::{P, accepted, account, api_page, created};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::Record;

pub async fn list(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<GatewayResponse>>> {
    api_page(&state, &api, &uri, |a| {
        gateway_response::all(&a.gateway_responses)
            .into_iter()
            .zip(0u64..)
            .map(|(r, i)| (i, r))
            .collect::<Vec<_>>()
    })
}

pub async fn get(
    State(state): State<AppState>,
    P((api, response_type)): P<(String, String)>,
) -> Result<Json<GatewayResponse>> {
    gateway_response::check_type(&response_type)?;
    state.read(|s| {
        let a = s.api(account(&state), &api)?;
        Ok(Json(gateway_response::view(
            &response_type,
            &a.gateway_responses,
        )))
    })
}

pub async fn put(
    State(state): State<AppState>,
    P((api, response_type)): P<(String, String)>,
    AwsJson(req): AwsJson<PutGatewayResponseRequest>,
) -> Result<Response> {
    gateway_response::check_type(&response_type)?;
    let response = req.to_response(&response_type);
    state
        .mutate(|tx| {
            tx.store().api(account(&state), &api)?;
            tx.commit(Record::PutGatewayResponse {
                api: api.clone(),
                response: response.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(created(&response))
}

pub async fn update(
    State(state): State<AppState>,
    P((api, response_type)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<GatewayResponse>> {
    let ops = req.operations("updateGatewayResponseInput")?;
    gateway_response::check_type(&response_type)?;
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let current = gateway_response::view(&response_type, &a.gateway_responses);
            let next = gateway_response::update(&current, &ops)?;
            tx.commit(Record::PutGatewayResponse {
                api: api.clone(),
                response: next.clone(),
            });
            Ok(next)
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete(
    State(state): State<AppState>,
    P((api, response_type)): P<(String, String)>,
) -> Result<Response> {
    gateway_response::check_type(&response_type)?;
    state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            if !a.gateway_responses.contains_key(&response_type) {
                return Err(gateway_response::not_defined().into());
            }
            tx.commit(Record::DeleteGatewayResponse {
                api: api.clone(),
                response_type: response_type.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
