//! The parts the two request forms (test invoke of an authorizer, Try a request) share: labelled text
//! fields bound to a signal, the error line and submit button, and the answer below the form. One
//! copy of each in the download, and the two forms look and behave alike.

use leptos::prelude::*;
use serde_json::Value;

use super::handlers::on_ev;
use super::rx;
use super::shell::ErrorBox;
use crate::api::HttpError;

/// The state of a form that sends one request: its fields' error, whether it is in flight, the answer.
#[derive(Clone, Copy)]
pub struct RequestState {
    /// What is wrong with the fields (shown as an alert), if anything.
    pub error: RwSignal<Option<String>>,
    /// The request is in flight.
    pub busy: RwSignal<bool>,
    /// The last answer.
    pub answer: RwSignal<Option<Result<Value, HttpError>>>,
}

impl RequestState {
    /// Nothing sent yet.
    #[must_use]
    pub fn new() -> Self {
        Self {
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            answer: RwSignal::new(None),
        }
    }

    /// Shows `error` (the fields are wrong) and sends nothing.
    pub fn refuse(self, error: String) {
        self.error.set(Some(error));
    }

    /// Sends: `request` runs with the form marked busy, and its answer is shown.
    pub fn send(
        self,
        request: impl std::future::Future<Output = Result<Value, HttpError>> + 'static,
    ) {
        self.error.set(None);
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            self.answer.set(Some(request.await));
            self.busy.set(false);
        });
    }
}

/// A labelled `<input>` (or, with `rows` > 0, a `<textarea>` of that many lines) bound to `value`;
/// `id` is its test id too.
pub fn text_field(
    id: &'static str,
    label: String,
    value: RwSignal<String>,
    rows: u32,
    placeholder: &'static str,
) -> AnyView {
    let control = if rows == 0 {
        view! {
            <input id=id data-testid=id autocomplete="off" placeholder=placeholder prop:value=rx(move || value.get()) on:input=on_ev(move |ev| value.set(event_target_value(&ev)))/>
        }
        .into_any()
    } else {
        view! {
            <textarea id=id data-testid=id rows=rows.to_string() prop:value=rx(move || value.get()) on:input=on_ev(move |ev| value.set(event_target_value(&ev)))></textarea>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
        </div>
    }
    .into_any()
}

/// The form's error (an alert) and its submit button: `label`, or `busy_label` while in flight.
pub fn submit_row(
    state: RequestState,
    testid: &'static str,
    label: &'static str,
    busy_label: &'static str,
) -> AnyView {
    view! {
        {rx(move || state.error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> }))}
        <div class="actions">
            <button class="btn primary" type="submit" data-testid=testid disabled=rx(move || state.busy.get())>
                {rx(move || if state.busy.get() { busy_label } else { label })}
            </button>
        </div>
    }
    .into_any()
}

/// The answer below the form: nothing yet, the error, or `show` of it.
pub fn answer_view(state: RequestState, show: fn(Value) -> AnyView) -> AnyView {
    rx(move || match state.answer.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
        Some(Ok(v)) => show(v),
    })
    .into_any()
}
