//! Usage plans (Create/Get/GetAll/Update/Delete), their keys (Create/Get/GetAll/Delete) and API keys
//! (Create/Get/GetAll/Update/Delete): account-wide, not under an API.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::api_key::{self, CreateApiKeyRequest};
use stagecraft_core::api::usage_plan::{self, CreateUsagePlanKeyRequest, CreateUsagePlanRequest};
use stagecraft_core::api::{ApiKey, Page, PatchRequest, UsagePlan, UsagePlanKey, tags};

use super::{P, accepted, created, page_in_creation_order, query_one};
use crate::AppState;
use crate::error::{AwsJson, Error, Result};
use crate::store::{Ordered, Record, Store, UsagePlanRec, new_id, now};

/// Whether a query flag (`includeValue`, `includeValues`) is `true`.
fn flag(uri: &Uri, name: &str) -> bool {
    query_one(uri, name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

pub async fn create_plan(
    State(state): State<AppState>,
    AwsJson(req): AwsJson<CreateUsagePlanRequest>,
) -> Result<Response> {
    let out = state
        .mutate(|tx| {
            let s = tx.store();
            let plan = req.to_usage_plan(new_id(6), |a, st| s.stage_exists(a, st))?;
            let seq = tx.next_seq();
            tx.commit(Record::PutUsagePlan {
                plan: Ordered {
                    seq,
                    value: UsagePlanRec {
                        plan: plan.clone(),
                        keys: Vec::new(),
                    },
                },
            });
            Ok(plan)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list_plans(State(state): State<AppState>, uri: Uri) -> Result<Json<Page<UsagePlan>>> {
    let key = query_one(&uri, "keyId");
    let items = state.read(|s| {
        s.usage_plans
            .values()
            .filter(|p| key.as_ref().is_none_or(|k| p.value.keys.contains(k)))
            .map(|p| (p.seq, p.value.plan.clone()))
            .collect::<Vec<_>>()
    });
    page_in_creation_order(items, &uri)
}

pub async fn get_plan(State(state): State<AppState>, P(id): P<String>) -> Result<Json<UsagePlan>> {
    state.read(|s| Ok(Json(s.usage_plan(&id)?.value.plan.clone())))
}

pub async fn update_plan(
    State(state): State<AppState>,
    P(id): P<String>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<UsagePlan>> {
    let ops = req.operations("updateUsagePlanInput")?;
    let out = state
        .mutate(|tx| {
            let s = tx.store();
            let current = s.usage_plan(&id)?;
            let plan =
                usage_plan::update(&current.value.plan, &ops, |a, st| s.stage_exists(a, st))?;
            let rec = Ordered {
                seq: current.seq,
                value: UsagePlanRec {
                    plan: plan.clone(),
                    keys: current.value.keys.clone(),
                },
            };
            tx.commit(Record::PutUsagePlan { plan: rec });
            Ok(plan)
        })
        .await?;
    Ok(Json(out))
}

pub async fn delete_plan(State(state): State<AppState>, P(id): P<String>) -> Result<Response> {
    state
        .mutate(|tx| {
            let plan = &tx.store().usage_plan(&id)?.value.plan;
            if let Some(stage) = plan.api_stages.first() {
                return Err(usage_plan::in_use(&id, stage).into());
            }
            tx.commit(Record::DeleteUsagePlan { id: id.clone() });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

/// A plan's keys as GetUsagePlanKeys lists them.
fn plan_keys(s: &Store, plan: &UsagePlanRec) -> Vec<(u64, UsagePlanKey)> {
    plan.keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            s.api_keys
                .get(k)
                .map(|key| (i as u64, UsagePlanKey::of(&key.value)))
        })
        .collect()
}

pub async fn create_plan_key(
    State(state): State<AppState>,
    P(id): P<String>,
    AwsJson(req): AwsJson<CreateUsagePlanKeyRequest>,
) -> Result<Response> {
    let out = state
        .mutate(|tx| {
            let key_id = req.key_id()?;
            let s = tx.store();
            let plan = s.usage_plan(&id)?;
            let key = s.api_key(key_id)?;
            if plan.value.keys.iter().any(|k| k == key_id) {
                return Err(Error::from(stagecraft_core::ApiError::conflict(
                    usage_plan::KEY_EXISTS,
                )));
            }
            let out = UsagePlanKey::of(&key.value);
            let mut rec = plan.clone();
            rec.value.keys.push(key_id.to_owned());
            tx.commit(Record::PutUsagePlan { plan: rec });
            Ok(out)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list_plan_keys(
    State(state): State<AppState>,
    P(id): P<String>,
    uri: Uri,
) -> Result<Json<Page<UsagePlanKey>>> {
    let name = query_one(&uri, "name");
    let items = state.read(|s| {
        let plan = s.usage_plan(&id)?;
        let mut keys = plan_keys(s, &plan.value);
        if let Some(n) = &name {
            keys.retain(|(_, k)| k.name.as_deref().is_some_and(|v| v.starts_with(n.as_str())));
        }
        Ok::<_, Error>(keys)
    })?;
    page_in_creation_order(items, &uri)
}

pub async fn get_plan_key(
    State(state): State<AppState>,
    P((id, key)): P<(String, String)>,
) -> Result<Json<UsagePlanKey>> {
    state.read(|s| {
        let plan = s.usage_plan(&id)?;
        plan_keys(s, &plan.value)
            .into_iter()
            .map(|(_, k)| k)
            .find(|k| k.id == key)
            .map(Json)
            .ok_or_else(|| usage_plan::key_not_found().into())
    })
}

pub async fn delete_plan_key(
    State(state): State<AppState>,
    P((id, key)): P<(String, String)>,
) -> Result<Response> {
    state
        .mutate(|tx| {
            let mut rec = tx.store().usage_plan(&id)?.clone();
            let before = rec.value.keys.len();
            rec.value.keys.retain(|k| k != &key);
            if rec.value.keys.len() == before {
                return Err(usage_plan::key_not_found().into());
            }
            tx.commit(Record::PutUsagePlan { plan: rec });
            Ok(())
        })
        .await?;
    Ok(accepted())
}

pub async fn create_key(
    State(state): State<AppState>,
    AwsJson(req): AwsJson<CreateApiKeyRequest>,
) -> Result<Response> {
    let key = req.to_api_key(new_id(10), new_id(40), now())?;
    let out = state
        .mutate(|tx| {
            let seq = tx.next_seq();
            tx.commit(Record::PutApiKey {
                key: Ordered {
                    seq,
                    value: key.clone(),
                },
            });
            Ok(key)
        })
        .await?;
    Ok(created(&out))
}

pub async fn list_keys(State(state): State<AppState>, uri: Uri) -> Result<Json<Page<ApiKey>>> {
    let include = flag(&uri, "includeValues");
    let name = query_one(&uri, "name");
    let customer = query_one(&uri, "customerId");
    let items = state.read(|s| {
        s.api_keys
            .values()
            .filter(|k| {
                name.as_deref()
                    .is_none_or(|n| k.value.name.as_deref().is_some_and(|v| v.starts_with(n)))
                    && customer
                        .as_deref()
                        .is_none_or(|c| k.value.customer_id.as_deref() == Some(c))
            })
            .map(|k| (k.seq, k.value.shown(include)))
            .collect::<Vec<_>>()
    });
    page_in_creation_order(items, &uri)
}

pub async fn get_key(
    State(state): State<AppState>,
    P(id): P<String>,
    uri: Uri,
) -> Result<Json<ApiKey>> {
    let include = flag(&uri, "includeValue");
    state.read(|s| Ok(Json(s.api_key(&id)?.value.shown(include))))
}

pub async fn update_key(
    State(state): State<AppState>,
    P(id): P<String>,
    AwsJson(req): AwsJson<PatchRequest>,
) -> Result<Json<serde_json::Value>> {
    let ops = req.operations("updateApiKeyInput")?;
    let out = state
        .mutate(|tx| {
            let current = tx.store().api_key(&id)?;
            let key = Ordered {
                seq: current.seq,
                value: api_key::update_api_key(&current.value, &ops, now())?,
            };
            tx.commit(Record::PutApiKey { key: key.clone() });
            Ok(key.value)
        })
        .await?;
    Ok(Json(tags::with_tags(&out.shown(false))))
}

pub async fn delete_key(State(state): State<AppState>, P(id): P<String>) -> Result<Response> {
    state
        .mutate(|tx| {
            let s = tx.store();
            s.api_key(&id)?;
            let plans: Vec<Ordered<UsagePlanRec>> = s
                .usage_plans
                .values()
                .filter(|p| p.value.keys.contains(&id))
                .map(|p| {
                    let mut p = p.clone();
                    p.value.keys.retain(|k| k != &id);
                    p
                })
                .collect();
            for plan in plans {
                tx.commit(Record::PutUsagePlan { plan });
            }
            tx.commit(Record::DeleteApiKey { id: id.clone() });
            Ok(())
        })
        .await?;
    Ok(accepted())
}
