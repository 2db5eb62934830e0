//! OpenAPI ↔ API Gateway: what ImportRestApi / PutRestApi read from an OpenAPI 3 or Swagger 2 document
//! (already parsed from JSON or YAML into a [`Value`]), and what GetExport writes for a stage's
//! deployment. Pure: no I/O, no ids (the caller assigns them).
//!
//! Read: `paths` → resources (every prefix of a path is a resource) and methods (`x-amazon-apigateway-any-method`
//! is `ANY`); `parameters` → `requestParameters`; `security` → the method's authorizer (a security scheme with
//! `x-amazon-apigateway-authorizer`), `AWS_IAM` (`x-amazon-apigateway-authtype: awsSigv4`) or `apiKeyRequired`
//! (an `apiKey` scheme without authorizer); `x-amazon-apigateway-integration` → the integration (types and
//! passthrough behaviour upper-cased as AWS stores them; `responses` → `integrationResponses`, the key being the
//! `selectionPattern` unless `default`); `responses` → method responses (status codes, `headers` as response
//! parameters, schema `$ref`s as response models); `requestBody` (or a Swagger `in: body` parameter) → request
//! models; `components.schemas` / `definitions` → models; `securitySchemes` / `securityDefinitions` with
//! `x-amazon-apigateway-authorizer` → authorizers.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::resource::{HTTP_METHODS, Method};
use crate::authorizer::Authorizer;
use crate::error::ApiError;

/// *AWS*: a body that is not an OpenAPI document.
pub const INVALID_INPUT: &str = "Invalid OpenAPI input.";
/// The export types GetExport knows.
pub const EXPORT_TYPES: &[&str] = &["oas30", "swagger"];

/// A method read from a document, with the security scheme naming its authorizer.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodDef {
    /// The method (`authorizerId` unset: see `authorizer`).
    pub method: Method,
    /// The name of the security scheme whose authorizer the method uses.
    pub authorizer: Option<String>,
    /// Status codes of the method responses.
    pub responses: Vec<String>,
}

/// An API read from a document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiDefinition {
    /// `info.title`.
    pub name: Option<String>,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version`.
    pub version: Option<String>,
    /// `x-amazon-apigateway-binary-media-types`.
    pub binary_media_types: Vec<String>,
    /// `x-amazon-apigateway-api-key-source`.
    pub api_key_source: Option<String>,
    /// Every resource path (parents before children) with its methods by verb.
    pub resources: BTreeMap<String, BTreeMap<String, MethodDef>>,
    /// Authorizers by security scheme name (`id` unset).
    pub authorizers: BTreeMap<String, Authorizer>,
    /// Models: name → JSON schema.
    pub models: BTreeMap<String, Value>,
}

fn invalid() -> ApiError {
    ApiError::bad_request(INVALID_INPUT)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Reads an OpenAPI 3 or Swagger 2 document.
///
/// # Errors
/// `BadRequestException: Invalid OpenAPI input.` for a document that is not an object with `openapi: 3…` or
/// `swagger: 2…` and a `paths` object, or with a path that is not absolute.
pub fn read(doc: &Value) -> Result<ApiDefinition, ApiError> {
    let oas3 = str_of(doc, "openapi").is_some_and(|v| v.starts_with('3'));
    let swagger = str_of(doc, "swagger").is_some_and(|v| v.starts_with('2'));
    if !oas3 && !swagger {
        return Err(invalid());
    }
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(invalid)?;
    let info = doc.get("info").cloned().unwrap_or(Value::Null);
    let (schemes, schemas) = if oas3 {
        let c = doc.get("components");
        (
            c.and_then(|c| c.get("securitySchemes")),
            c.and_then(|c| c.get("schemas")),
        )
    } else {
        (doc.get("securityDefinitions"), doc.get("definitions"))
    };
    let schemes = schemes
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut def = ApiDefinition {
        name: str_of(&info, "title").map(str::to_owned),
        description: str_of(&info, "description").map(str::to_owned),
        version: str_of(&info, "version").map(str::to_owned),
        binary_media_types: doc
            .get("x-amazon-apigateway-binary-media-types")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        api_key_source: str_of(doc, "x-amazon-apigateway-api-key-source").map(str::to_owned),
        models: schemas
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        ..ApiDefinition::default()
    };
    for (name, scheme) in &schemes {
        if let Some(a) = scheme.get("x-amazon-apigateway-authorizer") {
            def.authorizers
                .insert(name.clone(), authorizer(name, scheme, a));
        }
    }
    def.resources.insert("/".into(), BTreeMap::new());
    for (path, item) in paths {
        if !path.starts_with('/') || path.contains("//") {
            return Err(invalid());
        }
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        let mut prefix = String::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            prefix.push('/');
            prefix.push_str(segment);
            def.resources.entry(prefix.clone()).or_default();
        }
        let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
        let item = item.as_object().ok_or_else(invalid)?;
        for (key, op) in item {
            let verb = if key == "x-amazon-apigateway-any-method" {
                "ANY".to_owned()
            } else {
                key.to_ascii_uppercase()
            };
            if verb == "ANY" && key != "x-amazon-apigateway-any-method"
                || !HTTP_METHODS.contains(&verb.as_str())
            {
                continue;
            }
            let m = method(&verb, op, &shared, &schemes, doc)?;
            def.resources
                .entry(path.to_owned())
                .or_default()
                .insert(verb, m);
        }
    }
    Ok(def)
}

fn authorizer(name: &str, scheme: &Value, ext: &Value) -> Authorizer {
    let kind = str_of(ext, "type").unwrap_or("token").to_ascii_uppercase();
    let header = (str_of(scheme, "in") == Some("header"))
        .then(|| str_of(scheme, "name"))
        .flatten();
    let identity_source = str_of(ext, "identitySource")
        .map(str::to_owned)
        .or_else(|| header.map(|h| format!("method.request.header.{h}")));
    Authorizer {
        id: String::new(),
        name: name.to_owned(),
        authorizer_type: kind,
        provider_arns: ext.get("providerARNs").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        }),
        auth_type: str_of(scheme, "x-amazon-apigateway-authtype").map(str::to_owned),
        authorizer_uri: str_of(ext, "authorizerUri").map(str::to_owned),
        authorizer_credentials: str_of(ext, "authorizerCredentials").map(str::to_owned),
        identity_source,
        identity_validation_expression: str_of(ext, "identityValidationExpression")
            .map(str::to_owned),
        authorizer_result_ttl_in_seconds: ext
            .get("authorizerResultTtlInSeconds")
            .and_then(Value::as_i64),
    }
}

/// Follows a local `$ref` (`#/components/parameters/x`).
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match str_of(v, "$ref").and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

