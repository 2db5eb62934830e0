//! App-wide pieces: the context (route, embed mode, toasts, confirmation), header, links, spinner,
//! toasts and the confirmation dialog.

use std::time::Duration;

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
use crate::components::{Keyed, keyed_list};
#[allow(unused_imports)]
use crate::components::{effect, rx};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::HttpError;
use crate::route::{Route, is_embed};

/// A toast's colour and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    /// Something worked.
    Success,
    /// Something failed.
    Error,
    /// For information.
    Info,
}

/// One toast.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    id: u64,
    kind: ToastKind,
    title: String,
    detail: Vec<String>,
}

/// A pending confirmation.
#[derive(Clone)]
pub struct Confirm {
    /// Dialog title.
    pub title: String,
    /// What will happen.
    pub body: String,
    /// The confirming button's label.
    pub ok: String,
    /// Runs on confirmation.
    pub on_ok: Callback<()>,
}

/// App-wide state, provided as context.
#[derive(Clone, Copy)]
pub struct AppCtx {
    /// The current page.
    pub route: RwSignal<Route>,
    /// `?embed=1`: no chrome.
    pub embed: bool,
    toasts: RwSignal<Vec<Toast>>,
    next_toast: StoredValue<u64>,
    confirm: RwSignal<Option<Confirm>>,
    /// What had the focus when the confirmation opened: it gets it back when the dialog closes.
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
    /// REST API names by id, for headings and the breadcrumb (ids until they are loaded).
    api_names: RwSignal<Vec<(String, String)>>,
    /// While a stage editor is open: its token and how many unsaved changes leaving it would put aside.
    unsaved: StoredValue<Option<(u64, Callback<(), usize>)>>,
}

fn push_history(href: &str) {
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
    }
}

fn location() -> (String, String) {
    let loc = window().location();
    (
        loc.pathname().unwrap_or_else(|_| "/".into()),
        loc.search().unwrap_or_default(),
    )
}

impl AppCtx {
    /// Creates the context, provides it and follows back/forward.
    pub fn install() -> Self {
        let (path, search) = location();
        let ctx = Self {
            route: RwSignal::new(Route::parse(&path)),
            embed: is_embed(&search),
            toasts: RwSignal::new(Vec::new()),
            next_toast: StoredValue::new(0),
            confirm: RwSignal::new(None),
            unsaved: StoredValue::new(None),
            api_names: RwSignal::new(Vec::new()),
            opener: StoredValue::new_local(None),
        };
        provide_context(ctx);
        leptos::task::spawn_local(async move {
            if let Ok(apis) = crate::api::list_apis().await {
                ctx.api_names
                    .set(apis.into_iter().map(|a| (a.id, a.name)).collect());
            }
        });
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            let to = Route::parse(&location().0);
            if ctx.unsaved_if_leaving(&to) == 0 {
                ctx.route.set(to);
                return;
            }
            // Back/Forward already moved the address: put the stage back until the user (or, when
            // embedded in a portal, the host page) decides.
            let here = ctx.route.get_untracked().href(ctx.embed);
            push_history(&here);
            if super::portal::hosted() {
                super::portal::leave(to);
            } else {
                ctx.ask_to_leave(to);
            }
        });
        on_cleanup(move || handle.remove());
        ctx
    }

    /// The context.
    #[must_use]
    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// The name of REST API `id` (its id until the names are loaded, or if it has none).
    #[must_use]
    pub fn api_name(&self, id: &str) -> String {
        self.api_names.with(|names| {
            names
                .iter()
                .find(|(i, _)| i == id)
                .map_or_else(|| id.to_owned(), |(_, name)| name.clone())
        })
    }

    /// Goes to `route`, adding a history entry; asks first when that leaves unsaved changes.
    pub fn navigate(&self, route: &Route) {
        if self.unsaved_if_leaving(route) == 0 {
            self.go(route);
        } else if super::portal::hosted() {
            // Embedded in a portal: the host page decides (confirmNavigation).
            super::portal::leave(route.clone());
        } else {
            self.ask_to_leave(route.clone());
        }
    }

    pub(crate) fn go(&self, route: &Route) {
        push_history(&route.href(self.embed));
        self.route.set(route.clone());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }

    /// Registers the count of unsaved changes that leaving the stage would put aside; returns a token
    /// for [`Self::unguard`].
    pub fn guard_unsaved(&self, count: Callback<(), usize>) -> u64 {
        let token = self
            .unsaved
            .with_value(|g| g.as_ref().map_or(0, |(t, _)| t + 1));
        self.unsaved.set_value(Some((token, count)));
        token
    }

    /// Drops the guard registered with `token` (a newer editor's guard stays).
    pub fn unguard(&self, token: u64) {
        self.unsaved.update_value(|g| {
            if g.as_ref().is_some_and(|(t, _)| *t == token) {
                *g = None;
            }
        });
    }

    /// Unsaved changes that going to `to` would leave behind (none while staying on the same stage).
    fn unsaved_if_leaving(&self, to: &Route) -> usize {
        let here = self.route.get_untracked();
        if here.stage().is_none() || here.stage() == to.stage() {
            return 0;
        }
        self.unsaved
            .get_value()
            .map_or(0, |(_, count)| count.run(()))
    }

    fn ask_to_leave(&self, to: Route) {
        let ctx = *self;
        let n = self.unsaved_if_leaving(&to);
        self.confirm(
            "Leave this stage?",
            format!(
                "{n} unsaved change{} will not be sent to AWS. They stay as a draft in this browser tab and come back when you open this stage again.",
                if n == 1 { "" } else { "s" }
            ),
            "Leave",
            move || ctx.go(&to),
        );
    }

    /// Shows a toast (errors stay longer).
    pub fn toast(&self, kind: ToastKind, title: impl Into<String>, detail: Vec<String>) {
        let mut id = 0;
        self.next_toast.update_value(|n| {
            *n += 1;
            id = *n;
        });
        let toast = Toast {
            id,
            kind,
            title: title.into(),
            detail,
        };
        self.toasts.update(|t| t.push(toast));
        let toasts = self.toasts;
        let secs = if kind == ToastKind::Error { 15 } else { 6 };
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            Duration::from_secs(secs),
        );
    }

    /// Closes the confirmation and gives the focus back to what opened it.
    fn close_confirm(&self) {
        self.confirm.set(None);
        if let Some(el) = self.opener.try_update_value(Option::take).flatten() {
            let _ = el.focus();
        }
    }

    /// Asks for confirmation, then runs `on_ok`.
    pub fn confirm(
        &self,
        title: impl Into<String>,
        body: impl Into<String>,
        ok: impl Into<String>,
        on_ok: impl Fn() + Send + Sync + 'static,
    ) {
        let opener = document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        self.opener.set_value(opener);
        self.confirm.set(Some(Confirm {
            title: title.into(),
            body: body.into(),
            ok: ok.into(),
            on_ok: Callback::new(move |()| on_ok()),
        }));
    }
}

