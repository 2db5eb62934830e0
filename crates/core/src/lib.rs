//! stagecraft core: the Amazon API Gateway (REST) stage model and its rules, with AWS semantics.
//!
//! Everything AWS-specific about stages and method settings lives here, once:
//!
//! - [`settings`]: the declarative table of the ten method settings that drives everything else;
//! - [`key`]: method-setting keys (`~1pets~1{petId}/GET`, `~1/GET`, `*/*`) and patch-path parsing;
//! - [`model`]: [`Stage`] and friends, round-tripping the GetStage wire JSON;
//! - [`validate`]: every problem of a stage document or patch, with JSON-pointer paths;
//! - [`apply`]: UpdateStage `patchOperations` applied as AWS applies them, atomically;
//! - [`dataplane`]: AWS's rules for invoking a deployed stage (routing, caching, throttling, proxy events);
//! - [`invoke_url`]: a stage's invoke URLs, on AWS and on the emulator;
//! - [`effective`]: the settings in force for one method (its own entry, else `*/*`, else AWS's defaults);
//! - [`diff`]: the minimal AWS-valid `patchOperations` that turn one stage into another;
//! - [`schema`]: a JSON Schema (draft 2020-12) of a stage document;
//! - [`write`]: JSON text of the model written without serde (as serde_json writes it).
//!
//! The entry points are re-exported here: [`validate_stage_str`] / [`validate_stage`] /
//! [`validate_patch`], [`diff()`], [`apply()`] / [`apply_with`], the [`Stage`] model, the key functions
//! ([`method_setting_key`], [`parse_method_setting_key`]), the [`METHOD_SETTINGS`] table, and the patch
//! number format ([`format_double`], [`parse_double`]).
//!
//! The crate does no I/O and builds for `wasm32-unknown-unknown`.

pub mod access_log;
pub mod api;
pub mod apply;
pub mod authorizer;
pub mod canary;
pub mod dataplane;
mod decimal;
pub mod diff;
pub mod effective;
pub mod error;
pub mod invoke_url;
pub mod key;
mod messages;
pub mod model;
pub mod patch;
pub mod pointer;
mod rules;
mod scalar;
pub mod schema;
pub mod settings;
mod sort;
pub mod sts;
pub mod test_invoke;
pub mod validate;
mod values;
pub mod write;

pub use apply::{Environment, apply, apply_with};
pub use diff::{DiffError, diff};
pub use effective::{EffectiveSettings, effective_settings};
pub use error::{ApiError, ErrorType, Violations};
pub use key::{ALL_METHODS_KEY, MethodSettingKey, method_setting_key, parse_method_setting_key};
pub use model::{
    AccessLogSettings, CACHE_CLUSTER_SIZES, CACHE_CLUSTER_STATUSES, CanarySettings, MethodSetting,
    SERVER_MANAGED_FIELDS, SortedMap, Stage, Timestamp,
};
pub use patch::{Op, PatchOperation};
pub use pointer::JsonPointer;
pub use schema::stage_schema;
pub use settings::{METHOD_SETTINGS, Setting, SettingGroup, ValueKind};
pub use validate::{
    Issue, IssueCode, Report, validate_patch, validate_patch_ops, validate_stage,
    validate_stage_str,
};
pub use values::{format_double, parse_double};
