//! Stage-level settings: description, deployment, cache cluster, tracing, variables, access logs,
//! canary. Every field shows core's messages next to it.

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
#[allow(unused_imports)]
use crate::components::rx;
use crate::components::show_when;
use crate::components::{Keyed, keyed_list};
use leptos::prelude::*;
use serde_json::Value;
use stagecraft_core::access_log::FORMAT_PRESETS;
use stagecraft_core::model::CACHE_CLUSTER_SIZES;
use wasm_bindgen::JsCast;

use super::api_page::deployment_label;
use super::editor::{Editor, Scope};
use crate::edit::{CANARY_OVERRIDES, EditModel, STAGE_VARIABLES, VarRow, pointer};

fn field_id(path: &[&str]) -> String {
    format!("f-{}", path.join("-"))
}

/// Core's messages at `path`, reactive.
#[component]
fn FieldErrors(path: &'static [&'static str]) -> impl IntoView {
    let ed = Editor::get();
    let ptr = pointer(path);
    let id = format!("{}-error", field_id(path));
    view! {
        <div class="field-error" id=id data-testid=format!("error-{}", path.join("-"))>
            {rx(move || {
                ed.rev.track();
                ed.with(|m| m.errors_at(&ptr).to_vec()).into_iter().map(|e| view! { <p>{e}</p> }.into_any()).collect_view()
            })}
        </div>
    }
}

/// What follows every field's control: its help (if any) and core's messages for it.
fn field_foot(help: &'static str, path: &'static [&'static str]) -> impl IntoView {
    view! {
        {(!help.is_empty()).then(|| view! { <p class="help">{help}</p> })}
        <FieldErrors path=path/>
    }
}

fn invalid(ed: Editor, path: &[&str]) -> Option<&'static str> {
    ed.rev.track();
    let ptr = pointer(path);
    ed.with(|m| !m.errors_at(&ptr).is_empty()).then_some("true")
}

/// A text input bound to a stage field (empty removes the field).
#[component]
fn TextField(
    label: &'static str,
    path: &'static [&'static str],
    #[prop(optional)] help: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] number: bool,
) -> impl IntoView {
    let ed = Editor::get();
    let id = field_id(path);
    let value = move || {
        ed.rev.track();
        ed.with(|m| m.text(path))
    };
    let set = move |text: String| {
        ed.edit(Scope::Stage, |m| {
            if number {
                m.set_number(path, &text)
            } else {
                m.set_text(path, &text)
            }
        });
    };
    let describedby = format!("{id}-error");
    let testid = format!("field-{}", path.join("-"));
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="3"
                placeholder=placeholder
                data-testid=testid
                aria-describedby=describedby
                aria-invalid=rx(move || invalid(ed, path))
                prop:value=rx(value)
                on:input=on_ev(move |ev| set(event_target_value(&ev)))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type="text"
                inputmode=if number { "decimal" } else { "text" }
                placeholder=placeholder
                data-testid=testid
                aria-describedby=describedby
                aria-invalid=rx(move || invalid(ed, path))
                prop:value=rx(value)
                on:input=on_ev(move |ev| set(event_target_value(&ev)))
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {input}
            {field_foot(help, path)}
        </div>
    }
}

/// A checkbox bound to a boolean stage field.
#[component]
fn CheckField(
    label: &'static str,
    path: &'static [&'static str],
    #[prop(optional)] help: &'static str,
) -> impl IntoView {
    let ed = Editor::get();
    let id = field_id(path);
    let for_id = id.clone();
    let testid = format!("field-{}", path.join("-"));
    view! {
        <div class="field">
            <label class="check" for=for_id>
                <input
                    id=id
                    type="checkbox"
                    class="switch"
                    data-testid=testid
                    prop:checked=rx(move || {
                        ed.rev.track();
                        ed.with(|m| m.flag(path))
                    })
                    on:change=on_ev(move |ev| {
                        let on = event_target_checked(&ev);
                        ed.edit(Scope::Stage, |m| m.set_field(path, Some(Value::Bool(on))));
                    })
                />
                {label}
            </label>
            {field_foot(help, path)}
        </div>
    }
}

