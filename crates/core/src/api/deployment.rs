//! Deployments: the wire types and the rules of CreateDeployment (what the API must hold, canary
//! deployments, the stage it creates or re-points) and DeleteDeployment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::resource::Method;
use super::stage::{
    cache_cluster_status, check_cache_cluster_size, check_percent_traffic, check_stage_name,
    check_variables,
};
use crate::error::ApiError;
use crate::messages;
use crate::{CanarySettings, Stage, Timestamp};

/// A deployment: a snapshot of the API's methods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The deployment id.
    pub id: String,
    /// Free text (omitted unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// Resource path → HTTP method → `{authorizationType, apiKeyRequired}` (only with `embed=apisummary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_summary: Option<BTreeMap<String, BTreeMap<String, Value>>>,
}

/// The canary part of CreateDeployment (no `deploymentId`: the new deployment is the canary).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentCanarySettings {
    /// 0.0–100.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_traffic: Option<f64>,
    /// Variables the canary overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_variable_overrides: Option<BTreeMap<String, String>>,
    /// Whether the canary uses the stage cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_stage_cache: Option<bool>,
}

/// CreateDeployment input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDeploymentRequest {
    /// The stage to create or re-point (required with `canarySettings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
    /// Description of a stage created by this call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_description: Option<String>,
    /// The deployment's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Stage cache cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_enabled: Option<bool>,
    /// Stage cache cluster size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    /// Stage variables to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
    /// Makes the deployment the stage's canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_settings: Option<DeploymentCanarySettings>,
    /// Stage X-Ray tracing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_enabled: Option<bool>,
}

/// The 404 for a deployment id that names no deployment of the API.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_DEPLOYMENT_ID)
}

impl Deployment {
    /// The deployment as GetDeployment(s) answers: `apiSummary` only with `embed=apisummary`.
    #[must_use]
    pub fn shown(&self, with_summary: bool) -> Self {
        let mut d = self.clone();
        if !with_summary {
            d.api_summary = None;
        }
        d
    }
}

/// A deployment's `apiSummary`: resource path → HTTP method → `{authorizationType, apiKeyRequired}`,
/// for the resources that have methods.
#[must_use]
pub fn api_summary<'a>(
    resources: impl IntoIterator<Item = (&'a str, &'a BTreeMap<String, Method>)>,
) -> BTreeMap<String, BTreeMap<String, Value>> {
    resources
        .into_iter()
        .filter(|(_, methods)| !methods.is_empty())
        .map(|(path, methods)| {
            let snapshots = methods
                .iter()
                .map(|(verb, m)| {
                    let snapshot = json!({"authorizationType": m.authorization_type, "apiKeyRequired": m.api_key_required});
                    (verb.clone(), snapshot)
                })
                .collect();
            (path.to_owned(), snapshots)
        })
        .collect()
}

impl CreateDeploymentRequest {
    /// The stage this deployment creates or re-points (`stageName`, when not empty).
    #[must_use]
    pub fn target_stage(&self) -> Option<&str> {
        self.stage_name.as_deref().filter(|s| !s.is_empty())
    }

