//! Thin handlers, a module per resource: each parses the request, takes the store's lock, calls core's
//! rules (`stagecraft_core::api`, `stagecraft_core::authorizer`), commits records and answers.
//!
//! Every AWS rule, default and text is core's; where AWS's behaviour is not recorded, the choice is
//! documented in docs/aws-behaviour.md §6 (list order and page tokens, cache cluster status without a
//! provisioning phase, CreateDeployment's stage effects, the tag ARNs accepted).

pub mod authorizers;
pub mod deployments;
pub mod documentation;
pub mod gateway_responses;
pub mod models;
pub mod openapi;
pub mod request_validators;
pub mod resources;
pub mod responses;
pub mod rest_apis;
pub mod stages;
pub mod tags;
pub mod usage_plans;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde::de::DeserializeOwned;
use stagecraft_core::api::{HttpMethod, Operation, Page, paging};

use crate::error::{Error, Result};
use crate::store::Api;
use crate::{AppState, invoke};

/// The handler of `op`, routed for its HTTP method (the router groups these by path).
pub(crate) fn route(op: Operation) -> MethodRouter<AppState> {
    use Operation as O;
    let filter = match op.method() {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Delete => MethodFilter::DELETE,
    };
    match op {
        O::GetRestApis => on(filter, rest_apis::list),
        O::CreateRestApi => on(filter, rest_apis::create),
        O::GetRestApi => on(filter, rest_apis::get),
        O::UpdateRestApi => on(filter, rest_apis::update),
        O::PutRestApi => on(filter, openapi::put_rest_api),
        O::DeleteRestApi => on(filter, rest_apis::delete),
        O::GetResources => on(filter, resources::list),
        O::GetResource => on(filter, resources::get),
        O::CreateResource => on(filter, resources::create),
        O::UpdateResource => on(filter, resources::update),
        O::DeleteResource => on(filter, resources::delete),
        O::GetMethod => on(filter, resources::get_method),
        O::PutMethod => on(filter, resources::put_method),
        O::UpdateMethod => on(filter, responses::update_method),
        O::DeleteMethod => on(filter, resources::delete_method),
        O::GetIntegration => on(filter, resources::get_integration),
        O::PutIntegration => on(filter, resources::put_integration),
        O::UpdateIntegration => on(filter, resources::update_integration),
        O::DeleteIntegration => on(filter, responses::delete_integration),
        O::GetMethodResponse => on(filter, responses::get_method_response),
        O::PutMethodResponse => on(filter, responses::put_method_response),
        O::UpdateMethodResponse => on(filter, responses::update_method_response),
        O::DeleteMethodResponse => on(filter, responses::delete_method_response),
        O::GetIntegrationResponse => on(filter, responses::get_integration_response),
        O::PutIntegrationResponse => on(filter, responses::put_integration_response),
        O::UpdateIntegrationResponse => on(filter, responses::update_integration_response),
        O::DeleteIntegrationResponse => on(filter, responses::delete_integration_response),
        O::GetModels => on(filter, models::list),
        O::CreateModel => on(filter, models::create),
        O::GetModel => on(filter, models::get),
        O::UpdateModel => on(filter, models::update),
        O::DeleteModel => on(filter, models::delete),
        O::GetRequestValidators => on(filter, request_validators::list),
        O::CreateRequestValidator => on(filter, request_validators::create),
        O::GetRequestValidator => on(filter, request_validators::get),
        O::UpdateRequestValidator => on(filter, request_validators::update),
        O::DeleteRequestValidator => on(filter, request_validators::delete),
        O::GetGatewayResponses => on(filter, gateway_responses::list),
        O::GetGatewayResponse => on(filter, gateway_responses::get),
        O::PutGatewayResponse => on(filter, gateway_responses::put),
        O::UpdateGatewayResponse => on(filter, gateway_responses::update),
        O::DeleteGatewayResponse => on(filter, gateway_responses::delete),
        O::GetDeployments => on(filter, deployments::list),
        O::CreateDeployment => on(filter, deployments::create),
        O::GetDeployment => on(filter, deployments::get),
        O::UpdateDeployment => on(filter, deployments::update),
        O::DeleteDeployment => on(filter, deployments::delete),
        O::GetStages => on(filter, stages::list),
        O::CreateStage => on(filter, stages::create),
        O::GetStage => on(filter, stages::get),
        O::UpdateStage => on(filter, stages::update),
        O::DeleteStage => on(filter, stages::delete),
        O::FlushStageAuthorizersCache => on(filter, stages::flush_authorizers_cache),
        O::FlushStageCache => on(filter, stages::flush_cache),
        O::GetAuthorizers => on(filter, authorizers::list),
        O::CreateAuthorizer => on(filter, authorizers::create),
        O::GetAuthorizer => on(filter, authorizers::get),
        O::TestInvokeAuthorizer => on(filter, invoke::test_invoke_authorizer),
        O::UpdateAuthorizer => on(filter, authorizers::update),
        O::DeleteAuthorizer => on(filter, authorizers::delete),
        O::GetDocumentationParts => on(filter, documentation::list_parts),
        O::CreateDocumentationPart => on(filter, documentation::create_part),
        O::GetDocumentationPart => on(filter, documentation::get_part),
        O::UpdateDocumentationPart => on(filter, documentation::update_part),
        O::DeleteDocumentationPart => on(filter, documentation::delete_part),
        O::GetDocumentationVersions => on(filter, documentation::list_versions),
        O::CreateDocumentationVersion => on(filter, documentation::create_version),
        O::GetDocumentationVersion => on(filter, documentation::get_version),
        O::UpdateDocumentationVersion => on(filter, documentation::update_version),
        O::DeleteDocumentationVersion => on(filter, documentation::delete_version),
        O::GetUsagePlans => on(filter, usage_plans::list_plans),
        O::CreateUsagePlan => on(filter, usage_plans::create_plan),
        O::GetUsagePlan => on(filter, usage_plans::get_plan),
        O::UpdateUsagePlan => on(filter, usage_plans::update_plan),
        O::DeleteUsagePlan => on(filter, usage_plans::delete_plan),
        O::GetUsagePlanKeys => on(filter, usage_plans::list_plan_keys),
        O::CreateUsagePlanKey => on(filter, usage_plans::create_plan_key),
        O::GetUsagePlanKey => on(filter, usage_plans::get_plan_key),
        O::DeleteUsagePlanKey => on(filter, usage_plans::delete_plan_key),
        O::GetApiKeys => on(filter, usage_plans::list_keys),
        O::CreateApiKey => on(filter, usage_plans::create_key),
        O::GetApiKey => on(filter, usage_plans::get_key),
        O::UpdateApiKey => on(filter, usage_plans::update_key),
        O::DeleteApiKey => on(filter, usage_plans::delete_key),
        O::GetExport => on(filter, openapi::get_export),
        O::GetTags => on(filter, tags::get),
        O::TagResource => on(filter, tags::tag),
        O::UntagResource => on(filter, tags::untag),
    }
}

