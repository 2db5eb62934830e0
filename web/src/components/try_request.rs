//! "Try a request": one request to this stage's invoke URL on the embedded emulator, sent through
//! `stagecraft serve` (`POST /api/_stagecraft/try-request`, CSRF token as every API call). Shows the
//! status, the headers (the cache-control `Warning` among them), whether the response came from the
//! stage cache, and whether the authorizer was invoked or its cached policy used. It sits next to the
//! flush buttons, so a flush visibly changes the next answer. Not shown when serve targets AWS
//! (`--target aws`), where serve has no such route.

use crate::components::handlers::{on_ev, on_submit};
use crate::components::rx;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::{Value, json};

use super::editor::Editor;
use super::shell::ErrorBox;
use crate::api::{HttpError, csrf_token};

/// The serve route.
const ROUTE: &str = "/api/_stagecraft/try-request";
const VERBS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `Name: value` lines as pairs; the first line without a `:` is the error.
fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("`{l}` is not a `Name: value` header line"))
        })
        .collect()
}

async fn send(body: String) -> Result<Value, HttpError> {
    let network = |e: gloo_net::Error| HttpError {
        status: 0,
        error_type: None,
        message: e.to_string(),
    };
    let mut req = gloo_net::http::Request::post(ROUTE)
        .header("accept", "application/json")
        .header("content-type", "application/json");
    if let Some(token) = csrf_token() {
        req = req.header("x-stagecraft-csrf", &token);
    }
    let resp = req
        .body(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    let text = resp.text().await.unwrap_or_default();
    if !resp.ok() {
        return Err(HttpError::from_response(
            resp.status(),
            resp.headers().get("x-amzn-ErrorType").as_deref(),
            &text,
        ));
    }
    serde_json::from_str(&text).map_err(|e| HttpError {
        status: 200,
        error_type: None,
        message: format!("unexpected response: {e}"),
    })
}

/// The panel.
#[component]
pub fn TryRequest() -> impl IntoView {
    let ed = Editor::get();
    let method = RwSignal::new("GET".to_owned());
    let path = RwSignal::new("/".to_owned());
    let headers = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let form_error: RwSignal<Option<String>> = RwSignal::new(None);
    let result: RwSignal<Option<Result<Value, HttpError>>> = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pairs = match parse_headers(&headers.get()) {
            Ok(p) => p,
            Err(e) => return form_error.set(Some(e)),
        };
        form_error.set(None);
        busy.set(true);
        let body = json!({
            "restApiId": ed.api.get_value(),
            "stageName": ed.stage.get_value(),
            "method": method.get(),
            "path": path.get(),
            "headers": pairs,
        })
        .to_string();
        spawn_local(async move {
            result.set(Some(send(body).await));
            busy.set(false);
        });
    };
    view! {
        <section class="panel" data-testid="try-request">
            <h2>"Try a request"</h2>
            <p class="muted">"Sent to this stage's invoke URL on the emulator this editor targets."</p>
            <form class="test-form" on:submit=on_submit(submit)>
                <div class="grid2">
                    <div class="field">
                        <label for="try-method">"Method"</label>
                        <select id="try-method" data-testid="try-method" on:change=on_ev(move |ev| method.set(event_target_value(&ev)))>
                            {VERBS.iter().map(|v| view! { <option value=*v selected=*v == "GET">{*v}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="try-path">"Path and query string"</label>
                        <input id="try-path" data-testid="try-path" placeholder="/pets?type=dog" prop:value=rx(move || path.get()) on:input=on_ev(move |ev| path.set(event_target_value(&ev)))/>
                    </div>
                    <div class="field">
                        <label for="try-headers">"Headers (Name: value, one per line)"</label>
                        <textarea id="try-headers" data-testid="try-headers" rows="3" prop:value=rx(move || headers.get()) on:input=on_ev(move |ev| headers.set(event_target_value(&ev)))></textarea>
                    </div>
                </div>
                {rx(move || form_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> }))}
                <div class="actions">
                    <button class="btn primary" type="submit" data-testid="try-send" disabled=rx(move || busy.get())>
                        {rx(move || if busy.get() { "Sending…" } else { "Send" })}
                    </button>
                </div>
            </form>
            {rx(move || match result.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(v)) => view! { <TryResult answer=v/> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn TryResult(answer: Value) -> impl IntoView {
    let status = answer["status"].as_u64().unwrap_or(0);
    let ok = (200..400).contains(&status);
    let headers: Vec<(String, String)> =
        Deserialize::deserialize(&answer["headers"]).unwrap_or_default();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let authorizer = match find("x-stagecraft-authorizer").as_deref() {
        Some("invoked") => "invoked".to_owned(),
        Some("cached") => "cached policy used (not invoked)".to_owned(),
        Some("not-invoked") => "not invoked (refused before the call)".to_owned(),
        Some("cognito-signature-not-verified") => {
            "Cognito token read, its signature not verified".to_owned()
        }
        Some(other) => other.to_owned(),
        None => "none on this method".to_owned(),
    };
    let cache = match find("x-stagecraft-cache").as_deref() {
        Some("hit") => "hit",
        Some("miss") => "miss",
        _ => "not cached",
    };
    let warning = find("warning");
    let body = answer["body"].as_str().unwrap_or("").to_owned();
    let truncated = answer["truncated"].as_bool().unwrap_or(false);
    view! {
        <div class="invoke-result" data-testid="try-result">
            <dl class="kv">
                <div>
                    <dt>"Status"</dt>
                    <dd><span class="pill" class:good=ok class:bad=!ok data-testid="try-status">{status}</span></dd>
                </div>
                <div><dt>"Authorizer"</dt><dd data-testid="try-authorizer">{authorizer}</dd></div>
                <div><dt>"Stage cache"</dt><dd data-testid="try-cache">{cache}</dd></div>
                {warning.map(|w| view! { <div><dt>"Warning"</dt><dd data-testid="try-warning">{w}</dd></div> })}
                <div><dt>"URL"</dt><dd><code>{answer["url"].as_str().unwrap_or("").to_owned()}</code></dd></div>
            </dl>
            <h3>"Headers"</h3>
            <pre class="code" data-testid="try-response-headers">
                {headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")}
            </pre>
            <h3>{if truncated { "Body (first 64 KiB)" } else { "Body" }}</h3>
            <pre class="code" data-testid="try-body">{body}</pre>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_headers;

    #[test]
    fn header_lines() {
        assert_eq!(
            parse_headers("Authorization: allow\n\n Cache-Control : max-age=0 ").unwrap(),
            vec![
                ("Authorization".to_owned(), "allow".to_owned()),
                ("Cache-Control".to_owned(), "max-age=0".to_owned())
            ]
        );
        assert!(parse_headers("no colon").is_err());
        assert!(parse_headers(": v").is_err());
    }
}
