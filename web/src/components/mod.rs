//! The components: one per page or panel. They render state from [`crate::edit`] and friends and
//! forward events; no AWS rule lives here.

mod api_page;
mod authorizers_panel;
mod conflict_panel;
mod dialect;
mod editor;
mod history_panel;
mod home;
mod invoke_urls;
mod jump;
mod method_settings_panel;
mod patch_preview;
mod portal;
mod request_form;
mod shell;
mod stage_settings_panel;
mod try_request;

use leptos::prelude::*;

pub use shell::{AppCtx, ToastKind};

pub(crate) use dialect::{Keyed, effect, handlers, keyed_list, rx, show_when};

use crate::route::Route;

/// The app: router, chrome (unless embedded), toasts and the confirmation dialog.
#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx::install();
    portal::install(ctx);
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