/// A select of deployments bound to a deployment-id field.
#[component]
fn DeploymentField(
    label: &'static str,
    path: &'static [&'static str],
    #[prop(optional)] help: &'static str,
) -> impl IntoView {
    let ed = Editor::get();
    let id = field_id(path);
    let for_id = id.clone();
    let testid = format!("field-{}", path.join("-"));
    let current = move || {
        ed.rev.track();
        ed.with(|m| m.text(path))
    };
    view! {
        <div class="field">
            <label for=for_id>{label}</label>
            <select
                id=id
                data-testid=testid
                prop:value=rx(current)
                on:change=on_ev(move |ev| {
                    let v = event_target_value(&ev);
                    ed.edit(Scope::Stage, |m| m.set_text(path, &v));
                })
            >
                {rx(move || {
                    let cur = current();
                    let mut list = ed.deployments.get();
                    if !cur.is_empty() && !list.iter().any(|d| d.id == cur) {
                        list.insert(0, crate::api::Deployment { id: cur.clone(), ..Default::default() });
                    }
                    list.into_iter()
                        .map(|d| {
                            let selected = d.id == cur;
                            view! { <option value=d.id.clone() selected=selected>{deployment_label(&d)}</option> }.into_any()
                        })
                        .collect_view()
                })}
            </select>
            {field_foot(help, path)}
        </div>
    }
}

/// The stage settings form.
#[component]
pub fn StageSettingsPanel() -> impl IntoView {
    let ed = Editor::get();
    let size_value = move || {
        ed.rev.track();
        ed.with(|m| m.text(&["cacheClusterSize"]))
    };
    let status = move || {
        ed.rev.track();
        ed.with(|m| {
            m.base()
                .cache_cluster_status
                .clone()
                .unwrap_or_else(|| "NOT_AVAILABLE".into())
        })
    };
    let canary_on = move || {
        ed.rev.track();
        ed.with(|m| m.field(&["canarySettings"]).is_some())
    };
    view! {
        <div class="settings" data-testid="stage-settings">
            <section class="panel">
                <h2>"General"</h2>
                <div class="grid2">
                    <TextField label="Description" path=&["description"] placeholder="What this stage is for"/>
                    <DeploymentField label="Deployment" path=&["deploymentId"] help="The snapshot of the API this stage serves."/>
                </div>
                <CheckField label="X-Ray tracing" path=&["tracingEnabled"] help="Trace requests through API Gateway with AWS X-Ray."/>
            </section>
            <section class="panel">
                <h2>"Cache cluster"</h2>
                <div class="grid2">
                    <CheckField
                        label="Provision a cache cluster"
                        path=&["cacheClusterEnabled"]
                        help="Needed for method caching to have any effect. Billed per hour while enabled."
                    />
                    <div class="field">
                        <label for="f-cacheClusterSize">"Cache size (GB)"</label>
                        <select
                            id="f-cacheClusterSize"
                            data-testid="field-cacheClusterSize"
                            prop:value=rx(size_value)
                            on:change=on_ev(move |ev| {
                                let v = event_target_value(&ev);
                                ed.edit(Scope::Stage, |m| m.set_text(&["cacheClusterSize"], &v));
                            })
                        >
                            <option value="" disabled=true selected=rx(move || size_value().is_empty())>"Choose a size"</option>
                            {CACHE_CLUSTER_SIZES
                                .iter()
                                .map(|s| view! { <option value=*s selected=rx(move || size_value() == *s)>{*s}</option> }.into_any())
                                .collect_view()}
                        </select>
                        <p class="help">"Status: " <code data-testid="cache-status">{rx(status)}</code></p>
                        <FieldErrors path=&["cacheClusterSize"]/>
                    </div>
                </div>
            </section>
            <ManagedElsewhere/>
            <section class="panel">
                <VarsEditor
                    path=STAGE_VARIABLES
                    title="Stage variables"
                    noun="variable"
                    testid="variable"
                    empty="No stage variables."
                />
            </section>
            <section class="panel">
                <h2>"Access logs"</h2>
                <TextField
                    label="Destination ARN"
                    path=&["accessLogSettings", "destinationArn"]
                    placeholder="arn:aws:logs:us-east-1:123456789012:log-group:my-api-access"
                    help="A CloudWatch Logs log group or a Firehose stream whose name starts with amazon-apigateway-."
                />
                <div class="btn-group presets" role="group" aria-label="Access-log format presets">
                    <span class="muted small">"Presets:"</span>
                    {FORMAT_PRESETS
                        .iter()
                        .map(|(name, format)| view! {
                            <button
                                class="btn small"
                                data-testid=format!("log-preset-{name}")
                                title=format!("Use the {name} format the API Gateway Console offers")
                                on:click=click(move |_| ed.edit(Scope::Stage, |m| m.set_text(&["accessLogSettings", "format"], format)))
                            >
                                {*name}
                            </button>
                        }.into_any())
                        .collect_view()}
                </div>
                <TextField
                    label="Format"
                    path=&["accessLogSettings", "format"]
                    multiline=true
                    placeholder="{\"requestId\":\"$context.requestId\",\"status\":\"$context.status\"}"
                    help="$context variables; must include $context.requestId or $context.extendedRequestId."
                />
            </section>
            <section class="panel">
                <div class="panel-head">
                    <h2>"Canary"</h2>
                    <label class="check">
                        <input
                            type="checkbox"
                            class="switch"
                            data-testid="canary-toggle"
                            prop:checked=rx(canary_on)
                            on:change=on_ev(move |ev| {
                                let on = event_target_checked(&ev);
                                ed.edit(Scope::Stage, |m| m.set_canary(on));
                            })
                        />
                        "Canary release"
                    </label>
                </div>
                {show_when(
                    canary_on,
                    move || view! {
                        <div class="grid2">
                            <TextField label="Traffic to the canary (%)" path=&["canarySettings", "percentTraffic"] number=true/>
                            <DeploymentField label="Canary deployment" path=&["canarySettings", "deploymentId"]/>
                        </div>
                        <CheckField label="Canary uses the stage cache" path=&["canarySettings", "useStageCache"]/>
                        <div class="actions left">
                            <button
                                class="btn"
                                data-testid="promote-canary"
                                title="The canary's deployment and variable overrides become the stage's; the canary is removed (review the patch, then Save)"
                                on:click=click(move |_| ed.edit(Scope::AllRows, EditModel::promote_canary))
                            >
                                "Promote canary"
                            </button>
                        </div>
                        <VarsEditor
                            path=CANARY_OVERRIDES
                            title="Stage variable overrides"
                            noun="override"
                            testid="canary-override"
                            empty="The canary uses the stage's variables."
                            nested=true
                        />
                    }.into_any(),
                    Some(Box::new(|| view! { <p class="muted small">"No canary: all traffic goes to the stage's deployment."</p> }.into_any())),
                )}
            </section>
        </div>
    }
}

