//! ImportRestApi (`POST /restapis?mode=import`), PutRestApi (`PUT /restapis/{id}?mode=overwrite|merge`),
//! GetExport (`GET /restapis/{id}/stages/{stage}/exports/{oas30|swagger}`) and `stagecraft emulator
//! --import FILE`. The mapping is core's ([`stagecraft_core::api::openapi`]); this module parses JSON or
//! YAML, assigns ids and commits records.
//!
//! The document's schemas become the API's models (stored as JSON text, as CreateModel takes them);
//! GetExport writes back the models the deployed methods use.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use stagecraft_core::ApiError;
use stagecraft_core::api::openapi::{self, ApiDefinition, ExportOptions, ExportSource};
use stagecraft_core::api::{CreateRestApiRequest, Method, Model, RestApi, model, resource};
use stagecraft_core::authorizer;

use super::{P, account, query_one};
use crate::AppState;
use crate::error::{Error, Result};
use crate::store::{Ordered, Record, ResourceRec, Tx, new_id, now};

/// Parses a document sent as JSON or YAML.
///
/// # Errors
/// `BadRequestException: Invalid OpenAPI input.` (AWS's text) for anything else.
pub fn parse_document(bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .or_else(|| serde_yaml::from_slice::<Value>(bytes).ok())
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::bad_request(openapi::INVALID_INPUT).into())
}

fn regex_ok(expr: &str) -> bool {
    regex_lite::Regex::new(expr).is_ok()
}

/// Commits a new API for `def`.
fn import_new(tx: &mut Tx<'_>, def: &ApiDefinition) -> Result<RestApi> {
    let req = CreateRestApiRequest {
        name: Some(
            def.name
                .clone()
                .ok_or_else(|| Error::from(ApiError::bad_request(openapi::INVALID_INPUT)))?,
        ),
        description: def.description.clone().filter(|d| !d.is_empty()),
        version: def.version.clone(),
        api_key_source: def.api_key_source.clone(),
        binary_media_types: Some(def.binary_media_types.clone()),
        ..CreateRestApiRequest::default()
    };
    let api = req.to_rest_api(new_id(10), new_id(10), now())?;
    let api = super::rest_apis::create_records(tx, api);
    apply(tx, &api.id, def, true)?;
    Ok(api)
}