    /// Checks the request against the API's `methods`; `stage_exists` tells whether a stage name
    /// names one of the API's stages.
    ///
    /// # Errors
    /// An API without methods or with a method without integration, a canary without an existing
    /// stage, then the stage name, variables and cache cluster size rules.
    pub fn check<'a>(
        &self,
        methods: impl IntoIterator<Item = &'a Method>,
        stage_exists: impl Fn(&str) -> bool,
    ) -> Result<(), ApiError> {
        let methods: Vec<&Method> = methods.into_iter().collect();
        if methods.is_empty() {
            return Err(ApiError::bad_request(messages::NO_METHODS));
        }
        if methods.iter().any(|m| m.method_integration.is_none()) {
            return Err(ApiError::bad_request(messages::NO_INTEGRATION));
        }
        if let Some(canary) = &self.canary_settings {
            let name = match self.stage_name.as_deref() {
                None | Some("") => {
                    return Err(ApiError::bad_request(messages::canary_needs_stage(
                        self.stage_name.as_deref(),
                    )));
                }
                Some(n) => n,
            };
            if !stage_exists(name) {
                return Err(ApiError::bad_request(messages::canary_stage_missing(name)));
            }
            if let Some(p) = canary.percent_traffic {
                check_percent_traffic(p)?;
            }
            if let Some(o) = &canary.stage_variable_overrides {
                check_variables(o)?;
            }
        }
        if let Some(name) = self.target_stage() {
            check_stage_name(name)?;
        }
        if let Some(v) = &self.variables {
            check_variables(v)?;
        }
        if let Some(size) = &self.cache_cluster_size {
            check_cache_cluster_size(size)?;
        }
        Ok(())
    }

    /// The stage [`target_stage`](Self::target_stage) names after deployment `deployment_id`: `existing`
    /// (or a new stage) pointed at it, or given it as canary. A re-pointed stage takes
    /// `stageDescription`, merges `variables` and applies the cache and tracing flags that are set.
    #[must_use]
    pub fn deployed_stage(
        &self,
        name: &str,
        existing: Option<Stage>,
        deployment_id: &str,
        now: Timestamp,
    ) -> Stage {
        let mut stage = existing.unwrap_or_else(|| Stage {
            stage_name: Some(name.into()),
            cache_cluster_status: Some(cache_cluster_status(false).into()),
            created_date: Some(now),
            ..Stage::default()
        });
        if let Some(canary) = &self.canary_settings {
            stage.canary_settings = Some(CanarySettings {
                percent_traffic: canary.percent_traffic.unwrap_or(0.0),
                deployment_id: Some(deployment_id.to_owned()),
                stage_variable_overrides: canary
                    .stage_variable_overrides
                    .clone()
                    .unwrap_or_default()
                    .into(),
                use_stage_cache: canary.use_stage_cache.unwrap_or(false),
                extra: Map::new(),
            });
        } else {
            stage.deployment_id = Some(deployment_id.to_owned());
            if let Some(d) = &self.stage_description {
                stage.description = Some(d.clone());
            }
            if let Some(v) = &self.variables {
                stage.variables.extend(v.clone());
            }
            if let Some(size) = &self.cache_cluster_size {
                stage.cache_cluster_size = Some(size.clone());
            }
            if let Some(enabled) = self.cache_cluster_enabled {
                stage.cache_cluster_enabled = enabled;
                stage.cache_cluster_status = Some(cache_cluster_status(enabled).into());
            }
            super::stage::fill_cache_cluster_size(&mut stage);
            if let Some(t) = self.tracing_enabled {
                stage.tracing_enabled = t;
            }
        }
        stage.last_updated_date = Some(now);
        stage
    }
}

/// Checks that deployment `id` may be deleted: no stage (nor a stage's canary) serves it.
///
/// # Errors
/// `BadRequestException: Active stages pointing to this deployment must be moved or deleted`.
pub fn check_deletable<'a>(
    id: &str,
    stages: impl IntoIterator<Item = &'a Stage>,
) -> Result<(), ApiError> {
    let serves = |s: &Stage| {
        s.deployment_id.as_deref() == Some(id)
            || s.canary_settings
                .as_ref()
                .and_then(|c| c.deployment_id.as_deref())
                == Some(id)
    };
    if stages.into_iter().any(serves) {
        return Err(ApiError::bad_request(messages::ACTIVE_STAGES));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(integrated: bool) -> Method {
        Method {
            http_method: "GET".into(),
            authorization_type: "NONE".into(),
            method_integration: integrated.then(|| json!({"type": "MOCK"})),
            ..Method::default()
        }
    }

    fn request(body: Value) -> CreateDeploymentRequest {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn needs_integrated_methods() {
        let req = request(json!({}));
        assert_eq!(
            req.check([], |_| true).unwrap_err().message,
            "The REST API doesn't contain any methods"
        );
        assert_eq!(
            req.check([&method(false)], |_| true).unwrap_err().message,
            "No integration defined for method"
        );
        assert!(req.check([&method(true)], |_| true).is_ok());
    }

    #[test]
    fn canary_needs_an_existing_stage() {
        let m = method(true);
        let e = request(json!({"canarySettings": {}}))
            .check([&m], |_| true)
            .unwrap_err();
        assert!(e.message.ends_with("Provided value is null"));
        let e = request(json!({"stageName": "s", "canarySettings": {}}))
            .check([&m], |_| false)
            .unwrap_err();
        assert!(e.message.contains("Stage s must already be created"));
    }

    #[test]
    fn re_points_a_stage() {
        let req = request(
            json!({"stageName": "s", "variables": {"b": "2"}, "cacheClusterEnabled": true}),
        );
        let existing = Stage {
            stage_name: Some("s".into()),
            deployment_id: Some("old".into()),
            variables: [("a".to_owned(), "1".to_owned())].into(),
            ..Stage::default()
        };
        let stage = req.deployed_stage("s", Some(existing), "new", Timestamp(5.0));
        assert_eq!(stage.deployment_id.as_deref(), Some("new"));
        assert_eq!(stage.variables.len(), 2);
        assert_eq!(stage.cache_cluster_status.as_deref(), Some("AVAILABLE"));
        assert!(check_deletable("new", [&stage]).is_err());
        assert!(check_deletable("old", [&stage]).is_ok());
    }
}