/// The model a schema names by `$ref` (`#/components/schemas/Pet`, `#/definitions/Pet` or AWS's
/// `https://apigateway.amazonaws.com/restapis/{id}/models/Pet`).
fn model_ref(schema: &Value) -> Option<String> {
    let target = str_of(schema, "$ref")?;
    let name = target.rsplit('/').next().filter(|n| !n.is_empty())?;
    Some(name.to_owned())
}

/// content type → model, from OpenAPI 3 `content` (`{type: {schema: {$ref}}}`).
fn content_models(content: Option<&Value>) -> BTreeMap<String, String> {
    content
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(ct, media)| Some((ct.clone(), model_ref(media.get("schema")?)?)))
        .collect()
}

/// A method's request models: OpenAPI 3 `requestBody.content`, or Swagger 2's `in: body` parameter under
/// the operation's first `consumes` type.
fn request_models(op: &Value, doc: &Value, consumes: &str) -> BTreeMap<String, String> {
    if let Some(body) = op.get("requestBody") {
        return content_models(resolve(doc, body).get("content"));
    }
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter(|p| str_of(p, "in") == Some("body"))
        .filter_map(|p| model_ref(p.get("schema")?))
        .map(|name| (consumes.to_owned(), name))
        .collect()
}

/// A method response from an OpenAPI response: `headers` → `method.response.header.*` parameters, the
/// schema `$ref`s → response models (Swagger 2: under the first `produces` type).
fn method_response(code: &str, r: &Value, produces: &str) -> super::MethodResponse {
    let params: BTreeMap<String, bool> = r
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(h, _)| (format!("method.response.header.{h}"), false))
        .collect();
    let models = match r.get("content") {
        Some(content) => content_models(Some(content)),
        None => r
            .get("schema")
            .and_then(model_ref)
            .map(|name| BTreeMap::from([(produces.to_owned(), name)]))
            .unwrap_or_default(),
    };
    super::MethodResponse {
        status_code: code.to_owned(),
        response_parameters: (!params.is_empty()).then_some(params),
        response_models: (!models.is_empty()).then_some(models),
    }
}

