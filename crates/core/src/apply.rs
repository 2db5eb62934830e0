//! UpdateStage: `patchOperations` applied to a stage as AWS applies them.
//!
//! Operations run in order; a later operation sees the effects of earlier ones (a key created after `*/*`
//! was changed copies the changed `*/*`). Application is atomic: on any error the input stage is
//! untouched and the error carries AWS's exact message.
//!
//! Decisions where AWS's behaviour is not recorded (docs/aws-behaviour.md §6), each easy to change here:
//! - `add` is accepted only on `/accessLogSettings/*` (AWS accepts it there and rejects it on canary
//!   paths; elsewhere the docs only show `replace`), and is answered `Invalid add operation with path: …`.
//! - `move` and `test` are answered `Invalid {op} operation with path: …`.
//! - `replace /documentationVersion` is accepted (Terraform and cdkd send it), though AWS's path list
//!   omits it.
//! - `replace` with `""` on `/description`, `/clientCertificateId` or `/documentationVersion` clears it.
//! - A `remove` of any other path is a method-setting key removal, as AWS treats it: it fails with
//!   "Cannot remove method setting {path} … " unless that key is stored.
//! - Removing a variable, canary override, access-log block or canary that is not there is a no-op.

use serde_json::Value;

use crate::error::ApiError;
use crate::key::{ALL_METHODS_KEY, parse_setting_path};
use crate::messages;
use crate::model::{CanarySettings, MethodSetting, Stage};
use crate::patch::{Op, PatchOperation};
use crate::pointer::unescape;
use crate::rules::{self, MAX_VARIABLES};
use crate::settings::Setting;
use crate::validate::IssueCode;
use crate::values::{parse_bool, parse_double};

/// What apply needs to know about the world outside the stage.
pub trait Environment {
    /// Whether `id` names a deployment of the stage's API. Defaults to `true` (no check).
    fn deployment_exists(&self, id: &str) -> bool {
        let _ = id;
        true
    }
}

/// An environment in which every deployment id exists.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnyDeployment;

impl Environment for AnyDeployment {}

/// Applies `ops` to `stage` with AWS semantics, checking no deployment ids.
///
/// ```
/// use stagecraft_core::{ErrorType, PatchOperation, Stage, apply, method_setting_key};
///
/// let stage = Stage::from_json(r#"{"stageName": "prod"}"#)?;
/// let key = method_setting_key("/pets", "GET");
/// let ops = [PatchOperation::replace(format!("/{key}/caching/ttlInSeconds"), "60")];
/// let next = apply(&stage, &ops)?;
/// let entry = next.method_settings[&key].get_field("cacheTtlInSeconds");
/// assert_eq!(entry, Some(serde_json::json!(60)));
///
/// // All or nothing: AWS's error for the first bad operation.
/// let err = apply(&stage, &[PatchOperation::replace("/cacheClusterSize", "2")]).unwrap_err();
/// assert_eq!(err.error_type, ErrorType::BadRequest);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The first operation's [`ApiError`] (a `BadRequestException` with AWS's message); `stage` is untouched.
pub fn apply(stage: &Stage, ops: &[PatchOperation]) -> Result<Stage, ApiError> {
    apply_with(stage, ops, &AnyDeployment)
}

/// Applies `ops` to `stage` with AWS semantics in `env`.
///
/// # Errors
/// The first operation's [`ApiError`]; `stage` is untouched.
pub fn apply_with(
    stage: &Stage,
    ops: &[PatchOperation],
    env: &dyn Environment,
) -> Result<Stage, ApiError> {
    let mut next = stage.clone();
    for op in ops {
        let action = plan(op).map_err(|e| ApiError::bad_request(e.message))?;
        execute(&mut next, action, op, env).map_err(ApiError::bad_request)?;
    }
    Ok(next)
}

/// Which part of an operation a planning error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blame {
    Op,
    Path,
    Value,
    From,
}

/// An operation that cannot be applied to any stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlanError {
    pub blame: Blame,
    pub code: IssueCode,
    pub message: String,
}

impl PlanError {
    fn new(blame: Blame, code: IssueCode, message: impl Into<String>) -> Self {
        Self {
            blame,
            code,
            message: message.into(),
        }
    }

    fn path(message: impl Into<String>) -> Self {
        Self::new(Blame::Path, IssueCode::InvalidPath, message)
    }

    fn value((code, message): rules::RuleError) -> Self {
        Self::new(Blame::Value, code, message)
    }
}

