//! Method responses and integration responses: their wire types, PutMethodResponse /
//! PutIntegrationResponse input, the status-code pattern, and the Update* patch rules, with AWS's texts.
//!
//! Patch paths (LocalStack's AWS snapshots): a method response takes `add`, `replace` and `remove` on
//! `/responseParameters/{name}` (value `"true"` / `"false"`) and `/responseModels/{content type}` (`/`
//! written `~1`); `replace` and `remove` need the entry to exist (404 `Invalid parameter name specified`,
//! `Content-Type specified was not found`). An integration response also takes `replace` on
//! `/selectionPattern` and `/contentHandling`, and the same three ops on `/responseTemplates/{content type}`
//! and `/responseParameters/{name}`. A map left empty by `remove` is omitted from the answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, Violations};
use crate::messages;
use crate::patch::{Op, PatchOperation};
use crate::pointer::unescape;

/// AWS's pattern for a response status code, as its validation error writes it.
pub const STATUS_CODE_PATTERN: &str = "[1-5]\\d\\d";
/// The `contentHandling` values, in the order AWS lists them.
pub const CONTENT_HANDLING: &[&str] = &["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"];

/// A method response (PutMethodResponse / GetMethodResponse output, and the values of a method's
/// `methodResponses`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodResponse {
    /// The HTTP status code (`200`).
    pub status_code: String,
    /// `method.response.header.X` → required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<BTreeMap<String, bool>>,
    /// Content type → model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_models: Option<BTreeMap<String, String>>,
}

/// PutMethodResponse input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutMethodResponseRequest {
    /// `method.response.header.X` → required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<BTreeMap<String, bool>>,
    /// Content type → model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_models: Option<BTreeMap<String, String>>,
}

/// An integration response (PutIntegrationResponse / GetIntegrationResponse output, and the values of an
/// integration's `integrationResponses`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationResponse {
    /// The method response status code it maps to.
    pub status_code: String,
    /// The regex over the backend's status (HTTP) or error message (Lambda) that selects it; none for
    /// the default response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_pattern: Option<String>,
    /// `method.response.header.X` → mapping expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<BTreeMap<String, String>>,
    /// Content type → mapping template (`null` for an empty template, as AWS answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_templates: Option<BTreeMap<String, Option<String>>>,
    /// `CONVERT_TO_BINARY` or `CONVERT_TO_TEXT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_handling: Option<String>,
}

/// PutIntegrationResponse input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutIntegrationResponseRequest {
    /// The selection regex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_pattern: Option<String>,
    /// Response parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<BTreeMap<String, String>>,
    /// Response templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_templates: Option<BTreeMap<String, Option<String>>>,
    /// Content handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_handling: Option<String>,
}

/// The `integrationResponses` of a stored integration (empty when it has none).
#[must_use]
pub fn integration_responses(integration: &Value) -> BTreeMap<String, IntegrationResponse> {
    integration
        .get("integrationResponses")
        .and_then(|r| serde_json::from_value(r.clone()).ok())
        .unwrap_or_default()
}

/// Stores `responses` as the integration's `integrationResponses` (removed when empty, as AWS omits it).
pub fn set_integration_responses(
    integration: &mut Value,
    responses: &BTreeMap<String, IntegrationResponse>,
) {
    if let Some(object) = integration.as_object_mut() {
        match serde_json::to_value(responses) {
            Ok(value) if !responses.is_empty() => {
                object.insert("integrationResponses".into(), value);
            }
            _ => {
                object.remove("integrationResponses");
            }
        }
    }
}

/// Adds the violation of a status code outside `[1-5]\d\d` (reported at `statusCode`, as AWS does).
pub fn check_status_code(code: &str, violations: &mut Violations) {
    let b = code.as_bytes();
    let ok = b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit);
    if !ok {
        violations.pattern(code, "statusCode", STATUS_CODE_PATTERN);
    }
}

/// Checks a status code on its own (Get/Put/Delete of a response).
///
/// # Errors
/// `ValidationException` for a code outside `[1-5]\d\d`.
pub fn status_code(code: &str) -> Result<(), ApiError> {
    let mut violations = Violations::new();
    check_status_code(code, &mut violations);
    violations.finish()
}

/// The 404 for a status code the method (or integration) has no response for.
#[must_use]
pub fn not_found() -> ApiError {
    ApiError::not_found(messages::INVALID_RESPONSE_STATUS_CODE)
}

impl PutMethodResponseRequest {
    /// The method response stored for `status_code`.
    #[must_use]
    pub fn to_response(&self, status_code: &str) -> MethodResponse {
        MethodResponse {
            status_code: status_code.to_owned(),
            response_parameters: self.response_parameters.clone(),
            response_models: self.response_models.clone(),
        }
    }
}

