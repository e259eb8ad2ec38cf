//! Feast's registry protobuf messages (package `feast.core`), declared by hand with prost.
//!
//! Only the fields the console shows are declared; prost skips the rest while decoding. A
//! Permission is the one message the console writes back, so it keeps its original bytes and
//! re-encodes through [`wire::merge_preserving_unknown`] (see `permission.rs`). Enums are
//! plain `int32` fields; [`names`] turns their numbers into Feast's names.

pub mod common;
pub mod data_source;
pub mod json;
pub mod names;
pub mod objects;
pub mod permission;
pub mod registry;
pub mod service;
pub mod wire;

pub use common::{Duration, FeatureSpecV2, ObjectMeta, Tags, Timestamp};
pub use data_source::DataSource;
pub use objects::*;
pub use permission::{Permission, PermissionRecord};
pub use registry::Registry;
pub use service::{FeatureService, SavedDataset, ValidationReference};