/// A checked operation, independent of the stage it will run on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Action {
    Description(Option<String>),
    DeploymentId(String),
    CacheClusterEnabled(bool),
    CacheClusterSize(String),
    ClientCertificateId(Option<String>),
    TracingEnabled(bool),
    DocumentationVersion(Option<String>),
    SetVariable(String, String),
    RemoveVariable(String),
    AccessLogFormat(String),
    AccessLogDestination(String),
    RemoveAccessLogs,
    CanaryPercentTraffic(f64),
    CanaryDeploymentId(String),
    CanaryUseStageCache(bool),
    SetCanaryOverride(String, String),
    RemoveCanaryOverride(String),
    RemoveCanary,
    PromoteDeployment,
    PromoteVariables,
    SetMethodSetting {
        key: String,
        setting: &'static Setting,
        value: Value,
    },
    RemoveMethodSetting(String),
}

/// Checks one operation without a stage: path, op and value.
pub(crate) fn plan(op: &PatchOperation) -> Result<Action, PlanError> {
    match op.op {
        Op::Remove => plan_remove(&op.path),
        Op::Replace | Op::Add => plan_set(op),
        Op::Copy => plan_copy(op),
        Op::Move | Op::Test => Err(PlanError::new(
            Blame::Op,
            IssueCode::UnsupportedOperation,
            messages::invalid_operation(op.op.as_str(), &op.path),
        )),
    }
}

fn plan_remove(path: &str) -> Result<Action, PlanError> {
    let cannot = || {
        PlanError::new(
            Blame::Path,
            IssueCode::CannotRemove,
            messages::cannot_remove(path),
        )
    };
    let segments: Vec<&str> = path
        .strip_prefix('/')
        .ok_or_else(cannot)?
        .split('/')
        .collect();
    Ok(match segments.as_slice() {
        ["variables", name] => Action::RemoveVariable(unescape(name)),
        ["accessLogSettings"] => Action::RemoveAccessLogs,
        ["canarySettings"] => Action::RemoveCanary,
        ["canarySettings", "stageVariableOverrides", name] => {
            Action::RemoveCanaryOverride(unescape(name))
        }
        [resource, method] if !resource.is_empty() && !method.is_empty() => {
            Action::RemoveMethodSetting(format!("{resource}/{method}"))
        }
        _ => return Err(cannot()),
    })
}

fn plan_set(op: &PatchOperation) -> Result<Action, PlanError> {
    let path = op.path.as_str();
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or("").split('/').collect();
    let is_add = op.op == Op::Add;
    let unsupported = || {
        PlanError::new(
            Blame::Op,
            IssueCode::UnsupportedOperation,
            messages::invalid_operation(op.op.as_str(), path),
        )
    };
    let value = || {
        op.value.clone().ok_or_else(|| {
            PlanError::new(
                Blame::Value,
                IssueCode::MissingValue,
                messages::missing_value(op.op.as_str(), path),
            )
        })
    };
    let boolean = || {
        let raw = value()?;
        parse_bool(&raw).ok_or_else(|| {
            PlanError::new(
                Blame::Value,
                IssueCode::InvalidValue,
                messages::invalid_bool(path, &raw),
            )
        })
    };
    let clearable = || value().map(|v| Some(v).filter(|v| !v.is_empty()));

    if segments.first() == Some(&"accessLogSettings") {
        let raw = value()?;
        return match segments.as_slice() {
            [_, "destinationArn"] => {
                rules::access_log_destination(&raw).map_err(PlanError::value)?;
                Ok(Action::AccessLogDestination(raw))
            }
            [_, "format"] => {
                rules::access_log_format(&raw).map_err(PlanError::value)?;
                Ok(Action::AccessLogFormat(raw))
            }
            _ => Err(PlanError::path(messages::INVALID_ACCESS_LOG_PATH)),
        };
    }

    let action = match segments.as_slice() {
        ["description"] => Action::Description(clearable()?),
        ["deploymentId"] => Action::DeploymentId(value()?),
        ["cacheClusterEnabled"] => Action::CacheClusterEnabled(boolean()?),
        ["cacheClusterSize"] => {
            let raw = value()?;
            rules::cache_cluster_size(&raw).map_err(PlanError::value)?;
            Action::CacheClusterSize(raw)
        }
        ["clientCertificateId"] => Action::ClientCertificateId(clearable()?),
        ["tracingEnabled"] => Action::TracingEnabled(boolean()?),
        ["documentationVersion"] => Action::DocumentationVersion(clearable()?),
        ["variables", name] => {
            let name = unescape(name);
            rules::variable_name(&name)
                .map_err(|(code, m)| PlanError::new(Blame::Path, code, m))?;
            let raw = value()?;
            rules::variable_value(&raw).map_err(PlanError::value)?;
            Action::SetVariable(name, raw)
        }
        ["canarySettings", field] => {
            if is_add && matches!(*field, "percentTraffic" | "deploymentId" | "useStageCache") {
                return Err(unsupported());
            }
            match *field {
                "percentTraffic" => {
                    let raw = value()?;
                    let pct = parse_double(&raw).unwrap_or(f64::NAN);
                    rules::percent_traffic(pct, &raw).map_err(PlanError::value)?;
                    Action::CanaryPercentTraffic(pct)
                }
                "deploymentId" => Action::CanaryDeploymentId(value()?),
                "useStageCache" => Action::CanaryUseStageCache(boolean()?),
                _ => return Err(PlanError::path(messages::invalid_path(path))),
            }
        }
        ["canarySettings", "stageVariableOverrides", name] => {
            if is_add {
                return Err(unsupported());
            }
            let name = unescape(name);
            rules::variable_name(&name)
                .map_err(|(code, m)| PlanError::new(Blame::Path, code, m))?;
            let raw = value()?;
            rules::variable_value(&raw).map_err(PlanError::value)?;
            Action::SetCanaryOverride(name, raw)
        }
        _ => {
            let (key, setting) = parse_setting_path(path)
                .ok_or_else(|| PlanError::path(messages::invalid_path(path)))?;
            let raw = value()?;
            let value = setting.parse_patch_value(path, &raw).map_err(|m| {
                let code = if setting.field == "cacheTtlInSeconds" {
                    IssueCode::InvalidTtl
                } else {
                    IssueCode::InvalidValue
                };
                PlanError::new(Blame::Value, code, m)
            })?;
            Action::SetMethodSetting {
                key: key.to_owned(),
                setting,
                value,
            }
        }
    };
    if is_add {
        Err(unsupported())
    } else {
        Ok(action)
    }
}

