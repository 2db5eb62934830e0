//! What Save will send: the validation summary, a readable before/after list, and the exact
//! `patchOperations` JSON from core's diff (copyable, also as an AWS CLI command).

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
#[allow(unused_imports)]
use crate::components::rx;
use crate::components::show_when;
use leptos::prelude::*;

use super::editor::Editor;
use super::jump::jump;
use super::shell::{AppCtx, ToastKind};
use crate::edit::{Analysis, PatchState, ops_json};
use crate::merge::{Change, describe, per_field, show};
use stagecraft_core::{ALL_METHODS_KEY, Setting};

/// Copies `text` to the clipboard and says so.
pub fn copy(app: AppCtx, text: String, what: &'static str) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return;
    };
    let promise = clipboard.write_text(&text);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => app.toast(ToastKind::Success, format!("Copied {what}"), vec![]),
            Err(_) => app.toast(
                ToastKind::Error,
                "The browser refused clipboard access",
                vec!["Select the text and copy it by hand.".into()],
            ),
        }
    });
}

/// A change's new value. A method-setting field left out of a stored key is not "nothing": Save makes
/// AWS store a copy of `*/*`'s value there, which later `*/*` changes do not reach; say so.
fn after_view(ed: Editor, c: &Change) -> AnyView {
    let path: Vec<&str> = c.path.iter().map(String::as_str).collect();
    if let (None, ["methodSettings", key, field]) = (&c.after, path.as_slice())
        && *key != ALL_METHODS_KEY
        && let Some(setting) = Setting::by_field(field)
    {
        let copy = ed.with(|m| m.has_override(key).then(|| m.cell(key, setting).text));
        if let Some(value) = copy {
            return view! {
                <ins data-testid="stored-copy" title="AWS cannot remove one field of a key: it stores this copy, and later */* changes will not reach it">
                    {format!("{value} (stored copy of */*, will not follow it)")}
                </ins>
            }
            .into_any();
        }
    }
    view! { <ins class:none=c.after.is_none()>{show(c.after.as_ref())}</ins> }.into_any()
}

/// The preview panel.
#[component]
pub fn PatchPreview() -> impl IntoView {
    let ed = Editor::get();
    let op_count = Memo::new(move |_| ed.analysis.with(|a| a.ops().map_or(0, <[_]>::len)));
    let errors = Memo::new(move |_| ed.analysis.with(|a| a.errors.clone()));
    let unexpressible = Memo::new(move |_| {
        ed.analysis
            .with(|a| matches!(a.patch, PatchState::Unexpressible(_)))
    });
    let cli = move || {
        let ops = ed
            .analysis
            .with(|a| a.ops().map(ops_json))
            .unwrap_or_default();
        let compact: String = serde_json::from_str::<serde_json::Value>(&ops)
            .map(|v| v.to_string())
            .unwrap_or_default();
        format!(
            "aws apigateway update-stage --rest-api-id {} --stage-name {} --patch-operations '{}'",
            ed.api.get_value(),
            ed.stage.get_value(),
            compact.replace('\'', "'\\''")
        )
    };
    view! {
        <div class="panel preview" data-testid="patch-preview">
            <div class="panel-head">
                <h2>"Patch preview"</h2>
                <span class="pill" data-testid="op-count">
                    {rx(move || match op_count.get() {
                        1 => "1 operation".to_owned(),
                        n => format!("{n} operations"),
                    })}
                </span>
            </div>
            {show_when(
                move || !errors.with(|e| e.is_empty()),
                move || view! {
                    <div class="problems" role="region" aria-label="Problems" data-testid="validation-summary">
                        <strong>
                            {rx(move || {
                                let n: usize = errors.with(|e| e.iter().map(|(_, m)| m.len()).sum());
                                if unexpressible.get() {
                                    "UpdateStage cannot make this change".to_owned()
                                } else {
                                    format!("{n} problem{} — Save is disabled", if n == 1 { "" } else { "s" })
                                }
                            })}
                        </strong>
                        <ul>
                            {rx(move || {
                                errors
                                    .get()
                                    .into_iter()
                                    .take(50)
                                    .flat_map(|(pointer, msgs)| {
                                        let path: Vec<String> = pointer
                                            .split('/')
                                            .skip(1)
                                            .map(stagecraft_core::pointer::unescape)
                                            .collect();
                                        let label = if path.is_empty() { "Stage".to_owned() } else { describe(&path) };
                                        msgs.into_iter().map(move |m| {
                                            let pointer = pointer.clone();
                                            view! {
                                                <li>
                                                    <button type="button" class="problem-link" data-testid="problem-link" title="Show this field" on:click=click(move |_| jump(ed, &pointer))>
                                                        <span class="where">{label.clone()}</span>" "{m}
                                                    </button>
                                                </li>
                                            }.into_any()
                                        })
                                    })
                                    .collect_view()
                            })}
                        </ul>
                    </div>
                }.into_any(),
                None,
            )}
            <h3>"Changes"</h3>
            {rx(move || ed.analysis.with(|a| {
                if a.changes.is_empty() {
                    view! { <p class="muted small" data-testid="no-changes">"No changes yet. Edit a setting to see the patch."</p> }.into_any()
                } else {
                    view! {
                        <ul class="changes" data-testid="changes">
                            {a.changes
                                .iter()
                                .flat_map(per_field)
                                .map(|c| {
                                    view! {
                                        <li>
                                            <span class="change-label">{describe(&c.path)}</span>
                                            <span class="change-values">
                                                <del class:none=c.before.is_none()>{show(c.before.as_ref())}</del>
                                                <span class="arrow" aria-label="becomes">"→"</span>
                                                {after_view(ed, &c)}
                                            </span>
                                        </li>
                                    }.into_any()
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }))}
            <div class="panel-head">
                <h3>"patchOperations"</h3>
                <div class="btn-group">
                    <button class="btn small" data-testid="copy-json" disabled=rx(move || op_count.get() == 0) on:click=click(move |_| copy(ed.app, ed.analysis.with_untracked(Analysis::patch_json), "the patch JSON"))>
                        "Copy JSON"
                    </button>
                    <button class="btn small" data-testid="copy-cli" disabled=rx(move || op_count.get() == 0) on:click=click(move |_| copy(ed.app, cli(), "the AWS CLI command"))>
                        "Copy CLI"
                    </button>
                </div>
            </div>
            <pre class="code" data-testid="patch-json" aria-label="patchOperations JSON" tabindex="0">{rx(move || {
                let j = ed.analysis.with(Analysis::patch_json);
                if j.is_empty() { "// fix the problems above to see the patch".to_owned() } else { j }
            })}</pre>
        </div>
    }
}
