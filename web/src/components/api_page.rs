//! One API's stages: open, create from a deployment, delete.

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
#[allow(unused_imports)]
use crate::components::{effect, rx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use stagecraft_core::{ALL_METHODS_KEY, Stage, validate_stage};

use super::shell::{AppCtx, ErrorBox, Link, ToastKind, loaded_list};
use crate::api::{self, Deployment, HttpError};
use crate::route::{Route, Tab};

/// A date as `2024-05-01 12:00` (UTC).
#[must_use]
pub fn fmt_date(epoch: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch * 1000.0));
    let iso: String = date.to_iso_string().into();
    iso.get(..16).map(|s| s.replace('T', " ")).unwrap_or(iso)
}

/// The stages of `api`.
#[component]
pub fn ApiPage(
    /// REST API id.
    api: String,
) -> impl IntoView {
    let ctx = AppCtx::get();
    let api = StoredValue::new(api);
    let stages: RwSignal<Option<Result<Vec<Stage>, HttpError>>> = RwSignal::new(None);
    let deployments: RwSignal<Vec<Deployment>> = RwSignal::new(Vec::new());
    let reload = move || {
        stages.set(None);
        let id = api.get_value();
        spawn_local(async move {
            stages.set(Some(api::list_stages(&id).await));
            if let Ok(d) = api::list_deployments(&id).await {
                deployments.set(d);
            }
        });
    };
    reload();

    let delete = move |name: String| {
        let id = api.get_value();
        ctx.confirm(
            format!("Delete stage {name}?"),
            format!("DeleteStage removes {name} and its settings from API {id}. Clients calling it get 403 Forbidden. This cannot be undone."),
            "Delete stage",
            move || {
                let (id, name) = (id.clone(), name.clone());
                spawn_local(async move {
                    match api::delete_stage(&id, &name).await {
                        Ok(()) => {
                            ctx.toast(ToastKind::Success, format!("Deleted stage {name}"), vec![]);
                            reload();
                        }
                        Err(e) => ctx.toast(ToastKind::Error, format!("Could not delete {name}"), vec![e.to_string()]),
                    }
                });
            },
        );
    };

    view! {
        <section class="page narrow-page">
            <div class="page-head">
                <h1>"Stages of " <span data-testid="api-name">{rx(move || ctx.api_name(&api.get_value()))}</span> " " <code class="muted">{api.get_value()}</code></h1>
                <button class="btn ghost" on:click=click(move |_| reload())>"Refresh"</button>
            </div>
            {loaded_list(
                stages,
                "Loading stages…",
                "This API has no stages yet. Create one from a deployment below.",
                move |list| view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="stage-list">
                            <thead>
                                <tr>
                                    <th scope="col">"Stage"</th>
                                    <th scope="col">"Deployment"</th>
                                    <th scope="col" class="wide-only">"Description"</th>
                                    <th scope="col">"Overrides"</th>
                                    <th scope="col" class="wide-only">"Updated"</th>
                                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|s| {
                                        let name = s.stage_name.clone().unwrap_or_default();
                                        let to = Route::Stage { api: api.get_value(), stage: name.clone(), tab: Tab::Methods };
                                        let del = name.clone();
                                        let row_id = format!("stage-row-{name}");
                                        let del_id = format!("delete-stage-{name}");
                                        let del_label = format!("Delete stage {name}");
                                        view! {
                                            <tr data-testid=row_id>
                                                <th scope="row">
                                                    <Link to=to>{name.clone()}</Link>
                                                    <span class="narrow-only muted small">{s.description.clone().unwrap_or_default()}</span>
                                                </th>
                                                <td><code>{s.deployment_id.clone().unwrap_or_default()}</code></td>
                                                <td class="wide-only">{s.description.clone().unwrap_or_default()}</td>
                                                <td title="Method overrides, */* not counted">{s.method_settings.keys().filter(|k| k.as_str() != ALL_METHODS_KEY).count()}</td>
                                                <td class="muted wide-only">{s.last_updated_date.map(|d| fmt_date(d.0)).unwrap_or_default()}</td>
                                                <td class="right">
                                                    <button
                                                        class="btn small danger-ghost"
                                                        data-testid=del_id
                                                        aria-label=del_label
                                                        on:click=click(move |_| delete(del.clone()))
                                                    >
                                                        "Delete"
                                                    </button>
                                                </td>
                                            </tr>
                                        }.into_any()
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any(),
            )}
            <CreateStage api=api.get_value() deployments=deployments on_created=Callback::new(move |()| reload())/>
        </section>
    }
}

/// CreateStage from a deployment.
#[component]
fn CreateStage(
    /// REST API id.
    api: String,
    /// The API's deployments.
    deployments: RwSignal<Vec<Deployment>>,
    /// Runs after a stage was created.
    on_created: Callback<()>,
) -> impl IntoView {
    let ctx = AppCtx::get();
    let api = StoredValue::new(api);
    let name = RwSignal::new(String::new());
    let deployment = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<HttpError>> = RwSignal::new(None);
    // The stage-name rule is core's.
    let name_error = move || {
        let n = name.get();
        if n.is_empty() {
            return None;
        }
        validate_stage(&serde_json::json!({ "stageName": n }))
            .errors
            .first()
            .map(|i| i.message.clone())
    };
    let can_create = move || {
        !name.get().is_empty()
            && name_error().is_none()
            && !deployment.get().is_empty()
            && !busy.get()
    };
    effect(move || {
        let list = deployments.get();
        if deployment.get_untracked().is_empty()
            && let Some(first) = list.first()
        {
            deployment.set(first.id.clone());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !can_create() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (id, n, d, desc) = (
            api.get_value(),
            name.get(),
            deployment.get(),
            description.get(),
        );
        spawn_local(async move {
            match api::create_stage(&id, &n, &d, &desc).await {
                Ok(_) => {
                    ctx.toast(
                        ToastKind::Success,
                        format!("Created stage {n}"),
                        vec![format!("from deployment {d}")],
                    );
                    name.set(String::new());
                    description.set(String::new());
                    on_created.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel create-stage" on:submit=on_submit(submit) data-testid="create-stage">
            <h2>"Create a stage from a deployment"</h2>
            <div class="form-row">
                <div class="field">
                    <label for="new-stage-name">"Stage name"</label>
                    <input
                        id="new-stage-name"
                        data-testid="new-stage-name"
                        autocomplete="off"
                        prop:value=rx(move || name.get())
                        aria-invalid=rx(move || name_error().map(|_| "true"))
                        aria-describedby="new-stage-name-error"
                        on:input=on_ev(move |ev| name.set(event_target_value(&ev)))
                    />
                    <p class="field-error" id="new-stage-name-error">{rx(name_error)}</p>
                </div>
                <div class="field">
                    <label for="new-stage-deployment">"Deployment"</label>
                    <select
                        id="new-stage-deployment"
                        data-testid="new-stage-deployment"
                        prop:value=rx(move || deployment.get())
                        on:change=on_ev(move |ev| deployment.set(event_target_value(&ev)))
                    >
                        {rx(move || {
                            deployments
                                .get()
                                .into_iter()
                                .map(|d| {
                                    let label = deployment_label(&d);
                                    view! { <option value=d.id.clone()>{label}</option> }.into_any()
                                })
                                .collect_view()
                        })}
                    </select>
                </div>
                <div class="field grow">
                    <label for="new-stage-description">"Description"</label>
                    <input
                        id="new-stage-description"
                        prop:value=rx(move || description.get())
                        on:input=on_ev(move |ev| description.set(event_target_value(&ev)))
                    />
                </div>
                <div class="field end">
                    <button class="btn primary" type="submit" data-testid="create-stage-submit" disabled=rx(move || !can_create())>
                        {rx(move || if busy.get() { "Creating…" } else { "Create stage" })}
                    </button>
                </div>
            </div>
            {rx(move || error.get().map(|e| view! { <ErrorBox error=e/> }))}
        </form>
    }
}

/// `abc123 — description (2024-05-01 12:00)`.
#[must_use]
pub fn deployment_label(d: &Deployment) -> String {
    let mut label = d.id.clone();
    if let Some(desc) = d.description.as_deref().filter(|s| !s.is_empty()) {
        label.push_str(" — ");
        label.push_str(desc);
    }
    if let Some(date) = d.created_date {
        label.push_str(&format!(" ({})", fmt_date(date.0)));
    }
    label
}
