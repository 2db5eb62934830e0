//! The app's own small dialect over Leptos, and why it exists.
//!
//! Leptos generates rendering code per *type*: every `move || …` closure in a view, every
//! `on:click=move |_| …` handler, every `<For>`, `<Show>` and `Effect::new` is its own type, and each
//! instantiates its own copy of the rendering, attribute and event-binding code. In a CSR app of this
//! size those copies were most of the download (the first load must stay within 250 KB served gzip,
//! see docs/benchmarks.md). The helpers below put one type in place of many: a closure or handler is
//! boxed behind a trait object, so the code behind it is generated once per *output* type.
//!
//! | write | instead of | erases |
//! |---|---|---|
//! | `{rx(move \|\| …)}`, `attr=rx(move \|\| …)` | `{move \|\| …}` | a reactive closure (text, attribute, class, child view) |
//! | `on:click=click(move \|e\| …)` (and [`handlers::on_ev`], `on_key`, `on_submit`, `on_focus`) | `on:click=move \|e\| …` | an event handler |
//! | [`effect`]`(move \|\| …)` | `Effect::new(move \|_\| …)` | an effect |
//! | [`keyed_list`]`(move \|\| vec![Keyed::new(key, draw)])` | `<For each key children/>` | a keyed list |
//! | [`show_when`]`(when, children, fallback)` | `<Show when fallback>` | a conditional view |
//!
//! Element trees themselves are erased by Leptos: `.cargo/config.toml` sets `--cfg erase_components`
//! for wasm32, so `view!` and `#[component]` produce `AnyView`s. The two do different halves of one
//! job (Leptos' flag does not reach closures, handlers, `For`, `Show` or effects), so both are kept:
//! the flag took 38 KB off the gzip wasm when it was switched on, and the helpers' step is a row of
//! the first-load table in docs/benchmarks.md (Web). Use these helpers in every new view: a plain closure still compiles and
//! works, it only costs download size.

use leptos::prelude::*;

/// Event handlers boxed to one type per event, so that the element code that attaches them is
/// generated once per event type instead of once per closure (a large share of the download).
pub mod handlers {
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
/// (Leptos' `--cfg erase_components` erases element trees, not closures).
pub fn rx<T: 'static>(
    f: impl FnMut() -> T + Send + 'static,
) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> T + Send>> {
    std::sync::Arc::new(std::sync::Mutex::new(f))
}

/// `Effect::new` with one instantiation for the whole app: runs `f` after rendering, then again
/// whenever a signal it read changes.
pub fn effect(f: impl FnMut() + 'static) {
    erased_effect(Box::new(f));
}

fn erased_effect(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}

/// One item of a [`keyed_list`]: its key and how to draw it.
pub struct Keyed {
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
pub fn keyed_list(each: impl Fn() -> Vec<Keyed> + Send + 'static) -> AnyView {
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
pub type ViewFn = Box<dyn Fn() -> AnyView + Send + Sync>;

/// `children` while `when` holds, else `fallback` (or nothing): `<Show>` with one instantiation for
/// the whole app. The condition is memoised, so the children are only rebuilt when it flips.
pub fn show_when(
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
