//! The stage editor page: loads the stage, owns the [`EditModel`], and runs safe save.

use std::collections::HashMap;

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
#[allow(unused_imports)]
use crate::components::rx;
use crate::components::{effect, show_when};
use leptos::prelude::*;
use leptos::task::spawn_local;
use stagecraft_core::{ALL_METHODS_KEY, METHOD_SETTINGS, Stage};

use super::authorizers_panel::AuthorizersPanel;
use super::conflict_panel::ConflictPanel;
use super::history_panel::HistoryPanel;
use super::invoke_urls::InvokeUrls;
use super::method_settings_panel::MethodSettingsPanel;
use super::patch_preview::PatchPreview;
use super::portal::{self, Permission, PermissionNote};
use super::shell::{AppCtx, ErrorBox, Link, Spinner, ToastKind};
use super::stage_settings_panel::StageSettingsPanel;
use crate::api::{self, Deployment, HttpError};
use crate::draft;
use crate::edit::{Analysis, EditModel, Rebase};
use crate::matrix::MethodRef;
use crate::merge::{self, Merge, Side};
use crate::route::{Route, Tab};

/// A conflicted save waiting for the user's choices.
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictState {
    /// The merge.
    pub merge: Merge,
    /// The stage as re-read.
    pub theirs: Stage,
    /// One choice per conflict.
    pub choices: Vec<Side>,
}

/// Which rows an edit can change on screen.
#[derive(Clone, Debug)]
pub enum Scope {
    /// One matrix row.
    Row(String),
    /// One field of one key (a `*/*` field redraws its column: every row inherits it).
    Cell(String, usize),
    /// Every matrix row (a `*/*` change alters what every row inherits).
    AllRows,
    /// Stage-level fields only.
    Stage,
}

/// What redraws one mounted matrix row: the row (its facts and every cell), or one of its cells.
#[derive(Clone, Copy)]
pub struct RowTriggers {
    /// The whole row.
    pub row: Trigger,
    /// One per setting column.
    pub cells: [Trigger; METHOD_SETTINGS.len()],
}

impl RowTriggers {
    /// Fresh triggers for a row being mounted.
    #[must_use]
    pub fn new() -> Self {
        Self {
            row: Trigger::new(),
            cells: std::array::from_fn(|_| Trigger::new()),
        }
    }
}

/// The editor's state, provided as context to its panels.
#[derive(Clone, Copy)]
pub struct Editor {
    /// REST API id.
    pub api: StoredValue<String>,
    /// Stage name.
    pub stage: StoredValue<String>,
    /// The edit model (not reactive itself; see the triggers).
    pub model: StoredValue<EditModel>,
    /// Notified on every edit.
    pub rev: Trigger,
    /// Core's view of the draft, recomputed on every edit.
    pub analysis: Memo<Analysis>,
    /// Notified when every row must redraw.
    pub all_rows: Trigger,
    /// The triggers of each mounted matrix row.
    pub rows: StoredValue<HashMap<String, RowTriggers>>,
    /// Notified when stored keys appear or disappear.
    pub keys_rev: Trigger,
    /// The API's methods (`None` while loading).
    pub methods: RwSignal<Option<Result<Vec<MethodRef>, HttpError>>>,
    /// The API's deployments.
    pub deployments: RwSignal<Vec<Deployment>>,
    /// What is in flight (`Saving…`), if anything.
    pub busy: RwSignal<Option<&'static str>>,
    /// A conflicted save.
    pub conflict: RwSignal<Option<ConflictState>>,
    /// The last save's AWS error.
    pub save_error: RwSignal<Option<HttpError>>,
    /// The app (toasts), captured for async tasks, which run outside any owner.
    pub app: AppCtx,
    /// The matrix column whose help is open.
    pub help: RwSignal<Option<usize>>,
    /// The last field reset with Delete (key, column): the panel offers to remove the whole override.
    pub last_reset: RwSignal<Option<(String, usize)>>,
    /// How many changes were restored from a draft kept in this tab (0: none, or dismissed).
    pub restored: RwSignal<usize>,
    /// The matrix filter (path or method).
    pub filter: RwSignal<String>,
    /// The matrix shows only methods with an override.
    pub only_overrides: RwSignal<bool>,
    /// The matrix shows all ten settings (else the folded ones are left out; see [`crate::matrix::FOLDED`]).
    pub all_columns: RwSignal<bool>,
    /// A matrix row (by key) to scroll into the drawn window of rows; the matrix clears it once done.
    pub reveal: RwSignal<Option<String>>,
    /// The base (by [`EditModel::base_id`]) whose copy the kept draft refers to, once written.
    kept_base: StoredValue<Option<u32>>,
}

