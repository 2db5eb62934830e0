//! Resources, methods and integrations: GetResources, GetResource, CreateResource, DeleteResource,
//! PutMethod, GetMethod, DeleteMethod, PutIntegration, GetIntegration, UpdateIntegration.
//!
//! As AWS answers (LocalStack's AWS-validated snapshots), the method and integration operations on an
//! API that does not exist say "Invalid Resource identifier specified", like those on a missing resource.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};
use stagecraft_core::api::{
    CreateResourceRequest, Method, Page, PatchRequest, PutMethodRequest, Resource, model, resource,
};

use super::responses::{edit_method, method};
use super::{P, accepted, account, api_page, created, embeds, no_content};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Record, ResourceRec, new_id};

fn resource_json(r: &ResourceRec, embed_methods: bool) -> Resource {
    let methods: BTreeMap<String, Value> = r
        .methods
        .iter()
        .map(|(verb, m)| {
            let v = if embed_methods {
                serde_json::to_value(m).unwrap_or_default()
            } else {
                json!({})
            };
            (verb.clone(), v)
        })
        .collect();
    Resource {
        id: r.id.clone(),
        parent_id: r.parent_id.clone(),
        path_part: r.path_part.clone(),
        path: r.path.clone(),
        resource_methods: (!methods.is_empty()).then_some(methods),
    }
}

pub async fn list(
    State(state): State<AppState>,
    P(api): P<String>,
    uri: Uri,
) -> Result<Json<Page<Resource>>> {
    let embed = embeds(&uri, "methods");
    api_page(&state, &api, &uri, |a| {
        a.resources
            .values()
            .map(|r| (r.seq, resource_json(r, embed)))
            .collect::<Vec<_>>()
    })
}

pub async fn get(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    uri: Uri,
) -> Result<Json<Resource>> {
    let embed = embeds(&uri, "methods");
    state.read(|s| {
        let a = s.api(account(&state), &api)?;
        Ok(Json(resource_json(a.resource(&id)?, embed)))
    })
}

pub async fn create(
    State(state): State<AppState>,
    P((api, parent)): P<(String, String)>,
    AwsJson(req): AwsJson<CreateResourceRequest>,
) -> Result<Response> {
    let part = req.checked_path_part()?;
    let rec = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let p = a.resource(&parent)?;
            let siblings = a
                .resources
                .values()
                .filter(|r| r.parent_id.as_deref() == Some(parent.as_str()))
                .map(|r| r.path_part.as_deref().unwrap_or(""));
            resource::check_new_child(p.path_part.as_deref(), siblings, part)?;
            let path = resource::child_path(&p.path, part);
            let rec = ResourceRec {
                seq: tx.next_seq(),
                id: new_id(6),
                parent_id: Some(parent.clone()),
                path_part: Some(part.to_owned()),
                path,
                methods: BTreeMap::new(),
            };
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: rec.clone(),
            });
            Ok(rec)
        })
        .await?;
    Ok(created(&resource_json(&rec, false)))
}

/// UpdateResource: a new path part and/or parent; the resource's and its descendants' paths follow.
pub async fn update(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Resource>> {
    let ops = req.operations("updateResourceInput")?;
    let rec = state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            let current = a.resource(&id)?;
            let update = resource::resource_update(&ops, a.root_id() == Some(id.as_str()))?;
            let parent_id = update
                .parent_id
                .or_else(|| current.parent_id.clone())
                .unwrap_or_default();
            let part = update
                .path_part
                .or_else(|| current.path_part.clone())
                .unwrap_or_default();
            let parent = a.resource(&parent_id)?;
            let mut cursor = Some(parent_id.as_str());
            while let Some(c) = cursor {
                if c == id {
                    return Err(resource::cyclical().into());
                }
                cursor = a.resources.get(c).and_then(|r| r.parent_id.as_deref());
            }
            let siblings = a
                .resources
                .values()
                .filter(|r| r.parent_id.as_deref() == Some(parent_id.as_str()) && r.id != id)
                .map(|r| r.path_part.as_deref().unwrap_or(""));
            resource::check_new_child(parent.path_part.as_deref(), siblings, &part)?;
            let mut moved = current.clone();
            moved.path = resource::child_path(&parent.path, &part);
            moved.parent_id = Some(parent_id);
            moved.path_part = Some(part);
            let mut changed = vec![moved.clone()];
            let mut i = 0;
            while i < changed.len() {
                let (pid, ppath) = (changed[i].id.clone(), changed[i].path.clone());
                for child in a
                    .resources
                    .values()
                    .filter(|r| r.parent_id.as_deref() == Some(pid.as_str()))
                {
                    let mut c = child.clone();
                    c.path = resource::child_path(&ppath, c.path_part.as_deref().unwrap_or(""));
                    changed.push(c);
                }
                i += 1;
            }
            for r in changed {
                tx.commit(Record::PutResource {
                    api: api.clone(),
                    resource: r,
                });
            }
            Ok(moved)
        })
        .await?;
    Ok(Json(resource_json(&rec, false)))
}