/// An in-app link (plain clicks navigate without reloading; modified clicks behave as usual).
#[component]
pub fn Link(
    /// Where to.
    to: Route,
    /// Extra classes.
    #[prop(optional, into)]
    class: String,
    /// The link's content.
    children: Children,
) -> impl IntoView {
    let ctx = AppCtx::get();
    let href = to.href(ctx.embed);
    view! {
        <a
            href=href
            class=class
            on:click=click(move |ev| {
                if ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() && !ev.alt_key() {
                    ev.prevent_default();
                    ctx.navigate(&to);
                }
            })
        >
            {children()}
        </a>
    }
}

/// A small inline spinner with a label for screen readers.
#[component]
pub fn Spinner(
    /// What is loading.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <span class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </span>
    }
}

/// The top bar with the breadcrumb.
#[component]
pub fn Header() -> impl IntoView {
    let ctx = AppCtx::get();
    let crumbs = move || {
        let route = ctx.route.get();
        let mut out = Vec::new();
        if let Some(api) = route.api().map(str::to_owned) {
            out.push(
                view! {
                    <span class="sep" aria-hidden="true">"/"</span>
                    <Link to=Route::Api { api: api.clone() }>{let id = api.clone(); rx(move || ctx.api_name(&id))}</Link>
                }
                .into_any(),
            );
        }
        if let Route::Stage { api, stage, .. } = &route {
            let to = Route::Stage {
                api: api.clone(),
                stage: stage.clone(),
                tab: crate::route::Tab::Methods,
            };
            let stage = stage.clone();
            out.push(
                view! {
                    <span class="sep" aria-hidden="true">"/"</span>
                    <Link to=to>{stage}</Link>
                }
                .into_any(),
            );
        }
        out
    };
    view! {
        <header class="topbar">
            <a class="skip" href="#main">"Skip to content"</a>
            <nav class="crumbs" aria-label="Breadcrumb">
                <Link to=Route::Home class="brand">
                    <span class="logo" aria-hidden="true">"◆"</span>
                    "stagecraft"
                </Link>
                <span class="sep" aria-hidden="true">"/"</span>
                <Link to=Route::Home>"APIs"</Link>
                {rx(crumbs)}
            </nav>
            <span class="topbar-note">"API Gateway stage editor"</span>
        </header>
    }
}

