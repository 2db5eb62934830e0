//! The table of API Gateway operations stagecraft speaks: name, HTTP method and AWS's REST path
//! template (botocore `apigateway` 2015-07-09 `requestUri`), one row each.
//!
//! The emulator's router is built from this table, `stagecraft serve` allows a subset of it, and the web
//! app builds its request paths with [`Operation::path_with`]. A path parameter is written `{name}`
//! and stands for one non-empty segment; operations on the same path use the same parameter names
//! (CreateResource's parent is `{resource_id}` here, `{parent_id}` in AWS's model).
//!
//! ImportRestApi shares CreateRestApi's row: AWS tells them apart by the query (`POST /restapis?mode=import`),
//! and so does the emulator's CreateRestApi handler.

/// The HTTP methods of the operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method as sent on the wire (`GET`, …).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

macro_rules! operations {
    ($($name:ident = $method:ident $path:literal,)*) => {
        /// An API Gateway operation stagecraft implements.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($name), "`: `", stringify!($method), " ", $path, "`.")]
                $name,
            )*
        }

        impl Operation {
            /// Every operation, in table order.
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// AWS's operation name (`UpdateStage`).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$name => stringify!($name),)*
                }
            }

            /// The HTTP method.
            #[must_use]
            pub const fn method(self) -> HttpMethod {
                match self {
                    $(Self::$name => HttpMethod::$method,)*
                }
            }

            /// The path template (`/restapis/{restapi_id}/stages/{stage_name}`).
            #[must_use]
            pub const fn path(self) -> &'static str {
                match self {
                    $(Self::$name => $path,)*
                }
            }
        }
    };
}

