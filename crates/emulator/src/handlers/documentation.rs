//! Documentation parts (Create/Get/GetAll/Update/Delete) and versions (Create/Get/GetAll/Delete).
//!
//! As AWS answers: GetDocumentationPart and UpdateDocumentationPart on an API that does not exist say
//! the part does not exist; the other operations name the API.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::ApiError;
use stagecraft_core::api::documentation::{
    self, CreateDocumentationPartRequest, CreateDocumentationVersionRequest,
};
use stagecraft_core::api::{
    DocumentationPart, DocumentationVersion, Page, PatchRequest, replaced_description,
};

use super::{P, accepted, account, api_page, created, query_one};
use crate::AppState;
use crate::error::{AwsJson, Error, Result};
use crate::store::{Api, Ordered, Record, Store, new_id, now};

/// The API of a part operation, with a missing API reported as a missing part (AWS's answer).
fn part_api<'a>(s: &'a Store, api: &str) -> Result<&'a Api> {
    s.apis
        .get(api)
        .ok_or_else(|| Error::from(documentation::part_not_found()))
}

pub async fn create_part(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateDocumentationPartRequest>,
) -> Result<Response> {
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let part = req.to_part(new_id(6), |loc| {
                a.documentation_parts
                    .values()
                    .any(|p| &p.value.location == loc)
            })?;
            let seq = tx.next_seq();
            tx.commit(Record::PutDocumentationPart {
                api: api.clone(),
                part: Ordered {
                    seq,
                    value: part.clone(),
                },
            });
            Ok(part)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list_parts(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<DocumentationPart>>> {
    let kind = query_one(&uri, "type");
    if let Some(k) = kind
        .as_deref()
        .filter(|k| !documentation::LOCATION_TYPES.contains(k))
    {
        let e = ApiError::enum_violation(k, "type", documentation::LOCATION_TYPES);
        return Err(e.into());
    }
    let path = query_one(&uri, "path");
    let name = query_one(&uri, "name").map(|n| n.to_lowercase());
    api_page(&state, &api, &uri, |a| {
        a.documentation_parts
            .values()
            .filter(|p| {
                let loc = &p.value.location;
                kind.as_deref()
                    .is_none_or(|k| loc.kind.as_deref() == Some(k))
                    && path
                        .as_deref()
                        .is_none_or(|x| loc.path.as_deref() == Some(x))
                    && name.as_deref().is_none_or(|n| {
                        loc.name
                            .as_deref()
                            .is_some_and(|v| v.to_lowercase().contains(n))
                    })
            })
            .map(|p| (p.seq, p.value.clone()))
            .collect::<Vec<_>>()
    })
}

pub async fn get_part(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Json<DocumentationPart>> {
    state.read(|s| Ok(Json(part_api(s, &api)?.documentation_part(&id)?.clone())))
}

pub async fn update_part(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<DocumentationPart>> {
    let out = state
        .mutate(|tx| {
            let a = part_api(tx.store(), &api)?;
            let seq = a
                .documentation_parts
                .get(&id)
                .map(|p| p.seq)
                .unwrap_or_default();
            let next = documentation::update_part(a.documentation_part(&id)?, &req)?;
            tx.commit(Record::PutDocumentationPart {
                api: api.clone(),
                part: Ordered {
                    seq,
                    value: next.clone(),
                },
            });
            Ok(next)
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_part(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            tx.store()
                .api(account(&state), &api)?
                .documentation_part(&id)?;
            tx.commit(Record::DeleteDocumentationPart {
                api: api.clone(),
                id: id.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

pub async fn create_version(
    State(state): State<AppState>,
    P(api): P<String>,
    AwsJson(req): AwsJson<CreateDocumentationVersionRequest>,
) -> Result<Response> {
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let version = req.to_version(now(), |v| a.documentation_versions.contains_key(v))?;
            let stage = match req.stage_name.as_deref().filter(|s| !s.is_empty()) {
                Some(name) => {
                    let mut st = a.stage(name)?.clone();
                    st.documentation_version = Some(version.version.clone());
                    st.last_updated_date = Some(now());
                    Some(st)
                }
                None => None,
            };
            let seq = tx.next_seq();
            tx.commit(Record::PutDocumentationVersion {
                api: api.clone(),
                version: Ordered {
                    seq,
                    value: version.clone(),
                },
            });
            if let Some(st) = stage {
                tx.commit(Record::PutStage {
                    api: api.clone(),
                    stage: Box::new(st),
                });
            }
            Ok(version)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list_versions(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<DocumentationVersion>>> {
    api_page(&state, &api, &uri, |a| {
        a.documentation_versions
            .values()
            .map(|v| (v.seq, v.value.clone()))
            .collect::<Vec<_>>()
    })
}

pub async fn get_version(
    State(state): State<AppState>,
    P((api, version)): P<(String, String)>,
) -> Result<Json<DocumentationVersion>> {
    state.read(|s| {
        Ok(Json(
            s.api(account(&state), &api)?
                .documentation_version(&version)?
                .clone(),
        ))
    })
}

/// UpdateDocumentationVersion: only its description changes.
pub async fn update_version(
    State(state): State<AppState>,
    P((api, version)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<DocumentationVersion>> {
    let ops = req.operations("updateDocumentationVersionInput")?;
    let out = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            a.documentation_version(&version)?;
            let mut next = a.documentation_versions[&version].clone();
            next.value.description = replaced_description(next.value.description.as_deref(), &ops)?;
            tx.commit(Record::PutDocumentationVersion {
                api: api.clone(),
                version: next.clone(),
            });
            Ok(next.value)
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_version(
    State(state): State<AppState>,
    P((api, version)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            tx.store()
                .api(account(&state), &api)?
                .documentation_version(&version)?;
            tx.commit(Record::DeleteDocumentationVersion {
                api: api.clone(),
                version: version.clone(),
            });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

/// Checks a stage's `documentationVersion` against the API's versions (CreateStage, UpdateStage).
pub(crate) fn check_stage_version(a: &Api, st: &stagecraft_core::Stage) -> Result<()> {
    documentation::check_stage_version(st.documentation_version.as_deref(), |v| {
        a.documentation_versions.contains_key(v)
    })
    .map_err(Error::from)
}
