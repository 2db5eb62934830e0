//! Documentation parts and versions: the wire types and the rules of CreateDocumentationPart (location
//! types and the fields each accepts, AWS's defaults), UpdateDocumentationPart, CreateDocumentationVersion
//! and a stage's `documentationVersion`, with AWS's texts.
//!
//! Texts marked *AWS* are recorded AWS answers (LocalStack's AWS-validated snapshots, the API Gateway
//! Developer Guide); texts marked *stagecraft* answer cases no recorded AWS text covers
//! (docs/aws-behaviour.md §9).

use serde::{Deserialize, Serialize};

use super::PatchRequest;
use crate::Timestamp;
use crate::error::ApiError;

/// The location types, in the order AWS lists them in its enum error (*AWS*).
pub const LOCATION_TYPES: &[&str] = &[
    "RESPONSE_BODY",
    "RESPONSE",
    "METHOD",
    "MODEL",
    "AUTHORIZER",
    "RESPONSE_HEADER",
    "RESOURCE",
    "PATH_PARAMETER",
    "REQUEST_BODY",
    "QUERY_PARAMETER",
    "API",
    "REQUEST_HEADER",
];

/// *AWS*: a documentation part id that names no part of the API.
pub const PART_NOT_FOUND: &str = "Invalid Documentation part identifier specified";
/// *AWS* (the text AWS's own clients match on): a documentation version that does not exist.
pub const VERSION_NOT_FOUND: &str = "Invalid Documentation version specified";
/// *stagecraft*: CreateDocumentationVersion with a version that exists.
pub const VERSION_EXISTS: &str = "Documentation version already exists";
/// *stagecraft*: a version label that is empty.
pub const EMPTY_VERSION: &str = "Documentation version must be non-empty";
/// *stagecraft*: `properties` that are not a JSON object.
pub const PROPERTIES_NOT_JSON: &str = "Documentation part properties must be a valid JSON object";

