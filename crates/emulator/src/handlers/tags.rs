//! GetTags, TagResource, UntagResource on REST APIs and stages.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use stagecraft_core::api::Tags;
use stagecraft_core::api::tags::{Tagged, check_tags, parse_arn};

use super::{P, account, no_content, query_pairs};
use crate::AppState;
use crate::error::{AwsJson, Result};
use crate::store::{Record, Store, Tx};

fn current(store: &Store, account: &str, target: &Tagged) -> Result<BTreeMap<String, String>> {
    match target {
        Tagged::RestApi(api) => Ok(store.api(account, api)?.rest_api.tags.clone()),
        Tagged::Stage(api, stage) => Ok(store.api(account, api)?.stage(stage)?.tags.clone().into()),
    }
}

fn commit(
    tx: &mut Tx<'_>,
    account: &str,
    target: &Tagged,
    tags: BTreeMap<String, String>,
) -> Result<()> {
    match target {
        Tagged::RestApi(api) => {
            let a = tx.store().api(account, api)?;
            let mut rest_api = a.rest_api.clone();
            rest_api.tags = tags;
            let seq = a.seq;
            tx.commit(Record::PutApi { seq, api: rest_api });
        }
        Tagged::Stage(api, name) => {
            let mut stage = tx.store().api(account, api)?.stage(name)?.clone();
            stage.tags = tags.into();
            tx.commit(Record::PutStage {
                api: api.clone(),
                stage: Box::new(stage),
            });
        }
    }
    Ok(())
}

pub async fn get(State(state): State<AppState>, P(arn): P<String>) -> Result<Json<Tags>> {
    let target = parse_arn(&arn)?;
    state.read(|s| {
        Ok(Json(Tags {
            tags: current(s, account(&state), &target)?,
        }))
    })
}

pub async fn tag(
    State(state): State<AppState>,
    P(arn): P<String>,
    AwsJson(req): AwsJson<Tags>,
) -> Result<Response> {
    let target = parse_arn(&arn)?;
    state
        .mutate(|tx| {
            let mut tags = current(tx.store(), account(&state), &target)?;
            tags.extend(req.tags.clone());
            check_tags(&tags)?;
            commit(tx, account(&state), &target, tags)
        })
        .await?;
    Ok(no_content())
}

pub async fn untag(State(state): State<AppState>, P(arn): P<String>, uri: Uri) -> Result<Response> {
    let target = parse_arn(&arn)?;
    let keys: Vec<String> = query_pairs(&uri)
        .into_iter()
        .filter(|(k, _)| k == "tagKeys")
        .map(|(_, v)| v)
        .collect();
    state
        .mutate(|tx| {
            let mut tags = current(tx.store(), account(&state), &target)?;
            for k in &keys {
                tags.remove(k);
            }
            commit(tx, account(&state), &target, tags)
        })
        .await?;
    Ok(no_content())
}
