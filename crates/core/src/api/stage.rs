//! Stages: CreateStage's request and the stage rules shared by CreateStage, CreateDeployment and
//! UpdateStage (names, variables, cache cluster, canary), with AWS's texts.
//!
//! A stage created through CreateStage / CreateDeployment is checked with the same rules as UpdateStage,
//! so it can never hold what UpdateStage would refuse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::patch::PatchOperation;
use crate::{CanarySettings, Environment, Stage, Timestamp, apply_with, messages, rules};

/// CreateStage input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStageRequest {
    /// Required.
    #[serde(default)]
    pub stage_name: Option<String>,
    /// Required.
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Cache cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_enabled: Option<bool>,
    /// Cache cluster size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    /// Stage variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
    /// Documentation version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_version: Option<String>,
    /// Canary (with its own `deploymentId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_settings: Option<CanarySettings>,
    /// X-Ray tracing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_enabled: Option<bool>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// The 404 for a stage name that names no stage of the API.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_STAGE_ID)
}

/// The 409 for CreateStage with a name that is taken.
#[must_use]
pub fn already_exists() -> ApiError {
    ApiError::conflict(messages::STAGE_EXISTS)
}

/// Checks that a new stage's deployment (and its canary's) exist; `exists` tells whether an id names
/// one of the API's deployments.
///
/// # Errors
/// `BadRequestException: Deployment id does not exist`.
pub fn check_deployments(stage: &Stage, exists: impl Fn(&str) -> bool) -> Result<(), ApiError> {
    let canary = stage
        .canary_settings
        .as_ref()
        .and_then(|c| c.deployment_id.as_deref());
    let ok = stage.deployment_id.as_deref().is_some_and(&exists) && canary.is_none_or(&exists);
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(messages::DEPLOYMENT_NOT_FOUND))
    }
}

/// UpdateStage: `ops` applied to `current` (see [`apply_with`]), then `lastUpdatedDate` set to `now`
/// and `cacheClusterStatus` following `cacheClusterEnabled`.
///
/// # Errors
/// The first refused operation, with AWS's text.
pub fn update(
    current: &Stage,
    ops: &[PatchOperation],
    env: &dyn Environment,
    now: Timestamp,
) -> Result<Stage, ApiError> {
    let mut next = apply_with(current, ops, env)?;
    next.last_updated_date = Some(now);
    next.cache_cluster_status = Some(cache_cluster_status(next.cache_cluster_enabled).into());
    fill_cache_cluster_size(&mut next);
    Ok(next)
}

/// Checks a stage name (`[A-Za-z0-9_-]{1,128}`) with AWS's text.
///
/// # Errors
/// `BadRequestException: Stage name only allows a-zA-Z0-9_`.
pub fn check_stage_name(name: &str) -> Result<(), ApiError> {
    super::rule(rules::stage_name(name))
}

/// Checks stage variables (names, values, at most 100) with AWS's texts.
///
/// # Errors
/// The first bad variable's `BadRequestException`.
pub fn check_variables<'a, M>(variables: M) -> Result<(), ApiError>
where
    M: IntoIterator<Item = (&'a String, &'a String)>,
    M::IntoIter: ExactSizeIterator,
{
    let variables = variables.into_iter();
    let count = variables.len();
    for (name, value) in variables {
        super::rule(rules::variable_name(name))?;
        super::rule(rules::variable_value(value))?;
    }
    if count > rules::MAX_VARIABLES {
        return Err(ApiError::bad_request(messages::TOO_MANY_VARIABLES));
    }
    Ok(())
}

/// Checks a cache cluster size.
///
/// # Errors
/// `BadRequestException` naming the eight sizes.
pub fn check_cache_cluster_size(size: &str) -> Result<(), ApiError> {
    super::rule(rules::cache_cluster_size(size))
}

/// Checks a canary traffic share.
///
/// # Errors
/// `BadRequestException` for a value outside 0–100.
pub fn check_percent_traffic(value: f64) -> Result<(), ApiError> {
    super::rule(rules::percent_traffic(value, &value.to_string()))
}

/// The `cacheClusterSize` AWS stores when a cache cluster is enabled without a size.
pub const DEFAULT_CACHE_CLUSTER_SIZE: &str = "0.5";

/// Gives a stage whose cache cluster is enabled without a size AWS's default size, `"0.5"`.
pub fn fill_cache_cluster_size(stage: &mut Stage) {
    if stage.cache_cluster_enabled && stage.cache_cluster_size.is_none() {
        stage.cache_cluster_size = Some(DEFAULT_CACHE_CLUSTER_SIZE.to_owned());
    }
}

/// `cacheClusterStatus` for a cache cluster switch. The emulator has no provisioning delay: a cluster is
/// `AVAILABLE` as soon as it is enabled and `NOT_AVAILABLE` once disabled (AWS passes through
/// `CREATE_IN_PROGRESS` / `DELETE_IN_PROGRESS` first).
#[must_use]
pub const fn cache_cluster_status(enabled: bool) -> &'static str {
    if enabled {
        "AVAILABLE"
    } else {
        "NOT_AVAILABLE"
    }
}