/// Puts `def` into API `api`: with `overwrite`, its resources (but `/`) and authorizers are replaced;
/// otherwise the document's methods and authorizers are added or replace those of the same name.
fn apply(tx: &mut Tx<'_>, api: &str, def: &ApiDefinition, overwrite: bool) -> Result<()> {
    let a = tx
        .store()
        .apis
        .get(api)
        .ok_or_else(|| Error::from(ApiError::bad_request(openapi::INVALID_INPUT)))?;
    let root = a.root_id().unwrap_or_default().to_owned();
    let mut by_path: BTreeMap<String, ResourceRec> = a
        .resources
        .values()
        .filter(|r| !overwrite || r.id == root)
        .map(|r| (r.path.clone(), r.clone()))
        .collect();
    let stale_resources: Vec<String> = a
        .resources
        .values()
        .filter(|r| overwrite && r.id != root)
        .map(|r| r.id.clone())
        .collect();
    let mut authorizers: BTreeMap<String, Ordered<stagecraft_core::api::Authorizer>> = a
        .authorizers
        .values()
        .filter(|_| !overwrite)
        .map(|x| (x.value.name.clone(), x.clone()))
        .collect();
    let stale_authorizers: Vec<String> = a
        .authorizers
        .values()
        .filter(|_| overwrite)
        .map(|x| x.value.id.clone())
        .collect();
    if let Some(r) = by_path.get_mut("/").filter(|_| overwrite) {
        r.methods.clear();
    }
    let mut new_authorizers = Vec::new();
    for (name, x) in &def.authorizers {
        let mut checked = authorizer::to_new(x.clone(), regex_ok)?;
        let (seq, id) = match authorizers.get(name) {
            Some(old) => (old.seq, old.value.id.clone()),
            None => (0, new_id(6)),
        };
        checked.id = id;
        new_authorizers.push((name.clone(), seq, checked));
    }
    for id in stale_resources {
        tx.commit(Record::DeleteResource {
            api: api.into(),
            id,
        });
    }
    for id in stale_authorizers {
        tx.commit(Record::DeleteAuthorizer {
            api: api.into(),
            id,
        });
    }
    for (name, seq, checked) in new_authorizers {
        let seq = if seq == 0 { tx.next_seq() } else { seq };
        let entry = Ordered {
            seq,
            value: checked,
        };
        authorizers.insert(name, entry.clone());
        tx.commit(Record::PutAuthorizer {
            api: api.into(),
            authorizer: entry,
        });
    }
    let models: Vec<Model> = def
        .models
        .iter()
        .map(|(name, schema)| Model {
            id: tx
                .store()
                .apis
                .get(api)
                .and_then(|a| a.models.get(name))
                .map_or_else(|| new_id(6), |m| m.id.clone()),
            name: name.clone(),
            description: None,
            schema: serde_json::to_string_pretty(schema).ok(),
            content_type: Some(model::JSON.into()),
        })
        .collect();
    for model in models {
        tx.commit(Record::PutModel {
            api: api.into(),
            model,
        });
    }
    for (path, methods) in &def.resources {
        if !by_path.contains_key(path) {
            let (parent, part) = path.rsplit_once('/').unwrap_or(("", path));
            let parent = if parent.is_empty() { "/" } else { parent };
            if !resource::path_part_ok(part) {
                return Err(ApiError::bad_request(openapi::INVALID_INPUT).into());
            }
            let parent_id = by_path.get(parent).map(|r| r.id.clone());
            let rec = ResourceRec {
                seq: tx.next_seq(),
                id: new_id(6),
                parent_id,
                path_part: Some(part.to_owned()),
                path: path.clone(),
                methods: BTreeMap::new(),
            };
            by_path.insert(path.clone(), rec);
        }
        let rec = by_path.get_mut(path).unwrap_or_else(|| unreachable!());
        for (verb, m) in methods {
            let mut method: Method = m.method.clone();
            if let Some(scheme) = &m.authorizer {
                method.authorizer_id = authorizers.get(scheme).map(|a| a.value.id.clone());
                if method.authorizer_id.is_none() {
                    return Err(ApiError::bad_request(openapi::INVALID_INPUT).into());
                }
            }
            if let Some(Value::Object(body)) = &method.method_integration {
                method.method_integration = Some(resource::integration(&rec.id, body)?);
            }
            rec.methods.insert(verb.clone(), method);
        }
        tx.commit(Record::PutResource {
            api: api.into(),
            resource: rec.clone(),
        });
    }
    Ok(())
}

/// Imports a document as a new API, or (when an API of the same name exists) overwrites that API:
/// what `stagecraft emulator --import FILE` does at start-up.
///
/// # Errors
/// The document's errors, as ImportRestApi reports them.
pub fn import_document(state: &AppState, bytes: &[u8]) -> Result<RestApi> {
    let def = openapi::read(&parse_document(bytes)?)?;
    state.mutate_now(|tx| {
        let existing = tx
            .store()
            .apis
            .values()
            .find(|a| Some(&a.rest_api.name) == def.name.as_ref())
            .map(|a| a.rest_api.clone());
        match existing {
            Some(api) => apply(tx, &api.id, &def, true).map(|()| api),
            None => import_new(tx, &def),
        }
    })?
}

/// ImportRestApi (routed through CreateRestApi's `POST /restapis` when `mode=import`).
pub(crate) async fn import_rest_api(state: &AppState, body: &[u8]) -> Result<Response> {
    let def = openapi::read(&parse_document(body)?)?;
    let api = state.mutate(|tx| import_new(tx, &def)).await?;
    Ok((StatusCode::CREATED, axum::Json(api)).into_response())
}

