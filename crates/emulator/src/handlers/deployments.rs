//! CreateDeployment, GetDeployments, GetDeployment, UpdateDeployment, DeleteDeployment.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::{
    CreateDeploymentRequest, Deployment, Page, PatchRequest, deployment, replaced_description,
};

use super::{P, accepted, account, api_page, created, embeds};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Ordered, Record, Tx, new_id, now};

/// Commits a deployment (and its stage effects); shared with the demo seed.
pub(crate) fn deploy(
    tx: &mut Tx<'_>,
    account: &str,
    api: &str,
    req: &CreateDeploymentRequest,
) -> Result<Deployment> {
    let a = tx.store().api(account, api)?;
    let methods = a.resources.values().flat_map(|r| r.methods.values());
    req.check(methods, |name| a.stages.contains_key(name))?;
    let now = now();
    let created = Deployment {
        id: new_id(6),
        description: req.description.clone(),
        created_date: Some(now),
        api_summary: Some(deployment::api_summary(
            a.resources.values().map(|r| (r.path.as_str(), &r.methods)),
        )),
    };
    let stage = req.target_stage().map(|name| {
        let existing = a.stages.get(name).cloned();
        req.deployed_stage(name, existing, &created.id, now)
    });
    let resources = Some(a.resources.values().cloned().collect());
    let seq = tx.next_seq();
    tx.commit(Record::PutDeployment {
        api: api.into(),
        deployment: Ordered {
            seq,
            value: created.clone(),
        },
        resources,
    });
    if let Some(stage) = stage {
        tx.commit(Record::PutStage {
            api: api.into(),
            stage: Box::new(stage),
        });
    }
    Ok(created)
}

pub async fn create(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateDeploymentRequest>,
) -> Result<Response> {
    let d = state
        .mutate(|tx| deploy(tx, account(&state), &api, &req))
        .await?;
    Ok(created(&d.shown(false)))
}

pub async fn list(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Deployment>>> {
    let summary = embeds(&uri, "apisummary");
    api_page(&state, &api, &uri, |a| {
        a.deployments
            .values()
            .map(|d| (d.seq, d.value.shown(summary)))
            .collect::<Vec<_>>()
    })
}

pub async fn get(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    uri: Uri,
) -> Result<Json<Deployment>> {
    let summary = embeds(&uri, "apisummary");
    state.read(|s| {
        let d = s.api(account(&state), &api)?.deployment(&id)?;
        Ok(Json(d.shown(summary)))
    })
}

/// UpdateDeployment: only its description changes; the resources it serves stay as deployed.
pub async fn update(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Deployment>> {
    let ops = req.operations("updateDeploymentInput")?;
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            a.deployment(&id)?;
            let mut next = a.deployments[&id].clone();
            next.value.description = replaced_description(next.value.description.as_deref(), &ops)?;
            tx.commit(Record::PutDeployment {
                api: api.clone(),
                deployment: next.clone(),
                resources: None,
            });
            Ok(next.value)
        })
        .await?;
    Ok(Json(out.shown(false)))
}

pub async fn delete(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            a.deployment(&id)?;
            deployment::check_deletable(&id, a.stages.values())?;
            tx.commit(Record::DeleteDeployment {
                api: api.clone(),
                id: id.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
