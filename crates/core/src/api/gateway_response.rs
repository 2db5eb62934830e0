//! Gateway responses: what the data plane answers for its own errors, per response type. The wire types
//! and the rules of PutGatewayResponse, UpdateGatewayResponse and GetGatewayResponse(s), with AWS's texts
//! and defaults (LocalStack's AWS-validated snapshots).
//!
//! Every API has a response for each type: the one put for it, else a default (`defaultResponse: true`)
//! that takes its status code, parameters and templates from the API's `DEFAULT_4XX` / `DEFAULT_5XX`
//! response when one is put, else the type's own status code and AWS's JSON message template.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::messages;
use crate::patch::{Op, PatchOperation};

/// The response types with their default status codes, in AWS's enum order.
pub const TYPES: &[(&str, Option<&str>)] = &[
    ("REQUEST_TOO_LARGE", Some("413")),
    ("RESOURCE_NOT_FOUND", Some("404")),
    ("AUTHORIZER_CONFIGURATION_ERROR", Some("500")),
    ("MISSING_AUTHENTICATION_TOKEN", Some("403")),
    ("BAD_REQUEST_BODY", Some("400")),
    ("INVALID_SIGNATURE", Some("403")),
    ("INVALID_API_KEY", Some("403")),
    ("BAD_REQUEST_PARAMETERS", Some("400")),
    ("AUTHORIZER_FAILURE", Some("500")),
    ("UNAUTHORIZED", Some("401")),
    ("INTEGRATION_TIMEOUT", Some("504")),
    ("ACCESS_DENIED", Some("403")),
    ("DEFAULT_4XX", None),
    ("DEFAULT_5XX", None),
    ("WAF_FILTERED", Some("403")),
    ("QUOTA_EXCEEDED", Some("429")),
    ("THROTTLED", Some("429")),
    ("API_CONFIGURATION_ERROR", Some("500")),
    ("UNSUPPORTED_MEDIA_TYPE", Some("415")),
    ("INTEGRATION_FAILURE", Some("504")),
    ("EXPIRED_TOKEN", Some("403")),
];
/// The template of a response that sets none.
pub const DEFAULT_TEMPLATE: &str = "{\"message\":$context.error.messageString}";
/// *AWS*: DeleteGatewayResponse of a type that was never put.
pub const NOT_DEFINED: &str = "Gateway response type not defined on api";

/// A gateway response (Get/Put/UpdateGatewayResponse output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayResponse {
    /// The response type (`MISSING_AUTHENTICATION_TOKEN`, …).
    pub response_type: String,
    /// The status code (absent on a default `DEFAULT_4XX` / `DEFAULT_5XX`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// `gatewayresponse.header.X` → value expression.
    #[serde(default)]
    pub response_parameters: BTreeMap<String, String>,
    /// Content type → template.
    #[serde(default)]
    pub response_templates: BTreeMap<String, String>,
    /// Whether this is the default rather than one put for the API.
    #[serde(default)]
    pub default_response: bool,
}

/// PutGatewayResponse input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutGatewayResponseRequest {
    /// The status code (default: the type's).
    #[serde(default)]
    pub status_code: Option<String>,
    /// Header parameters.
    #[serde(default)]
    pub response_parameters: Option<BTreeMap<String, String>>,
    /// Templates (default: AWS's JSON message).
    #[serde(default)]
    pub response_templates: Option<BTreeMap<String, String>>,
}

/// The 404 for deleting a response type that was never put.
#[must_use]
pub fn not_defined() -> ApiError {
    ApiError::not_found(NOT_DEFINED)
}

/// Checks a response type from the path.
///
/// # Errors
/// A type outside the enum (`ValidationException` at `responseType`, as AWS words it).
pub fn check_type(response_type: &str) -> Result<(), ApiError> {
    if TYPES.iter().any(|(t, _)| *t == response_type) {
        Ok(())
    } else {
        let allowed: Vec<&str> = TYPES.iter().map(|(t, _)| *t).collect();
        Err(ApiError::enum_violation(
            response_type,
            "responseType",
            &allowed,
        ))
    }
}

fn default_status(response_type: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(t, _)| *t == response_type)
        .and_then(|(_, code)| *code)
}

fn default_templates() -> BTreeMap<String, String> {
    BTreeMap::from([(super::model::JSON.to_owned(), DEFAULT_TEMPLATE.to_owned())])
}

/// The response of type `response_type` given those put for the API (`put`, by type).
#[must_use]
pub fn view(response_type: &str, put: &BTreeMap<String, GatewayResponse>) -> GatewayResponse {
    if let Some(own) = put.get(response_type) {
        return own.clone();
    }
    let own_code = default_status(response_type);
    let family = match own_code {
        Some(code) if code.starts_with('4') => put.get("DEFAULT_4XX"),
        Some(_) => put.get("DEFAULT_5XX"),
        None => None,
    };
    GatewayResponse {
        response_type: response_type.to_owned(),
        status_code: family
            .and_then(|f| f.status_code.clone())
            .or_else(|| own_code.map(str::to_owned)),
        response_parameters: family
            .map(|f| f.response_parameters.clone())
            .unwrap_or_default(),
        response_templates: family.map_or_else(default_templates, |f| f.response_templates.clone()),
        default_response: true,
    }
}

/// Every type's response, in AWS's listing order (by type name).
#[must_use]
pub fn all(put: &BTreeMap<String, GatewayResponse>) -> Vec<GatewayResponse> {
    let mut types: Vec<&str> = TYPES.iter().map(|(t, _)| *t).collect();
    types.sort_unstable();
    types.into_iter().map(|t| view(t, put)).collect()
}

