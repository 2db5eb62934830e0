//! Usage plans and usage plan keys: the wire types and the rules of CreateUsagePlan, UpdateUsagePlan,
//! DeleteUsagePlan and CreateUsagePlanKey, as far as stages are concerned (the API stages a plan covers,
//! with per-method throttling keyed `/{resourcePath}/{httpMethod}`).
//!
//! Texts marked *AWS* are recorded AWS answers, including the unformatted `%s` of CreateUsagePlan's
//! missing-stage error that AWS sends (aws/aws-cdk#6169, aws/aws-sdk#354); *stagecraft* texts answer
//! cases with no recorded text (docs/aws-behaviour.md §9).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::api_key::ApiKey;
use crate::error::ApiError;
use crate::patch::{Op, PatchOperation};

/// The quota periods, in the service model's order.
pub const PERIODS: &[&str] = &["DAY", "WEEK", "MONTH"];
/// *AWS*: a usage plan id that names no plan.
pub const NOT_FOUND: &str = "Invalid Usage Plan ID specified";
/// *AWS*: CreateUsagePlan / `add /apiStages` naming an API or stage that does not exist (verbatim).
pub const INVALID_API_STAGE_UNFORMATTED: &str =
    "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s";
/// *AWS*: `remove /apiStages` without an `apiId:stage` value.
pub const INVALID_API_STAGE: &str = "Invalid API Stage specified";
/// *stagecraft*: a usage plan key id that names no key of the plan.
pub const KEY_NOT_FOUND: &str = "Invalid Usage Plan Key identifier specified";
/// *stagecraft*: CreateUsagePlanKey of a key the plan holds.
pub const KEY_EXISTS: &str = "Usage Plan Key already exists";
/// *AWS* (UpdateUsagePlan): the paths `remove` accepts.
pub const REMOVE_PATHS: &str = "[/apiStages, /quota, /throttle, /productCode, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]";
/// *stagecraft*: the paths `add` / `replace` accept, in AWS's style.
pub const CHANGE_PATHS: &str = "[/name, /description, /productCode, /throttle/burstLimit, /throttle/rateLimit, /quota/limit, /quota/offset, /quota/period, /apiStages, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit]";

/// Request-rate limits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleSettings {
    /// Bucket size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst_limit: Option<i64>,
    /// Steady-state requests per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<f64>,
}

/// A request quota per period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaSettings {
    /// Requests per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Requests taken off the first period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// `DAY`, `WEEK` or `MONTH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// A stage a plan covers, with per-method throttling (`/pets/GET` → limits).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStage {
    /// The API id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    /// The stage name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// `/{resourcePath}/{httpMethod}` → limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<BTreeMap<String, ThrottleSettings>>,
}

impl ApiStage {
    /// Whether this entry is stage `stage` of API `api`.
    #[must_use]
    pub fn is(&self, api: &str, stage: &str) -> bool {
        self.api_id.as_deref() == Some(api) && self.stage.as_deref() == Some(stage)
    }
}

/// A usage plan (CreateUsagePlan / GetUsagePlan output).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlan {
    /// The plan id.
    pub id: String,
    /// The plan's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The stages it covers (always present).
    #[serde(default)]
    pub api_stages: Vec<ApiStage>,
    /// Plan-wide limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSettings>,
    /// Plan-wide quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaSettings>,
    /// AWS Marketplace product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// Tags (omitted when empty).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// CreateUsagePlan input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUsagePlanRequest {
    /// Required.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// The stages it covers.
    #[serde(default)]
    pub api_stages: Option<Vec<ApiStage>>,
    /// Plan-wide limits.
    #[serde(default)]
    pub throttle: Option<ThrottleSettings>,
    /// Plan-wide quota.
    #[serde(default)]
    pub quota: Option<QuotaSettings>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// A key of a usage plan (CreateUsagePlanKey / GetUsagePlanKey output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlanKey {
    /// The API key's id.
    pub id: String,
    /// `API_KEY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The API key's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The API key's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl UsagePlanKey {
    /// The plan key of API key `key`.
    #[must_use]
    pub fn of(key: &ApiKey) -> Self {
        Self {
            id: key.id.clone(),
            kind: "API_KEY".into(),
            value: key.value.clone(),
            name: key.name.clone(),
        }
    }
}

/// CreateUsagePlanKey input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUsagePlanKeyRequest {
    /// Required: the API key's id.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Required: `API_KEY`.
    #[serde(default)]
    pub key_type: Option<String>,
}

