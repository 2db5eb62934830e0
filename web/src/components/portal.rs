//! The editor in a team portal: the embed bridge (the postMessage protocol of [`crate::portal`]) and
//! the note that says why Save is disabled (`/api/_stagecraft/whoami`).

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};
use stagecraft_core::PatchOperation;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::shell::AppCtx;
use crate::api::{self, HttpError};
use crate::portal::{HostMessage, message, origin_allowed};
use crate::route::Route;

/// The bridge's state (the page is single-threaded; async tasks run outside any owner).
struct Bridge {
    /// `--frame-ancestors`, from the page.
    allowed: Vec<String>,
    /// The host's origin, once it said `hello`.
    host: Option<String>,
    /// The open stage and its unsaved count.
    open: Option<(String, String, usize)>,
    /// A `confirmNavigation` waiting for the host: its id and where to go.
    pending: Option<(u32, Route)>,
    next_id: u32,
    app: AppCtx,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Starts the bridge when the app is embedded (`?embed=1`) in a frame and the page names the origins
/// that may frame it; otherwise does nothing.
pub fn install(app: AppCtx) {
    let Some(win) = window() else { return };
    let framed = win
        .parent()
        .ok()
        .flatten()
        .is_some_and(|p| !js_sys::Object::is(&p, &win));
    let allowed: Vec<String> = api::page_meta("stagecraft-frame-ancestors")
        .map(|m| m.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if !app.embed || !framed || allowed.is_empty() {
        return;
    }
    BRIDGE.with_borrow_mut(|b| {
        *b = Some(Bridge {
            allowed,
            host: None,
            open: None,
            pending: None,
            next_id: 0,
            app,
        });
    });
    let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(receive);
    let _ = win.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    listener.forget();
}

fn receive(event: web_sys::MessageEvent) {
    let Some(win) = window() else { return };
    let from_parent = match (event.source(), win.parent().ok().flatten()) {
        (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
        _ => false,
    };
    let own = win.location().origin().unwrap_or_default();
    let origin = event.origin();
    let trusted = from_parent
        && BRIDGE.with_borrow(|b| {
            b.as_ref()
                .is_some_and(|b| origin_allowed(&origin, &b.allowed, &own))
        });
    if !trusted {
        return;
    }
    let Some(text) = js_sys::JSON::stringify(&event.data())
        .ok()
        .and_then(|s| s.as_string())
    else {
        return;
    };
    let Some(msg) = HostMessage::parse(&text) else {
        return;
    };
    match msg {
        HostMessage::Hello => {
            BRIDGE.with_borrow_mut(|b| {
                if let Some(b) = b {
                    b.host = Some(origin);
                }
            });
            post("ready", open_fields());
        }
        HostMessage::IsDirty => post("dirty", open_fields()),
        HostMessage::Open { rest_api_id, stage } => {
            let to = Route::Stage {
                api: rest_api_id,
                stage,
                tab: crate::route::Tab::Methods,
            };
            leave(to);
        }
        HostMessage::Navigate { id, proceed } => {
            let go = BRIDGE.with_borrow_mut(|b| {
                let b = b.as_mut()?;
                match b.pending.take() {
                    Some((want, to)) if want == id => proceed.then_some((b.app, to)),
                    other => {
                        b.pending = other;
                        None
                    }
                }
            });
            if let Some((app, to)) = go {
                app.go(&to);
            }
        }
    }
}

fn open_fields() -> Value {
    BRIDGE.with_borrow(|b| match b.as_ref().and_then(|b| b.open.clone()) {
        Some((api, stage, unsaved)) => {
            json!({ "restApiId": api, "stage": stage, "unsaved": unsaved })
        }
        None => json!({ "unsaved": 0 }),
    })
}

/// Posts `{type: kind, ...fields}` to the host, if one said `hello`.
fn post(kind: &str, fields: Value) {
    let Some(host) = BRIDGE.with_borrow(|b| b.as_ref().and_then(|b| b.host.clone())) else {
        return;
    };
    let Some(parent) = window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    if let Ok(data) = js_sys::JSON::parse(&message(kind, fields).to_string()) {
        let _ = parent.post_message(&data, &host);
    }
}

/// Whether the bridge is talking to a host (then the host decides about leaving unsaved changes).
#[must_use]
pub fn hosted() -> bool {
    BRIDGE.with_borrow(|b| b.as_ref().is_some_and(|b| b.host.is_some()))
}

/// Goes to `to`, first asking the host (`confirmNavigation`) when that leaves unsaved changes.
pub fn leave(to: Route) {
    let ask = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut()?;
        let (api, stage, unsaved) = b.open.clone()?;
        let leaving = to.stage() != Some((api.as_str(), stage.as_str()));
        (unsaved > 0 && leaving && b.host.is_some()).then(|| {
            b.next_id += 1;
            b.pending = Some((b.next_id, to.clone()));
            json!({ "id": b.next_id, "unsaved": unsaved, "restApiId": api, "stage": stage })
        })
    });
    match ask {
        Some(fields) => post("confirmNavigation", fields),
        None => {
            if let Some(app) = BRIDGE.with_borrow(|b| b.as_ref().map(|b| b.app)) {
                app.go(&to);
            }
        }
    }
}

/// A stage has loaded in the editor.
pub fn opened(api: &str, stage: &str) {
    BRIDGE.with_borrow_mut(|b| {
        if let Some(b) = b {
            b.open = Some((api.to_owned(), stage.to_owned(), 0));
        }
    });
    post("ready", open_fields());
}

/// The unsaved count of the open stage changed.
pub fn dirty(unsaved: usize) {
    let changed = BRIDGE.with_borrow_mut(|b| {
        let open = b.as_mut()?.open.as_mut()?;
        (open.2 != unsaved).then(|| open.2 = unsaved)
    });
    if changed.is_some() {
        post("dirty", open_fields());
    }
}

/// A save went through with `ops`.
pub fn saved(api: &str, stage: &str, ops: &[PatchOperation]) {
    post(
        "saved",
        json!({ "restApiId": api, "stage": stage, "operations": ops }),
    );
}

/// A save found conflicting changes.
pub fn conflict(api: &str, stage: &str, conflicts: usize) {
    post(
        "conflict",
        json!({ "restApiId": api, "stage": stage, "conflicts": conflicts }),
    );
}

/// A call failed.
pub fn error(api: &str, stage: &str, e: &HttpError) {
    post(
        "error",
        json!({ "restApiId": api, "stage": stage, "status": e.status, "errorType": e.error_type, "message": e.message }),
    );
}

/// Whether the caller may change the open stage, by `/api/_stagecraft/whoami`: `Some(reason)` when not.
#[derive(Clone, Copy)]
pub struct Permission {
    reason: RwSignal<Option<String>>,
}

impl Permission {
    /// Asks the server about `api`/`stage` (an older server without the route allows everything).
    #[must_use]
    pub fn load(api: &str, stage: &str) -> Self {
        let reason = RwSignal::new(None);
        let query = format!(
            "/_stagecraft/whoami?restApiId={}&stage={}",
            crate::route::encode(api),
            crate::route::encode(stage)
        );
        spawn_local(async move {
            if let Ok(me) = api::stagecraft_get(&query).await
                && me["canChange"] == false
            {
                let why = me["reason"].as_str().unwrap_or("not allowed");
                let who = me["display"].as_str().unwrap_or("you");
                reason.set(Some(format!("{who} may not change this stage: {why}.")));
            }
        });
        Self { reason }
    }

    /// Whether saving is allowed.
    #[must_use]
    pub fn allows(&self) -> bool {
        self.reason.with(Option::is_none)
    }

    /// Why not.
    #[must_use]
    pub fn reason(&self) -> Option<String> {
        self.reason.get()
    }
}

/// "Save is disabled: …" when the server's roles or `--read-only` forbid changing this stage.
#[component]
pub fn PermissionNote(
    /// The verdict.
    permission: Permission,
) -> impl IntoView {
    super::rx(move || {
        permission.reason().map(|why| {
            view! {
                <p class="permission-note" role="note" data-testid="save-disabled-reason">
                    <strong>"Save is disabled. "</strong>
                    {why}
                </p>
            }
        })
    })
}