impl Editor {
    /// The editor on `loaded`, with the draft kept for this stage (if any) replayed on it.
    fn new(api: String, stage: String, loaded: Stage) -> Self {
        let mut conflict = None;
        let model =
            match draft::load(&api, &stage).and_then(|d| EditModel::restore(&d.base, d.draft)) {
                Some(mut model) => {
                    if let Rebase::Conflicts(merge) = model.rebase(loaded.clone()) {
                        let choices = vec![Side::Mine; merge.conflicts.len()];
                        conflict = Some(ConflictState {
                            merge: *merge,
                            theirs: loaded,
                            choices,
                        });
                    }
                    model
                }
                None => EditModel::new(loaded),
            };
        let restored = model.analysis().changes.len()
            + conflict.as_ref().map_or(0, |c| c.merge.conflicts.len());
        let model = StoredValue::new(model);
        let rev = Trigger::new();
        let analysis = Memo::new(move |_| {
            rev.track();
            model.with_value(|m| m.analysis().clone())
        });
        Self {
            api: StoredValue::new(api),
            stage: StoredValue::new(stage),
            model,
            rev,
            analysis,
            all_rows: Trigger::new(),
            rows: StoredValue::new(HashMap::new()),
            keys_rev: Trigger::new(),
            methods: RwSignal::new(None),
            deployments: RwSignal::new(Vec::new()),
            busy: RwSignal::new(None),
            conflict: RwSignal::new(conflict),
            save_error: RwSignal::new(None),
            app: AppCtx::get(),
            restored: RwSignal::new(restored),
            last_reset: RwSignal::new(None),
            help: RwSignal::new(None),
            filter: RwSignal::new(String::new()),
            only_overrides: RwSignal::new(false),
            all_columns: RwSignal::new(wide_window()),
            reveal: RwSignal::new(None),
            kept_base: StoredValue::new(None),
        }
    }

    /// Keeps the draft in session storage while it differs from the stage, else forgets it.
    pub fn persist(&self) {
        let (Some(api), Some(stage)) = (self.api.try_get_value(), self.stage.try_get_value())
        else {
            return;
        };
        super::method_settings_panel::mark("sc:draft-save");
        let kept = self.model.try_with_value(|m| {
            let dirty = m.is_dirty()
                || self
                    .conflict
                    .try_with_untracked(Option::is_some)
                    .unwrap_or(false);
            if dirty {
                // The whole stage only when the base is new; each edit after that writes its edits.
                if self.kept_base.try_get_value().flatten() != Some(m.base_id()) {
                    draft::save_base(&api, &stage, m.base_doc());
                    self.kept_base.try_set_value(Some(m.base_id()));
                }
                draft::save_edits(&api, &stage, m.base_doc(), m.draft());
            }
            dirty
        });
        if kept == Some(false) {
            draft::clear(&api, &stage);
            self.kept_base.try_set_value(None);
        }
        super::method_settings_panel::mark("sc:draft-saved");
    }

    /// Drops the draft: every pending change and the copy kept in this tab.
    pub fn discard(&self) {
        self.edit(Scope::AllRows, EditModel::discard);
        self.conflict.set(None);
        self.restored.set(0);
        self.persist();
    }

    /// The context.
    #[must_use]
    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// Reads the model.
    pub fn with<R>(&self, f: impl FnOnce(&EditModel) -> R) -> R {
        f(&self.model.read_value())
    }

    /// Changes the model and redraws what `scope` says.
    pub fn edit<R>(&self, scope: Scope, f: impl FnOnce(&mut EditModel) -> R) -> R {
        let star_before = self.star_value(&scope);
        // The write guard is gone before anything redraws (redrawing reads the model).
        let out = f(&mut self.model.write_value());
        self.redraw(scope, star_before);
        out
    }