impl CreateUsagePlanKeyRequest {
    /// The API key id to add, after checking the input.
    ///
    /// # Errors
    /// A missing `keyId` / `keyType`, or a type other than `API_KEY` (`ValidationException`s).
    pub fn key_id(&self) -> Result<&str, ApiError> {
        let id = self
            .key_id
            .as_deref()
            .ok_or_else(|| ApiError::member_null("createUsagePlanKeyInput.keyId"))?;
        let kind = self
            .key_type
            .as_deref()
            .ok_or_else(|| ApiError::member_null("createUsagePlanKeyInput.keyType"))?;
        if kind != "API_KEY" {
            return Err(ApiError::bad_request(format!(
                "Invalid key type specified: {kind}. Must be one of: [API_KEY]"
            )));
        }
        Ok(id)
    }
}

/// The 404 for a plan id that names no plan.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(NOT_FOUND)
}

/// The 404 for a key the plan does not hold.
#[must_use]
pub fn key_not_found() -> ApiError {
    ApiError::not_found(KEY_NOT_FOUND)
}

/// *AWS*: the 404 of `remove /apiStages` for a stage that does not exist.
#[must_use]
pub fn stage_not_found(api: &str, stage: &str, plan: &str) -> ApiError {
    ApiError::not_found(format!(
        "Invalid API Stage {{api: {api}, stage: {stage}}} specified for usageplan {plan}"
    ))
}

/// *AWS*: DeleteUsagePlan of a plan that still covers stages.
#[must_use]
pub fn in_use(plan: &str, stage: &ApiStage) -> ApiError {
    ApiError::bad_request(format!(
        "Cannot delete Usage Plan {plan} because there are API Stages associated with it, including {}:{}",
        stage.api_id.as_deref().unwrap_or_default(),
        stage.stage.as_deref().unwrap_or_default()
    ))
}

/// *stagecraft*: a per-method throttle key that is not `/{resourcePath}/{httpMethod}`.
#[must_use]
pub fn invalid_method_key(key: &str) -> String {
    format!("Invalid method throttle key: {key}. Must be /{{resourcePath}}/{{httpMethod}}")
}

fn check_method_key(key: &str) -> Result<(), ApiError> {
    let ok = key.starts_with('/')
        && key.rsplit_once('/').is_some_and(|(path, verb)| {
            (path.is_empty() || path.starts_with('/'))
                && (verb == "*" || super::resource::HTTP_METHODS.contains(&verb))
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(invalid_method_key(key)))
    }
}

fn check_quota(quota: &QuotaSettings, input: &str) -> Result<(), ApiError> {
    match quota.period.as_deref() {
        Some(p) if !PERIODS.contains(&p) => Err(ApiError::enum_violation(
            p,
            &format!("{input}.quota.period"),
            PERIODS,
        )),
        _ => Ok(()),
    }
}

/// Checks the stages a plan covers: each names an existing stage (`exists(api, stage)`), and their
/// per-method throttle keys are `/{resourcePath}/{httpMethod}`.
///
/// # Errors
/// AWS's missing-stage text (unformatted, as AWS sends it), or a bad throttle key.
pub fn check_api_stages(
    stages: &[ApiStage],
    exists: impl Fn(&str, &str) -> bool,
) -> Result<(), ApiError> {
    for s in stages {
        let (Some(api), Some(stage)) = (s.api_id.as_deref(), s.stage.as_deref()) else {
            return Err(ApiError::bad_request(INVALID_API_STAGE_UNFORMATTED));
        };
        if !exists(api, stage) {
            return Err(ApiError::bad_request(INVALID_API_STAGE_UNFORMATTED));
        }
        for key in s.throttle.iter().flat_map(BTreeMap::keys) {
            check_method_key(key)?;
        }
    }
    Ok(())
}

impl CreateUsagePlanRequest {
    /// The plan CreateUsagePlan stores under `id`; `exists(api, stage)` tells whether a stage exists.
    ///
    /// # Errors
    /// A missing name, a quota period outside the enum, a missing stage, bad tags.
    pub fn to_usage_plan(
        &self,
        id: String,
        exists: impl Fn(&str, &str) -> bool,
    ) -> Result<UsagePlan, ApiError> {
        let name = self
            .name
            .clone()
            .ok_or_else(|| ApiError::member_null("createUsagePlanInput.name"))?;
        if let Some(q) = &self.quota {
            check_quota(q, "createUsagePlanInput")?;
        }
        let api_stages = self.api_stages.clone().unwrap_or_default();
        check_api_stages(&api_stages, exists)?;
        let tags = self.tags.clone().unwrap_or_default();
        super::tags::check_tags(&tags)?;
        Ok(UsagePlan {
            id,
            name: Some(name),
            description: self.description.clone(),
            api_stages,
            throttle: self.throttle.clone(),
            quota: self.quota.clone(),
            product_code: None,
            tags,
        })
    }
}

