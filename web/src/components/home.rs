//! The list of REST APIs.

#[allow(unused_imports)]
use crate::components::rx;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::shell::{Link, loaded_list};
use crate::api::{self, HttpError, RestApiSummary};
use crate::route::Route;

/// Pick a REST API.
#[component]
pub fn Home() -> impl IntoView {
    let apis: RwSignal<Option<Result<Vec<RestApiSummary>, HttpError>>> = RwSignal::new(None);
    spawn_local(async move { apis.set(Some(api::list_apis().await)) });
    view! {
        <section class="page narrow-page">
            <div class="page-head">
                <h1>"REST APIs"</h1>
                <p class="muted">"Pick an API to see its stages."</p>
            </div>
            {loaded_list(
                apis,
                "Loading APIs…",
                "No REST APIs in this account and region.",
                move |list| view! {
                    <ul class="cards" data-testid="api-list">
                        {list
                            .into_iter()
                            .map(|a| {
                                let to = Route::Api { api: a.id.clone() };
                                view! {
                                    <li class="card">
                                        <Link to=to class="card-link">
                                            <span class="card-title">{a.name.clone()}</span>
                                            <code class="card-id">{a.id.clone()}</code>
                                            <span class="muted">{a.description.clone().unwrap_or_default()}</span>
                                        </Link>
                                    </li>
                                }.into_any()
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            )}
        </section>
    }
}
