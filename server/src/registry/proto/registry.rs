//! `feast.core.Registry`: the whole file registry (`registry.db`) in one message.

use super::common::Timestamp;

/// Object lists are kept as bytes and decoded one by one, so one corrupt object is reported
/// as unreadable instead of sinking the whole file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Registry {
    #[prost(bytes = "vec", repeated, tag = "1")]
    pub entities: Vec<Vec<u8>>,
    #[prost(string, tag = "3")]
    pub registry_schema_version: String,
    #[prost(string, tag = "4")]
    pub version_id: String,
    #[prost(message, optional, tag = "5")]
    pub last_updated: Option<Timestamp>,
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub feature_views: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "7")]
    pub feature_services: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "8")]
    pub on_demand_feature_views: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "11")]
    pub saved_datasets: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "12")]
    pub data_sources: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "13")]
    pub validation_references: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "14")]
    pub stream_feature_views: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "16")]
    pub permissions: Vec<Vec<u8>>,
    #[prost(bytes = "vec", repeated, tag = "17")]
    pub projects: Vec<Vec<u8>>,
    #[prost(message, optional, tag = "18")]
    pub feature_view_version_history: Option<FeatureViewVersionHistory>,
    #[prost(bytes = "vec", repeated, tag = "19")]
    pub label_views: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureViewVersionHistory {
    #[prost(message, repeated, tag = "1")]
    pub records: Vec<FeatureViewVersionRecord>,
}

/// One version snapshot; the snapshot itself (`feature_view_proto`, field 5) is not decoded.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureViewVersionRecord {
    #[prost(string, tag = "1")]
    pub feature_view_name: String,
    #[prost(string, tag = "2")]
    pub project_id: String,
    #[prost(int32, tag = "3")]
    pub version_number: i32,
    #[prost(string, tag = "4")]
    pub feature_view_type: String,
    #[prost(message, optional, tag = "6")]
    pub created_timestamp: Option<Timestamp>,
    #[prost(string, tag = "7")]
    pub description: String,
    #[prost(string, tag = "8")]
    pub version_id: String,
}
