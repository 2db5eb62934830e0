//! Wire types and rules of the API Gateway REST control plane, a module per resource: REST APIs,
//! resources (with methods and integrations), deployments, stages, tags, paged lists, and the table of
//! operations. camelCase JSON exactly as AWS sends it; optional members are omitted when unset.
//!
//! Each module holds both the shapes and the rules AWS applies to them (with AWS's texts), so the
//! emulator's handlers only parse, look up, call these and store. Authorizers live in
//! [`crate::authorizer`].

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::patch::PatchOperation;
use crate::rules;

pub mod api_key;
pub mod deployment;
pub mod documentation;
pub mod operations;
pub mod paging;
pub mod resource;
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
pub use operations::{HttpMethod, Operation};
pub use paging::Page;
pub use resource::{CreateResourceRequest, Method, PutMethodRequest, Resource};
pub use rest_api::{CreateRestApiRequest, EndpointConfiguration, RestApi, RestApiSummary};
pub use stage::CreateStageRequest;
pub use tags::Tags;
pub use usage_plan::{UsagePlan, UsagePlanKey};

/// `{"patchOperations": [...]}` (UpdateStage, UpdateAuthorizer, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchRequest {
    /// The operations, applied in order.
    #[serde(default)]
    pub patch_operations: Vec<PatchOperation>,
}

fn rule(result: Result<(), rules::RuleError>) -> Result<(), ApiError> {
    result.map_err(|(_, message)| ApiError::bad_request(message))
}