operations! {
    GetRestApis = Get "/restapis",
    CreateRestApi = Post "/restapis",
    GetRestApi = Get "/restapis/{restapi_id}",
    UpdateRestApi = Patch "/restapis/{restapi_id}",
    PutRestApi = Put "/restapis/{restapi_id}",
    DeleteRestApi = Delete "/restapis/{restapi_id}",
    GetResources = Get "/restapis/{restapi_id}/resources",
    GetResource = Get "/restapis/{restapi_id}/resources/{resource_id}",
    CreateResource = Post "/restapis/{restapi_id}/resources/{resource_id}",
    UpdateResource = Patch "/restapis/{restapi_id}/resources/{resource_id}",
    DeleteResource = Delete "/restapis/{restapi_id}/resources/{resource_id}",
    GetMethod = Get "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
    PutMethod = Put "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
    UpdateMethod = Patch "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
    DeleteMethod = Delete "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
    GetIntegration = Get "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
    PutIntegration = Put "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
    UpdateIntegration = Patch "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
    DeleteIntegration = Delete "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
    GetMethodResponse = Get "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
    PutMethodResponse = Put "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
    UpdateMethodResponse = Patch "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
    DeleteMethodResponse = Delete "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
    GetIntegrationResponse = Get "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
    PutIntegrationResponse = Put "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
    UpdateIntegrationResponse = Patch "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
    DeleteIntegrationResponse = Delete "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
    GetModels = Get "/restapis/{restapi_id}/models",
    CreateModel = Post "/restapis/{restapi_id}/models",
    GetModel = Get "/restapis/{restapi_id}/models/{model_name}",
    UpdateModel = Patch "/restapis/{restapi_id}/models/{model_name}",
    DeleteModel = Delete "/restapis/{restapi_id}/models/{model_name}",
    GetRequestValidators = Get "/restapis/{restapi_id}/requestvalidators",
    CreateRequestValidator = Post "/restapis/{restapi_id}/requestvalidators",
    GetRequestValidator = Get "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}",
    UpdateRequestValidator = Patch "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}",
    DeleteRequestValidator = Delete "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}",
    GetGatewayResponses = Get "/restapis/{restapi_id}/gatewayresponses",
    GetGatewayResponse = Get "/restapis/{restapi_id}/gatewayresponses/{response_type}",
    PutGatewayResponse = Put "/restapis/{restapi_id}/gatewayresponses/{response_type}",
    UpdateGatewayResponse = Patch "/restapis/{restapi_id}/gatewayresponses/{response_type}",
    DeleteGatewayResponse = Delete "/restapis/{restapi_id}/gatewayresponses/{response_type}",
    GetDeployments = Get "/restapis/{restapi_id}/deployments",
    CreateDeployment = Post "/restapis/{restapi_id}/deployments",
    GetDeployment = Get "/restapis/{restapi_id}/deployments/{deployment_id}",
    UpdateDeployment = Patch "/restapis/{restapi_id}/deployments/{deployment_id}",
    DeleteDeployment = Delete "/restapis/{restapi_id}/deployments/{deployment_id}",
    GetStages = Get "/restapis/{restapi_id}/stages",
    CreateStage = Post "/restapis/{restapi_id}/stages",
    GetStage = Get "/restapis/{restapi_id}/stages/{stage_name}",
    UpdateStage = Patch "/restapis/{restapi_id}/stages/{stage_name}",
    DeleteStage = Delete "/restapis/{restapi_id}/stages/{stage_name}",
    FlushStageAuthorizersCache = Delete "/restapis/{restapi_id}/stages/{stage_name}/cache/authorizers",
    FlushStageCache = Delete "/restapis/{restapi_id}/stages/{stage_name}/cache/data",
    GetAuthorizers = Get "/restapis/{restapi_id}/authorizers",
    CreateAuthorizer = Post "/restapis/{restapi_id}/authorizers",
    GetAuthorizer = Get "/restapis/{restapi_id}/authorizers/{authorizer_id}",
    TestInvokeAuthorizer = Post "/restapis/{restapi_id}/authorizers/{authorizer_id}",
    UpdateAuthorizer = Patch "/restapis/{restapi_id}/authorizers/{authorizer_id}",
    DeleteAuthorizer = Delete "/restapis/{restapi_id}/authorizers/{authorizer_id}",
    GetDocumentationParts = Get "/restapis/{restapi_id}/documentation/parts",
    CreateDocumentationPart = Post "/restapis/{restapi_id}/documentation/parts",
    GetDocumentationPart = Get "/restapis/{restapi_id}/documentation/parts/{part_id}",
    UpdateDocumentationPart = Patch "/restapis/{restapi_id}/documentation/parts/{part_id}",
    DeleteDocumentationPart = Delete "/restapis/{restapi_id}/documentation/parts/{part_id}",
    GetDocumentationVersions = Get "/restapis/{restapi_id}/documentation/versions",
    CreateDocumentationVersion = Post "/restapis/{restapi_id}/documentation/versions",
    GetDocumentationVersion = Get "/restapis/{restapi_id}/documentation/versions/{doc_version}",
    UpdateDocumentationVersion = Patch "/restapis/{restapi_id}/documentation/versions/{doc_version}",
    DeleteDocumentationVersion = Delete "/restapis/{restapi_id}/documentation/versions/{doc_version}",
    GetUsagePlans = Get "/usageplans",
    CreateUsagePlan = Post "/usageplans",
    GetUsagePlan = Get "/usageplans/{usageplan_id}",
    UpdateUsagePlan = Patch "/usageplans/{usageplan_id}",
    DeleteUsagePlan = Delete "/usageplans/{usageplan_id}",
    GetUsagePlanKeys = Get "/usageplans/{usageplan_id}/keys",
    CreateUsagePlanKey = Post "/usageplans/{usageplan_id}/keys",
    GetUsagePlanKey = Get "/usageplans/{usageplan_id}/keys/{key_id}",
    DeleteUsagePlanKey = Delete "/usageplans/{usageplan_id}/keys/{key_id}",
    GetApiKeys = Get "/apikeys",
    CreateApiKey = Post "/apikeys",
    GetApiKey = Get "/apikeys/{api_key}",
    UpdateApiKey = Patch "/apikeys/{api_key}",
    DeleteApiKey = Delete "/apikeys/{api_key}",
    GetExport = Get "/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}",
    GetTags = Get "/tags/{resource_arn}",
    TagResource = Put "/tags/{resource_arn}",
    UntagResource = Delete "/tags/{resource_arn}",
}

impl Operation {
    /// The operation's path with its parameters replaced, in order, by `params` (each one segment,
    /// already percent-encoded by the caller). Parameters beyond `params` stay as templates.
    #[must_use]
    pub fn path_with(self, params: &[&str]) -> String {
        let mut params = params.iter();
        let mut out = String::with_capacity(self.path().len());
        for segment in self.path().split('/').skip(1) {
            out.push('/');
            let param = if segment.starts_with('{') {
                params.next()
            } else {
                None
            };
            out.push_str(param.map_or(segment, |p| p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_in_order() {
        assert_eq!(
            Operation::UpdateStage.path_with(&["a1", "prod"]),
            "/restapis/a1/stages/prod"
        );
        assert_eq!(Operation::GetRestApis.path_with(&[]), "/restapis");
        assert_eq!(
            Operation::GetStage.path_with(&["a1"]),
            "/restapis/a1/stages/{stage_name}"
        );
    }

    fn shape(path: &str) -> Vec<&str> {
        path.split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect()
    }

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for op in Operation::ALL {
            assert!(seen.insert((op.method(), op.path())), "{op:?} twice");
            assert!(op.path().starts_with('/') && !op.path().ends_with('/'));
            // Operations on one path name their parameters alike (the emulator's router needs it).
            for other in Operation::ALL {
                if shape(op.path()) == shape(other.path()) {
                    assert_eq!(op.path(), other.path());
                }
            }
        }
    }
}
