//! The stage model: GetStage wire JSON (camelCase, epoch-second timestamps), with unknown fields kept.
//!
//! Fields that AWS always returns as non-null booleans (`cacheClusterEnabled`, `tracingEnabled`, the
//! canary's `useStageCache`) are plain `bool`s. Maps that AWS omits when empty (`variables`, `tags`,
//! `stageVariableOverrides`) are empty maps when absent. `methodSettings` is always present, as in AWS.
//!
//! - [`Stage`], [`AccessLogSettings`], [`CanarySettings`]: the stage and its nested objects;
//! - [`MethodSetting`]: one `methodSettings` entry, stored compactly by row of the settings table;
//! - [`SortedMap`]: the stage's maps (method settings, variables, tags, canary overrides), sorted by key;
//! - [`Timestamp`]: epoch seconds, also read from the AWS CLI's ISO-8601 form.

mod de;
mod method_setting;
pub mod sorted_map;
mod stage;
mod timestamp;

pub use method_setting::MethodSetting;
pub(crate) use method_setting::Stored;
pub use sorted_map::SortedMap;
pub use stage::{
    AccessLogSettings, CACHE_CLUSTER_SIZES, CACHE_CLUSTER_STATUSES, CanarySettings,
    SERVER_MANAGED_FIELDS, Stage,
};
pub use timestamp::Timestamp;
