//! The API's authorizers, a TestInvokeAuthorizer form, and the two cache flushes.

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
#[allow(unused_imports)]
use crate::components::rx;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use stagecraft_core::test_invoke;

use super::editor::Editor;
use super::request_form::{RequestState, answer_view, submit_row, text_field};
use super::shell::{AppCtx, ErrorBox, Spinner, ToastKind, loaded_list};
use crate::api::{self, Authorizer, HttpError};

/// The panel.
#[component]
pub fn AuthorizersPanel() -> impl IntoView {
    let ed = Editor::get();
    let list: RwSignal<Option<Result<Vec<Authorizer>, HttpError>>> = RwSignal::new(None);
    let selected = RwSignal::new(String::new());
    {
        let api = ed.api.get_value();
        spawn_local(async move {
            let result = api::list_authorizers(&api).await;
            if let Ok(l) = &result
                && let Some(first) = l.first()
            {
                selected.set(first.id.clone());
            }
            list.set(Some(result));
        });
    }
    view! {
        <div class="settings" data-testid="authorizers">
            <section class="panel">
                <h2>"Authorizers"</h2>
                {loaded_list(
                    list,
                    "Loading authorizers…",
                    "This API has no authorizers.",
                    move |l| view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="authorizer-list">
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Type"</th>
                                        <th scope="col">"Identity source"</th>
                                        <th scope="col">"Cache TTL"</th>
                                        <th scope="col"><span class="sr-only">"Test"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {l.into_iter()
                                        .map(|a| {
                                            let id = a.id.clone();
                                            let id2 = a.id.clone();
                                            view! {
                                                <tr class:selected=rx(move || selected.get() == id)>
                                                    <th scope="row">{a.name.clone()} " " <code class="muted">{a.id.clone()}</code></th>
                                                    <td><span class="tag">{a.authorizer_type.clone()}</span></td>
                                                    <td><code>{a.identity_source.clone().unwrap_or_default()}</code></td>
                                                    <td>{a.authorizer_result_ttl_in_seconds.map_or_else(|| format!("{} (default)", stagecraft_core::authorizer::DEFAULT_TTL), |t| format!("{t} s"))}</td>
                                                    <td class="right">
                                                        <button class="btn small" on:click=click(move |_| selected.set(id2.clone()))>"Test"</button>
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
            </section>
            {rx(move || {
                let auth = list.with(|l| {
                    l.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.iter().find(|a| a.id == selected.get()).cloned())
                });
                auth.map(|a| view! { <TestInvoke authorizer=a/> })
            })}
            <CacheFlush/>
            // Requests are tried on an emulator only: on AWS, serve has no such route.
            {(!matches!(crate::api::Target::from_page(), crate::api::Target::Aws(_))).then(|| view! { <super::try_request::TryRequest/> })}
        </div>
    }
}

#[component]
fn TestInvoke(authorizer: Authorizer) -> impl IntoView {
    let ed = Editor::get();
    let token = RwSignal::new(String::new());
    let headers = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let initial_vars = ed.with(|m| {
        m.vars(crate::edit::STAGE_VARIABLES)
            .iter()
            .map(|r| format!("{}={}", r.name, r.value))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let vars = RwSignal::new(initial_vars);
    let state = RequestState::new();
    let header_name = authorizer
        .token_header()
        .unwrap_or("Authorization")
        .to_owned();
    let title = format!(
        "Test invoke {} ({})",
        authorizer.name, authorizer.authorizer_type
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match api::test_invoke_request(
            &authorizer,
            &token.get(),
            &headers.get(),
            &path.get(),
            &vars.get(),
        ) {
            Err(e) => state.refuse(e),
            Ok(body) => {
                let (api_id, auth_id) = (ed.api.get_value(), authorizer.id.clone());
                state.send(async move { api::test_invoke(&api_id, &auth_id, &body).await });
            }
        }
    };
    view! {
        <section class="panel" data-testid="test-invoke">
            <h2>{title}</h2>
            <form class="test-form" on:submit=on_submit(submit)>
                <div class="grid2">
                    {text_field("ti-token", format!("Token ({header_name} header)"), token, 0, "")}
                    {text_field("ti-path", "Path and query string".into(), path, 0, "/pets?type=dog")}
                    {text_field("ti-headers", "Headers (Name: value, one per line)".into(), headers, 3, "")}
                    {text_field("ti-vars", "Stage variables (name=value, one per line)".into(), vars, 3, "")}
                </div>
                {submit_row(state, "ti-submit", "Test invoke", "Invoking…")}
            </form>
            {answer_view(state, |v| view! { <InvokeResult result=v/> }.into_any())}
        </section>
    }
}

/// `v` as indented JSON (`{:#}` is `to_string_pretty` through the formatter `Display` links anyway).
fn pretty(v: &Value) -> String {
    format!("{v:#}")
}

#[component]
fn InvokeResult(result: Value) -> impl IntoView {
    let status = result
        .get("clientStatus")
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    let policy_text = result.get("policy").and_then(Value::as_str);
    let outcome = test_invoke::outcome(status, policy_text);
    let words: Vec<String> = policy_text
        .and_then(test_invoke::statements)
        .unwrap_or_default()
        .iter()
        .map(test_invoke::Statement::describe)
        .collect();
    let request_status = outcome
        .status()
        .map_or_else(|| "depends on the method".to_owned(), |s| s.to_string());
    let principal = result
        .get("principalId")
        .and_then(Value::as_str)
        .unwrap_or("—")
        .to_owned();
    let latency = result
        .get("latency")
        .map_or_else(|| "—".to_owned(), |l| format!("{l} ms"));
    let policy = policy_text
        .map(|p| serde_json::from_str::<Value>(p).map_or_else(|_| p.to_owned(), |v| pretty(&v)));
    let log = result.get("log").and_then(Value::as_str).map(str::to_owned);
    let extras: Vec<(String, String)> = result
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "clientStatus" | "principalId" | "latency" | "policy" | "log"
                    )
                })
                .map(|(k, v)| (k.clone(), pretty(v)))
                .collect()
        })
        .unwrap_or_default();
    let allowed = outcome.allowed();
    view! {
        <div class="invoke-result" data-testid="ti-result">
            <p class="outcome" class:good=allowed class:bad=!allowed data-testid="ti-outcome">
                <strong>{format!("A request with this identity: {}", outcome.label())}</strong>
                {format!(" · HTTP {request_status}")}
            </p>
            <dl class="kv">
                <div>
                    <dt>"clientStatus (what test invoke returned)"</dt>
                    <dd><span class="pill" data-testid="ti-status">{status}</span>
                        {match status { 0 => " the authorizer ran; test invoke does not apply the policy", _ => "" }}
                    </dd>
                </div>
                <div><dt>"principalId"</dt><dd><code data-testid="ti-principal">{principal}</code></dd></div>
                <div><dt>"latency"</dt><dd data-testid="ti-latency">{latency}</dd></div>
            </dl>
            {(!words.is_empty()).then(|| view! {
                <h3>"Policy"</h3>
                <ul class="policy-words" data-testid="ti-policy-words">
                    {words.into_iter().map(|w| view! { <li>{w}</li> }.into_any()).collect_view()}
                </ul>
            })}
            {policy.map(|p| view! { <h3>"Policy JSON"</h3><pre class="code" data-testid="ti-policy">{p}</pre> })}
            {extras.into_iter().map(|(k, v)| view! { <h3>{k}</h3><pre class="code">{v}</pre> }.into_any()).collect_view()}
            {log.map(|l| view! { <h3>"Log"</h3><pre class="code log" data-testid="ti-log">{l}</pre> })}
        </div>
    }
}

#[component]
fn CacheFlush() -> impl IntoView {
    let ed = Editor::get();
    let app = AppCtx::get();
    let last: RwSignal<Option<(String, Result<(), HttpError>)>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    // As stored on AWS (not the draft): what a flush acts on now.
    let has_cluster = move || {
        ed.with(|m| {
            m.base_doc()
                .get("cacheClusterEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
    };
    let run = move |what: &'static str, authorizers: bool| {
        let stage = ed.stage.get_value();
        let body = if authorizers {
            format!(
                "Every cached authorizer result on stage {stage} is dropped; the next request with each token invokes the authorizer again."
            )
        } else if !has_cluster() {
            format!(
                "Stage {stage} has no cache cluster, so there is nothing to flush: AWS accepts the request and does nothing."
            )
        } else {
            format!(
                "Every cached response on stage {stage} is dropped; requests go to the integration until the cache fills again."
            )
        };
        app.confirm(format!("{what}?"), body, what, move || {
            busy.set(true);
            let (api_id, stage) = (ed.api.get_value(), ed.stage.get_value());
            spawn_local(async move {
                let r = if authorizers {
                    api::flush_authorizers(&api_id, &stage).await
                } else {
                    api::flush_cache(&api_id, &stage).await
                };
                match &r {
                    Ok(()) if !authorizers && !has_cluster() => app.toast(
                        ToastKind::Info,
                        format!("{what}: nothing to flush"),
                        vec![format!("stage {stage} has no cache cluster")],
                    ),
                    Ok(()) => app.toast(
                        ToastKind::Success,
                        format!("{what}: done"),
                        vec![format!("stage {stage}")],
                    ),
                    Err(e) => app.toast(
                        ToastKind::Error,
                        format!("{what} failed"),
                        vec![e.to_string()],
                    ),
                }
                last.set(Some((what.to_owned(), r)));
                busy.set(false);
            });
        });
    };
    view! {
        <section class="panel" data-testid="cache-flush">
            <h2>"Caches"</h2>
            <p class="muted">"Flushing takes effect at once and cannot be undone."</p>
            {(!has_cluster()).then(|| view! {
                <p class="note" role="note" data-testid="no-cluster-flush">
                    "This stage has no cache cluster: flushing the stage cache has nothing to flush. Enable the cache cluster in Stage settings to cache responses."
                </p>
            })}
            <div class="actions left">
                <button class="btn" data-testid="flush-authorizers" disabled=rx(move || busy.get()) on:click=click(move |_| run("Flush authorizer cache", true))>
                    "Flush authorizer cache"
                </button>
                <button class="btn" data-testid="flush-cache" disabled=rx(move || busy.get()) on:click=click(move |_| run("Flush stage cache", false))>
                    "Flush stage cache"
                </button>
                {rx(move || busy.get().then(|| view! { <Spinner label="Flushing…"/> }))}
            </div>
            {rx(move || last.get().map(|(what, r)| match r {
                Ok(()) if what == "Flush stage cache" && !has_cluster() => view! { <p class="result" data-testid="flush-result">{format!("{what}: accepted (202), but there was nothing to flush (no cache cluster)")}</p> }.into_any(),
                Ok(()) => view! { <p class="result good" data-testid="flush-result">{format!("✓ {what}: accepted (202)")}</p> }.into_any(),
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            }))}
        </section>
    }
}