impl CreateStageRequest {
    /// Builds the stage CreateStage stores, with AWS's defaults (`methodSettings: {}`, no cache cluster,
    /// `cacheClusterStatus: NOT_AVAILABLE`, tracing off), after checking every field. Deployment ids are
    /// not checked here (the caller knows the API's deployments).
    ///
    /// # Errors
    /// The first problem, with AWS's text; a missing `stageName` / `deploymentId` is a
    /// `ValidationException`.
    pub fn to_stage(&self, now: Timestamp) -> Result<Stage, ApiError> {
        let name = self
            .stage_name
            .as_deref()
            .ok_or_else(|| ApiError::member_null("createStageInput.stageName"))?;
        let deployment_id = self
            .deployment_id
            .as_deref()
            .ok_or_else(|| ApiError::member_null("createStageInput.deploymentId"))?;
        check_stage_name(name)?;
        let variables = self.variables.clone().unwrap_or_default();
        check_variables(&variables)?;
        if let Some(size) = &self.cache_cluster_size {
            check_cache_cluster_size(size)?;
        }
        let tags = self.tags.clone().unwrap_or_default();
        super::tags::check_tags(&tags)?;
        if let Some(canary) = &self.canary_settings {
            check_percent_traffic(canary.percent_traffic)?;
            check_variables(&canary.stage_variable_overrides)?;
        }
        let cache_cluster_enabled = self.cache_cluster_enabled.unwrap_or(false);
        let mut stage = Stage {
            deployment_id: Some(deployment_id.to_owned()),
            stage_name: Some(name.to_owned()),
            description: self.description.clone(),
            cache_cluster_enabled,
            cache_cluster_size: self.cache_cluster_size.clone(),
            cache_cluster_status: Some(cache_cluster_status(cache_cluster_enabled).to_owned()),
            variables: variables.into(),
            documentation_version: self.documentation_version.clone(),
            canary_settings: self.canary_settings.clone(),
            tracing_enabled: self.tracing_enabled.unwrap_or(false),
            tags: tags.into(),
            created_date: Some(now),
            last_updated_date: Some(now),
            ..Stage::default()
        };
        fill_cache_cluster_size(&mut stage);
        Ok(stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn create_stage_defaults_match_aws() {
        let req: CreateStageRequest = serde_json::from_value(
            json!({"stageName": "s1", "deploymentId": "dep1", "description": "my stage"}),
        )
        .unwrap();
        let stage = req.to_stage(Timestamp(1_700_000_000.0)).unwrap();
        assert_eq!(
            serde_json::to_value(&stage).unwrap(),
            json!({"cacheClusterEnabled": false, "cacheClusterStatus": "NOT_AVAILABLE", "createdDate": 1_700_000_000,
                   "deploymentId": "dep1", "description": "my stage", "lastUpdatedDate": 1_700_000_000,
                   "methodSettings": {}, "stageName": "s1", "tracingEnabled": false})
        );
    }

    #[test]
    fn cache_cluster_without_size_gets_half_a_gigabyte() {
        let req: CreateStageRequest = serde_json::from_value(
            json!({"stageName": "s1", "deploymentId": "d", "cacheClusterEnabled": true}),
        )
        .unwrap();
        let stage = req.to_stage(Timestamp(0.0)).unwrap();
        assert_eq!(stage.cache_cluster_size.as_deref(), Some("0.5"));
        let off: CreateStageRequest =
            serde_json::from_value(json!({"stageName": "s1", "deploymentId": "d"})).unwrap();
        let stage = off.to_stage(Timestamp(0.0)).unwrap();
        assert_eq!(stage.cache_cluster_size, None);
        let on = [PatchOperation::replace("/cacheClusterEnabled", "true")];
        let next = update(&stage, &on, &crate::apply::AnyDeployment, Timestamp(1.0)).unwrap();
        assert_eq!(next.cache_cluster_size.as_deref(), Some("0.5"));
        assert_eq!(next.cache_cluster_status.as_deref(), Some("AVAILABLE"));
    }

    #[test]
    fn create_stage_checks_fields() {
        let bad = |v: Value| {
            serde_json::from_value::<CreateStageRequest>(v)
                .unwrap()
                .to_stage(Timestamp(0.0))
                .unwrap_err()
                .message
        };
        assert_eq!(
            bad(json!({"stageName": "a b", "deploymentId": "d"})),
            "Stage name only allows a-zA-Z0-9_"
        );
        assert!(
            bad(json!({"stageName": "s", "deploymentId": "d", "variables": {"a": ""}}))
                .starts_with("Invalid stage variable value")
        );
        assert!(bad(json!({"deploymentId": "d"})).contains("createStageInput.stageName"));
    }
}