pub async fn delete(
    State(state): State<AppState>,
    P((api, id)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let a = tx.store().api(account(&state), &api)?;
            a.resource(&id)?;
            resource::check_deletable(a.root_id() == Some(id.as_str()))?;
            let mut doomed = vec![id.clone()];
            let mut i = 0;
            while i < doomed.len() {
                let current = doomed[i].clone();
                doomed.extend(
                    a.resources
                        .values()
                        .filter(|r| r.parent_id.as_deref() == Some(current.as_str()))
                        .map(|r| r.id.clone()),
                );
                i += 1;
            }
            for rid in doomed {
                tx.commit(Record::DeleteResource {
                    api: api.clone(),
                    id: rid,
                });
            }
            Ok(())
        })
        .await?;
    Ok(accepted())
}

pub async fn put_method(
    State(state): State<AppState>,
    P((api, rid, raw_verb)): P<(String, String, String)>,
    AwsJson(req): AwsJson<PutMethodRequest>,
) -> Result<Response> {
    let verb = resource::http_method(&raw_verb)?;
    req.authorization_type()?;
    let method = state
        .mutate(|tx| {
            let a = tx.store().apis.get(&api).ok_or_else(resource::not_found)?;
            let mut r = a.resource(&rid)?.clone();
            if r.methods.contains_key(&verb) {
                return Err(resource::method_exists().into());
            }
            let method = req.to_method(
                &verb,
                |id| a.authorizers.contains_key(id),
                |id| a.request_validators.contains_key(id),
            )?;
            model::check_references(method.request_models.iter().flat_map(|m| m.values()), |n| {
                a.models.contains_key(n)
            })?;
            r.methods.insert(verb.clone(), method.clone());
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: r,
            });
            Ok(method)
        })
        .await?;
    Ok(created(&method))
}

pub async fn get_method(
    State(state): State<AppState>,
    P((api, rid, verb)): P<(String, String, String)>,
) -> Result<Json<Method>> {
    state.read(|s| Ok(Json(method(s, &api, &rid, &verb)?.clone())))
}

pub async fn delete_method(
    State(state): State<AppState>,
    P((api, rid, verb)): P<(String, String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            method(tx.store(), &api, &rid, &verb)?;
            let mut r = tx.store().apis[&api].resources[&rid].clone();
            r.methods.remove(&verb.to_ascii_uppercase());
            tx.commit(Record::PutResource {
                api: api.clone(),
                resource: r,
            });
            Ok(())
        })
        .await?;
    Ok(no_content())
}

pub async fn put_integration(
    State(state): State<AppState>,
    P(path): P<(String, String, String)>,
    AwsJson(body): AwsJson<Map<String, Value>>,
) -> Result<Response> {
    let value = resource::integration(&path.1, &body)?;
    state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                m.method_integration = Some(value.clone());
                Ok(())
            })
        })
        .await?;
    Ok(created(&value))
}

pub async fn get_integration(
    State(state): State<AppState>,
    P((api, rid, verb)): P<(String, String, String)>,
) -> Result<Json<Value>> {
    state.read(|s| {
        method(s, &api, &rid, &verb)?
            .method_integration
            .clone()
            .map(Json)
            .ok_or_else(|| resource::integration_not_found().into())
    })
}

pub async fn update_integration(
    State(state): State<AppState>,
    P(path): P<(String, String, String)>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<Value>> {
    let ops = req.operations("updateIntegrationInput")?;
    let out = state
        .mutate(|tx| {
            edit_method(tx, &path, |m| {
                let current = m
                    .method_integration
                    .as_ref()
                    .ok_or_else(resource::integration_not_found)?;
                let next = resource::update_integration(&path.1, current, &ops)?;
                m.method_integration = Some(next.clone());
                Ok(next)
            })
        })
        .await?;
    Ok(Json(out))
}
