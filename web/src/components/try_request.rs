//! "Try a request": one request to this stage's invoke URL on the embedded emulator, sent through
//! `stagecraft serve` (`POST /api/_stagecraft/try-request`, CSRF token as every API call). Shows the
//! status, the headers (the cache-control `Warning` among them), whether the response came from the
//! stage cache, and whether the authorizer was invoked or its cached policy used. It sits next to the
//! flush buttons, so a flush visibly changes the next answer. Not shown when serve targets AWS
//! (`--target aws`), where serve has no such route.

use crate::components::handlers::{on_ev, on_submit};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use super::editor::Editor;
use super::request_form::{RequestState, answer_view, submit_row, text_field};
use crate::api;

/// The serve route (under `/api`).
const ROUTE: &str = "/_stagecraft/try-request";
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

/// The panel.
#[component]
pub fn TryRequest() -> impl IntoView {
    let ed = Editor::get();
    let method = RwSignal::new("GET".to_owned());
    let path = RwSignal::new("/".to_owned());
    let headers = RwSignal::new(String::new());
    let state = RequestState::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pairs = match parse_headers(&headers.get()) {
            Ok(p) => p,
            Err(e) => return state.refuse(e),
        };
        let body = json!({
            "restApiId": ed.api.get_value(),
            "stageName": ed.stage.get_value(),
            "method": method.get(),
            "path": path.get(),
            "headers": pairs,
        })
        .to_string();
        state.send(async move { api::stagecraft_post(ROUTE, body).await });
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
                    {text_field("try-path", "Path and query string".into(), path, 0, "/pets?type=dog")}
                    {text_field("try-headers", "Headers (Name: value, one per line)".into(), headers, 3, "")}
                </div>
                {submit_row(state, "try-send", "Send", "Sending…")}
            </form>
            {answer_view(state, |v| view! { <TryResult answer=v/> }.into_any())}
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
