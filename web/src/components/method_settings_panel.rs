//! The method-settings matrix: one row for `*/*` and one per method, the ten settings of core's table
//! as columns. Each cell redraws only when its row changes; one cell at a time is edited in place.

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
use crate::components::show_when;
use crate::components::{Keyed, keyed_list};
#[allow(unused_imports)]
use crate::components::{effect, rx};
use leptos::prelude::*;
use serde_json::Value;
use stagecraft_core::settings::{ValueKind, option_label};
use stagecraft_core::{ALL_METHODS_KEY, METHOD_SETTINGS, Setting};
use wasm_bindgen::JsCast;

use super::editor::{Editor, RowTriggers, Scope};
use super::shell::{ErrorBox, Spinner};
use crate::edit::{EditModel, Source};
use crate::matrix::{
    KEEP_FOCUSED, Nav, ROW_H, ROW_PX, Row, RowKind, build_rows, columns, grid_columns, is_folded,
    keep_drawn, window_for,
};

type EditingCell = Option<(String, usize)>;

/// Adds a Performance mark (read by the benchmark).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

fn source_class(source: Source) -> &'static str {
    match source {
        Source::Override => "src-override",
        Source::Same => "src-same",
        Source::Copy => "src-copy",
        Source::Inherited => "src-inherited",
        Source::Default => "src-default",
    }
}

fn source_label(source: Source) -> &'static str {
    match source {
        Source::Override => "own value",
        Source::Same => "stored copy of */*, will not follow */* changes",
        Source::Copy => "saved as a copy of */*, will not follow */* changes",
        Source::Inherited => "inherited from */*",
        Source::Default => "AWS default",
    }
}

/// Runs an edit on one row (or one cell, `col`); notifies `keys_rev` when an override appears or
/// disappears.
fn edit_row(ed: Editor, key: &str, col: Option<usize>, f: impl FnOnce(&mut EditModel)) {
    let had = ed.with(|m| m.has_override(key));
    let scope = match col {
        Some(c) => Scope::Cell(key.to_owned(), c),
        None => Scope::Row(key.to_owned()),
    };
    ed.edit(scope, f);
    if had != ed.with(|m| m.has_override(key)) {
        ed.keys_rev.notify();
    }
}

/// The matrix's rows and the window of them that is drawn. Only the rows in or near the scrolled view
/// are in the DOM (a thousand rows of a dozen cells made every frame slow), and the first row, which
/// holds the grid's Tab stop; padding stands in for the others ([`ROW_H`] each).
#[derive(Clone, Copy)]
struct Grid {
    /// The setting columns shown.
    shown: Memo<Vec<usize>>,
    /// The rows that pass the filter.
    visible: Memo<Vec<Row>>,
    /// The drawn rows after the first: `visible[1..]`'s `start..end`.
    window: RwSignal<(usize, usize)>,
    /// The scrolling box.
    wrap: NodeRef<leptos::html::Div>,
    /// The row (of `visible[1..]`, like `window`) holding the keyboard focus: kept drawn (see
    /// [`keep_drawn`]) so that a redraw while the focus moves never drops it out of the grid.
    focused: StoredValue<Option<usize>>,
}

impl Grid {
    /// The window before the matrix has scrolled: as many rows as the browser window can show.
    fn initial_window() -> (usize, usize) {
        let h = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .unwrap_or(1000.0);
        window_for(0, h, usize::MAX)
    }

    /// Where the rows after the first start, in the scrolling box's content (px).
    fn rest_top(wrap: &web_sys::Element) -> f64 {
        wrap.query_selector(".mbody.rest")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            .map_or(0.0, |e| f64::from(e.offset_top()))
    }

    /// Draws the rows in view of the scrolling box's current position.
    fn update_window(self) {
        let Some(wrap) = self.wrap.get_untracked() else {
            return;
        };
        let y = f64::from(wrap.scroll_top()) - Self::rest_top(&wrap);
        let first = (y.max(0.0) / ROW_H) as usize;
        let rest = self.visible.with_untracked(Vec::len).saturating_sub(1);
        let win = keep_drawn(
            window_for(first, f64::from(wrap.client_height()), rest),
            self.focused.get_value(),
        );
        self.set_window(win);
    }

    /// Draws rows `win`, keeping the keyboard focus where it is. A keyed list that gains several rows
    /// at its start moves the rows it had in the DOM (tachys' diff), and a moved element loses the
    /// focus: it is given back right after the redraw, in the same turn (no key can land elsewhere).
    fn set_window(self, win: (usize, usize)) {
        if self.window.get_untracked() == win {
            return;
        }
        let focused = document()
            .active_element()
            .filter(|el| {
                self.wrap
                    .get_untracked()
                    .is_some_and(|w| w.contains(Some(el)))
            })
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        self.window.set(win);
        if let Some(el) = focused {
            leptos::tachys::renderer::dom::queue_microtask(move || {
                if el.is_connected() && document().active_element().as_deref() != Some(&el) {
                    let options = web_sys::FocusOptions::new();
                    options.set_prevent_scroll(true);
                    let _ = el.focus_with_options(&options);
                }
            });
        }
    }

