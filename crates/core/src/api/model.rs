//! Models: CreateModel / GetModel / GetModels / DeleteModel shapes and rules, and the two models every
//! new API has (`Empty` and `Error`), with AWS's texts.
//!
//! Responses and requests name models by name (`responseModels: {"application/json": "Empty"}`); a
//! name that is not a model of the API is refused, and a model in use cannot be deleted.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Violations};
use crate::messages;
use crate::patch::PatchOperation;

/// The name of the model every API starts with for an empty body.
pub const EMPTY: &str = "Empty";
/// The name of the model every API starts with for an error body.
pub const ERROR: &str = "Error";
/// The content type of the two default models.
pub const JSON: &str = "application/json";
/// The `Empty` model's schema, as AWS writes it.
pub const EMPTY_SCHEMA: &str = "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}";
/// The `Error` model's schema, as AWS writes it.
pub const ERROR_SCHEMA: &str = "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}";

/// A model (CreateModel / GetModel output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// The model id.
    pub id: String,
    /// The model name (unique in the API).
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The schema (a JSON Schema draft 4 document, as a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The content type (`application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// CreateModel input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateModelRequest {
    /// Required.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Required.
    #[serde(default)]
    pub content_type: Option<String>,
}

/// The `Empty` and `Error` models of a new API, with the given ids.
#[must_use]
pub fn defaults(empty_id: String, error_id: String) -> [Model; 2] {
    [
        Model {
            id: empty_id,
            name: EMPTY.into(),
            description: Some("This is a default empty schema model".into()),
            schema: Some(EMPTY_SCHEMA.into()),
            content_type: Some(JSON.into()),
        },
        Model {
            id: error_id,
            name: ERROR.into(),
            description: Some("This is a default error schema model".into()),
            schema: Some(ERROR_SCHEMA.into()),
            content_type: Some(JSON.into()),
        },
    ]
}

/// The 404 for a model name that names no model of the API (also for an API that does not exist).
#[must_use]
pub fn not_found(name: &str) -> ApiError {
    ApiError::not_found(messages::invalid_model_name(name))
}

/// The 400 for a request or response that names a model the API does not have.
#[must_use]
pub fn unknown_reference(name: &str) -> ApiError {
    ApiError::bad_request(messages::invalid_model_identifier(name))
}

/// Checks that every model named in `models` (content type → model name) exists.
///
/// # Errors
/// `Invalid model identifier specified: {name}` for the first that does not.
pub fn check_references<'a>(
    models: impl IntoIterator<Item = &'a String>,
    exists: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    for name in models {
        if !exists(name) {
            return Err(unknown_reference(name));
        }
    }
    Ok(())
}

/// The 409 for DeleteModel on a model that a method uses (`where_`: `method request: /pets/GET`).
#[must_use]
pub fn in_use(name: &str, where_: &str) -> ApiError {
    ApiError::conflict(messages::model_in_use(name, where_))
}

impl CreateModelRequest {
    /// The model CreateModel stores (`id` is the new model's); `exists` tells whether a name is taken.
    ///
    /// # Errors
    /// A missing `name` / `contentType` (`ValidationException`), an empty name, an empty schema, or a
    /// name that is taken (409).
    pub fn to_model(&self, id: String, exists: impl Fn(&str) -> bool) -> Result<Model, ApiError> {
        let mut violations = Violations::new();
        if self.name.is_none() {
            violations.null("createModelInput.name");
        }
        if self.content_type.is_none() {
            violations.null("createModelInput.contentType");
        }
        violations.finish()?;
        let name = self.name.clone().unwrap_or_default();
        if name.is_empty() {
            return Err(ApiError::bad_request(messages::EMPTY_MODEL_NAME));
        }
        if exists(&name) {
            return Err(ApiError::conflict(messages::MODEL_EXISTS));
        }
        if self.schema.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(ApiError::bad_request(messages::EMPTY_MODEL_SCHEMA));
        }
        Ok(Model {
            id,
            name,
            description: self.description.clone(),
            schema: self.schema.clone(),
            content_type: self.content_type.clone(),
        })
    }
}

/// UpdateModel: `replace` of `/description` (empty: removed) and `/schema` (not empty), applied in order
/// to a copy of `current`.
///
/// # Errors
/// AWS's texts for another op or path, and for an empty schema.
pub fn update_model(current: &Model, ops: &[PatchOperation]) -> Result<Model, ApiError> {
    let mut next = current.clone();
    for op in super::replacements(ops, &["/description", "/schema"])? {
        let value = op.value.clone().unwrap_or_default();
        if op.path == "/schema" {
            if value.trim().is_empty() {
                return Err(ApiError::bad_request(messages::EMPTY_MODEL_SCHEMA));
            }
            next.schema = Some(value);
        } else {
            next.description = Some(value).filter(|d| !d.is_empty());
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;

    fn req(name: Option<&str>, schema: Option<&str>) -> CreateModelRequest {
        CreateModelRequest {
            name: name.map(Into::into),
            schema: schema.map(Into::into),
            content_type: Some(JSON.into()),
            description: None,
        }
    }

    #[test]
    fn default_models_parse_as_aws_shows_them() {
        let [empty, error] = defaults("a".into(), "b".into());
        let e: serde_json::Value = serde_json::from_str(empty.schema.as_deref().unwrap()).unwrap();
        assert_eq!(e["title"], "Empty Schema");
        let e: serde_json::Value = serde_json::from_str(error.schema.as_deref().unwrap()).unwrap();
        assert_eq!(e["properties"]["message"]["type"], "string");
    }

    #[test]
    fn create_rules() {
        let schema = Some(r#"{"type": "object"}"#);
        assert!(
            req(Some("M"), schema)
                .to_model("i".into(), |_| false)
                .is_ok()
        );
        let e = req(Some(""), schema)
            .to_model("i".into(), |_| false)
            .unwrap_err();
        assert_eq!(e.message, "Model name must be non-empty");
        let e = req(Some("M"), schema)
            .to_model("i".into(), |_| true)
            .unwrap_err();
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::Conflict,
                "Model name already exists for this REST API"
            )
        );
        for bad in [None, Some("")] {
            let e = req(Some("M"), bad)
                .to_model("i".into(), |_| false)
                .unwrap_err();
            assert_eq!(
                e.message,
                "Model schema must have at least 1 property or array items defined"
            );
        }
        let e = req(None, schema)
            .to_model("i".into(), |_| false)
            .unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
    }

    #[test]
    fn update_rules() {
        let model = req(Some("MySchema"), Some(r#"{"type": "object"}"#))
            .to_model("m1".into(), |_| false)
            .unwrap();
        let ops =
            |v: serde_json::Value| -> Vec<PatchOperation> { serde_json::from_value(v).unwrap() };
        let next = update_model(
            &model,
            &ops(serde_json::json!([
            {"op": "replace", "path": "/schema", "value": "{\"title\": \"Updated schema\"}"},
            {"op": "replace", "path": "/description", "value": ""}])),
        )
        .unwrap();
        assert_eq!(
            next.schema.as_deref(),
            Some("{\"title\": \"Updated schema\"}")
        );
        assert_eq!(next.description, None);
        let message = |v| update_model(&model, &ops(v)).unwrap_err().message;
        assert_eq!(
            message(serde_json::json!([{"op": "add", "path": "/wrong-path", "value": "x"}])),
            "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations"
        );
        assert_eq!(
            message(serde_json::json!([{"op": "replace", "path": "/name", "value": "invalid"}])),
            "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]"
        );
        assert_eq!(
            message(serde_json::json!([{"op": "replace", "path": "/schema", "value": ""}])),
            messages::EMPTY_MODEL_SCHEMA
        );
    }
}
