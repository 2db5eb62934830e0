//! "History": the stage's changes from the server's audit log (`/api/_stagecraft/audit`), newest first,
//! with Revert on a saved UpdateStage: the inverse operations (core's diff, [`crate::portal::revert`])
//! become the draft, which Save sends through the usual conflict check.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use super::editor::{Editor, Scope};
use super::handlers::{click, on_ev};
use super::rx;
use super::shell::ToastKind;
use crate::api::{self, HttpError};
use crate::edit::EditModel;

/// One line of an entry: `op path value`.
fn op_line(op: &Value) -> String {
    let mut line = format!(
        "{} {}",
        op["op"].as_str().unwrap_or("?"),
        op["path"].as_str().unwrap_or("?")
    );
    if let Some(v) = op["value"].as_str() {
        line.push_str(&format!(" = {v}"));
    }
    line
}

fn who(entry: &Value) -> String {
    match entry["user"].as_str() {
        Some(user) => user.to_owned(),
        None => match entry["identity"].as_str() {
            Some("token") => "token holder".into(),
            Some("local") => "local user".into(),
            _ => "anonymous".into(),
        },
    }
}

/// The History section of the editor.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let ed = Editor::get();
    let entries: RwSignal<Option<Result<Vec<Value>, HttpError>>> = RwSignal::new(None);
    let load = move || {
        let query = format!(
            "/_stagecraft/audit?restApiId={}&stage={}",
            crate::route::encode(&ed.api.get_value()),
            crate::route::encode(&ed.stage.get_value())
        );
        spawn_local(async move {
            let answer = api::stagecraft_get(&query)
                .await
                .map(|v| v["items"].as_array().cloned().unwrap_or_default());
            entries.set(Some(answer));
        });
    };
    let revert = move |entry: Value| {
        let current = ed.with(|m| m.base().clone());
        match crate::portal::revert(&current, &entry["before"], &entry["after"]) {
            Ok(draft) => {
                ed.edit(Scope::AllRows, |m| {
                    if let Some(next) = EditModel::restore(m.base_doc(), draft) {
                        *m = next;
                    }
                });
                ed.app.toast(
                    ToastKind::Info,
                    "Revert ready to save",
                    vec![
                        "The undoing changes are now unsaved edits: review them, then Save.".into(),
                    ],
                );
            }
            Err(e) => ed
                .app
                .toast(ToastKind::Error, "Cannot revert this change", vec![e]),
        }
    };
    let toggle = on_ev(move |ev| {
        let open = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlDetailsElement>(t).ok())
            .is_some_and(|d| d.open());
        if open {
            load();
        }
    });
    let list = rx(move || {
        match entries.get() {
        None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        Some(Err(e)) if e.status == 404 => view! {
            <p class="muted" data-testid="history-unavailable">{e.message}</p>
        }
        .into_any(),
        Some(Err(e)) => view! { <super::shell::ErrorBox error=e/> }.into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <p class="muted" data-testid="history-empty">"No recorded changes to this stage."</p> }
                .into_any()
        }
        Some(Ok(items)) => {
            let rows = items
                .into_iter()
                .map(|entry| {
                    let ops: Vec<String> = entry["patchOperations"]
                        .as_array()
                        .map(|a| a.iter().map(op_line).collect())
                        .unwrap_or_default();
                    let result = entry["result"].as_str().unwrap_or("?").to_owned();
                    let error = entry["error"]["message"].as_str().map(str::to_owned);
                    let revertible = result == "ok" && entry["before"].is_object() && entry["after"].is_object();
                    let time = entry["time"].as_str().unwrap_or_default().replace('T', " ");
                    let heading = format!(
                        "{} · {} · {}",
                        time.trim_end_matches('Z'),
                        who(&entry),
                        entry["operation"].as_str().unwrap_or("?")
                    );
                    let label = format!("Revert the change of {heading}");
                    view! {
                        <li class="history-entry" data-testid="history-entry">
                            <div class="history-head">
                                <span>{heading}</span>
                                <span class="pill" class:bad=result != "ok" data-testid="history-result">{result.clone()}</span>
                                {revertible.then(|| {
                                    let entry = entry.clone();
                                    view! {
                                        <button class="btn small" data-testid="history-revert" aria-label=label on:click=click(move |_| revert(entry.clone()))>
                                            "Revert"
                                        </button>
                                    }
                                })}
                            </div>
                            <ul class="history-ops">
                                {ops.into_iter().map(|o| view! { <li><code>{o}</code></li> }).collect_view()}
                            </ul>
                            {error.map(|e| view! { <p class="history-error">{e}</p> })}
                        </li>
                    }
                    .into_any()
                })
                .collect_view();
            view! {
                <ol class="history-list" data-testid="history-list">{rows}</ol>
            }
            .into_any()
        }
    }
    });
    view! {
        <details class="history" data-testid="history" on:toggle=toggle>
            <summary>"History"</summary>
            <div class="history-body">
                <button class="btn small ghost" data-testid="history-refresh" on:click=click(move |_| load())>"Refresh"</button>
                {list}
            </div>
        </details>
    }
}
