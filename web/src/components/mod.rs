//! The components: one per page or panel. They render state from [`crate::edit`] and friends and
//! forward events; no AWS rule lives here.

mod api_page;
mod authorizers_panel;
mod conflict_panel;
mod editor;
mod home;
mod method_settings_panel;
mod patch_preview;
mod shell;
mod stage_settings_panel;

use leptos::prelude::*;

pub use shell::{AppCtx, ToastKind};

use crate::route::Route;

/// The app: router, chrome (unless embedded), toasts and the confirmation dialog.
#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx::install();
    // The page only changes when (api, stage) does: switching tabs keeps the editor and its draft.
    let key = Memo::new(move |_| match ctx.route.get() {
        Route::Stage { api, stage, .. } => Route::Stage {
            api,
            stage,
            tab: crate::route::Tab::Methods,
        },
        other => other,
    });
    let page = rx(move || match key.get() {
        Route::Home => view! { <home::Home/> }.into_any(),
        Route::Api { api } => view! { <api_page::ApiPage api=api/> }.into_any(),
        Route::Stage { api, stage, .. } => {
            view! { <editor::StagePage api=api stage=stage/> }.into_any()
        }
        Route::NotFound(path) => view! {
            <section class="page">
                <div class="empty" data-testid="not-found">
                    <h1>"Page not found"</h1>
                    <p>"Nothing lives at " <code>{path}</code> "."</p>
                    <shell::Link to=Route::Home>"Back to the APIs"</shell::Link>
                </div>
            </section>
        }
        .into_any(),
    });
    view! {
        <div class="app" class:embed=ctx.embed>
            {(!ctx.embed).then(|| view! { <shell::Header/> })}
            <main id="main" class="main">{page}</main>
            <shell::Toasts/>
            <shell::ConfirmDialog/>
        </div>
    }
}

/// Event handlers boxed to one type per event, so that the element code that attaches them is
/// generated once per event type instead of once per closure (a large share of the download).
pub(crate) mod handlers {
    use leptos::ev::{Event, FocusEvent, KeyboardEvent, MouseEvent, SubmitEvent};

    /// A boxed click (or mousedown) handler.
    pub fn click(f: impl FnMut(MouseEvent) + 'static) -> Box<dyn FnMut(MouseEvent)> {
        Box::new(f)
    }

    /// A boxed `input` / `change` handler.
    pub fn on_ev(f: impl FnMut(Event) + 'static) -> Box<dyn FnMut(Event)> {
        Box::new(f)
    }

    /// A boxed keyboard handler.
    pub fn on_key(f: impl FnMut(KeyboardEvent) + 'static) -> Box<dyn FnMut(KeyboardEvent)> {
        Box::new(f)
    }

    /// A boxed submit handler.
    pub fn on_submit(f: impl FnMut(SubmitEvent) + 'static) -> Box<dyn FnMut(SubmitEvent)> {
        Box::new(f)
    }

    /// A boxed focus handler.
    pub fn on_focus(f: impl FnMut(FocusEvent) + 'static) -> Box<dyn FnMut(FocusEvent)> {
        Box::new(f)
    }
}

/// A reactive closure as one shared type per output type, so that the rendering code behind
/// `{move || …}` and `attr=move || …` is generated once per output type instead of once per closure
/// (what Leptos' `--cfg erase_components` does, without needing that flag).
pub(crate) fn rx<T: 'static>(
    f: impl FnMut() -> T + Send + 'static,
) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> T + Send>> {
    std::sync::Arc::new(std::sync::Mutex::new(f))
}

/// `Effect::new` with one instantiation for the whole app: runs `f` after rendering, then again
/// whenever a signal it read changes.
pub(crate) fn effect(f: impl FnMut() + 'static) {
    erased_effect(Box::new(f));
}

fn erased_effect(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}

/// One item of a [`keyed_list`]: its key and how to draw it.
pub(crate) struct Keyed {
    key: String,
    draw: Box<dyn FnOnce() -> AnyView + Send>,
}

impl Keyed {
    /// An item drawn by `draw`, kept (not redrawn) while an item with the same `key` stays in the list.
    pub fn new(key: impl Into<String>, draw: impl FnOnce() -> AnyView + Send + 'static) -> Self {
        Self {
            key: key.into(),
            draw: Box::new(draw),
        }
    }
}

/// `<For>` with one set of type parameters for the whole app: every distinct `For` instantiation
/// costs ~7 KB of WASM, so the app's keyed lists all go through this one.
pub(crate) fn keyed_list(each: impl Fn() -> Vec<Keyed> + Send + 'static) -> AnyView {
    let each: Box<dyn Fn() -> Vec<Keyed> + Send> = Box::new(each);
    view! { <For each=each key=keyed_key children=draw_keyed/> }.into_any()
}

fn keyed_key(item: &Keyed) -> String {
    item.key.clone()
}

fn draw_keyed(item: Keyed) -> AnyView {
    (item.draw)()
}

/// A view built on demand.
pub(crate) type ViewFn = Box<dyn Fn() -> AnyView + Send + Sync>;

/// `children` while `when` holds, else `fallback` (or nothing): `<Show>` with one instantiation for
/// the whole app. The condition is memoised, so the children are only rebuilt when it flips.
pub(crate) fn show_when(
    when: impl Fn() -> bool + Send + Sync + 'static,
    children: impl Fn() -> AnyView + Send + Sync + 'static,
    fallback: Option<ViewFn>,
) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> AnyView + Send>> {
    erased_show(Box::new(when), Box::new(children), fallback)
}

fn erased_show(
    when: Box<dyn Fn() -> bool + Send + Sync>,
    children: ViewFn,
    fallback: Option<ViewFn>,
) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> AnyView + Send>> {
    let shown = Memo::new(move |_| when());
    rx(move || match (shown.get(), &fallback) {
        (true, _) => children(),
        (false, Some(fallback)) => fallback(),
        (false, None) => ().into_any(),
    })
}
