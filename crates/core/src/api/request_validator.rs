//! Request validators: the wire types and the rules of CreateRequestValidator and
//! UpdateRequestValidator, with AWS's texts (LocalStack's AWS-validated snapshots). A method names one
//! by `requestValidatorId`.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::messages;
use crate::patch::PatchOperation;

/// *AWS*: CreateRequestValidator on an API that does not exist (400, unlike the other operations' 404).
pub const INVALID_API: &str = "Invalid REST API identifier specified";
/// *AWS*: an empty validator name.
pub const BLANK_NAME: &str = "Request Validator name cannot be blank";
/// The paths UpdateRequestValidator replaces, in AWS's order.
const PATHS: &[&str] = &[
    "/name",
    "/validateRequestParameters",
    "/validateRequestBody",
];

/// A request validator (CreateRequestValidator / GetRequestValidator output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestValidator {
    /// The validator id.
    pub id: String,
    /// The validator's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the body is checked against the method's request model.
    #[serde(default)]
    pub validate_request_body: bool,
    /// Whether the method's required request parameters are checked.
    #[serde(default)]
    pub validate_request_parameters: bool,
}

/// CreateRequestValidator input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequestValidatorRequest {
    /// The validator's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Default false.
    #[serde(default)]
    pub validate_request_body: Option<bool>,
    /// Default false.
    #[serde(default)]
    pub validate_request_parameters: Option<bool>,
}

/// The 404 for a validator id that names no validator (or an API that does not exist).
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_REQUEST_VALIDATOR)
}

/// *AWS*: CreateRequestValidator on an API that does not exist answers 400, not the usual 404.
#[must_use]
pub fn api_missing() -> ApiError {
    ApiError::bad_request(INVALID_API)
}

impl CreateRequestValidatorRequest {
    /// The validator CreateRequestValidator stores under `id`.
    ///
    /// # Errors
    /// A blank name.
    pub fn to_validator(&self, id: String) -> Result<RequestValidator, ApiError> {
        if self.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(ApiError::bad_request(BLANK_NAME));
        }
        Ok(RequestValidator {
            id,
            name: self.name.clone(),
            validate_request_body: self.validate_request_body.unwrap_or(false),
            validate_request_parameters: self.validate_request_parameters.unwrap_or(false),
        })
    }
}

/// UpdateRequestValidator: `replace` of `/name`, `/validateRequestParameters` and `/validateRequestBody`
/// (anything but `true`, a missing value included, is false), applied in order to a copy of `current`.
///
/// # Errors
/// AWS's texts for another op or path and for a blank name.
pub fn update_request_validator(
    current: &RequestValidator,
    ops: &[PatchOperation],
) -> Result<RequestValidator, ApiError> {
    let mut next = current.clone();
    for op in super::replacements(ops, PATHS)? {
        let value = op.value.as_deref().unwrap_or_default();
        let on = value.trim().eq_ignore_ascii_case("true");
        match op.path.as_str() {
            "/name" if value.trim().is_empty() => return Err(ApiError::bad_request(BLANK_NAME)),
            "/name" => next.name = Some(value.to_owned()),
            "/validateRequestBody" => next.validate_request_body = on,
            _ => next.validate_request_parameters = on,
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lifecycle_rules() {
        let v = CreateRequestValidatorRequest {
            name: Some("body".into()),
            ..CreateRequestValidatorRequest::default()
        }
        .to_validator("v1".into())
        .unwrap();
        assert!(!v.validate_request_body && !v.validate_request_parameters);
        let ops =
            |v: serde_json::Value| -> Vec<PatchOperation> { serde_json::from_value(v).unwrap() };
        let on = update_request_validator(
            &v,
            &ops(json!([{"op": "replace", "path": "/validateRequestBody", "value": "true"}])),
        )
        .unwrap();
        assert!(on.validate_request_body);
        let off = update_request_validator(
            &on,
            &ops(json!([{"op": "replace", "path": "/validateRequestBody"}])),
        )
        .unwrap();
        assert!(!off.validate_request_body);
        let message = |o| update_request_validator(&v, &ops(o)).unwrap_err().message;
        assert_eq!(
            message(json!([{"op": "add", "path": "/validateRequestBody", "value": "true"}])),
            "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations"
        );
        assert_eq!(
            message(json!([{"op": "replace", "path": "/invalidPath", "value": "true"}])),
            "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]"
        );
        assert_eq!(
            message(json!([{"op": "replace", "path": "/name", "value": ""}])),
            BLANK_NAME
        );
    }
}