fn method(
    verb: &str,
    op: &Value,
    shared: &Value,
    schemes: &Map<String, Value>,
    doc: &Value,
) -> Result<MethodDef, ApiError> {
    let mut params = BTreeMap::new();
    for p in [shared, op.get("parameters").unwrap_or(&Value::Null)]
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
    {
        let p = resolve(doc, p);
        let (Some(place), Some(name)) = (str_of(p, "in"), str_of(p, "name")) else {
            continue;
        };
        let place = match place {
            "path" => "path",
            "query" => "querystring",
            "header" => "header",
            _ => continue,
        };
        let required = place == "path" || p.get("required").and_then(Value::as_bool) == Some(true);
        params.insert(format!("method.request.{place}.{name}"), required);
    }
    let mut authorization_type = "NONE".to_owned();
    let mut authorizer_ref = None;
    let mut api_key_required = false;
    let mut scopes = None;
    let security = op.get("security").or_else(|| doc.get("security"));
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        for (name, wanted) in requirement.as_object().into_iter().flatten() {
            let Some(scheme) = schemes.get(name) else {
                continue;
            };
            if let Some(ext) = scheme.get("x-amazon-apigateway-authorizer") {
                let cognito = str_of(ext, "type") == Some("cognito_user_pools");
                authorization_type = if cognito {
                    "COGNITO_USER_POOLS"
                } else {
                    "CUSTOM"
                }
                .into();
                authorizer_ref = Some(name.clone());
                scopes = wanted
                    .as_array()
                    .filter(|a| cognito && !a.is_empty())
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    });
            } else if str_of(scheme, "x-amazon-apigateway-authtype") == Some("awsSigv4") {
                authorization_type = "AWS_IAM".into();
            } else if str_of(scheme, "type") == Some("apiKey") {
                api_key_required = true;
            }
        }
    }
    let responses: Vec<String> = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| r.keys().filter(|k| k.len() == 3).cloned().collect())
        .unwrap_or_default();
    let media = |key: &str| {
        op.get(key)
            .or_else(|| doc.get(key))
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .unwrap_or(super::model::JSON)
            .to_owned()
    };
    let request_models = request_models(op, doc, &media("consumes"));
    let method_responses: BTreeMap<String, super::MethodResponse> = responses
        .iter()
        .map(|code| {
            let r = resolve(doc, &op["responses"][code.as_str()]);
            (code.clone(), method_response(code, r, &media("produces")))
        })
        .collect();
    let integration = op
        .get("x-amazon-apigateway-integration")
        .map(integration)
        .transpose()?;
    Ok(MethodDef {
        method: Method {
            http_method: verb.to_owned(),
            authorization_type,
            authorizer_id: None,
            api_key_required,
            operation_name: str_of(op, "operationId").map(str::to_owned),
            request_parameters: (!params.is_empty()).then_some(params),
            request_models: (!request_models.is_empty()).then_some(request_models),
            request_validator_id: None,
            authorization_scopes: scopes,
            method_responses: (!method_responses.is_empty()).then_some(method_responses),
            method_integration: integration,
        },
        authorizer: authorizer_ref,
        responses,
    })
}

/// `x-amazon-apigateway-integration` → PutIntegration's body (before AWS's defaults), with
/// `integrationResponses`.
fn integration(ext: &Value) -> Result<Value, ApiError> {
    let obj = ext.as_object().ok_or_else(invalid)?;
    let mut out = Map::new();
    for (key, v) in obj {
        let v = match key.as_str() {
            "type" | "passthroughBehavior" | "connectionType" | "contentHandling" => {
                json!(v.as_str().unwrap_or_default().to_ascii_uppercase())
            }
            "httpMethod" => json!(v.as_str().unwrap_or_default().to_ascii_uppercase()),
            "responses" => {
                out.insert("integrationResponses".into(), integration_responses(v));
                continue;
            }
            "uri" | "requestTemplates" | "requestParameters" | "timeoutInMillis"
            | "cacheKeyParameters" | "cacheNamespace" | "credentials" | "connectionId"
            | "tlsConfig" => v.clone(),
            _ => continue,
        };
        out.insert(key.clone(), v);
    }
    Ok(Value::Object(out))
}