/// Where a documentation part applies. Fields a type does not use are absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationPartLocation {
    /// One of [`LOCATION_TYPES`].
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The resource path (`/` by default, where the type has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The HTTP method (`*` by default, where the type has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The response status code (`*` by default, where the type has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// The parameter, header, model or authorizer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A documentation part (CreateDocumentationPart / GetDocumentationPart output).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationPart {
    /// The part id.
    pub id: String,
    /// Where it applies.
    pub location: DocumentationPartLocation,
    /// A JSON object, as a string.
    pub properties: String,
}

/// CreateDocumentationPart input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDocumentationPartRequest {
    /// Required.
    #[serde(default)]
    pub location: Option<DocumentationPartLocation>,
    /// Required: a JSON object as a string.
    #[serde(default)]
    pub properties: Option<String>,
}

/// A documentation version: a snapshot label of the API's documentation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationVersion {
    /// The version label.
    pub version: String,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// CreateDocumentationVersion input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDocumentationVersionRequest {
    /// Required: the version label.
    #[serde(default)]
    pub documentation_version: Option<String>,
    /// A stage to point at the new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Which location fields a type accepts (`path`, `method`, `statusCode`, `name`) and whether `name` is
/// required (the API Gateway Developer Guide's table of valid location fields).
const fn fields(kind: &str) -> (bool, bool, bool, bool, bool) {
    match kind.as_bytes() {
        b"API" => (false, false, false, false, false),
        b"AUTHORIZER" | b"MODEL" => (false, false, false, true, true),
        b"RESOURCE" => (true, false, false, false, false),
        b"METHOD" => (true, true, false, false, false),
        b"REQUEST_BODY" => (true, true, false, true, false),
        b"PATH_PARAMETER" | b"QUERY_PARAMETER" | b"REQUEST_HEADER" => {
            (true, true, false, true, true)
        }
        b"RESPONSE" | b"RESPONSE_BODY" => (true, true, true, false, false),
        _ => (true, true, true, true, true),
    }
}

/// *stagecraft*: a location field the type does not use.
#[must_use]
pub fn field_not_allowed(field: &str, kind: &str) -> String {
    format!("Invalid location: '{field}' is not a valid field for type '{kind}'")
}

/// *stagecraft*: a location type that needs a name, without one.
#[must_use]
pub fn name_required(kind: &str) -> String {
    format!("Invalid location: 'name' is required for type '{kind}'")
}

/// *stagecraft*: a status code outside `[1-5]\d\d` and `*`.
#[must_use]
pub fn invalid_status_code(code: &str) -> String {
    format!("Invalid location: statusCode '{code}' must be a 3-digit HTTP status code or '*'")
}

/// *AWS* (Developer Guide): CreateDocumentationPart where a part exists at the same location.
#[must_use]
pub fn part_exists(location: &DocumentationPartLocation) -> String {
    let mut text = format!(
        "Documentation part already exists for the specified location: type '{}'",
        location.kind.as_deref().unwrap_or_default()
    );
    for (field, value) in [
        ("path", &location.path),
        ("method", &location.method),
        ("statusCode", &location.status_code),
        ("name", &location.name),
    ] {
        if let Some(v) = value {
            text.push_str(&format!(", {field} '{v}'"));
        }
    }
    text.push('.');
    text
}

fn is_status_code(code: &str) -> bool {
    code == "*"
        || (code.len() == 3
            && code.bytes().all(|b| b.is_ascii_digit())
            && (b'1'..=b'5').contains(&code.as_bytes()[0]))
}

/// Checks a location and fills AWS's defaults (`path` `/`, `method` and `statusCode` `*` where the type
/// has them). `input` names the operation's input in validation errors (`createDocumentationPartInput`).
///
/// # Errors
/// A missing or unknown type (`ValidationException`), then a field the type does not use, a missing
/// name or a bad status code (`BadRequestException`).
pub fn check_location(
    location: Option<DocumentationPartLocation>,
    input: &str,
) -> Result<DocumentationPartLocation, ApiError> {
    let mut loc = location.ok_or_else(|| ApiError::member_null(&format!("{input}.location")))?;
    let kind = loc
        .kind
        .clone()
        .ok_or_else(|| ApiError::member_null(&format!("{input}.location.type")))?;
    if !LOCATION_TYPES.contains(&kind.as_str()) {
        return Err(ApiError::enum_violation(
            &kind,
            &format!("{input}.location.type"),
            LOCATION_TYPES,
        ));
    }
    let (path, method, status, name, name_needed) = fields(&kind);
    for (field, set, allowed) in [
        ("path", loc.path.is_some(), path),
        ("method", loc.method.is_some(), method),
        ("statusCode", loc.status_code.is_some(), status),
        ("name", loc.name.is_some(), name),
    ] {
        if set && !allowed {
            return Err(ApiError::bad_request(field_not_allowed(field, &kind)));
        }
    }
    if name_needed && loc.name.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::bad_request(name_required(&kind)));
    }
    if let Some(code) = loc.status_code.as_deref().filter(|c| !is_status_code(c)) {
        return Err(ApiError::bad_request(invalid_status_code(code)));
    }
    let default = |field: &mut Option<String>, applies: bool, value: &str| {
        if applies && field.as_deref().is_none_or(|v| v.trim().is_empty()) {
            *field = Some(value.to_owned());
        }
    };
    default(&mut loc.path, path, "/");
    default(&mut loc.method, method, "*");
    default(&mut loc.status_code, status, "*");
    Ok(loc)
}

/// Checks documentation `properties`: present and a JSON object.
///
/// # Errors
/// `ValidationException` when absent, `BadRequestException` when not a JSON object.
pub fn check_properties(properties: Option<&str>, input: &str) -> Result<String, ApiError> {
    let text = properties.ok_or_else(|| ApiError::member_null(&format!("{input}.properties")))?;
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(text.to_owned()),
        _ => Err(ApiError::bad_request(PROPERTIES_NOT_JSON)),
    }
}