fn plan_copy(op: &PatchOperation) -> Result<Action, PlanError> {
    let from = op.from.as_deref().unwrap_or("");
    match (op.path.as_str(), from) {
        ("/deploymentId", "/canarySettings/deploymentId") => Ok(Action::PromoteDeployment),
        ("/variables", "/canarySettings/stageVariableOverrides") => Ok(Action::PromoteVariables),
        _ => Err(PlanError::new(
            Blame::From,
            IssueCode::InvalidCopy,
            messages::invalid_copy(&op.path, from),
        )),
    }
}

fn canary(stage: &mut Stage) -> &mut CanarySettings {
    let deployment_id = stage.deployment_id.clone();
    stage.canary_settings.get_or_insert_with(|| CanarySettings {
        deployment_id,
        ..CanarySettings::default()
    })
}

fn existing_deployment(env: &dyn Environment, id: String) -> Result<String, String> {
    if env.deployment_exists(&id) {
        Ok(id)
    } else {
        Err(messages::DEPLOYMENT_NOT_FOUND.to_owned())
    }
}

fn execute(
    stage: &mut Stage,
    action: Action,
    op: &PatchOperation,
    env: &dyn Environment,
) -> Result<(), String> {
    match action {
        Action::Description(v) => stage.description = v,
        Action::DeploymentId(id) => stage.deployment_id = Some(existing_deployment(env, id)?),
        Action::CacheClusterEnabled(v) => stage.cache_cluster_enabled = v,
        Action::CacheClusterSize(v) => stage.cache_cluster_size = Some(v),
        Action::ClientCertificateId(v) => stage.client_certificate_id = v,
        Action::TracingEnabled(v) => stage.tracing_enabled = v,
        Action::DocumentationVersion(v) => stage.documentation_version = v,
        Action::SetVariable(name, value) => {
            if !stage.variables.contains_key(&name) && stage.variables.len() >= MAX_VARIABLES {
                return Err(messages::TOO_MANY_VARIABLES.to_owned());
            }
            stage.variables.insert(name, value);
        }
        Action::RemoveVariable(name) => {
            stage.variables.remove(&name);
        }
        Action::AccessLogFormat(v) => {
            stage.access_log_settings.get_or_insert_default().format = Some(v)
        }
        Action::AccessLogDestination(v) => {
            stage
                .access_log_settings
                .get_or_insert_default()
                .destination_arn = Some(v)
        }
        Action::RemoveAccessLogs => stage.access_log_settings = None,
        Action::CanaryPercentTraffic(v) => canary(stage).percent_traffic = v,
        Action::CanaryDeploymentId(id) => {
            let id = existing_deployment(env, id)?;
            canary(stage).deployment_id = Some(id);
        }
        Action::CanaryUseStageCache(v) => canary(stage).use_stage_cache = v,
        Action::SetCanaryOverride(name, value) => {
            canary(stage).stage_variable_overrides.insert(name, value);
        }
        Action::RemoveCanaryOverride(name) => {
            if let Some(c) = stage.canary_settings.as_mut() {
                c.stage_variable_overrides.remove(&name);
            }
        }
        Action::RemoveCanary => stage.canary_settings = None,
        Action::PromoteDeployment => {
            let c = stage.canary_settings.as_ref().ok_or(messages::NO_CANARY)?;
            if let Some(id) = c.deployment_id.clone() {
                stage.deployment_id = Some(id);
            }
        }
        Action::PromoteVariables => {
            let c = stage.canary_settings.as_ref().ok_or(messages::NO_CANARY)?;
            let overrides = c.stage_variable_overrides.clone();
            for (name, value) in overrides {
                if !stage.variables.contains_key(&name) && stage.variables.len() >= MAX_VARIABLES {
                    return Err(messages::TOO_MANY_VARIABLES.to_owned());
                }
                stage.variables.insert(name, value);
            }
        }
        Action::SetMethodSetting {
            key,
            setting,
            value,
        } => {
            let entry = if let Some(entry) = stage.method_settings.get_mut(&key) {
                entry
            } else {
                let base = match stage.method_settings.get(ALL_METHODS_KEY) {
                    Some(all) if key != ALL_METHODS_KEY => all.clone(),
                    _ => MethodSetting::aws_defaults(),
                };
                stage.method_settings.get_or_insert_with(key, || base)
            };
            entry.set(setting, value);
        }
        Action::RemoveMethodSetting(key) => {
            if stage.method_settings.remove(&key).is_none() {
                return Err(messages::cannot_remove(&op.path));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stage() -> Stage {
        serde_json::from_value(json!({
            "stageName": "prod", "deploymentId": "d1", "cacheClusterEnabled": false,
            "cacheClusterStatus": "NOT_AVAILABLE", "methodSettings": {}, "tracingEnabled": false
        }))
        .unwrap()
    }

    fn ops(v: Value) -> Vec<PatchOperation> {
        serde_json::from_value(v).unwrap()
    }

    fn err(stage: &Stage, v: Value) -> String {
        apply(stage, &ops(v)).unwrap_err().message
    }

    #[test]
    fn new_key_gets_aws_defaults() {
        let out = apply(
            &stage(),
            &ops(json!([{"op":"replace","path":"/~1pets/GET/caching/ttlInSeconds","value":"60"}])),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&out.method_settings["~1pets/GET"]).unwrap(),
            json!({"metricsEnabled": false, "dataTraceEnabled": false, "throttlingBurstLimit": 5000,
                   "throttlingRateLimit": 10000.0, "cachingEnabled": false, "cacheTtlInSeconds": 60,
                   "cacheDataEncrypted": false, "requireAuthorizationForCacheControl": true,
                   "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"})
        );
    }

    #[test]
    fn new_key_copies_all_methods_entry_from_earlier_in_the_request() {
        let out = apply(
            &stage(),
            &ops(json!([
                {"op":"replace","path":"/*/*/caching/enabled","value":"true"},
                {"op":"replace","path":"/*/*/logging/loglevel","value":"INFO"},
                {"op":"replace","path":"/test/GET/throttling/burstLimit","value":"124"},
                {"op":"replace","path":"/*/*/throttling/burstLimit","value":"100"}
            ])),
        )
        .unwrap();
        let key = &out.method_settings["test/GET"];
        let field = |s: &str| key.get(Setting::by_field(s).unwrap());
        assert_eq!(field("cachingEnabled"), Some(json!(true)));
        assert_eq!(field("loggingLevel"), Some(json!("INFO")));
        assert_eq!(field("throttlingBurstLimit"), Some(json!(124)));
    }

    #[test]
    fn remove_errors_carry_trailing_space() {
        let s = stage();
        assert_eq!(
            err(&s, json!([{"op":"remove","path":"/*/*"}])),
            "Cannot remove method setting */* because there is no method setting for this method "
        );
        assert_eq!(
            err(
                &s,
                json!([{"op":"remove","path":"/~1pets/GET/throttling/rateLimit"}])
            ),
            "Cannot remove method setting ~1pets/GET/throttling/rateLimit because there is no method setting for this method "
        );
        assert_eq!(
            err(
                &s,
                json!([{"op":"remove","path":"/accessLogSettings/destinationArn"}])
            ),
            "Cannot remove method setting accessLogSettings/destinationArn because there is no method setting for this method "
        );
    }

    #[test]
    fn invalid_paths_list_aws_paths_verbatim() {
        let m = err(
            &stage(),
            json!([{"op":"replace","path":"/tags/tag1","value":"x"}]),
        );
        assert!(m.starts_with(
            "Invalid method setting path: /tags/tag1. Must be one of: [/deploymentId, /description,"
        ));
        assert!(
            m.contains("/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/")
        );
        assert!(m.ends_with("/variables/{variable_name}, /tracingEnabled]"));
        let m = err(
            &stage(),
            json!([{"op":"replace","path":"/{proxy+}/ANY//throttling/burstLimit","value":"1"}]),
        );
        assert!(m.starts_with(
            "Invalid method setting path: /{proxy+}/ANY//throttling/burstLimit. Must be one of"
        ));
    }

    #[test]
    fn access_logs_and_canary_errors() {
        let s = stage();
        assert_eq!(
            err(
                &s,
                json!([{"op":"replace","path":"/accessLogSettings","value":"x"}])
            ),
            "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]"
        );
        assert_eq!(
            err(
                &s,
                json!([{"op":"add","path":"/accessLogSettings/format","value":""}])
            ),
            "Access Log value must not be empty"
        );
        assert_eq!(
            err(
                &s,
                json!([{"op":"add","path":"/canarySettings/deploymentId","value":"d1"}])
            ),
            "Invalid add operation with path: /canarySettings/deploymentId"
        );
        assert_eq!(
            err(
                &s,
                json!([{"op":"copy","from":"/canarySettings/deploymentId","path":"/deploymentId"}])
            ),
            "Promotion not available. Canary does not exist."
        );
        assert_eq!(
            err(
                &s,
                json!([{"op":"copy","from":"/variables","path":"/canarySettings/stageVariableOverrides"}])
            ),
            "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"
        );
    }

    #[test]
    fn canary_is_created_on_the_stage_deployment_and_promoted() {
        let out = apply(
            &stage(),
            &ops(json!([
                {"op":"replace","path":"/canarySettings/percentTraffic","value":"10.5"},
                {"op":"replace","path":"/canarySettings/stageVariableOverrides/color","value":"blue"},
                {"op":"copy","from":"/canarySettings/stageVariableOverrides","path":"/variables"}
            ])),
        )
        .unwrap();
        let c = out.canary_settings.as_ref().unwrap();
        assert_eq!(
            (
                c.percent_traffic,
                c.deployment_id.as_deref(),
                c.use_stage_cache
            ),
            (10.5, Some("d1"), false)
        );
        assert_eq!(out.variables["color"], "blue");
    }

    #[test]
    fn atomic_on_failure() {
        let s = stage();
        let before = s.clone();
        let result = apply(
            &s,
            &ops(json!([
                {"op":"replace","path":"/description","value":"changed"},
                {"op":"replace","path":"/*/*/caching/ttlInSeconds","value":"4000"}
            ])),
        );
        assert_eq!(
            result.unwrap_err().message,
            "Invalid time-to-live setting, must be an integer no greater than 3600"
        );
        assert_eq!(s, before);
    }

    #[test]
    fn deployment_ids_are_checked_in_the_environment() {
        struct Only(&'static str);
        impl Environment for Only {
            fn deployment_exists(&self, id: &str) -> bool {
                id == self.0
            }
        }
        let s = stage();
        let bad =
            ops(json!([{"op":"replace","path":"/canarySettings/deploymentId","value":"nope"}]));
        assert_eq!(
            apply_with(&s, &bad, &Only("d1")).unwrap_err().message,
            "Deployment id does not exist"
        );
        let good = ops(json!([{"op":"replace","path":"/deploymentId","value":"d1"}]));
        assert!(apply_with(&s, &good, &Only("d1")).is_ok());
    }

    #[test]
    fn remove_then_replace_resets_a_key() {
        let s = apply(
            &stage(),
            &ops(json!([
                {"op":"replace","path":"/~1a/GET/throttling/rateLimit","value":"5"},
                {"op":"replace","path":"/~1a/GET/caching/enabled","value":"true"}
            ])),
        )
        .unwrap();
        let out = apply(
            &s,
            &ops(json!([
                {"op":"remove","path":"/~1a/GET"},
                {"op":"replace","path":"/~1a/GET/caching/enabled","value":"true"}
            ])),
        )
        .unwrap();
        let entry = &out.method_settings["~1a/GET"];
        assert_eq!(
            entry.get(Setting::by_field("throttlingRateLimit").unwrap()),
            Some(json!(10000.0))
        );
    }
}
