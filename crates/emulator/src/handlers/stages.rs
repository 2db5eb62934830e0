//! CreateStage, GetStages, GetStage, UpdateStage, DeleteStage and the two cache flushes.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use stagecraft_core::Stage;
use stagecraft_core::api::{CreateStageRequest, PatchRequest, stage};

use super::{P, accepted, account, created, query_one};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Record, StageCaches, now};

pub async fn create(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateStageRequest>,
) -> Result<Response> {
    let created_stage = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let new = req.to_stage(now())?;
            let name = new.stage_name.clone().unwrap_or_default();
            if a.stages.contains_key(&name) {
                return Err(stage::already_exists().into());
            }
            stage::check_deployments(&new, |d| a.deployments.contains_key(d))?;
            super::documentation::check_stage_version(a, &new)?;
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(new.clone()),
            });
            Ok(new)
        })
        .await?;
    Ok(created(&created_stage))
}

pub async fn get(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    state.read(|s| {
        let found = s.api(account(&state), &api)?.stage(&name)?;
        Ok(Json(found).into_response())
    })
}

pub async fn list(State(state): State<AppState>, P(api): P<String>, uri: Uri) -> Result<Response> {
    let filter = query_one(&uri, "deploymentId");
    state.read(|s| {
        let a = s.api(account(&state), &api)?;
        let item: Vec<&Stage> = a
            .stages
            .values()
            .filter(|st| {
                filter
                    .as_deref()
                    .is_none_or(|d| st.deployment_id.as_deref() == Some(d))
            })
            .collect();
        Ok(Json(json!({ "item": item })).into_response())
    })
}

pub async fn update(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Response> {
    let ops = req.operations("updateStageInput")?;
    let updated = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let current = a.stage(&name)?;
            let next = stage::update(current, &ops, a, now())?;
            if next.documentation_version != current.documentation_version {
                super::documentation::check_stage_version(a, &next)?;
            }
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(next.clone()),
            });
            Ok(next)
        })
        .await?;
    Ok(Json(updated).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            tx.store().api(account(&state), &api)?.stage(&name)?;
            for plan in tx.store().plans_without(&api, Some(&name)) {
                tx.commit(Record::PutUsagePlan { plan });
            }
            tx.commit(Record::DeleteStage {
                api: api.clone(),
                name: name.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

/// Empties one of a stage's caches, after the API's and the stage's 404s.
fn flush(state: &AppState, api: &str, name: &str, which: fn(&mut StageCaches)) -> Result<Response> {
    state.read(|s| s.api(account(state), api)?.stage(name).map(drop))?;
    state.stage_caches(api, name, which);
    Ok(accepted())
}

pub async fn flush_authorizers_cache(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    flush(&state, &api, &name, |c| c.authorizer.clear())
}

pub async fn flush_cache(
    State(state): State<AppState>,
    P((api, name)): P<(String, String)>,
) -> Result<Response> {
    flush(&state, &api, &name, |c| c.response.clear())
}