    /// Scrolls row `index` of the visible rows to the middle of the box and draws it.
    fn scroll_to(self, index: usize) {
        let Some(wrap) = self.wrap.get_untracked() else {
            return;
        };
        let top = match index {
            0 => 0.0,
            i => {
                let row = Self::rest_top(&wrap) + (i - 1) as f64 * ROW_H;
                row - (f64::from(wrap.client_height()) - ROW_H) / 2.0
            }
        };
        wrap.set_scroll_top(top.max(0.0) as i32);
        self.update_window();
    }

    /// Focuses column `col` of row `index`, scrolling the row into the drawn window first when it is
    /// not drawn (then it is focused once drawn, within `tries` animation frames).
    fn focus(self, index: usize, col: usize, tries: u32) {
        let Some(wrap) = self.wrap.get_untracked() else {
            return;
        };
        let cell = wrap
            .query_selector(&format!("[data-row=\"{index}\"] [data-col=\"{col}\"]"))
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        match cell {
            Some(el) => focus_cell(&el, false),
            None if tries > 0 => {
                // A row further than the focused one stays drawn (a jump to the end): the focus
                // waits on the scrolling box, inside the grid's region, until the row is drawn.
                let near = |f: usize| index.abs_diff(f + 1) <= KEEP_FOCUSED;
                if !self.focused.get_value().is_some_and(near) {
                    let options = web_sys::FocusOptions::new();
                    options.set_prevent_scroll(true);
                    let _ = wrap.focus_with_options(&options);
                }
                self.scroll_to(index);
                request_animation_frame(move || self.focus(index, col, tries - 1));
            }
            None => {}
        }
    }
}

