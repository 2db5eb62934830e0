//! stagecraft's web editor for API Gateway stages (Leptos CSR).
//!
//! State logic lives in plain modules with native tests: [`edit`] (the edit model: draft, validation,
//! patch, rebase), [`merge`] (change sets and the three-way merge), [`matrix`] (matrix rows and keyboard
//! navigation), [`route`] (URLs), [`draft`] (unsaved edits in session storage) and [`api`] (HTTP to
//! `stagecraft serve`), [`portal`] (the embed protocol and History's revert). The components in
//! [`components`] only render that state and forward events.

pub mod api;
pub mod components;
pub mod draft;
pub mod edit;
pub mod matrix;
pub mod merge;
pub mod portal;
pub mod route;

pub use components::App;
