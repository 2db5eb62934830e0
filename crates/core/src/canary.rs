//! Canary promotion as the Console's "Promote canary" does it: the canary's deployment and its
//! stage-variable overrides become the stage's, and the canary is removed. AWS expresses the first two
//! as `copy` operations (`/canarySettings/deploymentId` → `/deploymentId`,
//! `/canarySettings/stageVariableOverrides` → `/variables`); [`crate::diff`] writes the same result as
//! plain replacements.

use crate::model::Stage;

/// The stage after promoting its canary; `None` when it has none.
#[must_use]
pub fn promote(stage: &Stage) -> Option<Stage> {
    let canary = stage.canary_settings.as_ref()?;
    let mut out = stage.clone();
    if let Some(deployment) = &canary.deployment_id {
        out.deployment_id = Some(deployment.clone());
    }
    out.variables.extend(
        canary
            .stage_variable_overrides
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    out.canary_settings = None;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn promotion_takes_the_canary_deployment_and_overrides() {
        let stage: Stage = serde_json::from_value(json!({
            "stageName": "prod", "deploymentId": "d1",
            "variables": {"host": "a", "keep": "k"},
            "canarySettings": {"percentTraffic": 10.0, "deploymentId": "d2",
                "stageVariableOverrides": {"host": "b"}, "useStageCache": false}
        }))
        .unwrap();
        let promoted = promote(&stage).unwrap();
        assert_eq!(promoted.deployment_id.as_deref(), Some("d2"));
        assert_eq!(promoted.variables["host"], "b");
        assert_eq!(promoted.variables["keep"], "k");
        assert!(promoted.canary_settings.is_none());
        assert!(promote(&promoted).is_none());
        let ops = crate::diff(&stage, &promoted).unwrap();
        assert!(ops.iter().any(|o| o.path == "/deploymentId"));
    }
}