/// Moves focus from `td` in the direction of `nav`.
fn move_focus(td: &web_sys::HtmlElement, nav: Nav, grid: Grid) {
    let index = |el: Option<web_sys::Element>, attr: &str| {
        el.and_then(|e| e.get_attribute(attr))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let Some(r) = index(td.parent_element(), "data-row") else {
        return;
    };
    let c = index(Some(td.clone().into()), "data-col").unwrap_or(0);
    let (r2, _) = nav.apply((r, 0), grid.visible.with_untracked(Vec::len), 1);
    let c2 = grid.shown.with_untracked(|shown| nav.column(c, shown));
    grid.focus(r2, c2, 4);
}

/// Focuses a matrix cell and scrolls it into view (to the middle with `center`, else as little as
/// needed), clear of the sticky header row and Method column.
pub fn focus_cell(cell: &web_sys::HtmlElement, center: bool) {
    let _ = cell.focus_with_options(&{
        let o = web_sys::FocusOptions::new();
        o.set_prevent_scroll(true);
        o
    });
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(if center {
        web_sys::ScrollLogicalPosition::Center
    } else {
        web_sys::ScrollLogicalPosition::Nearest
    });
    opts.set_inline(web_sys::ScrollLogicalPosition::Nearest);
    cell.scroll_into_view_with_scroll_into_view_options(&opts);
    let Some(wrap) = cell
        .closest(".matrix-wrap")
        .ok()
        .flatten()
        .and_then(|w| w.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let head = wrap
        .query_selector(".mhead")
        .ok()
        .flatten()
        .map_or(0.0, |h| h.get_bounding_client_rect().height());
    let side = cell
        .parent_element()
        .and_then(|row| row.first_element_child())
        .filter(|first| !first.is_same_node(Some(cell)))
        .map_or(0.0, |first| first.get_bounding_client_rect().width());
    let (c, w) = (
        cell.get_bounding_client_rect(),
        wrap.get_bounding_client_rect(),
    );
    // The visible box: inside the borders and scroll bars, below the header, right of the Method column.
    let top = w.top() + f64::from(wrap.client_top()) + head;
    let bottom = w.top() + f64::from(wrap.client_top() + wrap.client_height());
    let left = w.left() + f64::from(wrap.client_left()) + side;
    let right = w.left() + f64::from(wrap.client_left() + wrap.client_width());
    let by = |gap: f64| gap.ceil() as i32;
    if c.top() < top {
        wrap.set_scroll_top(wrap.scroll_top() - by(top - c.top()));
    } else if c.bottom() > bottom {
        wrap.set_scroll_top(wrap.scroll_top() + by(c.bottom() - bottom));
    }
    if c.left() < left {
        wrap.set_scroll_left(wrap.scroll_left() - by(left - c.left()));
    } else if c.right() > right {
        wrap.set_scroll_left(wrap.scroll_left() + by(c.right() - right));
    }
}

/// The matrix with its toolbar.
#[component]
pub fn MethodSettingsPanel() -> impl IntoView {
    let ed = Editor::get();
    let (filter, only_overrides, all_columns) = (ed.filter, ed.only_overrides, ed.all_columns);
    let shown = Memo::new(move |_| columns(all_columns.get()));
    let help = ed.help;
    let rows = Memo::new(move |_| {
        ed.keys_rev.track();
        let stored = ed.with(EditModel::override_keys);
        ed.methods.with(|m| match m {
            Some(Ok(methods)) => build_rows(Some(methods), &stored),
            _ => build_rows(None, &stored),
        })
    });
    let visible = Memo::new(move |_| {
        let needle = filter.get().to_ascii_lowercase();
        let only = only_overrides.get();
        ed.keys_rev.track();
        rows.with(|rs| {
            rs.iter()
                .filter(|r| {
                    needle.is_empty()
                        || r.path.to_ascii_lowercase().contains(&needle)
                        || r.method.to_ascii_lowercase().contains(&needle)
                        || r.key.to_ascii_lowercase().contains(&needle)
                })
                .filter(|r| !only || ed.with(|m| m.has_override(&r.key)))
                .cloned()
                .collect::<Vec<Row>>()
        })
    });
    let counts = move || {
        ed.keys_rev.track();
        let overrides =
            ed.with(|m| m.override_keys().len() - usize::from(m.has_override(ALL_METHODS_KEY)));
        let methods = rows.with(|r| r.iter().filter(|r| r.kind == RowKind::Method).count());
        let strays = rows.with(|r| r.iter().filter(|r| r.kind == RowKind::Orphan).count());
        (methods, overrides, strays)
    };
    // A */* change does not reach methods that store their own value: say how many (the list is
    // drawn only while open, so that a keystroke does not redraw a thousand names).
    let star_notes = Memo::new(move |_| {
        ed.rev.track();
        ed.with(|m| {
            METHOD_SETTINGS
                .iter()
                .enumerate()
                .filter(|(_, s)| m.all_methods_changed(s))
                .map(|(i, s)| (i, m.count_keeping_own(s)))
                .filter(|(_, n)| *n > 0)
                .collect::<Vec<(usize, usize)>>()
        })
    });
    // What screen readers hear of those notes: once when the methods kept out change, not with each
    // keystroke of the value (the visible note follows the value).
    let star_announce = Memo::new(move |_| {
        star_notes.with(|notes| {
            notes
                .iter()
                .map(|(col, n)| {
                    let n = *n;
                    format!(
                        "All methods · {}: {n} method{} keep their own value. ",
                        METHOD_SETTINGS[*col].label,
                        if n == 1 { "" } else { "s" }
                    )
                })
                .collect::<String>()
        })
    });
    // Caching switched on for methods of a stage without a cache cluster caches nothing.
    let cache_note = Memo::new(move |_| {
        ed.rev.track();
        ed.with(|m| {
            if m.flag(&["cacheClusterEnabled"]) {
                return None;
            }
            let caching = Setting::by_field("cachingEnabled")?;
            let n = m.count_stored(caching, &Value::Bool(true));
            (n > 0).then_some(n)
        })
    });
    let editing: RwSignal<EditingCell> = RwSignal::new(None);
    let selector = StoredValue::new(Selector::new(move || editing.get()));
    let grid = Grid {
        shown,
        visible,
        window: RwSignal::new(Grid::initial_window()),
        wrap: NodeRef::new(),
        focused: StoredValue::new(None),
    };
    // A problem in the list was chosen: bring its row into the drawn window (the jump focuses it).
    effect(move || {
        let Some(key) = ed.reveal.get() else {
            return;
        };
        if grid.wrap.get().is_none() {
            return;
        }
        if let Some(i) = visible.with(|v| v.iter().position(|r| r.key == key)) {
            grid.scroll_to(i);
        }
        ed.reveal.set(None);
    });
    // The rows changed (a filter, an override added or removed): the window follows once drawn.
    effect(move || {
        visible.track();
        request_animation_frame(move || grid.update_window());
    });
    let draw_row = move |i: usize, row: &Row| {
        let row = row.clone();
        let selector = selector.get_value();
        Keyed::new(format!("{i}:{}", row.key), move || {
            view! { <MatrixRow row=row index=i editing=editing selector=selector grid=grid/> }
                .into_any()
        })
    };
    // The padding that stands in for the rows outside the window.
    let rest_style = move || {
        let (start, end) = grid.window.get();
        let rest = visible.with(Vec::len).saturating_sub(1);
        let end = end.min(rest);
        // Whole pixels: no float formatting code in the download.
        format!(
            "padding-top: {}px; padding-bottom: {}px",
            start.min(end) * ROW_PX,
            (rest - end) * ROW_PX
        )
    };

    // Group header: Metrics | Logging | Throttling | Caching, over the columns shown.
    let group_row = move || {
        let mut groups: Vec<(&'static str, usize)> = Vec::new();
        for c in shown.get() {
            let label = METHOD_SETTINGS[c].group.label();
            match groups.last_mut() {
                Some((g, n)) if *g == label => *n += 1,
                _ => groups.push((label, 1)),
            }
        }
        groups
            .into_iter()
            .map(|(g, n)| view! { <div role="columnheader" class="group" style=format!("grid-column: span {n}")>{g}</div> }.into_any())
            .collect_view()
    };
    let headers = move || {
        shown
            .get()
            .into_iter()
            .map(|i| {
                let s = &METHOD_SETTINGS[i];
                view! {
                    <div role="columnheader" class="col-head" title=s.help>
                        <span>{s.label}</span>
                        <button
                            class="help-btn"
                            tabindex="-1"
                            aria-label=format!("About {}", s.label)
                            data-testid=format!("help-{}", s.field)
                            on:click=click(move |_| help.update(|h| *h = if *h == Some(i) { None } else { Some(i) }))
                        >
                            "?"
                        </button>
                    </div>
                }.into_any()
            })
            .collect_view()
    };
    let grid_style = move || {
        let (template, min) = grid_columns(&shown.get());
        format!("--cols: {template}; min-width: {min}px")
    };

    let table = move || match ed.methods.get() {
        None => view! { <Spinner label="Loading the API's methods…"/> }.into_any(),
        Some(result) => {
            let error = result.err();
            view! {
                {error.map(|e| view! {
                    <p class="muted">"The API's methods could not be listed; showing the stored keys only."</p>
                    <ErrorBox error=e/>
                })}
                <div
                    class="matrix-wrap"
                    role="region"
                    aria-label="Method settings matrix"
                    tabindex="-1"
                    node_ref=grid.wrap
                    on:focusin=on_focus(move |ev| {
                        // Which row of the rest has the focus (the first row is always drawn).
                        let row = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .and_then(|el| el.closest("[data-row]").ok().flatten())
                            .and_then(|el| el.get_attribute("data-row"))
                            .and_then(|v| v.parse::<usize>().ok())
                            .and_then(|i| i.checked_sub(1));
                        grid.focused.set_value(row);
                    })
                    on:focusout=on_focus(move |ev| {
                        // Focus leaving the grid for elsewhere lets the row go.
                        let inside = ev
                            .related_target()
                            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                            .is_some_and(|n| grid.wrap.get_untracked().is_some_and(|w| w.contains(Some(&n))));
                        if !inside {
                            grid.focused.set_value(None);
                        }
                    })
                    on:scroll=on_ev(move |ev| {
                        grid.update_window();
                        // The Method column is frozen (sticky) only while the matrix is scrolled
                        // sideways: a thousand sticky row headers cost Chromium a layer each frame.
                        if let Some(wrap) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                            let _ = wrap.toggle_attribute_with_force("data-sx", wrap.scroll_left() > 0);
                        }
                    })
                >
                    <div class="matrix" class:compact=rx(move || !all_columns.get()) style=rx(grid_style) role="grid" aria-label="Method settings" aria-rowcount=rx(move || (visible.with(Vec::len) + 2).to_string()) data-testid="matrix">
                        <div class="mhead" role="rowgroup">
                            <div class="mrow groups" role="row" aria-rowindex="1">
                                <div class="corner row-head-col" role="columnheader"><span class="sr-only">"Method"</span></div>
                                {rx(group_row)}
                                <div class="corner" role="columnheader"><span class="sr-only">"Override"</span></div>
                            </div>
                            <div class="mrow cols" role="row" aria-rowindex="2">
                                <div role="columnheader" class="row-head-col">"Method"</div>
                                {rx(headers)}
                                <div role="columnheader" class="actions-col"><span class="sr-only">"Override"</span></div>
                            </div>
                        </div>
                        <div class="mbody first" role="rowgroup">
                            {keyed_list(move || visible.with(|v| v.first().map(|row| draw_row(0, row)).into_iter().collect()))}
                        </div>
                        <div class="mbody rest" role="rowgroup" style=rx(rest_style)>
                            {keyed_list(move || {
                                let (start, end) = grid.window.get();
                                visible.with(|v| {
                                    v.iter()
                                        .enumerate()
                                        .skip(1 + start)
                                        .take(end.saturating_sub(start))
                                        .map(|(i, row)| draw_row(i, row))
                                        .collect()
                                })
                            })}
                        </div>
                    </div>
                    {show_when(
                        move || visible.with(Vec::is_empty),
                        move || view! {
                            <p class="empty small">"No method matches the filter."</p>
                        }.into_any(),
                        None,
                    )}
                </div>
            }
            .into_any()
        }
    };

    view! {
        <div class="panel matrix-panel" data-testid="method-settings">
            <div class="toolbar">
                <div class="field inline">
                    <label for="matrix-filter" class="sr-only">"Filter methods"</label>
                    <input
                        id="matrix-filter"
                        type="search"
                        placeholder="Filter by path or method"
                        data-testid="matrix-filter"
                        prop:value=rx(move || filter.get())
                        on:input=on_ev(move |ev| filter.set(event_target_value(&ev)))
                    />
                </div>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="only-overrides"
                        prop:checked=rx(move || only_overrides.get())
                        on:change=on_ev(move |ev| only_overrides.set(event_target_checked(&ev)))
                    />
                    "Only overrides"
                </label>
                <button
                    class="btn small"
                    data-testid="all-columns"
                    aria-pressed=rx(move || if all_columns.get() { "true" } else { "false" })
                    title="Log full requests, Encrypt cache and Require authorization for cache control"
                    on:click=click(move |_| all_columns.update(|a| *a = !*a))
                >
                    {rx(move || if all_columns.get() { "Fewer columns".to_owned() } else { format!("All {} settings", METHOD_SETTINGS.len()) })}
                </button>
                <span class="muted counts" data-testid="matrix-counts">
                    {rx(move || {
                        let (m, o, s) = counts();
                        let mut text = format!("{m} methods · {o} method override{}", if o == 1 { "" } else { "s" });
                        if s > 0 {
                            text.push_str(&format!(" · {s} match no method"));
                        }
                        text
                    })}
                </span>
                <ul class="legend" aria-label="Legend">
                    <li><span class="swatch src-override"></span>"own value"</li>
                    <li><span class="swatch src-same"></span>"stored copy of */* (does not follow it)"</li>
                    <li><span class="swatch src-inherited"></span>"inherited (follows */*)"</li>
                    <li><span class="swatch dirty"></span>"unsaved"</li>
                </ul>
            </div>
            {rx(move || help.get().map(|i| {
                let s = &METHOD_SETTINGS[i];
                view! {
                    <div class="help-box" role="note" data-testid="setting-help">
                        <div>
                            <strong>{s.label}</strong>
                            <code class="muted">{format!(" {} · patch path /{{key}}/{}", s.field, s.patch_suffix)}</code>
                            <p>{s.help}</p>
                        </div>
                        <button class="icon" aria-label="Close help" on:click=click(move |_| help.set(None))>"×"</button>
                    </div>
                }
            }))}
            {rx(move || ed.last_reset.get().map(|(k, col)| {
                let s = &METHOD_SETTINGS[col];
                let value = ed.with(|m| m.cell(&k, s).text);
                let what = crate::merge::describe_key(&k);
                let remove_key = k.clone();
                view! {
                    <div class="note" role="status" data-testid="reset-note">
                        <p>
                            {format!("{what} · {} now takes */*'s value ({value}). AWS cannot remove one field of a method's override: it stores a copy, which will not follow later */* changes.", s.label)}
                        </p>
                        <div class="btn-group">
                            <button class="btn small" data-testid="reset-note-remove" on:click=click(move |_| {
                                edit_row(ed, &remove_key, None, |m| m.remove_override(&remove_key));
                                ed.last_reset.set(None);
                            })>
                                "Remove this method's override (all its fields inherit)"
                            </button>
                            <button class="btn small ghost" data-testid="reset-note-keep" on:click=click(move |_| ed.last_reset.set(None))>
                                "Keep the copy"
                            </button>
                        </div>
                    </div>
                }
            }))}
            {rx(move || star_notes.get().into_iter().map(|(col, n)| {
                let s = &METHOD_SETTINGS[col];
                // The value follows every keystroke; the list of methods only changes with it.
                let value = move || {
                    ed.rev.track();
                    ed.with(|m| m.cell(ALL_METHODS_KEY, s).text)
                };
                let open = RwSignal::new(false);
                let keys = move || {
                    if !open.get() {
                        return ().into_any();
                    }
                    ed.rev.track();
                    ed.with(|m| m.keys_keeping_own(s))
                        .iter()
                        .take(200)
                        .map(|k| view! { <li>{crate::merge::describe_key(k)}</li> }.into_any())
                        .collect_view()
                        .into_any()
                };
                view! {
                    <div class="note" data-testid=format!("star-note-{}", s.field)>
                        <p>
                            {rx(move || format!("All methods (*/*) · {}: {n} method{} keep their own value and will not get {}. AWS stores a copy of every field in each method's override; a */* change does not reach it.", s.label, if n == 1 { "" } else { "s" }, value()))}
                        </p>
                        <details on:toggle=on_ev(move |ev| {
                            let open_now = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|d| d.has_attribute("open"));
                            open.set(open_now);
                        })>
                            <summary>{format!("Show the {n}")}</summary>
                            <ul class="key-list" data-testid="star-note-keys">{rx(keys)}</ul>
                        </details>
                        <button class="btn small" data-testid=format!("apply-star-{}", s.field) on:click=click(move |_| ed.edit(Scope::AllRows, |m| m.apply_all_methods_value(s)))>
                            {rx(move || format!("Apply {} to those too", value()))}
                        </button>
                    </div>
                }.into_any()
            }).collect_view())}
            <p class="sr-only" role="status" data-testid="star-announce">{rx(move || star_announce.get())}</p>
            {rx(move || cache_note.get().map(|n| view! {
                <div class="note" role="status" data-testid="no-cluster-note">
                    <p>{format!("Caching is on for {n} of the stored keys, but this stage has no cache cluster: nothing is cached until the cache cluster is enabled (Stage settings).")}</p>
                </div>
            }))}
            <p class="hint muted">
                "Click a cell or press Enter to edit · arrows move · Esc cancels · ? explains the column · Delete sets a field to */*'s value: AWS stores a copy, which does not follow later */* changes. To make a method inherit again, remove its override (all its fields inherit)."
            </p>
            {rx(table)}
        </div>
    }
}

#[component]
fn MatrixRow(
    row: Row,
    index: usize,
    editing: RwSignal<EditingCell>,
    selector: Selector<EditingCell>,
    grid: Grid,
) -> impl IntoView {
    let ed = Editor::get();
    let triggers = RowTriggers::new();
    let trig = triggers.row;
    ed.rows.update_value(|m| {
        m.insert(row.key.clone(), triggers);
    });
    {
        let key = row.key.clone();
        on_cleanup(move || {
            ed.rows.update_value(|m| {
                m.remove(&key);
            });
        });
    }
    let key = StoredValue::new(row.key.clone());
    // One fact about the row, redrawn with it.
    let fact = move |f: fn(&EditModel, &str) -> bool| {
        Memo::new(move |_| {
            ed.all_rows.track();
            trig.track();
            key.with_value(|k| ed.with(|m| f(m, k)))
        })
    };
    let has_override = fact(EditModel::has_override);
    let dirty = fact(EditModel::row_dirty);
    let cells = (0..METHOD_SETTINGS.len())
        .map(|col| view! { <MatrixCell key=row.key.clone() col=col trig=trig cell_trig=triggers.cells[col] editing=editing selector=selector.clone() grid=grid/> }.into_any())
        .collect_view();
    let method_class = format!("method m-{}", row.method.to_ascii_lowercase());
    let head = match row.kind {
        RowKind::AllMethods => view! {
            <span class="method m-all">"ALL"</span>
            <span class="path">"All methods " <code>"*/*"</code></span>
        }
        .into_any(),
        RowKind::Method => view! {
            <span class=method_class>{row.method.clone()}</span>
            <span class="path">{row.path.clone()}</span>
        }
        .into_any(),
        RowKind::Wildcard => view! {
            <span class=method_class>{row.method.clone()}</span>
            <span class="path">"every resource " <code>{row.key.clone()}</code></span>
        }
        .into_any(),
        RowKind::Orphan => view! {
            <span class=method_class>{row.method.clone()}</span>
            <span class="path">{row.path.clone()}</span>
            <span
                class="tag warn"
                data-testid="orphan"
                title="This key is stored on the stage but matches no method of the API (left over from a deleted resource, or not in ~1-escaped form). AWS keeps it; it has no effect."
            >
                "no matching method"
            </span>
        }
        .into_any(),
    };
    let label = if row.kind == RowKind::AllMethods {
        "all methods".to_owned()
    } else {
        format!("{} {}", row.method, row.path)
    };
    let action_label = label.clone();
    let actions = move || {
        let has = has_override.get();
        let k = key.get_value();
        let (class, testid, aria, title, plus) = if has {
            (
                "btn small danger-ghost",
                format!("remove-override-{k}"),
                format!("Remove override of {action_label}"),
                "Remove this method's override: all its fields inherit */* again",
                None,
            )
        } else {
            (
                "btn small",
                format!("add-override-{k}"),
                format!("Override {action_label}"),
                "Store settings for this method: AWS starts the new key as a copy of */*, which does not follow later */* changes",
                Some("+ "),
            )
        };
        view! {
            <button
                class=class
                data-testid=testid
                aria-label=aria
                title=title
                on:click=click(move |_| {
                    let k = key.get_value();
                    edit_row(ed, &k, None, |m| if has { m.remove_override(&k) } else { m.add_override(&k) });
                })
            >
                {plus.map(|p| view! { <span aria-hidden="true">{p}</span> })}
                {if has { "Remove override" } else { "Override" }}
            </button>
        }
        .into_any()
    };
    view! {
        <div
            role="row"
            class="mrow"
            class:has-override=rx(move || has_override.get())
            class:dirty=rx(move || dirty.get())
            class:orphan=row.kind == RowKind::Orphan
            data-testid=format!("row-{}", row.key)
            data-key=row.key.clone()
            data-row=index
            aria-rowindex=index + 3
            aria-label=label
        >
            <div role="rowheader" class="row-head">{head}</div>
            {cells}
            <div role="gridcell" class="row-actions">{rx(actions)}</div>
        </div>
    }
}

#[component]
fn MatrixCell(
    key: String,
    col: usize,
    trig: Trigger,
    cell_trig: Trigger,
    editing: RwSignal<EditingCell>,
    selector: Selector<EditingCell>,
    grid: Grid,
) -> impl IntoView {
    let ed = Editor::get();
    let setting: &'static Setting = &METHOD_SETTINGS[col];
    let testid = format!("cell-{key}-{}", setting.field);
    let first = key == ALL_METHODS_KEY && col == 0;
    let key = StoredValue::new(key);
    let cell = Memo::new(move |_| {
        ed.all_rows.track();
        cell_trig.track();
        trig.track();
        key.with_value(|k| ed.with(|m| m.cell(k, setting)))
    });
    let me = Some((key.get_value(), col));
    let is_editing = Memo::new(move |_| selector.selected(&me));
    let td_ref = NodeRef::<leptos::html::Div>::new();
    let start = move || editing.set(Some((key.get_value(), col)));
    let close = move |refocus: bool| {
        editing.set(None);
        if refocus && let Some(td) = td_ref.get_untracked() {
            let _ = td.focus();
        }
    };
    let reset = move || {
        let k = key.get_value();
        edit_row(ed, &k, Some(col), |m| m.reset_setting(&k, setting));
        ed.last_reset
            .set((k != ALL_METHODS_KEY).then(|| (k.clone(), col)));
    };
    let key_handler = move |ev: leptos::ev::KeyboardEvent| {
        if is_editing.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Enter" | "F2" | " " => {
                ev.prevent_default();
                start();
            }
            "Delete" | "Backspace" => {
                ev.prevent_default();
                reset();
            }
            "?" => {
                ev.prevent_default();
                ed.help.set(Some(col));
            }
            k => {
                if let Some(nav) = Nav::from_key(k, ev.ctrl_key() || ev.meta_key())
                    && let Some(td) = td_ref.get_untracked()
                {
                    ev.prevent_default();
                    move_focus(&td, nav, grid);
                }
            }
        }
    };
    let class = move || {
        cell.with(|c| {
            let mut s = format!("cell {}", source_class(c.source));
            if is_folded(col) {
                s.push_str(" folded");
            }
            if c.dirty {
                s.push_str(" dirty");
            }
            if c.error.is_some() {
                s.push_str(" invalid");
            }
            s
        })
    };
    // The value first (what the cell shows), then where it is and where it comes from, then its
    // problem (drawn in the cell, hidden from screen readers there so that the name stays this one).
    let aria = move || {
        cell.with(|c| {
            key.with_value(|k| {
                let mut label = format!(
                    "{} · {} for {} ({})",
                    c.text,
                    setting.label,
                    crate::merge::describe_key(k),
                    source_label(c.source)
                );
                if let Some(e) = &c.error {
                    label.push_str(". ");
                    label.push_str(e);
                }
                label
            })
        })
    };
    let error_id = key.with_value(|k| format!("err-{k}-{}", setting.field));
    view! {
        <div
            node_ref=td_ref
            role="gridcell"
            class=rx(class)
            tabindex=if first { "0" } else { "-1" }
            data-col=col
            data-testid=testid
            aria-label=rx(aria)
            aria-invalid=rx(move || cell.with(|c| c.error.is_some()).then_some("true"))
            on:click=click(move |_| {
                if !is_editing.get_untracked() {
                    start();
                }
            })
            on:keydown=on_key(key_handler)
        >
            {rx(move || {
                if is_editing.get() {
                    let (raw, stored) = key.with_value(|k| {
                        ed.with(|m| (m.cell(k, setting).raw, m.setting_value(k, setting).cloned()))
                    });
                    view! { <CellEditor key=key.get_value() setting=setting raw=raw original=stored col=col close=Callback::new(close) reset=Callback::new(move |()| { reset(); close(true); })/> }.into_any()
                } else {
                    view! {
                        <span class="value" title=rx(move || cell.with(|c| (matches!(setting.kind, ValueKind::Enum(_)) && c.raw != c.text).then(|| c.raw.clone())))>{rx(move || cell.with(|c| c.text.clone()))}</span>
                    }
                    .into_any()
                }
            })}
            {rx(move || cell.with(|c| c.error.clone()).map(|e| view! { <div class="cell-error" id=error_id.clone() aria-hidden="true" data-testid="cell-error">{e}</div> }))}
        </div>
    }
}

