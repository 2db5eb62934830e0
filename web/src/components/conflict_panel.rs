//! The three-way view shown when someone else changed a field the user changed too.

#[allow(unused_imports)]
use crate::components::handlers::{click, on_ev, on_focus, on_key, on_submit};
#[allow(unused_imports)]
use crate::components::rx;
use leptos::prelude::*;

use super::editor::Editor;
use crate::merge::{Side, describe, show};

/// Base / theirs / mine per conflicting field, with a choice each.
#[component]
pub fn ConflictPanel() -> impl IntoView {
    let ed = Editor::get();
    rx(move || {
        ed.conflict.get().map(|state| {
            let n = state.merge.conflicts.len();
            let theirs_other = state.merge.theirs_changes.len();
            let rows = state
                .merge
                .conflicts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let name = format!("conflict-{i}");
                    let chosen = move |side: Side| ed.conflict.with(|s| s.as_ref().and_then(|s| s.choices.get(i).copied()) == Some(side));
                    let pick = move |side: Side| {
                        ed.conflict.update(|s| {
                            if let Some(s) = s
                                && let Some(c) = s.choices.get_mut(i)
                            {
                                *c = side;
                            }
                        });
                    };
                    view! {
                        <tr data-testid="conflict-row">
                            <th scope="row">{describe(&c.path)}</th>
                            <td class="base"><code>{show(c.base.as_ref())}</code></td>
                            <td class="theirs" class:chosen=rx(move || chosen(Side::Theirs))>
                                <label>
                                    <input
                                        type="radio"
                                        name=name.clone()
                                        data-testid="keep-theirs"
                                        prop:checked=rx(move || chosen(Side::Theirs))
                                        on:change=on_ev(move |_| pick(Side::Theirs))
                                    />
                                    <code data-testid="theirs-value">{show(c.theirs.as_ref())}</code>
                                </label>
                            </td>
                            <td class="mine" class:chosen=rx(move || chosen(Side::Mine))>
                                <label>
                                    <input
                                        type="radio"
                                        name=name
                                        data-testid="keep-mine"
                                        prop:checked=rx(move || chosen(Side::Mine))
                                        on:change=on_ev(move |_| pick(Side::Mine))
                                    />
                                    <code data-testid="mine-value">{show(c.mine.as_ref())}</code>
                                </label>
                            </td>
                        </tr>
                    }.into_any()
                })
                .collect_view();
            view! {
                <section class="panel conflict" role="alertdialog" aria-labelledby="conflict-title" data-testid="conflict">
                    <h2 id="conflict-title">"Someone else changed this stage while you were editing"</h2>
                    <p>
                        {format!(
                            "{n} field{} changed on both sides. {} Choose which value to keep for each; your other changes are replayed on the latest stage.",
                            if n == 1 { "" } else { "s" },
                            if theirs_other > n { format!("They changed {theirs_other} fields in all.") } else { String::new() }
                        )}
                    </p>
                    <div class="table-wrap">
                        <table class="table three-way">
                            <thead>
                                <tr>
                                    <th scope="col">"Field"</th>
                                    <th scope="col">"Base (when you loaded it)"</th>
                                    <th scope="col">"Theirs (on AWS now)"</th>
                                    <th scope="col">"Mine"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <div class="actions">
                        <button class="btn ghost" data-testid="conflict-cancel" on:click=click(move |_| ed.conflict.set(None))>
                            "Keep editing"
                        </button>
                        <button class="btn" data-testid="conflict-apply" on:click=click(move |_| ed.resolve(false))>
                            "Apply choices"
                        </button>
                        <button class="btn primary" data-testid="conflict-save" on:click=click(move |_| ed.resolve(true))>
                            "Apply and save"
                        </button>
                    </div>
                </section>
            }
            .into_any()
        })
    })
}