/// Checks a content type key (`application/json`) as AWS does for templates.
///
/// # Errors
/// `BadRequestException: Validation Result: … Invalid content type specified: …`.
fn check_content_type(content_type: &str) -> Result<(), ApiError> {
    let ok = content_type.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && !content_type.contains(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(messages::invalid_content_type(
            content_type,
        )))
    }
}

impl PutIntegrationResponseRequest {
    /// The integration response stored for `status_code`; an empty template is stored as `null`.
    ///
    /// # Errors
    /// A template key that is not a content type, or a `contentHandling` outside its enum.
    pub fn to_response(&self, status_code: &str) -> Result<IntegrationResponse, ApiError> {
        if let Some(handling) = &self.content_handling {
            let mut v = Violations::new();
            v.check_enum(
                handling,
                "putIntegrationResponseInput.contentHandling",
                CONTENT_HANDLING,
            );
            v.finish()?;
        }
        let templates = match &self.response_templates {
            Some(t) => {
                for key in t.keys() {
                    check_content_type(key)?;
                }
                Some(
                    t.iter()
                        .map(|(k, v)| (k.clone(), v.clone().filter(|v| !v.is_empty())))
                        .collect(),
                )
            }
            None => None,
        };
        Ok(IntegrationResponse {
            status_code: status_code.to_owned(),
            selection_pattern: self.selection_pattern.clone(),
            response_parameters: self.response_parameters.clone(),
            response_templates: templates,
            content_handling: self.content_handling.clone(),
        })
    }
}

/// One `add` / `replace` / `remove` on an entry of a map member; `missing` is the 404 for a `replace` or
/// `remove` of an entry that is not there. An emptied map becomes `None`.
fn edit_map<V>(
    map: &mut Option<BTreeMap<String, V>>,
    key: String,
    op: Op,
    value: impl FnOnce() -> V,
    missing: &str,
) -> Result<(), ApiError> {
    let exists = map.as_ref().is_some_and(|m| m.contains_key(&key));
    match op {
        Op::Add => {
            map.get_or_insert_with(BTreeMap::new).insert(key, value());
        }
        Op::Replace | Op::Remove if !exists => return Err(ApiError::not_found(missing)),
        Op::Replace => {
            map.get_or_insert_with(BTreeMap::new).insert(key, value());
        }
        Op::Remove => {
            if let Some(m) = map.as_mut() {
                m.remove(&key);
                if m.is_empty() {
                    *map = None;
                }
            }
        }
        _ => {
            return Err(ApiError::bad_request(messages::invalid_patch_op(
                "add, remove, replace",
            )));
        }
    }
    Ok(())
}

/// UpdateMethodResponse: `ops` applied to `current`, atomically.
///
/// # Errors
/// AWS's texts: an unknown path (400 `Invalid patch path …`), a missing entry (404).
pub fn update_method_response(
    current: &MethodResponse,
    ops: &[PatchOperation],
) -> Result<MethodResponse, ApiError> {
    let mut next = current.clone();
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        if let Some(name) = op.path.strip_prefix("/responseParameters/") {
            edit_map(
                &mut next.response_parameters,
                unescape(name),
                op.op,
                || value.trim().eq_ignore_ascii_case("true"),
                messages::INVALID_PARAMETER_NAME,
            )?;
        } else if let Some(content_type) = op.path.strip_prefix("/responseModels/") {
            edit_map(
                &mut next.response_models,
                unescape(content_type),
                op.op,
                || value.clone(),
                messages::CONTENT_TYPE_NOT_FOUND,
            )?;
        } else {
            return Err(ApiError::bad_request(messages::invalid_patch_path(
                &op.path,
            )));
        }
    }
    Ok(next)
}