/// Rows editing the name → value map at `path` (the stage's `variables` or the canary's
/// `stageVariableOverrides`), with core's messages per row and for the whole map.
#[component]
fn VarsEditor(
    path: &'static [&'static str],
    title: &'static str,
    /// What one row is called in labels ("variable").
    noun: &'static str,
    /// The `data-testid` stem: `add-{testid}`, `{testid}s`, `{testid}-{i}`, `{testid}-name`, …
    testid: &'static str,
    /// What shows without rows.
    empty: &'static str,
    /// A sub-section of a panel (an `h3` heading).
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let ed = Editor::get();
    let count = Memo::new(move |_| {
        ed.rev.track();
        ed.with(|m| m.vars(path).len())
    });
    let heading = if nested {
        view! { <h3>{title}</h3> }.into_any()
    } else {
        view! { <h2>{title}</h2> }.into_any()
    };
    view! {
        <div class="panel-head">
            {heading}
            <button
                class="btn small"
                data-testid=format!("add-{testid}")
                on:click=click(move |_| {
                    ed.edit(Scope::Stage, |m| m.add_var(path));
                    // The new row's name takes the focus once it is drawn.
                    request_animation_frame(move || {
                        let last = document()
                            .query_selector(&format!("[data-testid={testid}s] .var-row:last-child input"))
                            .ok()
                            .flatten()
                            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                        if let Some(input) = last {
                            let _ = input.focus();
                        }
                    });
                })
            >
                {format!("+ {}", capitalized(noun))}
            </button>
        </div>
        {show_when(
            move || 0 < count.get(),
            move || view! {
                <div class="vars" role="table" aria-label=title data-testid=format!("{testid}s")>
                    <div class="var-row head" role="row">
                        <span role="columnheader">"Name"</span>
                        <span role="columnheader">"Value"</span>
                        <span role="columnheader"><span class="sr-only">"Remove"</span></span>
                    </div>
                    {keyed_list(move || {
                        (0..count.get())
                            .map(|i| Keyed::new(i.to_string(), move || view! { <VarRowView path=path noun=noun testid=testid i=i/> }.into_any()))
                            .collect()
                    })}
                </div>
            }.into_any(),
            Some(Box::new(move || view! { <p class="muted small">{empty}</p> }.into_any())),
        )}
        <FieldErrors path=path/>
    }
}

