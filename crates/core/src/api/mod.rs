//! Wire types and rules of the API Gateway REST control plane, a module per resource: REST APIs,
//! resources (with methods and integrations), deployments, stages, tags, paged lists, and the table of
//! operations. camelCase JSON exactly as AWS sends it; optional members are omitted when unset.
//!
//! Each module holds both the shapes and the rules AWS applies to them (with AWS's texts), so the
//! emulator's handlers only parse, look up, call these and store. Authorizers live in
//! [`crate::authorizer`].

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Violations};
use crate::messages;
use crate::patch::{Op, PatchOperation};
use crate::rules;

pub mod api_key;
pub mod deployment;
pub mod documentation;
pub mod gateway_response;
pub mod model;
pub mod openapi;
pub mod operations;
pub mod paging;
pub mod request_validator;
pub mod resource;
pub mod responses;
pub mod rest_api;
pub mod stage;
pub mod tags;
pub mod usage_plan;

pub use crate::authorizer::{
    Authorizer, TestInvokeAuthorizerRequest, TestInvokeAuthorizerResponse,
};
pub use api_key::ApiKey;
pub use deployment::{CreateDeploymentRequest, Deployment, DeploymentCanarySettings};
pub use documentation::{DocumentationPart, DocumentationVersion};
pub use gateway_response::GatewayResponse;
pub use model::{CreateModelRequest, Model};
pub use operations::{HttpMethod, Operation};
pub use paging::Page;
pub use request_validator::RequestValidator;
pub use resource::{CreateResourceRequest, Method, PutMethodRequest, Resource};
pub use responses::{
    IntegrationResponse, MethodResponse, PutIntegrationResponseRequest, PutMethodResponseRequest,
};
pub use rest_api::{CreateRestApiRequest, EndpointConfiguration, RestApi, RestApiSummary};
pub use stage::CreateStageRequest;
pub use tags::Tags;
pub use usage_plan::{UsagePlan, UsagePlanKey};

/// `{"patchOperations": [...]}` (UpdateStage, UpdateAuthorizer, …) as sent: each `op` is kept as
/// text, so that one outside the enum gets AWS's `ValidationException` from [`PatchRequest::operations`]
/// rather than a parse error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchRequest {
    /// The operations, applied in order.
    #[serde(default)]
    pub patch_operations: Vec<WirePatchOperation>,
}

/// One element of `patchOperations` before its `op` is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePatchOperation {
    /// The operation's name (`add`, `remove`, `move`, `test`, `replace`, `copy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// The target path.
    #[serde(default)]
    pub path: String,
    /// The new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The source path of a `copy` / `move`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// `op`'s values in the order AWS's enum error lists them.
const OP_ENUM: &[&str] = &["add", "remove", "move", "test", "replace", "copy"];

impl PatchRequest {
    /// A request of checked operations.
    #[must_use]
    pub fn new(ops: &[PatchOperation]) -> Self {
        Self {
            patch_operations: ops
                .iter()
                .map(|op| WirePatchOperation {
                    op: Some(op.op.as_str().to_owned()),
                    path: op.path.clone(),
                    value: op.value.clone(),
                    from: op.from.clone(),
                })
                .collect(),
        }
    }

    /// The operations, each `op` checked against the enum as AWS's request validation does; `input`
    /// names the request in AWS's error (`updateStageInput`). A missing `op` reads as `null`.
    ///
    /// # Errors
    /// `ValidationException` listing every operation whose `op` is outside the enum (1-based, as
    /// `updateStageInput.patchOperations.1.member.op`).
    pub fn operations(&self, input: &str) -> Result<Vec<PatchOperation>, ApiError> {
        self.operations_and(input, |_| {})
    }

    /// [`PatchRequest::operations`], with the request's other constraint violations (added by `more`
    /// after the operations', as AWS lists them: a path's `statusCode`, …) in the same report.
    ///
    /// # Errors
    /// `ValidationException` listing every violation.
    pub fn operations_and(
        &self,
        input: &str,
        more: impl FnOnce(&mut Violations),
    ) -> Result<Vec<PatchOperation>, ApiError> {
        let mut violations = Violations::new();
        let mut out = Vec::with_capacity(self.patch_operations.len());
        for (i, wire) in self.patch_operations.iter().enumerate() {
            let location = format!("{input}.patchOperations.{}.member.op", i + 1);
            match wire.op.as_deref().map(|name| (name, Op::parse(name))) {
                Some((_, Some(op))) => out.push(PatchOperation {
                    op,
                    path: wire.path.clone(),
                    value: wire.value.clone(),
                    from: wire.from.clone(),
                }),
                Some((name, None)) => violations.check_enum(name, &location, OP_ENUM),
                None => violations.null(&location),
            }
        }
        more(&mut violations);
        violations.finish()?;
        Ok(out)
    }
}

/// Checks the operations of an Update* that takes only `replace` of `paths`.
///
/// # Errors
/// AWS's text for another op or another path ([`messages::unsupported_patch`]).
pub fn replacements<'a>(
    ops: &'a [PatchOperation],
    paths: &[&str],
) -> Result<&'a [PatchOperation], ApiError> {
    ops.iter()
        .try_for_each(|op| {
            if op.op == Op::Replace && paths.contains(&op.path.as_str()) {
                Ok(())
            } else {
                Err(ApiError::bad_request(messages::unsupported_patch(
                    op.op.as_str(),
                    &op.path,
                    paths,
                )))
            }
        })
        .map(|()| ops)
}

/// The description after an Update* whose only path is `replace /description` (UpdateDeployment,
/// UpdateDocumentationVersion): the last value given; an empty one removes it.
///
/// # Errors
/// AWS's text for another op or path.
pub fn replaced_description(
    current: Option<&str>,
    ops: &[PatchOperation],
) -> Result<Option<String>, ApiError> {
    let last = replacements(ops, &["/description"])?.last();
    Ok(match last {
        Some(op) => op.value.clone().filter(|d| !d.is_empty()),
        None => current.map(str::to_owned),
    })
}

fn rule(result: Result<(), rules::RuleError>) -> Result<(), ApiError> {
    result.map_err(|(_, message)| ApiError::bad_request(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;
    use serde_json::json;

    fn ops(body: serde_json::Value) -> Result<Vec<PatchOperation>, ApiError> {
        serde_json::from_value::<PatchRequest>(body)
            .unwrap()
            .operations("updateStageInput")
    }

    #[test]
    fn ops_outside_the_enum_are_validation_errors() {
        let e = ops(json!({"patchOperations": [
            {"op": "replace", "path": "/description", "value": "x"},
            {"op": "wrong_op", "path": "/description"},
        ]}))
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'wrong_op' at 'updateStageInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"
        );
        let e =
            ops(json!({"patchOperations": [{"op": "a", "path": "/x"}, {"op": "b", "path": "/y"}]}))
                .unwrap_err();
        assert!(e.message.starts_with("2 validation errors detected: Value 'a' at 'updateStageInput.patchOperations.1.member.op'"));
        assert!(
            e.message
                .contains("; Value 'b' at 'updateStageInput.patchOperations.2.member.op'")
        );
    }

    #[test]
    fn good_ops_round_trip() {
        let wanted = vec![
            PatchOperation::replace("/description", "d"),
            PatchOperation::remove("/variables/a"),
        ];
        let body = serde_json::to_value(PatchRequest::new(&wanted)).unwrap();
        assert_eq!(ops(body).unwrap(), wanted);
    }
}