/// UpdateIntegrationResponse: `ops` applied to `current`, atomically. `replace` with `""` clears
/// `/selectionPattern` and `/contentHandling`.
///
/// # Errors
/// AWS's texts: an unknown path (400 `Invalid patch path …`), a missing entry (404), a
/// `contentHandling` outside its enum.
pub fn update_integration_response(
    current: &IntegrationResponse,
    ops: &[PatchOperation],
) -> Result<IntegrationResponse, ApiError> {
    let mut next = current.clone();
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        let scalar = |op: &PatchOperation| {
            if matches!(op.op, Op::Replace | Op::Add) {
                Ok(Some(value.clone()).filter(|v| !v.is_empty()))
            } else if op.op == Op::Remove {
                Ok(None)
            } else {
                Err(ApiError::bad_request(messages::invalid_patch_op(
                    "add, remove, replace",
                )))
            }
        };
        match op.path.as_str() {
            "/selectionPattern" => next.selection_pattern = scalar(op)?,
            "/contentHandling" => {
                let handling = scalar(op)?;
                if let Some(h) = &handling {
                    let mut v = Violations::new();
                    v.check_enum(
                        h,
                        "updateIntegrationResponseInput.contentHandling",
                        CONTENT_HANDLING,
                    );
                    v.finish()?;
                }
                next.content_handling = handling;
            }
            path => {
                if let Some(name) = path.strip_prefix("/responseParameters/") {
                    edit_map(
                        &mut next.response_parameters,
                        unescape(name),
                        op.op,
                        || value.clone(),
                        messages::INVALID_PARAMETER_NAME,
                    )?;
                } else if let Some(content_type) = path.strip_prefix("/responseTemplates/") {
                    let content_type = unescape(content_type);
                    check_content_type(&content_type)?;
                    edit_map(
                        &mut next.response_templates,
                        content_type,
                        op.op,
                        || Some(value.clone()).filter(|v| !v.is_empty()),
                        messages::CONTENT_TYPE_NOT_FOUND,
                    )?;
                } else {
                    return Err(ApiError::bad_request(messages::invalid_patch_path(path)));
                }
            }
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;

    fn op(op: Op, path: &str, value: &str) -> PatchOperation {
        PatchOperation {
            op,
            path: path.into(),
            value: Some(value.into()),
            from: None,
        }
    }

    #[test]
    fn status_codes_follow_the_pattern() {
        for ok in ["200", "100", "599", "404"] {
            assert!(status_code(ok).is_ok(), "{ok}");
        }
        let e = status_code("wrong").unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
        );
        for bad in ["600", "20", "2000", "099"] {
            assert!(status_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn method_response_patches() {
        let current = PutMethodResponseRequest {
            response_parameters: Some([("method.response.header.h".to_owned(), false)].into()),
            response_models: Some([("application/json".to_owned(), "Empty".to_owned())].into()),
        }
        .to_response("200");
        let removed = update_method_response(
            &current,
            &[
                op(
                    Op::Remove,
                    "/responseParameters/method.response.header.h",
                    "true",
                ),
                op(Op::Remove, "/responseModels/application~1json", ""),
            ],
        )
        .unwrap();
        assert_eq!(
            removed,
            MethodResponse {
                status_code: "200".into(),
                ..MethodResponse::default()
            }
        );
        let added = update_method_response(
            &removed,
            &[op(
                Op::Add,
                "/responseParameters/method.response.header.h",
                "true",
            )],
        )
        .unwrap();
        assert!(added.response_parameters.unwrap()["method.response.header.h"]);
        let e = update_method_response(
            &removed,
            &[op(Op::Replace, "/responseParameters/wrong", "true")],
        )
        .unwrap_err();
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (ErrorType::NotFound, "Invalid parameter name specified")
        );
        let e = update_method_response(&current, &[op(Op::Remove, "/responseModels/wrong", "")])
            .unwrap_err();
        assert_eq!(e.message, "Content-Type specified was not found");
        let e = update_method_response(&current, &[op(Op::Remove, "/wrong/x", "")]).unwrap_err();
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (ErrorType::BadRequest, "Invalid patch path /wrong/x")
        );
    }

    #[test]
    fn integration_response_put_and_patch() {
        let req = PutIntegrationResponseRequest {
            selection_pattern: Some(String::new()),
            response_templates: Some([("application/json".to_owned(), Some(String::new()))].into()),
            ..PutIntegrationResponseRequest::default()
        };
        let r = req.to_response("200").unwrap();
        assert_eq!(
            r.response_templates.as_ref().unwrap()["application/json"],
            None
        );
        assert_eq!(r.selection_pattern.as_deref(), Some(""));
        let bad = PutIntegrationResponseRequest {
            response_templates: Some([("123".to_owned(), None)].into()),
            ..PutIntegrationResponseRequest::default()
        };
        assert_eq!(
            bad.to_response("200").unwrap_err().message,
            "Validation Result: warnings : [], errors : [Invalid content type specified: 123]"
        );
        let next = update_integration_response(
            &r,
            &[
                op(Op::Replace, "/selectionPattern", "4\\d\\d"),
                op(Op::Add, "/responseTemplates/text~1plain", "hi"),
            ],
        )
        .unwrap();
        assert_eq!(next.selection_pattern.as_deref(), Some("4\\d\\d"));
        assert_eq!(
            next.response_templates.unwrap()["text/plain"].as_deref(),
            Some("hi")
        );
        assert!(
            update_integration_response(&r, &[op(Op::Replace, "/contentHandling", "NOPE")])
                .is_err()
        );
    }
}
