//! Size probe: the edit model and core behind a trivial Leptos view (not shipped).
#![allow(missing_docs)]
use leptos::prelude::*;
use stagecraft_core::{Setting, Stage};
use stagecraft_web::edit::EditModel;

fn main() {
    let text = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.title())
        .unwrap_or_default();
    let stage: Stage = serde_json::from_str(&text).unwrap_or_default();
    let model = StoredValue::new(EditModel::new(stage));
    let out = RwSignal::new(String::new());
    leptos::mount::mount_to_body(move || {
        view! {
            <input on:input=move |ev| {
                let v = event_target_value(&ev);
                model.update_value(|m| m.set_setting("*/*", Setting::by_field("cacheTtlInSeconds").unwrap(), &v));
                out.set(model.with_value(|m| m.analysis().patch_json()));
            }/>
            <pre>{move || out.get()}</pre>
        }
    });
}