/// Path parameters, with rejections reported as AWS-style errors.
pub struct P<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for P<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|e| Error::bad_request(e.body_text()))
    }
}

/// The query string's pairs, decoded, repeated keys kept.
fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn query_one(uri: &Uri, key: &str) -> Option<String> {
    query_pairs(uri)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Whether the `embed` query parameter names `what`.
fn embeds(uri: &Uri, what: &str) -> bool {
    query_pairs(uri)
        .iter()
        .any(|(k, v)| k == "embed" && v.split(',').any(|e| e.trim() == what))
}

/// The page the query's `limit` and `position` ask for, of `(creation sequence, item)` pairs listed in
/// creation order.
fn page_in_creation_order<T>(mut items: Vec<(u64, T)>, uri: &Uri) -> Result<Json<Page<T>>> {
    items.sort_by_key(|(seq, _)| *seq);
    let items = items.into_iter().map(|(_, item)| item).collect();
    let limit = query_one(uri, "limit");
    let position = query_one(uri, "position");
    Ok(Json(paging::page(
        items,
        limit.as_deref(),
        position.as_deref(),
    )?))
}

/// A page of what `items` lists of API `api` (`(creation sequence, item)` pairs), as GetAuthorizers,
/// GetModels and the other lists under an API answer; an unknown API is the usual 404.
fn api_page<T>(
    state: &AppState,
    api: &str,
    uri: &Uri,
    items: impl FnOnce(&Api) -> Vec<(u64, T)>,
) -> Result<Json<Page<T>>> {
    let items = state.read(|s| s.api(account(state), api).map(items))?;
    page_in_creation_order(items, uri)
}

fn created<T: serde::Serialize>(value: &T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

fn accepted() -> Response {
    StatusCode::ACCEPTED.into_response()
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn account(state: &AppState) -> &str {
    &state.config.account_id
}