fn integration_responses(responses: &Value) -> Value {
    let mut out = Map::new();
    for (pattern, r) in responses.as_object().into_iter().flatten() {
        let Some(code) = r.get("statusCode").and_then(|c| {
            c.as_str()
                .map(str::to_owned)
                .or_else(|| c.as_u64().map(|n| n.to_string()))
        }) else {
            continue;
        };
        let mut entry = Map::new();
        entry.insert("statusCode".into(), json!(code));
        if pattern != "default" {
            entry.insert("selectionPattern".into(), json!(pattern));
        }
        for key in ["responseParameters", "responseTemplates"] {
            if let Some(v) = r.get(key) {
                entry.insert(key.into(), v.clone());
            }
        }
        if let Some(c) = str_of(r, "contentHandling") {
            entry.insert("contentHandling".into(), json!(c.to_ascii_uppercase()));
        }
        out.insert(code, Value::Object(entry));
    }
    Value::Object(out)
}

/// What GetExport writes besides paths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// `x-amazon-apigateway-integration` on each method.
    pub integrations: bool,
    /// `x-amazon-apigateway-authorizer` on security schemes.
    pub authorizers: bool,
    /// Swagger 2 instead of OpenAPI 3.
    pub swagger: bool,
}

impl ExportOptions {
    /// The options for an export type and the `extensions` parameter (`integrations`, `authorizers`,
    /// `apigateway` for both, `postman` ignored).
    ///
    /// # Errors
    /// `BadRequestException` for an export type other than `oas30` / `swagger`.
    pub fn parse(export_type: &str, extensions: Option<&str>) -> Result<Self, ApiError> {
        if !EXPORT_TYPES.contains(&export_type) {
            return Err(ApiError::bad_request(format!(
                "Invalid export type specified: {export_type}. Must be one of: [oas30, swagger]"
            )));
        }
        let mut o = Self {
            swagger: export_type == "swagger",
            ..Self::default()
        };
        for e in extensions.unwrap_or_default().split(',').map(str::trim) {
            match e {
                "integrations" => o.integrations = true,
                "authorizers" => o.authorizers = true,
                "apigateway" => {
                    o.integrations = true;
                    o.authorizers = true;
                }
                _ => {}
            }
        }
        Ok(o)
    }
}

/// What an export describes.
pub struct ExportSource<'a> {
    /// The API's name, description and version.
    pub name: &'a str,
    /// Free text.
    pub description: Option<&'a str>,
    /// `info.version` (AWS writes the deployment's creation time when the API has no version).
    pub version: &'a str,
    /// `https://{api}.execute-api.{region}.amazonaws.com`.
    pub host: &'a str,
    /// The stage name.
    pub stage: &'a str,
    /// The deployed resources: path → verb → method.
    pub resources: Vec<(&'a str, &'a BTreeMap<String, Method>)>,
    /// The API's authorizers.
    pub authorizers: Vec<&'a Authorizer>,
    /// The API's models: name → schema. The export writes those its methods use (and the models
    /// their schemas refer to), as AWS does.
    pub models: BTreeMap<String, Value>,
}

fn export_integration(integration: &Value) -> Value {
    let mut out = Map::new();
    for (key, v) in integration.as_object().into_iter().flatten() {
        let v = match key.as_str() {
            "type" | "passthroughBehavior" => {
                json!(v.as_str().unwrap_or_default().to_ascii_lowercase())
            }
            "integrationResponses" => {
                let mut responses = Map::new();
                for (code, r) in v.as_object().into_iter().flatten() {
                    let pattern = str_of(r, "selectionPattern").unwrap_or("default");
                    let mut entry = Map::new();
                    entry.insert("statusCode".into(), json!(code));
                    for k in ["responseParameters", "responseTemplates", "contentHandling"] {
                        if let Some(x) = r.get(k) {
                            entry.insert(k.into(), x.clone());
                        }
                    }
                    responses.insert(pattern.to_owned(), Value::Object(entry));
                }
                out.insert("responses".into(), Value::Object(responses));
                continue;
            }
            "uri" | "httpMethod" | "requestTemplates" | "requestParameters" | "timeoutInMillis"
            | "cacheKeyParameters" | "cacheNamespace" | "credentials" | "connectionType"
            | "connectionId" | "contentHandling" | "tlsConfig" => v.clone(),
            _ => continue,
        };
        out.insert(key.clone(), v);
    }
    Value::Object(out)
}