impl PutGatewayResponseRequest {
    /// The response PutGatewayResponse stores for `response_type` (checked).
    #[must_use]
    pub fn to_response(&self, response_type: &str) -> GatewayResponse {
        GatewayResponse {
            response_type: response_type.to_owned(),
            status_code: self
                .status_code
                .clone()
                .or_else(|| default_status(response_type).map(str::to_owned)),
            response_parameters: self.response_parameters.clone().unwrap_or_default(),
            response_templates: self
                .response_templates
                .clone()
                .unwrap_or_else(default_templates),
            default_response: false,
        }
    }
}

/// UpdateGatewayResponse: `ops` applied in order to `current` (the type's response as GetGatewayResponse
/// shows it); the result is stored as put. `replace` of `/statusCode`; add / replace / remove of
/// `/responseParameters/{name}` and `/responseTemplates/{type}` (`~1` for `/`).
///
/// # Errors
/// AWS's texts: another op on `/statusCode` or another path (`Invalid patch path …`, `null` when there
/// is none), an empty value, and 404 for replacing or removing an entry that is not there.
pub fn update(
    current: &GatewayResponse,
    ops: &[PatchOperation],
) -> Result<GatewayResponse, ApiError> {
    let mut next = current.clone();
    next.default_response = false;
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        if op.path == "/statusCode" && op.op == Op::Replace {
            next.status_code = Some(value);
            continue;
        }
        let entry = [
            ("/responseParameters/", "responseParameters"),
            ("/responseTemplates/", "responseTemplates"),
        ]
        .into_iter()
        .find_map(|(prefix, field)| Some(field).zip(op.key_under(prefix)));
        let Some((field, key)) = entry else {
            let path = if op.path.is_empty() { "null" } else { &op.path };
            return Err(ApiError::bad_request(messages::invalid_patch_path(path)));
        };
        let (map, missing) = if field == "responseParameters" {
            (
                &mut next.response_parameters,
                messages::INVALID_PARAMETER_NAME,
            )
        } else {
            (
                &mut next.response_templates,
                messages::CONTENT_TYPE_NOT_FOUND,
            )
        };
        if matches!(op.op, Op::Replace | Op::Remove) && !map.contains_key(&key) {
            return Err(ApiError::not_found(missing));
        }
        match op.op {
            Op::Remove => {
                map.remove(&key);
            }
            Op::Add | Op::Replace if value.is_empty() => {
                return Err(ApiError::bad_request(format!(
                    "Invalid null or empty value in {field}"
                )));
            }
            Op::Add | Op::Replace => {
                map.insert(key, value);
            }
            _ => {
                return Err(ApiError::bad_request(messages::invalid_patch_path(
                    &op.path,
                )));
            }
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;
    use serde_json::json;

    fn ops(v: serde_json::Value) -> Vec<PatchOperation> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn defaults_follow_the_family_response() {
        let mut put = BTreeMap::new();
        let missing = view("MISSING_AUTHENTICATION_TOKEN", &put);
        assert_eq!(
            (missing.status_code.as_deref(), missing.default_response),
            (Some("403"), true)
        );
        assert_eq!(
            missing.response_templates["application/json"],
            DEFAULT_TEMPLATE
        );
        assert_eq!(view("DEFAULT_4XX", &put).status_code, None);
        let five = PutGatewayResponseRequest {
            status_code: Some("599".into()),
            response_parameters: Some(BTreeMap::from([(
                "gatewayresponse.header.x-request-header".into(),
                "method.request.header.Accept".into(),
            )])),
            response_templates: None,
        }
        .to_response("DEFAULT_5XX");
        put.insert("DEFAULT_5XX".to_owned(), five);
        let config = view("API_CONFIGURATION_ERROR", &put);
        assert_eq!(config.status_code.as_deref(), Some("599"));
        assert_eq!(config.response_parameters.len(), 1);
        assert!(config.default_response);
        assert_eq!(view("THROTTLED", &put).status_code.as_deref(), Some("429"));
        let listed: Vec<String> = all(&put).into_iter().map(|r| r.response_type).collect();
        assert_eq!(listed.len(), 21);
        assert_eq!(listed[0], "ACCESS_DENIED");
        let e = check_type("FAKE_RESPONSE_TYPE").unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
        assert!(e.message.starts_with("1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND,"));
    }

    #[test]
    fn updates_follow_aws() {
        let current = view("DEFAULT_4XX", &BTreeMap::new());
        let next = update(
            &current,
            &ops(json!([
                {"op": "replace", "path": "/statusCode", "value": "444"},
                {"op": "add", "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin", "value": "'a.b.c'"},
                {"op": "add", "path": "/responseTemplates/application~1xml", "value": "<m/>"}])),
        )
        .unwrap();
        assert_eq!(
            (next.status_code.as_deref(), next.default_response),
            (Some("444"), false)
        );
        assert_eq!(next.response_templates["application/xml"], "<m/>");
        let message = |v| update(&current, &ops(v)).unwrap_err().message;
        assert_eq!(
            message(json!([{"op": "add", "path": "/statusCode", "value": "444"}])),
            "Invalid patch path /statusCode"
        );
        assert_eq!(
            message(json!([{"op": "add", "path": "", "value": "x"}])),
            "Invalid patch path null"
        );
        assert_eq!(
            message(
                json!([{"op": "replace", "path": "/responseParameters/gatewayresponse.header.x", "value": "'y'"}])
            ),
            "Invalid parameter name specified"
        );
        assert_eq!(
            message(json!([{"op": "add", "path": "/responseTemplates/application~1xml"}])),
            "Invalid null or empty value in responseTemplates"
        );
        assert_eq!(
            message(json!([{"op": "add", "path": "/wrongPath", "value": "x"}])),
            "Invalid patch path /wrongPath"
        );
    }
}
