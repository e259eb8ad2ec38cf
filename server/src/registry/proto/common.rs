//! The messages every other one uses: timestamps, durations, object metadata, tags, and
//! `FeatureSpecV2` (a feature or entity column).

use super::wire;

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

impl Timestamp {
    /// The current time, as Feast stamps what it writes.
    pub fn now() -> Timestamp {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp {
            seconds: now.as_secs() as i64,
            nanos: now.subsec_nanos() as i32,
        }
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

/// `feast.core.FeatureSpecV2`: a feature or entity column.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureSpecV2 {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(int32, tag = "2")]
    #[serde(deserialize_with = "crate::registry::proto::json::value_type")]
    pub value_type: i32,
    #[prost(btree_map = "string, string", tag = "3")]
    pub tags: Tags,
    #[prost(string, tag = "4")]
    pub description: String,
}