fn invalid_path(op: &PatchOperation) -> ApiError {
    let list = if op.op == Op::Remove {
        REMOVE_PATHS
    } else {
        CHANGE_PATHS
    };
    ApiError::bad_request(format!(
        "Invalid patch path  '{}' specified for op '{}'. Must be one of: {list}",
        op.path, op.op
    ))
}

fn number<T: std::str::FromStr>(op: &PatchOperation) -> Result<T, ApiError> {
    let raw = op.value.as_deref().unwrap_or_default();
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "Invalid value for path {}: {raw}. Must be a number",
            op.path
        ))
    })
}

/// Splits `api:stage` (the `/apiStages` value and path segment).
fn api_stage(raw: &str) -> Option<(&str, &str)> {
    raw.split_once(':')
        .filter(|(a, s)| !a.is_empty() && !s.is_empty() && !s.contains(':'))
}

/// UpdateUsagePlan: `ops` applied in order to `plan`; `exists(api, stage)` tells whether a stage exists.
///
/// # Errors
/// AWS's path and API-stage texts, bad numbers, a quota period outside the enum.
pub fn update(
    plan: &UsagePlan,
    ops: &[PatchOperation],
    exists: impl Fn(&str, &str) -> bool,
) -> Result<UsagePlan, ApiError> {
    let mut next = plan.clone();
    for op in ops {
        let value = op.value.clone();
        match (op.op, op.path.as_str()) {
            (Op::Replace, "/name") => next.name = value,
            (Op::Replace, "/description") => next.description = value,
            (Op::Replace, "/productCode") => next.product_code = value,
            (Op::Remove, "/productCode") => next.product_code = None,
            (Op::Replace, "/throttle/burstLimit") => {
                next.throttle
                    .get_or_insert_with(Default::default)
                    .burst_limit = Some(number(op)?);
            }
            (Op::Replace, "/throttle/rateLimit") => {
                next.throttle
                    .get_or_insert_with(Default::default)
                    .rate_limit = Some(number(op)?);
            }
            (Op::Remove, "/throttle") => next.throttle = None,
            (Op::Replace, "/quota/limit") => {
                next.quota.get_or_insert_with(Default::default).limit = Some(number(op)?);
            }
            (Op::Replace, "/quota/offset") => {
                next.quota.get_or_insert_with(Default::default).offset = Some(number(op)?);
            }
            (Op::Replace, "/quota/period") => {
                let quota = next.quota.get_or_insert_with(Default::default);
                quota.period = value;
                check_quota(quota, "updateUsagePlanInput")?;
            }
            (Op::Remove, "/quota") => next.quota = None,
            (Op::Add, "/apiStages") => {
                let Some((api, stage)) = value.as_deref().and_then(api_stage) else {
                    return Err(ApiError::bad_request(INVALID_API_STAGE));
                };
                if !exists(api, stage) {
                    return Err(ApiError::bad_request(INVALID_API_STAGE_UNFORMATTED));
                }
                if !next.api_stages.iter().any(|s| s.is(api, stage)) {
                    next.api_stages.push(ApiStage {
                        api_id: Some(api.into()),
                        stage: Some(stage.into()),
                        throttle: None,
                    });
                }
            }
            (Op::Remove, "/apiStages") => {
                let Some((api, stage)) = value.as_deref().and_then(api_stage) else {
                    return Err(ApiError::bad_request(INVALID_API_STAGE));
                };
                let before = next.api_stages.len();
                next.api_stages.retain(|s| !s.is(api, stage));
                if !exists(api, stage) || next.api_stages.len() == before {
                    return Err(stage_not_found(api, stage, &plan.id));
                }
            }
            (_, path) if path.starts_with("/apiStages/") => {
                method_throttle(&mut next, op, &plan.id)?;
            }
            _ => return Err(invalid_path(op)),
        }
    }
    Ok(next)
}

