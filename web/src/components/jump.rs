//! From a problem to its field: the problems list takes the user to the tab, cell or input behind a
//! JSON pointer, focused and scrolled into view.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::editor::Editor;
use super::method_settings_panel::focus_cell;
use crate::matrix::is_folded;
use crate::route::{Route, Tab};
use stagecraft_core::METHOD_SETTINGS;

/// Where a pointer's field is drawn: the tab and a CSS selector for it.
fn target(path: &[String]) -> (Tab, String) {
    let at: Vec<&str> = path.iter().map(String::as_str).collect();
    match at.as_slice() {
        ["methodSettings", key, rest @ ..] => {
            let field = rest.first().copied().unwrap_or(METHOD_SETTINGS[0].field);
            (
                Tab::Methods,
                format!("[data-testid=\"cell-{key}-{field}\"]"),
            )
        }
        ["variables", name, ..] => (Tab::Settings, var_selector("variable", name)),
        ["canarySettings", "stageVariableOverrides", name, ..] => {
            (Tab::Settings, var_selector("canary-override", name))
        }
        [] => (Tab::Settings, "[data-testid=stage-settings]".to_owned()),
        _ => (Tab::Settings, format!("#f-{}", at.join("-"))),
    }
}

/// The name input of a variable row, found by its `data-name`.
fn var_selector(testid: &str, name: &str) -> String {
    let name = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("[data-testid={testid}s] input[data-testid={testid}-name][data-name=\"{name}\"]")
}

/// Shows the field at `pointer` (`/methodSettings/~1pets~1GET/cacheTtlInSeconds`): switches tab,
/// clears a matrix filter that hides it, shows all columns if its column is folded, then focuses it.
pub fn jump(ed: Editor, pointer: &str) {
    let path: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(stagecraft_core::pointer::unescape)
        .collect();
    let (tab, selector) = target(&path);
    if tab == Tab::Methods {
        ed.filter.set(String::new());
        ed.only_overrides.set(false);
        ed.reveal.set(path.get(1).cloned());
        if let Some(col) = path
            .get(2)
            .and_then(|f| METHOD_SETTINGS.iter().position(|s| s.field == f))
            && is_folded(col)
        {
            ed.all_columns.set(true);
        }
    }
    ed.app.navigate(&Route::Stage {
        api: ed.api.get_value(),
        stage: ed.stage.get_value(),
        tab,
    });
    focus_when_drawn(selector, tab, 40);
}

/// Focuses the element once the tab has drawn it (retries each animation frame, `tries` times).
fn focus_when_drawn(selector: String, tab: Tab, tries: u32) {
    request_animation_frame(move || {
        let found = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        match found {
            Some(el) if tab == Tab::Methods => focus_cell(&el, true),
            Some(el) => {
                let _ = el.focus();
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Center);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
            None if tries > 0 => focus_when_drawn(selector, tab, tries - 1),
            None => {}
        }
    });
}