    /// For an edit of one `*/*` field, that field's value before it.
    fn star_value(&self, scope: &Scope) -> Option<Option<serde_json::Value>> {
        match scope {
            Scope::Cell(key, col) if key == ALL_METHODS_KEY => {
                let setting = METHOD_SETTINGS.get(*col)?;
                Some(self.with(|m| m.setting_value(ALL_METHODS_KEY, setting).cloned()))
            }
            _ => None,
        }
    }

    /// Notifies what `scope` covers, then `rev`. Not generic: one copy for all edits.
    fn redraw(&self, scope: Scope, star_before: Option<Option<serde_json::Value>>) {
        match scope {
            Scope::Row(key) if key == ALL_METHODS_KEY => self.all_rows.notify(),
            Scope::Row(key) => self.notify_row(&key),
            Scope::Cell(key, col) => {
                if let Some(before) = star_before {
                    self.notify_star_column(col, before.as_ref());
                }
                self.notify_row(&key);
            }
            Scope::AllRows => {
                self.keys_rev.notify();
                self.all_rows.notify();
            }
            Scope::Stage => {}
        }
        self.rev.notify();
    }

    fn notify_row(&self, key: &str) {
        if let Some(t) = self.rows.with_value(|m| m.get(key).copied()) {
            t.row.notify();
        }
    }

    /// After `*/*`'s value of column `col` changed from `before`: redraws that column's cells that
    /// can show it, those that store no value of their own (they inherit it, or will store a copy)
    /// and those whose own value equals the old or new one (a stored copy of `*/*`, or about to
    /// become one). Methods with a different value of their own keep their cell as it is.
    fn notify_star_column(&self, col: usize, before: Option<&serde_json::Value>) {
        let Some(setting) = METHOD_SETTINGS.get(col) else {
            return;
        };
        let cells: Vec<Trigger> = self.with(|m| {
            let after = m.setting_value(ALL_METHODS_KEY, setting);
            self.rows.with_value(|rows| {
                rows.iter()
                    .filter(|(key, _)| {
                        m.setting_value(key, setting)
                            .is_none_or(|own| Some(own) == before || Some(own) == after)
                    })
                    .map(|(_, t)| t.cells[col])
                    .collect()
            })
        });
        for t in cells {
            t.notify();
        }
    }

    /// Re-reads the stage (dropping the draft).
    pub fn reload(&self) {
        let ed = *self;
        ed.busy.set(Some("Reloading…"));
        spawn_local(async move {
            match api::get_stage(&ed.api.get_value(), &ed.stage.get_value()).await {
                Ok(stage) => {
                    ed.edit(Scope::AllRows, |m| m.reset_to(stage));
                    ed.conflict.set(None);
                    ed.save_error.set(None);
                }
                Err(e) => ed.app.toast(
                    ToastKind::Error,
                    "Could not reload the stage",
                    vec![e.to_string()],
                ),
            }
            ed.busy.set(None);
        });
    }

    /// Safe save: re-read, rebase or ask, then PATCH.
    pub fn save(&self) {
        let ed = *self;
        if ed.busy.get_untracked().is_some() || !ed.analysis.get_untracked().can_save() {
            return;
        }
        let app = ed.app;
        ed.busy.set(Some("Checking for concurrent changes…"));
        ed.save_error.set(None);
        let (api_id, stage) = (ed.api.get_value(), ed.stage.get_value());
        spawn_local(async move {
            let theirs = match api::get_stage(&api_id, &stage).await {
                Ok(s) => s,
                Err(e) => {
                    app.toast(
                        ToastKind::Error,
                        "Could not re-read the stage before saving",
                        vec![e.to_string()],
                    );
                    ed.save_error.set(Some(e));
                    ed.busy.set(None);
                    return;
                }
            };
            match ed.edit(Scope::AllRows, |m| m.rebase(theirs.clone())) {
                Rebase::Conflicts(merge) => {
                    let choices = vec![Side::Mine; merge.conflicts.len()];
                    portal::conflict(&api_id, &stage, choices.len());
                    ed.conflict.set(Some(ConflictState {
                        merge: *merge,
                        theirs,
                        choices,
                    }));
                    ed.busy.set(None);
                    return;
                }
                Rebase::Clean { their_changes } => {
                    ed.patch(merge::summary_lines(&their_changes)).await;
                    return;
                }
                Rebase::Unchanged => {}
            }
            ed.patch(Vec::new()).await;
        });
    }