fn export_parameters(method: &Method, swagger: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, required) in method.request_parameters.iter().flatten() {
        let Some((place, pname)) = name
            .strip_prefix("method.request.")
            .and_then(|r| r.split_once('.'))
        else {
            continue;
        };
        let place = if place == "querystring" {
            "query"
        } else {
            place
        };
        let mut p = json!({"name": pname, "in": place, "required": *required || place == "path"});
        if swagger {
            p["type"] = json!("string");
        } else {
            p["schema"] = json!({"type": "string"});
        }
        out.push(p);
    }
    out
}

/// A `$ref` to model `name` in the document's own form.
fn model_schema_ref(name: &str, swagger: bool) -> Value {
    let prefix = if swagger {
        "#/definitions/"
    } else {
        "#/components/schemas/"
    };
    json!({ "$ref": format!("{prefix}{name}") })
}

/// An exported method response: its header parameters and models (collected into `used`).
fn export_response(
    code: &str,
    declared: Option<&super::MethodResponse>,
    swagger: bool,
    used: &mut BTreeSet<String>,
) -> Value {
    let mut r = json!({"description": format!("{code} response")});
    let Some(declared) = declared else {
        return r;
    };
    let headers: Map<String, Value> = declared
        .response_parameters
        .iter()
        .flatten()
        .filter_map(|(name, _)| name.strip_prefix("method.response.header."))
        .map(|h| {
            let t = if swagger {
                json!({"type": "string"})
            } else {
                json!({"schema": {"type": "string"}})
            };
            (h.to_owned(), t)
        })
        .collect();
    if !headers.is_empty() {
        r["headers"] = Value::Object(headers);
    }
    let models = declared.response_models.iter().flatten();
    if swagger {
        if let Some((_, name)) = models.into_iter().next() {
            used.insert(name.clone());
            r["schema"] = model_schema_ref(name, true);
        }
    } else {
        let content: Map<String, Value> = models
            .map(|(ct, name)| {
                used.insert(name.clone());
                (ct.clone(), json!({"schema": model_schema_ref(name, false)}))
            })
            .collect();
        if !content.is_empty() {
            r["content"] = Value::Object(content);
        }
    }
    r
}

/// Rewrites every `$ref` to a model inside a schema into the document's form.
fn rewrite_refs(
    schema: &mut Value,
    models: &BTreeMap<String, Value>,
    swagger: bool,
    found: &mut Vec<String>,
) {
    match schema {
        Value::Object(map) => {
            if let Some(name) =
                model_ref(&Value::Object(map.clone())).filter(|n| models.contains_key(n))
            {
                map.insert(
                    "$ref".into(),
                    model_schema_ref(&name, swagger)["$ref"].clone(),
                );
                found.push(name);
            }
            for v in map.values_mut() {
                rewrite_refs(v, models, swagger, found);
            }
        }
        Value::Array(items) => {
            for v in items {
                rewrite_refs(v, models, swagger, found);
            }
        }
        _ => {}
    }
}

/// The models an export writes: those in `used` and, transitively, those their schemas refer to.
fn exported_models(
    models: &BTreeMap<String, Value>,
    used: BTreeSet<String>,
    swagger: bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut pending: Vec<String> = used.into_iter().collect();
    while let Some(name) = pending.pop() {
        if out.contains_key(&name) {
            continue;
        }
        let Some(schema) = models.get(&name) else {
            continue;
        };
        let mut schema = schema.clone();
        if let Some(map) = schema.as_object_mut() {
            map.remove("$schema");
        }
        rewrite_refs(&mut schema, models, swagger, &mut pending);
        out.insert(name, schema);
    }
    out
}

