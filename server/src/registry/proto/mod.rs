//! Feast's registry protobuf messages (package `feast.core`), declared by hand with prost.
//!
//! Only the fields the console shows are declared; prost skips the rest while decoding. A
//! Permission is the one message the console writes back, so it keeps its original bytes and
//! re-encodes through [`wire::merge_preserving_unknown`] (see `permission.rs`). Enums are
//! plain `int32` fields; [`names`] turns their numbers into Feast's names.

pub mod data_source;
pub mod json;
pub mod names;
pub mod objects;
pub mod permission;
pub mod registry;
pub mod service;
pub mod wire;

pub use data_source::DataSource;
pub use objects::*;
pub use permission::{Permission, PermissionRecord};
pub use registry::Registry;
pub use service::{FeatureService, SavedDataset, ValidationReference};

wire::declared! {
    /// `google.protobuf.Timestamp`.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct Timestamp {
        #[prost(int64, tag = "1")]
        pub seconds: i64,
        #[prost(int32, tag = "2")]
        pub nanos: i32,
    }
}

/// `google.protobuf.Duration`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct Duration {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

wire::declared! {
    /// `meta` of most objects: created and last-updated instants.
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct ObjectMeta {
        #[prost(message, optional, tag = "1")]
        pub created_timestamp: Option<Timestamp>,
        #[prost(message, optional, tag = "2")]
        pub last_updated_timestamp: Option<Timestamp>,
    }
}

pub type Tags = std::collections::BTreeMap<String, String>;