    /// Sends the current patch (the model is already on the latest stage). `merged`: what someone else
    /// changed since the page loaded, which the save now includes (one line per field).
    async fn patch(self, merged: Vec<String>) {
        let app = self.app;
        let analysis = self.analysis.get_untracked();
        let Some(ops) = analysis.ops().map(<[_]>::to_vec).filter(|o| !o.is_empty()) else {
            self.busy.set(None);
            if !analysis.errors.is_empty() {
                app.toast(
                    ToastKind::Error,
                    "Not saved: the rebased draft is invalid",
                    vec!["Fix the fields marked in red.".into()],
                );
            }
            return;
        };
        self.busy.set(Some("Saving…"));
        match api::update_stage(&self.api.get_value(), &self.stage.get_value(), &ops).await {
            Ok(saved) => {
                portal::saved(&self.api.get_value(), &self.stage.get_value(), &ops);
                let lines = merge::summary_lines(&analysis.changes);
                let mut detail: Vec<String> = lines.iter().take(6).cloned().collect();
                if lines.len() > 6 {
                    detail.push(format!("…and {} more", lines.len() - 6));
                }
                if !merged.is_empty() {
                    detail.push(format!(
                        "Merged with {} change{} made elsewhere since the page loaded (kept as they are):",
                        merged.len(),
                        plural(merged.len())
                    ));
                    detail.extend(merged.iter().take(6).cloned());
                }
                self.edit(Scope::AllRows, |m| m.reset_to(saved));
                app.toast(
                    ToastKind::Success,
                    format!(
                        "Saved {} change{} ({} operation{})",
                        analysis.changes.len(),
                        plural(analysis.changes.len()),
                        ops.len(),
                        plural(ops.len())
                    ),
                    detail,
                );
            }
            Err(e) => {
                portal::error(&self.api.get_value(), &self.stage.get_value(), &e);
                app.toast(
                    ToastKind::Error,
                    "AWS rejected the update",
                    vec![e.to_string()],
                );
                self.save_error.set(Some(e));
            }
        }
        self.busy.set(None);
    }

    /// Applies the conflict choices; with `and_save`, saves right away.
    pub fn resolve(&self, and_save: bool) {
        let Some(state) = self.conflict.get_untracked() else {
            return;
        };
        self.edit(Scope::AllRows, |m| {
            m.resolve(state.theirs.clone(), &state.merge, &state.choices)
        });
        self.conflict.set(None);
        if and_save {
            self.save();
        } else {
            self.app.toast(
                ToastKind::Info,
                "Rebased on the latest stage",
                vec!["Review the patch, then Save.".into()],
            );
        }
    }
}

/// Whether the window is wide enough for all ten matrix columns next to the preview.
fn wide_window() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w >= 1800.0)
}