/// PutRestApi.
pub async fn put_rest_api(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
    body: Bytes,
) -> Result<Response> {
    let overwrite = match query_one(&uri, "mode").as_deref() {
        None | Some("merge") => false,
        Some("overwrite") => true,
        Some(other) => {
            return Err(ApiError::enum_violation(
                other,
                "putRestApiInput.mode",
                &["merge", "overwrite"],
            )
            .into());
        }
    };
    let out = state
        .mutate(|tx| {
            let mut rest_api = tx.store().api(account(&state), &api)?.rest_api.clone();
            let seq = tx.store().apis.get(&api).map(|a| a.seq).unwrap_or_default();
            let def = openapi::read(&parse_document(&body)?)?;
            apply(tx, &api, &def, overwrite)?;
            if def.description.is_some() {
                rest_api.description = def.description.clone().filter(|d| !d.is_empty());
            }
            if def.version.is_some() {
                rest_api.version = def.version.clone();
            }
            if overwrite || !def.binary_media_types.is_empty() {
                rest_api.binary_media_types = def.binary_media_types.clone();
            }
            tx.commit(Record::PutApi {
                seq,
                api: rest_api.clone(),
            });
            Ok(rest_api)
        })
        .await?;
    Ok(axum::Json(out).into_response())
}

/// GetExport.
pub async fn get_export(
    State(state): State<AppState>,
    P((api, stage, export_type)): P<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    let options = ExportOptions::parse(&export_type, query_one(&uri, "extensions").as_deref())?;
    let yaml = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("yaml"));
    let doc = state.read(|s| {
        let a = s.api(account(&state), &api)?;
        let st = a.stage(&stage)?;
        let deployment = st.deployment_id.as_deref().unwrap_or_default();
        let created = a.deployment(deployment)?.created_date;
        let resources = a.snapshots.get(deployment).cloned().unwrap_or_default();
        let version = a.rest_api.version.clone().unwrap_or_else(|| {
            let secs = created.map_or(0, |t| t.0 as i64);
            time::OffsetDateTime::from_unix_timestamp(secs)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default()
        });
        let host = format!(
            "https://{api}.execute-api.{}.amazonaws.com",
            state.config.region
        );
        let src = ExportSource {
            name: &a.rest_api.name,
            description: a.rest_api.description.as_deref(),
            version: &version,
            host: &host,
            stage: &stage,
            resources: resources
                .iter()
                .map(|r| (r.path.as_str(), &r.methods))
                .collect(),
            authorizers: a.authorizers.values().map(|x| &x.value).collect(),
            models: a
                .models
                .values()
                .filter_map(|m| {
                    let schema = serde_json::from_str(m.schema.as_deref()?).ok()?;
                    Some((m.name.clone(), schema))
                })
                .collect(),
        };
        Ok::<_, Error>(openapi::export(&src, options))
    })?;
    let (body, content_type, ext) = if yaml {
        let text = serde_yaml::to_string(&doc).map_err(|e| Error::internal(e.to_string()))?;
        (text, "application/yaml", "yaml")
    } else {
        let text =
            serde_json::to_string_pretty(&doc).map_err(|e| Error::internal(e.to_string()))?;
        (text, "application/json", "json")
    };
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let kind = if options.swagger { "swagger" } else { "oas30" };
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{kind}_{stage}.{ext}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_or_yaml() {
        assert_eq!(parse_document(b"{\"a\": 1}").unwrap()["a"], 1);
        assert_eq!(parse_document(b"a: 1\nb: [x]\n").unwrap()["b"][0], "x");
        let e = parse_document(b"- 1\n").unwrap_err();
        assert_eq!(e.message, "Invalid OpenAPI input.");
        assert!(parse_document(b"{not json").is_err());
    }
}