#[component]
fn CellEditor(
    key: String,
    setting: &'static Setting,
    raw: String,
    original: Option<Value>,
    col: usize,
    close: Callback<bool>,
    reset: Callback<()>,
) -> impl IntoView {
    let ed = Editor::get();
    let key = StoredValue::new(key);
    let input_id = format!("edit-{}-{}", key.get_value(), setting.field);
    let set = move |text: String| {
        mark("sc:input");
        let k = key.get_value();
        edit_row(ed, &k, Some(col), |m| m.set_setting(&k, setting, &text));
    };
    let has_stored = original.is_some();
    let had_key = key.with_value(|k| ed.with(|m| m.has_override(k)));
    // The cell's problem, linked to the control (the cell draws it).
    let error_id = key.with_value(|k| format!("err-{k}-{}", setting.field));
    let valid = move || {
        ed.rev.track();
        key.with_value(|k| {
            let at = crate::edit::pointer(&["methodSettings", k.as_str(), setting.field]);
            ed.with(|m| m.errors_at(&at).is_empty())
        })
    };
    let described = move || (!valid()).then(|| error_id.clone());
    let aria_invalid = move || (!valid()).then_some("true");
    let key_handler = move |ev: leptos::ev::KeyboardEvent| {
        ev.stop_propagation();
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                close.run(true);
            }
            "Escape" => {
                ev.prevent_default();
                let k = key.get_value();
                // Cancel leaves the model as it was: a method without an override keeps none.
                edit_row(ed, &k, Some(col), |m| {
                    if had_key {
                        m.set_setting_value(&k, setting, original.clone());
                    } else if m.has_override(&k) {
                        m.remove_override(&k);
                    }
                });
                close.run(true);
            }
            "Tab" => close.run(false),
            _ => {}
        }
    };
    let wrapper = NodeRef::<leptos::html::Div>::new();
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(wrapper.get_untracked())
            .is_some_and(|(t, w)| w.contains(Some(&t)));
        if !inside {
            close.run(false);
        }
    };
    let control = match setting.kind {
        ValueKind::Bool | ValueKind::Enum(_) => {
            let options: Vec<&'static str> = match setting.kind {
                ValueKind::Enum(opts) => opts.to_vec(),
                _ => vec!["true", "false"],
            };
            let current = raw.clone();
            view! {
                <select
                    id=input_id.clone()
                    aria-label=setting.label
                aria-describedby=rx(described.clone())
                aria-invalid=rx(aria_invalid)
                    data-testid="cell-input"
                    on:change=on_ev(move |ev| set(event_target_value(&ev)))
                >
                    {options
                        .into_iter()
                        .map(|o| view! { <option value=o selected=o == current title=o>{option_label(o)}</option> }.into_any())
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        ValueKind::Integer { .. } | ValueKind::Double { .. } => view! {
            <input
                id=input_id.clone()
                type="text"
                inputmode="decimal"
                autocomplete="off"
                spellcheck="false"
                aria-label=setting.label
                aria-describedby=rx(described.clone())
                aria-invalid=rx(aria_invalid)
                data-testid="cell-input"
                value=raw
                on:input=on_ev(move |ev| set(event_target_value(&ev)))
            />
        }
        .into_any(),
    };
    // The control (the wrapper's first child) takes the focus, an input with its text selected.
    effect(move || {
        if let Some(control) = wrapper.get().and_then(|w| w.first_element_child()) {
            if let Some(control) = control.dyn_ref::<web_sys::HtmlElement>() {
                let _ = control.focus();
            }
            if let Some(input) = control.dyn_ref::<web_sys::HtmlInputElement>() {
                input.select();
            }
        }
    });
    view! {
        <div class="cell-editor" node_ref=wrapper on:keydown=on_key(key_handler) on:focusout=on_focus(on_focusout) on:click=click(|ev| ev.stop_propagation())>
            {control}
            {has_stored.then(|| view! {
                <button
                    class="icon reset"
                    title="Reset: inherit this field again"
                    aria-label=format!("Reset {}", setting.label)
                    data-testid="cell-reset"
                    on:mousedown=click(|ev| ev.prevent_default())
                    on:click=click(move |_| reset.run(()))
                >
                    "↺"
                </button>
            })}
        </div>
    }
}