/// Runs `f` when the browser is idle (`requestIdleCallback`, at most a second later), or now where
/// there is no such call.
fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    let Some(window) = web_sys::window() else {
        return;
    };
    let request = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
        .ok()
        .and_then(|r| r.dyn_into::<js_sys::Function>().ok());
    match request {
        Some(request) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"timeout".into(), &1000.into());
            let _ = request.call2(&window, &Closure::once_into_js(f), &options);
        }
        None => f(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Loads the stage, then shows the editor.
#[component]
pub fn StagePage(
    /// REST API id.
    api: String,
    /// Stage name.
    stage: String,
) -> impl IntoView {
    let loaded: RwSignal<Option<Result<Stage, HttpError>>> = RwSignal::new(None);
    {
        let (api, stage) = (api.clone(), stage.clone());
        spawn_local(async move { loaded.set(Some(api::get_stage(&api, &stage).await)) });
    }
    let api = StoredValue::new(api);
    let stage = StoredValue::new(stage);
    rx(move || match loaded.get() {
        None => view! {
            <section class="page">
                <Spinner label="Loading stage…"/>
            </section>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <section class="page narrow-page">
                <h1>"Stage " <code>{stage.get_value()}</code></h1>
                <ErrorBox error=e/>
                <Link to=Route::Api { api: api.get_value() }>"Back to the stages"</Link>
            </section>
        }
        .into_any(),
        Some(Ok(s)) => {
            view! { <EditorView api=api.get_value() stage=stage.get_value() loaded=s/> }.into_any()
        }
    })
}

#[component]
fn EditorView(api: String, stage: String, loaded: Stage) -> impl IntoView {
    let app = AppCtx::get();
    let ed = Editor::new(api.clone(), stage.clone(), loaded);
    provide_context(ed);
    {
        let api = api.clone();
        spawn_local(async move {
            let methods = api::list_resources(&api).await.map(|resources| {
                resources
                    .into_iter()
                    .flat_map(|r| {
                        let path = r.path.clone();
                        r.resource_methods
                            .unwrap_or_default()
                            .into_keys()
                            .map(move |m| MethodRef {
                                path: path.clone(),
                                method: m,
                            })
                    })
                    .collect()
            });
            ed.methods.set(Some(methods));
            if let Ok(d) = api::list_deployments(&api).await {
                ed.deployments.set(d);
            }
        });
    }
    // The route memoised whole (the app's page key is a route memo too, so no new memo type): while
    // the editor is shown, only switching tabs changes it.
    let route = Memo::new(move |_| app.route.get());
    let tab = move || match route.get() {
        Route::Stage { tab, .. } => tab,
        _ => Tab::Methods,
    };
    let dirty_count = Memo::new(move |_| ed.analysis.with(|a| a.changes.len()));
    let error_count = Memo::new(move |_| ed.analysis.with(Analysis::error_count));
    let permission = Permission::load(&api, &stage);
    portal::opened(&api, &stage);
    effect(move || portal::dirty(dirty_count.get()));
    let can_save = Memo::new(move |_| {
        ed.analysis.with(Analysis::can_save) && ed.busy.get().is_none() && permission.allows()
    });
    let save_title = move || {
        if let Some(why) = permission.reason() {
            why
        } else if error_count.get() > 0 {
            "Fix the problems first".to_owned()
        } else if dirty_count.get() == 0 {
            "Nothing to save".to_owned()
        } else {
            "Re-reads the stage, then sends the patch (Ctrl+S)".to_owned()
        }
    };
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key() == "s" {
            ev.prevent_default();
            ed.save();
        }
    });
    on_cleanup(move || handle.remove());
    // Never lose an edit: in-app navigation asks, a reload or closing the tab asks too (the browser's
    // own dialog), and the draft is kept in session storage a moment after each edit, when the
    // browser is idle (never inside a burst of keystrokes).
    let unsaved = Callback::new(move |()| ed.analysis.with_untracked(|a| a.changes.len()));
    let token = app.guard_unsaved(unsaved);
    let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
        ed.persist();
        if ed.analysis.with_untracked(|a| !a.changes.is_empty()) {
            ev.prevent_default();
            ev.set_return_value("unsaved");
        }
    });
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    effect(move || {
        ed.rev.track();
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || when_idle(move || ed.persist()),
            std::time::Duration::from_millis(300),
        );
        pending.set_value(handle.ok());
    });
    on_cleanup(move || {
        unload.remove();
        app.unguard(token);
        ed.persist();
    });
    let tabs = Tab::ALL
        .into_iter()
        .map(|t| {
            let to = Route::Stage { api: api.clone(), stage: stage.clone(), tab: t };
            view! {
                <li>
                    <Link to=to class="tab" attr:aria-current=rx(move || (tab() == t).then_some("page"))>
                        <span class="tab-inner" class:active=rx(move || tab() == t) data-testid=format!("tab-{}", if t.segment().is_empty() { "methods" } else { t.segment() })>
                            {t.label()}
                        </span>
                    </Link>
                </li>
            }.into_any()
        })
        .collect_view();
    let deployment = move || {
        ed.rev.track();
        ed.with(|m| m.text(&["deploymentId"]))
    };
    view! {
        <section class="editor" data-testid="editor">
            <div class="editor-head">
                <div class="title">
                    <h1>
                        <span class="muted">"Stage "</span>
                        <span data-testid="stage-name">{stage.clone()}</span>
                    </h1>
                    <span class="meta">
                        "API " <strong data-testid="api-name">{let id = api.clone(); rx(move || app.api_name(&id))}</strong> " " <code class="muted">{api.clone()}</code> " · deployment " <code>{rx(deployment)}</code>
                    </span>
                    <InvokeUrls api=api.clone() stage=stage.clone()/>
                </div>
                <div class="status" aria-live="polite">
                    {rx(move || ed.busy.get().map(|b| view! { <Spinner label=b/> }))}
                    <span class="pill" class:warn=rx(move || 0 < dirty_count.get()) data-testid="dirty-count">
                        {rx(move || match dirty_count.get() {
                            0 => "No unsaved changes".to_owned(),
                            n => format!("{n} unsaved change{}", plural(n)),
                        })}
                    </span>
                    {show_when(
                        move || 0 < error_count.get(),
                        move || view! {
                            <span class="pill bad" data-testid="error-count">
                                {rx(move || format!("{} problem{}", error_count.get(), plural(error_count.get())))}
                            </span>
                        }.into_any(),
                        None,
                    )}
                </div>
                <div class="actions">
                    <button class="btn ghost" data-testid="reload" on:click=click(move |_| ed.reload()) disabled=rx(move || ed.busy.get().is_some())>
                        "Reload"
                    </button>
                    <button
                        class="btn"
                        data-testid="discard"
                        disabled=rx(move || dirty_count.get() == 0)
                        on:click=click(move |_| ed.discard())
                    >
                        "Discard"
                    </button>
                    <button
                        class="btn primary"
                        data-testid="save"
                        disabled=rx(move || !can_save.get())
                        title=rx(save_title)
                        on:click=click(move |_| ed.save())
                    >
                        {rx(move || if ed.busy.get() == Some("Saving…") { "Saving…" } else { "Save" })}
                    </button>
                </div>
            </div>
            {rx(move || ed.save_error.get().map(|e| view! {
                <div class="save-error" data-testid="save-error">
                    <ErrorBox error=e/>
                    <button class="btn small ghost" on:click=click(move |_| ed.save_error.set(None))>"Dismiss"</button>
                </div>
            }))}
            {show_when(
                move || 0 < ed.restored.get() && 0 < dirty_count.get(),
                move || view! {
                    <div class="draft-banner" role="status" data-testid="draft-banner">
                        <span>
                            {rx(move || format!(
                                "Restored {} unsaved change{} kept in this browser tab since the page was last open. They are not saved to AWS yet.",
                                dirty_count.get(), plural(dirty_count.get())
                            ))}
                        </span>
                        <button class="btn small" data-testid="keep-draft" on:click=click(move |_| ed.restored.set(0))>"Keep editing"</button>
                        <button class="btn small danger-ghost" data-testid="discard-draft" on:click=click(move |_| ed.discard())>"Discard draft"</button>
                    </div>
                }.into_any(),
                None,
            )}
            <PermissionNote permission/>
            <ConflictPanel/>
            <nav aria-label="Editor sections">
                <ul class="tabs" role="list">{tabs}</ul>
            </nav>
            <div class="editor-body">
                <div class="editor-main">
                    {rx(move || match tab() {
                        Tab::Methods => view! { <MethodSettingsPanel/> }.into_any(),
                        Tab::Settings => view! { <StageSettingsPanel/> }.into_any(),
                        Tab::Authorizers => view! { <AuthorizersPanel/> }.into_any(),
                    })}
                </div>
                <aside class="editor-side" aria-label="Patch preview and history">
                    // Beside the matrix, not below it: in view without scrolling and clear of the
                    // toasts (bottom right); after the grid in Tab order.
                    <HistoryPanel/>
                    <PatchPreview/>
                </aside>
            </div>
        </section>
    }
}