#[component]
fn VarRowView(
    path: &'static [&'static str],
    noun: &'static str,
    testid: &'static str,
    i: usize,
) -> impl IntoView {
    let ed = Editor::get();
    // One part of this row's text, redrawn on every edit.
    let part = move |of: fn(&VarRow) -> &str| {
        move || {
            ed.rev.track();
            ed.with(|m| m.vars(path).get(i).map(|r| of(r).to_owned()))
                .unwrap_or_default()
        }
    };
    let name = part(|r| &r.name);
    let value = part(|r| &r.value);
    let errors = move || {
        ed.rev.track();
        ed.with(|m| m.var_errors(path, i))
    };
    let label = capitalized(noun);
    let err_id = format!("{testid}-err-{i}");
    let described = {
        let err_id = err_id.clone();
        move || (!errors().is_empty()).then(|| err_id.clone())
    };
    let described2 = described.clone();
    view! {
        <div class="var-row" role="row" class:invalid=rx(move || !errors().is_empty()) data-testid=format!("{testid}-{i}")>
            <span role="cell">
                <input
                    aria-label=format!("{label} {} name", i + 1)
                    data-testid=format!("{testid}-name")
                    data-name=rx(name)
                    prop:value=rx(name)
                    aria-invalid=rx(move || (!errors().is_empty()).then_some("true"))
                    aria-describedby=rx(described)
                    on:input=on_ev(move |ev| {
                        let v = event_target_value(&ev);
                        ed.edit(Scope::Stage, |m| m.set_var_name(path, i, &v));
                    })
                />
            </span>
            <span role="cell">
                <input
                    aria-label=format!("{label} {} value", i + 1)
                    data-testid=format!("{testid}-value")
                    prop:value=rx(value)
                    aria-describedby=rx(described2)
                    on:input=on_ev(move |ev| {
                        let v = event_target_value(&ev);
                        ed.edit(Scope::Stage, |m| m.set_var_value(path, i, &v));
                    })
                />
            </span>
            <span role="cell">
                <button
                    class="icon"
                    aria-label=format!("Remove {noun} {}", i + 1)
                    data-testid=format!("remove-{testid}")
                    on:click=click(move |_| ed.edit(Scope::Stage, |m| m.remove_var(path, i)))
                >
                    "×"
                </button>
            </span>
            <div class="field-error span3" id=err_id>{rx(move || errors().into_iter().map(|e| view! { <p>{e}</p> }.into_any()).collect_view())}</div>
        </div>
    }
}

/// `noun` with an upper-case first letter (ASCII: the nouns are the app's own words).
fn capitalized(noun: &str) -> String {
    let mut label = noun.to_owned();
    if let Some(first) = label.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    label
}

/// What UpdateStage cannot change, shown read-only with the API that can; the client certificate,
/// which UpdateStage does change, as a field.
#[component]
fn ManagedElsewhere() -> impl IntoView {
    let ed = Editor::get();
    let (tags, waf) = ed.with(|m| {
        let base = m.base_doc();
        let tags: Vec<(String, String)> = base
            .get("tags")
            .and_then(Value::as_object)
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let waf = base
            .get("webAclArn")
            .and_then(Value::as_str)
            .map(str::to_owned);
        (tags, waf)
    });
    view! {
        <section class="panel" data-testid="managed-elsewhere">
            <h2>"Certificate, tags and firewall"</h2>
            <TextField
                label="Client certificate ID"
                path=&["clientCertificateId"]
                placeholder="none"
                help="The certificate API Gateway presents to the integration endpoint (GenerateClientCertificate creates one)."
            />
            <dl class="kv">
                <div>
                    <dt>"Tags"</dt>
                    <dd data-testid="stage-tags">
                        {if tags.is_empty() {
                            "none".to_owned()
                        } else {
                            tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
                        }}
                        <p class="help">"Read-only here: UpdateStage cannot change tags; use TagResource / UntagResource."</p>
                    </dd>
                </div>
                <div>
                    <dt>"Web ACL (AWS WAF)"</dt>
                    <dd data-testid="stage-waf">
                        <code>{waf.unwrap_or_else(|| "none".to_owned())}</code>
                        <p class="help">"Read-only here: associate a web ACL through AWS WAF (AssociateWebACL)."</p>
                    </dd>
                </div>
            </dl>
        </section>
    }
}