/// GetExport: the stage's deployment as an OpenAPI 3.0.1 (or Swagger 2.0) document.
#[must_use]
pub fn export(src: &ExportSource<'_>, options: ExportOptions) -> Value {
    let by_id: BTreeMap<&str, &Authorizer> = src
        .authorizers
        .iter()
        .map(|a| (a.id.as_str(), *a))
        .collect();
    let mut paths = Map::new();
    let mut used: BTreeMap<String, &Authorizer> = BTreeMap::new();
    let mut used_models: BTreeSet<String> = BTreeSet::new();
    let mut api_key = false;
    let mut sigv4 = false;
    for (path, methods) in &src.resources {
        let mut item = Map::new();
        for (verb, m) in *methods {
            let mut op = Map::new();
            if let Some(name) = &m.operation_name {
                op.insert("operationId".into(), json!(name));
            }
            let params = export_parameters(m, options.swagger);
            if !params.is_empty() {
                op.insert("parameters".into(), json!(params));
            }
            let codes: Vec<String> = m
                .method_responses
                .as_ref()
                .map(|r| r.keys().cloned().collect::<Vec<_>>())
                .filter(|c| !c.is_empty())
                .or_else(|| {
                    m.method_integration
                        .as_ref()
                        .and_then(|i| i.get("integrationResponses"))
                        .and_then(Value::as_object)
                        .map(|r| r.keys().cloned().collect())
                })
                .unwrap_or_default();
            let responses: Map<String, Value> = codes
                .iter()
                .map(|c| {
                    let declared = m.method_responses.as_ref().and_then(|r| r.get(c));
                    let r = export_response(c, declared, options.swagger, &mut used_models);
                    (c.clone(), r)
                })
                .collect();
            op.insert("responses".into(), Value::Object(responses));
            let produces = m
                .method_responses
                .iter()
                .flat_map(|r| r.values())
                .find_map(|r| r.response_models.as_ref()?.keys().next());
            if let Some(ct) = produces.filter(|_| options.swagger) {
                op.insert("produces".into(), json!([ct]));
            }
            if let Some(models) = m.request_models.as_ref().filter(|m| !m.is_empty()) {
                used_models.extend(models.values().cloned());
                if options.swagger {
                    let (ct, name) = models.iter().next().unwrap_or_else(|| unreachable!());
                    op.insert("consumes".into(), json!([ct]));
                    let mut params = op
                        .remove("parameters")
                        .and_then(|p| p.as_array().cloned())
                        .unwrap_or_default();
                    params.push(json!({"in": "body", "name": name, "required": true,
                                       "schema": model_schema_ref(name, true)}));
                    op.insert("parameters".into(), json!(params));
                } else {
                    let content: Map<String, Value> = models
                        .iter()
                        .map(|(ct, name)| {
                            (ct.clone(), json!({"schema": model_schema_ref(name, false)}))
                        })
                        .collect();
                    op.insert(
                        "requestBody".into(),
                        json!({"content": content, "required": true}),
                    );
                }
            }
            let mut security = Vec::new();
            if let Some(a) = m.authorizer_id.as_deref().and_then(|id| by_id.get(id)) {
                let scopes = m.authorization_scopes.clone().unwrap_or_default();
                security.push(json!({ a.name.clone(): scopes }));
                used.insert(a.name.clone(), a);
            } else if m.authorization_type == "AWS_IAM" {
                security.push(json!({"sigv4": []}));
                sigv4 = true;
            }
            if m.api_key_required {
                security.push(json!({"api_key": []}));
                api_key = true;
            }
            if !security.is_empty() {
                op.insert("security".into(), json!(security));
            }
            if let Some(i) = m
                .method_integration
                .as_ref()
                .filter(|_| options.integrations)
            {
                op.insert(
                    "x-amazon-apigateway-integration".into(),
                    export_integration(i),
                );
            }
            let key = if verb == "ANY" {
                "x-amazon-apigateway-any-method".to_owned()
            } else {
                verb.to_ascii_lowercase()
            };
            item.insert(key, Value::Object(op));
        }
        if !item.is_empty() {
            paths.insert((*path).to_owned(), Value::Object(item));
        }
    }
    let mut schemes = Map::new();
    for (name, a) in used {
        let header = a.token_header().unwrap_or("Unused");
        let mut s = json!({"type": "apiKey", "name": header, "in": "header"});
        if let Some(t) = &a.auth_type {
            s["x-amazon-apigateway-authtype"] = json!(t);
        }
        if options.authorizers {
            let mut ext = json!({"type": a.authorizer_type.to_ascii_lowercase()});
            for (k, v) in [
                ("authorizerUri", &a.authorizer_uri),
                ("authorizerCredentials", &a.authorizer_credentials),
                ("identitySource", &a.identity_source),
                (
                    "identityValidationExpression",
                    &a.identity_validation_expression,
                ),
            ] {
                if let Some(v) = v {
                    ext[k] = json!(v);
                }
            }
            if let Some(ttl) = a.authorizer_result_ttl_in_seconds {
                ext["authorizerResultTtlInSeconds"] = json!(ttl);
            }
            if let Some(arns) = &a.provider_arns {
                ext["providerARNs"] = json!(arns);
            }
            s["x-amazon-apigateway-authorizer"] = ext;
        }
        schemes.insert(name, s);
    }
    if api_key {
        schemes.insert(
            "api_key".into(),
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        );
    }
    if sigv4 {
        schemes.insert(
            "sigv4".into(),
            json!({"type": "apiKey", "name": "Authorization", "in": "header",
                   "x-amazon-apigateway-authtype": "awsSigv4"}),
        );
    }
    let mut info = json!({"title": src.name, "version": src.version});
    if let Some(d) = src.description {
        info["description"] = json!(d);
    }
    let models = Value::Object(exported_models(&src.models, used_models, options.swagger));
    let has_models = models.as_object().is_some_and(|m| !m.is_empty());
    if options.swagger {
        let mut doc = json!({"swagger": "2.0", "info": info,
            "host": src.host.trim_start_matches("https://"), "basePath": format!("/{}", src.stage),
            "schemes": ["https"], "paths": paths});
        if !schemes.is_empty() {
            doc["securityDefinitions"] = Value::Object(schemes);
        }
        if has_models {
            doc["definitions"] = models;
        }
        doc
    } else {
        let mut doc = json!({"openapi": "3.0.1", "info": info,
            "servers": [{"url": format!("{}/{{basePath}}", src.host),
                         "variables": {"basePath": {"default": src.stage}}}],
            "paths": paths});
        let mut components = Map::new();
        if has_models {
            components.insert("schemas".into(), models);
        }
        if !schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        if !components.is_empty() {
            doc["components"] = Value::Object(components);
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn petstore() -> Value {
        serde_json::from_str(include_str!(
            "../../../../tests/fixtures/openapi/petstore.json"
        ))
        .unwrap()
    }

    /// The document's methods as a deployment holds them, each made by `method`.
    fn deployed(
        def: &ApiDefinition,
        method: impl Fn(&MethodDef) -> Method,
    ) -> BTreeMap<String, BTreeMap<String, Method>> {
        def.resources
            .iter()
            .map(|(p, ms)| {
                let ms = ms.iter().map(|(v, m)| (v.clone(), method(m))).collect();
                (p.clone(), ms)
            })
            .collect()
    }

    #[test]
    fn reads_resources_methods_and_extensions() {
        let def = read(&petstore()).unwrap();
        assert_eq!(def.name.as_deref(), Some("PetStore"));
        let paths: Vec<&str> = def.resources.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["/", "/pets", "/pets/{petId}", "/proxy", "/proxy/{proxy+}"]
        );
        let get = &def.resources["/pets"]["GET"];
        assert_eq!(get.method.authorization_type, "CUSTOM");
        assert_eq!(get.authorizer.as_deref(), Some("token-auth"));
        let integration = get.method.method_integration.as_ref().unwrap();
        assert_eq!(integration["type"], "HTTP");
        assert_eq!(integration["httpMethod"], "GET");
        assert_eq!(
            integration["integrationResponses"]["200"],
            json!({"statusCode": "200", "responseTemplates": {"application/json": "$input.json('$')"}})
        );
        assert_eq!(
            integration["integrationResponses"]["500"]["selectionPattern"],
            "5\\d{2}"
        );
        let pet = &def.resources["/pets/{petId}"]["GET"];
        assert!(pet.method.request_parameters.as_ref().unwrap()["method.request.path.petId"]);
        assert!(def.resources["/proxy/{proxy+}"].contains_key("ANY"));
        let auth = &def.authorizers["token-auth"];
        assert_eq!(
            (
                auth.authorizer_type.as_str(),
                auth.identity_source.as_deref()
            ),
            ("TOKEN", Some("method.request.header.Authorization"))
        );
        assert!(def.models.contains_key("Pet"));
        assert!(def.resources["/pets"]["POST"].method.api_key_required);
    }

    #[test]
    fn refuses_what_is_not_openapi() {
        for bad in [
            json!({}),
            json!({"openapi": "3.0.1"}),
            json!([1]),
            json!({"swagger": "1.2", "paths": {}}),
        ] {
            assert_eq!(read(&bad).unwrap_err().message, "Invalid OpenAPI input.");
        }
        assert!(read(&json!({"swagger": "2.0", "paths": {}})).is_ok());
    }

    #[test]
    fn export_then_read_keeps_methods() {
        let def = read(&petstore()).unwrap();
        let mut authorizers: Vec<Authorizer> = def.authorizers.values().cloned().collect();
        for (i, a) in authorizers.iter_mut().enumerate() {
            a.id = format!("a{i}");
        }
        let ids: BTreeMap<String, String> = authorizers
            .iter()
            .map(|a| (a.name.clone(), a.id.clone()))
            .collect();
        let resources = deployed(&def, |m| Method {
            authorizer_id: m.authorizer.as_ref().map(|n| ids[n].clone()),
            ..m.method.clone()
        });
        for swagger in [false, true] {
            let src = ExportSource {
                name: "PetStore",
                description: None,
                version: "1.0",
                host: "https://a1.execute-api.us-east-1.amazonaws.com",
                stage: "prod",
                resources: resources.iter().map(|(p, m)| (p.as_str(), m)).collect(),
                authorizers: authorizers.iter().collect(),
                models: def.models.clone(),
            };
            let options = ExportOptions {
                integrations: true,
                authorizers: true,
                swagger,
            };
            let again = read(&export(&src, options)).unwrap();
            for (path, methods) in &def.resources {
                for (verb, m) in methods {
                    let back = &again.resources[path][verb];
                    assert_eq!(
                        back.method.method_integration, m.method.method_integration,
                        "{path} {verb}"
                    );
                    assert_eq!(back.method.authorization_type, m.method.authorization_type);
                    assert_eq!(back.authorizer, m.authorizer);
                    assert_eq!(back.method.api_key_required, m.method.api_key_required);
                }
            }
            assert_eq!(again.authorizers, def.authorizers);
        }
        let plain = export(
            &ExportSource {
                name: "n",
                description: None,
                version: "1",
                host: "https://h",
                stage: "s",
                resources: resources.iter().map(|(p, m)| (p.as_str(), m)).collect(),
                authorizers: authorizers.iter().collect(),
                models: BTreeMap::new(),
            },
            ExportOptions::default(),
        );
        assert!(
            !plain
                .to_string()
                .contains("x-amazon-apigateway-integration")
        );
        assert!(!plain.to_string().contains("x-amazon-apigateway-authorizer"));
    }

    #[test]
    fn models_travel_with_the_methods_that_use_them() {
        let def = read(&petstore()).unwrap();
        let get = &def.resources["/pets"]["GET"].method;
        let ok = &get.method_responses.as_ref().unwrap()["200"];
        assert_eq!(
            ok.response_models.as_ref().unwrap()["application/json"],
            "Pets"
        );
        let post = &def.resources["/pets"]["POST"].method;
        assert_eq!(
            post.request_models.as_ref().unwrap()["application/json"],
            "Pet"
        );
        let resources = deployed(&def, |m| Method {
            authorization_type: "NONE".into(),
            ..m.method.clone()
        });
        let mut models = def.models.clone();
        models.insert("Unused".into(), json!({"type": "object"}));
        for swagger in [false, true] {
            let src = ExportSource {
                name: "PetStore",
                description: None,
                version: "1.0",
                host: "https://a1.execute-api.us-east-1.amazonaws.com",
                stage: "prod",
                resources: resources.iter().map(|(p, m)| (p.as_str(), m)).collect(),
                authorizers: Vec::new(),
                models: models.clone(),
            };
            let doc = export(
                &src,
                ExportOptions {
                    swagger,
                    ..ExportOptions::default()
                },
            );
            let schemas = if swagger {
                &doc["definitions"]
            } else {
                &doc["components"]["schemas"]
            };
            let names: Vec<&String> = schemas.as_object().unwrap().keys().collect();
            assert_eq!(
                names,
                ["Pet", "Pets"],
                "only the used models, swagger: {swagger}"
            );
            let prefix = if swagger {
                "#/definitions/"
            } else {
                "#/components/schemas/"
            };
            assert_eq!(schemas["Pets"]["items"]["$ref"], format!("{prefix}Pet"));
            let again = read(&doc).unwrap();
            assert_eq!(again.models.keys().collect::<Vec<_>>(), ["Pet", "Pets"]);
            let back = &again.resources["/pets"];
            assert_eq!(back["POST"].method.request_models, post.request_models);
            assert_eq!(
                back["GET"].method.method_responses.as_ref().unwrap()["200"].response_models,
                ok.response_models
            );
        }
    }
}