/// The toast stack.
#[component]
pub fn Toasts() -> impl IntoView {
    let ctx = AppCtx::get();
    view! {
        <div class="toasts" aria-live="polite" data-testid="toasts">
            {keyed_list(move || {
                ctx.toasts
                    .get()
                    .into_iter()
                    .map(|toast| Keyed::new(toast.id.to_string(), move || toast_view(ctx, &toast)))
                    .collect()
            })}
        </div>
    }
}

/// The confirmation dialog (one at a time).
#[component]
pub fn ConfirmDialog() -> impl IntoView {
    let ctx = AppCtx::get();
    // The confirming button (the last action) takes the focus.
    let actions = NodeRef::<leptos::html::Div>::new();
    effect(move || {
        if let Some(ok) = actions
            .get()
            .and_then(|a| a.last_element_child())
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = ok.focus();
        }
    });
    rx(move || {
        ctx.confirm.get().map(|c| {
            let on_ok = c.on_ok;
            let close = move || ctx.close_confirm();
            view! {
                <div class="backdrop" on:click=click(move |_| close())>
                    <div
                        class="dialog"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="confirm-title"
                        aria-describedby="confirm-body"
                        data-testid="confirm-dialog"
                        on:click=click(|ev| ev.stop_propagation())
                        on:keydown=on_key(move |ev| {
                            if ev.key() == "Escape" {
                                close();
                            }
                        })
                    >
                        <h2 id="confirm-title">{c.title.clone()}</h2>
                        <p id="confirm-body">{c.body.clone()}</p>
                        <div class="actions" node_ref=actions>
                            <button class="btn" data-testid="confirm-cancel" on:click=click(move |_| close())>
                                "Cancel"
                            </button>
                            <button
                                class="btn danger"
                                data-testid="confirm-ok"
                                on:click=click(move |_| {
                                    close();
                                    on_ok.run(());
                                })
                            >
                                {c.ok.clone()}
                            </button>
                        </div>
                    </div>
                </div>
            }
            .into_any()
        })
    })
}

/// An AWS error, verbatim.
#[component]
pub fn ErrorBox(
    /// The error.
    error: crate::api::HttpError,
) -> impl IntoView {
    view! {
        <div class="error-box" role="alert" data-testid="error">
            <strong>{error.error_type.clone().unwrap_or_else(|| if error.status == 0 { "Network error".into() } else { format!("HTTP {}", error.status) })}</strong>
            {(error.status != 0).then(|| view! { <span class="status">{error.status}</span> })}
            <p class="verbatim">{error.message.clone()}</p>
        </div>
    }
}

/// One toast with its dismiss button.
fn toast_view(ctx: AppCtx, toast: &Toast) -> AnyView {
    let id = toast.id;
    let (class, kind) = match toast.kind {
        ToastKind::Success => ("toast success", "success"),
        ToastKind::Error => ("toast error", "error"),
        ToastKind::Info => ("toast info", "info"),
    };
    let role = if toast.kind == ToastKind::Error {
        "alert"
    } else {
        "status"
    };
    view! {
        <div class=class role=role data-testid="toast" data-kind=kind>
            <div class="toast-body">
                <strong>{toast.title.clone()}</strong>
                <ul>
                    {toast.detail.iter().map(|d| view! { <li>{d.clone()}</li> }.into_any()).collect_view()}
                </ul>
            </div>
            <button
                class="icon"
                aria-label="Dismiss"
                on:click=click(move |_| ctx.toasts.update(|t| t.retain(|x| x.id != id)))
            >
                "×"
            </button>
        </div>
    }
    .into_any()
}

/// A list loaded from AWS: a spinner while `state` is `None`, AWS's error verbatim, `empty` when
/// there are no items, else the items drawn by `draw`. One shape for every list in the app.
pub fn loaded_list<T: Clone + Send + Sync + 'static>(
    state: RwSignal<Option<Result<Vec<T>, HttpError>>>,
    loading: &'static str,
    empty: &'static str,
    draw: impl Fn(Vec<T>) -> AnyView + Send + 'static,
) -> impl IntoView {
    rx(move || match state.get() {
        None => view! { <Spinner label=loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <div class="empty">{empty}</div> }.into_any()
        }
        Some(Ok(items)) => draw(items),
    })
}