impl CreateDocumentationPartRequest {
    /// The part CreateDocumentationPart stores under `id`; `exists` tells whether a part already sits at
    /// a (defaulted) location.
    ///
    /// # Errors
    /// The location's and properties' errors, then 409 for a location that is taken.
    pub fn to_part(
        &self,
        id: String,
        exists: impl Fn(&DocumentationPartLocation) -> bool,
    ) -> Result<DocumentationPart, ApiError> {
        const INPUT: &str = "createDocumentationPartInput";
        let location = check_location(self.location.clone(), INPUT)?;
        let properties = check_properties(self.properties.as_deref(), INPUT)?;
        if exists(&location) {
            return Err(ApiError::conflict(part_exists(&location)));
        }
        Ok(DocumentationPart {
            id,
            location,
            properties,
        })
    }
}

/// UpdateDocumentationPart: only `replace /properties`.
///
/// # Errors
/// AWS's invalid-patch-path texts, or properties that are not a JSON object.
pub fn update_part(
    part: &DocumentationPart,
    req: &PatchRequest,
) -> Result<DocumentationPart, ApiError> {
    let mut next = part.clone();
    let ops = req.operations("updateDocumentationPartInput")?;
    for op in super::replacements(&ops, &["/properties"])? {
        next.properties = check_properties(
            op.value.as_deref(),
            "updateDocumentationPartInput.patchOperations.value",
        )?;
    }
    Ok(next)
}

/// The 404 for a part id that names no part.
#[must_use]
pub fn part_not_found() -> ApiError {
    ApiError::not_found(PART_NOT_FOUND)
}

/// The 404 for a version that does not exist.
#[must_use]
pub fn version_not_found() -> ApiError {
    ApiError::not_found(VERSION_NOT_FOUND)
}

impl CreateDocumentationVersionRequest {
    /// The version CreateDocumentationVersion stores; `exists` tells whether a label is taken.
    ///
    /// # Errors
    /// A missing or empty label, then 409 for a label that exists.
    pub fn to_version(
        &self,
        now: Timestamp,
        exists: impl Fn(&str) -> bool,
    ) -> Result<DocumentationVersion, ApiError> {
        let version = self.documentation_version.clone().ok_or_else(|| {
            ApiError::member_null("createDocumentationVersionInput.documentationVersion")
        })?;
        if version.trim().is_empty() {
            return Err(ApiError::bad_request(EMPTY_VERSION));
        }
        if exists(&version) {
            return Err(ApiError::conflict(VERSION_EXISTS));
        }
        Ok(DocumentationVersion {
            version,
            created_date: Some(now),
            description: self.description.clone(),
        })
    }
}

