//! Method responses and integration responses: Put/Get/Update/Delete MethodResponse,
//! Put/Get/Update/Delete IntegrationResponse, and DeleteIntegration.
//!
//! These operations answer an unknown API as an unknown resource (`Invalid Resource identifier
//! specified`), as AWS does.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use stagecraft_core::api::responses::{self, integration_responses, set_integration_responses};
use stagecraft_core::api::{
    IntegrationResponse, Method, MethodResponse, PatchRequest, PutIntegrationResponseRequest,
    PutMethodResponseRequest, model, resource,
};

use super::{P, created, no_content};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Record, Store, Tx};

type MethodPath = (String, String, String);
type ResponsePath = (String, String, String, String);

/// The method `verb` of resource `rid` of API `api`; an unknown API reads as an unknown resource.
pub(crate) fn method<'a>(s: &'a Store, api: &str, rid: &str, verb: &str) -> Result<&'a Method> {
    s.apis
        .get(api)
        .and_then(|a| a.resources.get(rid))
        .ok_or_else(resource::not_found)?
        .methods
        .get(&verb.to_ascii_uppercase())
        .ok_or_else(|| resource::method_not_found().into())
}

/// Changes a copy of a method with `f` and commits its resource.
pub(crate) fn edit_method<T>(
    tx: &mut Tx<'_>,
    (api, rid, verb): &MethodPath,
    f: impl FnOnce(&mut Method) -> Result<T>,
) -> Result<T> {
    method(tx.store(), api, rid, verb)?;
    let mut r = tx.store().apis[api].resources[rid].clone();
    let m = r
        .methods
        .get_mut(&verb.to_ascii_uppercase())
        .ok_or_else(resource::method_not_found)?;
    let out = f(m)?;
    tx.commit(Record::PutResource {
        api: api.clone(),
        resource: r,
    });
    Ok(out)
}

/// Checks that every model `models` names is one of the API's.
fn check_models(
    tx: &Tx<'_>,
    api: &str,
    models: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<()> {
    let known = |n: &str| {
        tx.store()
            .apis
            .get(api)
            .is_some_and(|a| a.models.contains_key(n))
    };
    model::check_references(models.into_iter().flat_map(|m| m.values()), known)?;
    Ok(())
}

fn integration_of(m: &mut Method) -> Result<&mut Value> {
    m.method_integration
        .as_mut()
        .ok_or_else(|| resource::integration_not_found().into())
}

pub async fn put_method_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
    AwsJson(req): AwsJson<PutMethodResponseRequest>,
) -> Result<Response> {
    responses::status_code(&code)?;
    let response = req.to_response(&code);
    let path = (api, rid, verb);
    let out = state
        .mutate(|tx| {
            method(tx.store(), &path.0, &path.1, &path.2)?;
            check_models(tx, &path.0, response.response_models.as_ref())?;
            edit_method(tx, &path, |m| {
                m.method_responses
                    .get_or_insert_with(Default::default)
                    .insert(code.clone(), response.clone());
                Ok(response.clone())
            })
        })
        .await?;
    Ok(created(&out))
}

pub async fn get_method_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
) -> Result<Json<MethodResponse>> {
    responses::status_code(&code)?;
    state.read(|s| {
        method(s, &api, &rid, &verb)?
            .method_responses
            .as_ref()
            .and_then(|r| r.get(&code))
            .cloned()
            .map(Json)
            .ok_or_else(|| responses::not_found().into())
    })
}

pub async fn update_method_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<MethodResponse>> {
    let ops = req.operations_and("updateMethodResponseInput", |v| {
        responses::check_status_code(&code, v);
    })?;
    let path = (api, rid, verb);
    let out = state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                let map = m.method_responses.get_or_insert_with(Default::default);
                let current = map.get(&code).ok_or_else(responses::not_found)?;
                let next = responses::update_method_response(current, &ops)?;
                map.insert(code.clone(), next.clone());
                Ok(next)
            })
            .and_then(|next| {
                check_models(tx, &path.0, next.response_models.as_ref())?;
                Ok(next)
            })
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_method_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
) -> Result<Response> {
    responses::status_code(&code)?;
    let path = (api, rid, verb);
    state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                let map = m
                    .method_responses
                    .as_mut()
                    .ok_or_else(responses::not_found)?;
                map.remove(&code).ok_or_else(responses::not_found)?;
                if map.is_empty() {
                    m.method_responses = None;
                }
                Ok(())
            })
        })
        .await?;
    Ok(no_content())
}

