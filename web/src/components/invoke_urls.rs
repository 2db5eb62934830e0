//! The stage's invoke URL, copyable: AWS's form on AWS, the emulator's two local forms on an emulator.

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
use leptos::prelude::*;
use stagecraft_core::invoke_url;

use super::patch_preview::copy;
use super::shell::AppCtx;
use crate::api::Target;

/// One URL with its Copy button.
fn url_line(app: AppCtx, label: &'static str, url: String, testid: &'static str) -> AnyView {
    let (text, title) = (url.clone(), url.clone());
    view! {
        <div class="invoke-line">
            <span class="muted">{label}</span>
            <code data-testid=testid title=title>{url}</code>
            <button
                class="btn small ghost"
                data-testid=format!("copy-{testid}")
                aria-label=format!("Copy: {label}")
                on:click=click(move |_| copy(app, text.clone(), "the invoke URL"))
            >
                "Copy"
            </button>
        </div>
    }
    .into_any()
}

/// A closed disclosure under the main URL, so that the header stays one line of URL on a phone.
fn more(summary: &'static str, body: AnyView) -> AnyView {
    view! {
        <details class="invoke-more" data-testid="invoke-more">
            <summary>{summary}</summary>
            {body}
        </details>
    }
    .into_any()
}

/// The invoke URLs of `stage` of `api`.
#[component]
pub fn InvokeUrls(
    /// REST API id.
    api: String,
    /// Stage name.
    stage: String,
) -> impl IntoView {
    let app = AppCtx::get();
    let lines = match Target::from_page() {
        Target::Aws(region) => vec![url_line(
            app,
            "Invoke URL",
            invoke_url::aws(&api, &region, &stage),
            "invoke-url",
        )],
        Target::Endpoint(base) => {
            let [path, host] = invoke_url::local(&base, &api, &stage);
            vec![
                url_line(app, "Invoke URL", path, "invoke-url"),
                more("By Host header", url_line(app, "or by Host", host, "invoke-url-host")),
            ]
        }
        Target::Embedded(region) => vec![
            url_line(
                app,
                "Invoke URL on AWS",
                invoke_url::aws(&api, &region, &stage),
                "invoke-url",
            ),
            more(
                "Invoking locally",
                view! {
                    <p class="muted small">"The emulator built into stagecraft serve does not answer invokes; `stagecraft emulator` does, and prints its local invoke URLs."</p>
                }
                .into_any(),
            ),
        ],
    };
    view! { <div class="invoke" data-testid="invoke-urls">{lines}</div> }
}