/// Checks a stage's `documentationVersion` (CreateStage, UpdateStage): unset, or a version of the API.
///
/// # Errors
/// `BadRequestException: Invalid Documentation version specified` (docs/aws-behaviour.md §9).
pub fn check_stage_version(
    version: Option<&str>,
    exists: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    match version {
        Some(v) if !v.is_empty() && !exists(v) => Err(ApiError::bad_request(VERSION_NOT_FOUND)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;
    use serde_json::{Value, json};

    fn create(body: Value) -> Result<DocumentationPart, ApiError> {
        serde_json::from_value::<CreateDocumentationPartRequest>(body)
            .unwrap()
            .to_part("p1".into(), |_| false)
    }

    #[test]
    fn defaults_follow_the_type() {
        let api = create(json!({"location": {"type": "API"}, "properties": "{}"})).unwrap();
        assert_eq!(
            serde_json::to_value(&api.location).unwrap(),
            json!({"type": "API"})
        );
        let method = create(json!({"location": {"type": "METHOD"}, "properties": "{}"})).unwrap();
        assert_eq!(
            serde_json::to_value(&method.location).unwrap(),
            json!({"type": "METHOD", "path": "/", "method": "*"})
        );
        let header = create(json!({"location": {"type": "RESPONSE_HEADER", "path": "/p", "name": "h", "statusCode": "200"}, "properties": "{}"})).unwrap();
        assert_eq!(header.location.method.as_deref(), Some("*"));
    }

    #[test]
    fn location_errors_match_aws() {
        let e = create(json!({"location": {"type": "INVALID"}, "properties": "{}"})).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation);
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'INVALID' at 'createDocumentationPartInput.location.type' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_BODY, RESPONSE, METHOD, MODEL, AUTHORIZER, RESPONSE_HEADER, RESOURCE, PATH_PARAMETER, REQUEST_BODY, QUERY_PARAMETER, API, REQUEST_HEADER]"
        );
        let e = create(json!({"properties": "{}"})).unwrap_err();
        assert!(e.message.contains("createDocumentationPartInput.location'"));
        let e = create(json!({"location": {"type": "API", "method": "GET"}, "properties": "{}"}))
            .unwrap_err();
        assert_eq!(e.error_type, ErrorType::BadRequest);
        assert!(create(json!({"location": {"type": "MODEL"}, "properties": "{}"})).is_err());
        assert!(
            create(
                json!({"location": {"type": "RESPONSE", "statusCode": "600"}, "properties": "{}"})
            )
            .is_err()
        );
        assert!(create(json!({"location": {"type": "API"}, "properties": "[1]"})).is_err());
        assert!(create(json!({"location": {"type": "API"}})).is_err());
    }

    #[test]
    fn conflict_names_the_location() {
        let req: CreateDocumentationPartRequest = serde_json::from_value(
            json!({"location": {"type": "METHOD", "path": "/pets", "method": "GET"}, "properties": "{}"}),
        )
        .unwrap();
        let e = req.to_part("p".into(), |_| true).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Conflict);
        assert_eq!(
            e.message,
            "Documentation part already exists for the specified location: type 'METHOD', path '/pets', method 'GET'."
        );
        let api = DocumentationPartLocation {
            kind: Some("API".into()),
            ..DocumentationPartLocation::default()
        };
        assert_eq!(
            part_exists(&api),
            "Documentation part already exists for the specified location: type 'API'."
        );
    }

    #[test]
    fn update_accepts_only_replace_properties() {
        let part = create(json!({"location": {"type": "API"}, "properties": "{}"})).unwrap();
        let patch = |v: Value| serde_json::from_value::<PatchRequest>(v).unwrap();
        let e = update_part(
            &part,
            &patch(
                json!({"patchOperations": [{"op": "add", "path": "/properties", "value": "{}"}]}),
            ),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations"
        );
        let e = update_part(
            &part,
            &patch(json!({"patchOperations": [{"op": "replace", "path": "/invalidPath", "value": "{}"}]})),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/properties]"
        );
        let next = update_part(
            &part,
            &patch(json!({"patchOperations": [{"op": "replace", "path": "/properties", "value": "{\"a\":1}"}]})),
        )
        .unwrap();
        assert_eq!(next.properties, "{\"a\":1}");
    }

    #[test]
    fn versions() {
        let req = CreateDocumentationVersionRequest {
            documentation_version: Some("v1".into()),
            ..CreateDocumentationVersionRequest::default()
        };
        assert_eq!(
            req.to_version(Timestamp(1.0), |_| false).unwrap().version,
            "v1"
        );
        assert_eq!(
            req.to_version(Timestamp(1.0), |_| true)
                .unwrap_err()
                .error_type,
            ErrorType::Conflict
        );
        assert!(check_stage_version(Some("v2"), |v| v == "v1").is_err());
        assert!(check_stage_version(Some("v1"), |v| v == "v1").is_ok());
        assert!(check_stage_version(None, |_| false).is_ok());
    }
}