pub async fn update_method(
    State(state): State<AppState>,
    P(path): P<MethodPath>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Method>> {
    let ops = req.operations("updateMethodInput")?;
    let out = state
        .mutate(|tx| {
            let a = &tx
                .store()
                .apis
                .get(&path.0)
                .ok_or_else(resource::not_found)?;
            let current = method(tx.store(), &path.0, &path.1, &path.2)?;
            let next = resource::update_method(
                current,
                &ops,
                |id| a.authorizers.contains_key(id),
                |name| a.models.contains_key(name),
                |id| a.request_validators.contains_key(id),
            )?;
            edit_method(tx, &path, |m| {
                *m = next.clone();
                Ok(next)
            })
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_integration(
    State(state): State<AppState>,
    P(path): P<MethodPath>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                m.method_integration
                    .take()
                    .map(drop)
                    .ok_or_else(|| resource::integration_not_found().into())
            })
        })
        .await?;
    Ok(no_content())
}

pub async fn put_integration_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
    AwsJson(req): AwsJson<PutIntegrationResponseRequest>,
) -> Result<Response> {
    responses::status_code(&code)?;
    let response = req.to_response(&code)?;
    let path = (api, rid, verb);
    let out = state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                let integration = integration_of(m)?;
                let mut all = integration_responses(integration);
                all.insert(code.clone(), response.clone());
                set_integration_responses(integration, &all);
                Ok(response.clone())
            })
        })
        .await?;
    Ok(created(&out))
}

pub async fn get_integration_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
) -> Result<Json<IntegrationResponse>> {
    responses::status_code(&code)?;
    state.read(|s| {
        let integration = method(s, &api, &rid, &verb)?
            .method_integration
            .as_ref()
            .ok_or_else(resource::integration_not_found)?;
        integration_responses(integration)
            .remove(&code)
            .map(Json)
            .ok_or_else(|| responses::not_found().into())
    })
}

pub async fn update_integration_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<IntegrationResponse>> {
    let ops = req.operations_and("updateIntegrationResponseInput", |v| {
        responses::check_status_code(&code, v);
    })?;
    let path = (api, rid, verb);
    let out = state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                let integration = integration_of(m)?;
                let mut all = integration_responses(integration);
                let current = all.get(&code).ok_or_else(responses::not_found)?;
                let next = responses::update_integration_response(current, &ops)?;
                all.insert(code.clone(), next.clone());
                set_integration_responses(integration, &all);
                Ok(next)
            })
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_integration_response(
    State(state): State<AppState>,
    P((api, rid, verb, code)): P<ResponsePath>,
) -> Result<Response> {
    responses::status_code(&code)?;
    let path = (api, rid, verb);
    state
        .mutate(|tx| {
            // A missing method reads as a missing integration here, as AWS answers.
            let (api, rid, verb) = &path;
            let has_integration = tx
                .store()
                .apis
                .get(api)
                .and_then(|a| a.resources.get(rid))
                .ok_or_else(resource::not_found)?
                .methods
                .get(&verb.to_ascii_uppercase())
                .is_some_and(|m| m.method_integration.is_some());
            if !has_integration {
                return Err(resource::integration_not_found().into());
            }
            edit_method(tx, &path, |m| {
                let integration = integration_of(m)?;
                let mut all = integration_responses(integration);
                all.remove(&code).ok_or_else(responses::not_found)?;
                set_integration_responses(integration, &all);
                Ok(())
            })
        })
        .await?;
    Ok(no_content())
}