/// The `/apiStages/{api}:{stage}/throttle…` operations.
fn method_throttle(plan: &mut UsagePlan, op: &PatchOperation, id: &str) -> Result<(), ApiError> {
    let rest = op.path.trim_start_matches("/apiStages/");
    let (target, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let Some((api, stage)) = api_stage(target) else {
        return Err(invalid_path(op));
    };
    let Some(entry) = plan.api_stages.iter_mut().find(|s| s.is(api, stage)) else {
        return Err(stage_not_found(api, stage, id));
    };
    let Some(tail) = tail.strip_prefix("throttle") else {
        return Err(invalid_path(op));
    };
    let Some(tail) = tail.strip_prefix('/').or(tail.is_empty().then_some("")) else {
        return Err(invalid_path(op));
    };
    if tail.is_empty() {
        return if op.op == Op::Remove {
            entry.throttle = None;
            Ok(())
        } else {
            Err(invalid_path(op))
        };
    }
    let throttle = entry.throttle.get_or_insert_with(BTreeMap::new);
    match op.op {
        Op::Remove => {
            check_method_key(tail)?;
            throttle.remove(tail);
        }
        Op::Add | Op::Replace => {
            let (key, field) = tail.rsplit_once('/').unwrap_or((tail, ""));
            check_method_key(key)?;
            let limits = throttle.entry(key.to_owned()).or_default();
            match field {
                "burstLimit" => limits.burst_limit = Some(number(op)?),
                "rateLimit" => limits.rate_limit = Some(number(op)?),
                _ => return Err(invalid_path(op)),
            }
        }
        _ => return Err(invalid_path(op)),
    }
    if throttle.is_empty() {
        entry.throttle = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;
    use serde_json::{Value, json};

    fn create(body: Value) -> Result<UsagePlan, ApiError> {
        serde_json::from_value::<CreateUsagePlanRequest>(body)
            .unwrap()
            .to_usage_plan("p1".into(), |a, s| a == "a1" && s == "prod")
    }

    fn ops(v: Value) -> Vec<PatchOperation> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn create_checks_stages() {
        let plan = create(
            json!({"name": "n", "apiStages": [{"apiId": "a1", "stage": "prod",
            "throttle": {"/pets/GET": {"burstLimit": 5, "rateLimit": 1.0}}}]}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&plan).unwrap()["apiStages"][0]["throttle"],
            json!({"/pets/GET": {"burstLimit": 5, "rateLimit": 1.0}})
        );
        assert_eq!(
            serde_json::to_value(create(json!({"name": "n"})).unwrap()).unwrap(),
            json!({"id": "p1", "name": "n", "apiStages": []})
        );
        let e = create(json!({"name": "n", "apiStages": [{"apiId": "a1", "stage": "dev"}]}))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"
        );
        let e = create(
            json!({"name": "n", "apiStages": [{"apiId": "a1", "stage": "prod",
            "throttle": {"pets": {}}}]}),
        )
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::BadRequest);
        let e = create(json!({"name": "n", "quota": {"period": "YEAR"}})).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
        assert!(
            create(json!({}))
                .unwrap_err()
                .message
                .contains("createUsagePlanInput.name")
        );
    }

    #[test]
    fn update_paths() {
        let plan = create(json!({"name": "n"})).unwrap();
        let exists = |a: &str, s: &str| a == "a1" && s == "prod";
        let next = update(
            &plan,
            &ops(json!([
                {"op": "add", "path": "/apiStages", "value": "a1:prod"},
                {"op": "replace", "path": "/apiStages/a1:prod/throttle//pets/GET/burstLimit", "value": "7"},
                {"op": "replace", "path": "/throttle/rateLimit", "value": "2.5"},
                {"op": "replace", "path": "/quota/period", "value": "WEEK"},
                {"op": "replace", "path": "/name", "value": "m"}
            ])),
            exists,
        )
        .unwrap();
        let v = serde_json::to_value(&next).unwrap();
        assert_eq!(
            v["apiStages"],
            json!([{"apiId": "a1", "stage": "prod", "throttle": {"/pets/GET": {"burstLimit": 7}}}])
        );
        assert_eq!(
            (v["throttle"].clone(), v["quota"].clone(), v["name"].clone()),
            (
                json!({"rateLimit": 2.5}),
                json!({"period": "WEEK"}),
                json!("m")
            )
        );
        let e = update(
            &next,
            &ops(json!([{"op": "remove", "path": "/apiStages", "value": "a1:dev"}])),
            exists,
        )
        .unwrap_err();
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::NotFound,
                "Invalid API Stage {api: a1, stage: dev} specified for usageplan p1"
            )
        );
        let e = update(
            &next,
            &ops(json!([{"op": "remove", "path": "/apiStages"}])),
            exists,
        )
        .unwrap_err();
        assert_eq!(e.message, "Invalid API Stage specified");
        let e = update(
            &next,
            &ops(json!([{"op": "remove", "path": "/bogus"}])),
            exists,
        )
        .unwrap_err();
        assert!(e.message.starts_with(
            "Invalid patch path  '/bogus' specified for op 'remove'. Must be one of: [/apiStages, /quota"
        ));
        let gone = update(
            &next,
            &ops(json!([{"op": "remove", "path": "/apiStages", "value": "a1:prod"}])),
            exists,
        )
        .unwrap();
        assert!(gone.api_stages.is_empty());
    }

    #[test]
    fn delete_needs_no_stages() {
        let stage = ApiStage {
            api_id: Some("a1".into()),
            stage: Some("prod".into()),
            throttle: None,
        };
        assert_eq!(
            in_use("p1", &stage).message,
            "Cannot delete Usage Plan p1 because there are API Stages associated with it, including a1:prod"
        );
    }
}
