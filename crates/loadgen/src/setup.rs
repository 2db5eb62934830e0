//! Creates what the workload needs through the REST API itself, so it runs unchanged against any
//! API Gateway-compatible server: a REST API, `GET /` with a MOCK integration, a deployment and stages.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow};
use http::Method;
use serde_json::{Value, json};

use crate::Signer;
use crate::client::{Conn, Endpoint};

/// The ids created by [`create_api`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// REST API id.
    pub rest_api_id: String,
    /// Deployment id.
    pub deployment_id: String,
}

fn str_field(v: &Value, field: &str) -> Result<String> {
    v[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no `{field}` in {v}"))
}

/// POST /restapis, GET resources (the root), PUT method GET, PUT integration MOCK, POST deployments.
///
/// # Errors
/// Any call fails or answers non-2xx.
pub async fn create_api(conn: &mut Conn, name: &str) -> Result<Api> {
    let api = conn
        .call(
            Method::POST,
            "/restapis",
            Some(&json!({"name": name, "description": "loadgen"})),
        )
        .await?
        .ok()
        .context("CreateRestApi")?
        .json()?;
    let id = str_field(&api, "id")?;
    let resources = conn
        .call(Method::GET, &format!("/restapis/{id}/resources"), None)
        .await?
        .ok()
        .context("GetResources")?
        .json()?;
    let root = resources["item"]
        .as_array()
        .and_then(|items| items.iter().find(|r| r["path"] == "/"))
        .ok_or_else(|| anyhow!("no root resource in {resources}"))?;
    let root = str_field(root, "id")?;
    let method = format!("/restapis/{id}/resources/{root}/methods/GET");
    conn.call(
        Method::PUT,
        &method,
        Some(&json!({"authorizationType": "NONE"})),
    )
    .await?
    .ok()
    .context("PutMethod")?;
    conn.call(
        Method::PUT,
        &format!("{method}/integration"),
        Some(&json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}})),
    )
    .await?
    .ok()
    .context("PutIntegration")?;
    let deployment = conn
        .call(
            Method::POST,
            &format!("/restapis/{id}/deployments"),
            Some(&json!({"description": "loadgen"})),
        )
        .await?
        .ok()
        .context("CreateDeployment")?
        .json()?;
    Ok(Api {
        rest_api_id: id,
        deployment_id: str_field(&deployment, "id")?,
    })
}

/// POST /restapis/{id}/stages for one stage.
///
/// # Errors
/// The call fails or answers non-2xx.
pub async fn create_stage(conn: &mut Conn, api: &Api, stage: &str) -> Result<()> {
    conn.call(
        Method::POST,
        &format!("/restapis/{}/stages", api.rest_api_id),
        Some(&json!({"stageName": stage, "deploymentId": api.deployment_id})),
    )
    .await?
    .ok()
    .with_context(|| format!("CreateStage {stage}"))?;
    Ok(())
}

/// Creates stages `{prefix}0` … `{prefix}{count-1}` with `concurrency` parallel connections.
///
/// # Errors
/// Any creation fails.
pub async fn create_stages(
    endpoint: &Arc<Endpoint>,
    signer: &Arc<Signer>,
    api: &Api,
    prefix: &str,
    count: usize,
    concurrency: usize,
) -> Result<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (next, api, prefix) = (Arc::clone(&next), api.clone(), prefix.to_owned());
            let mut conn = Conn::new(Arc::clone(endpoint), Arc::clone(signer));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return Ok::<_, anyhow::Error>(());
                    }
                    create_stage(&mut conn, &api, &format!("{prefix}{i}")).await?;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(())
}
