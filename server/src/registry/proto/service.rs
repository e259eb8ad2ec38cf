//! Feature services (with their view projections), saved datasets, validation references.

use super::common::{FeatureSpecV2, ObjectMeta, Tags};
use super::data_source::FileOptions;

/// `feast.core.FeatureService`.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureService {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<FeatureServiceSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<ObjectMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureServiceSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub project: String,
    #[prost(message, repeated, tag = "3")]
    pub features: Vec<FeatureViewProjection>,
    #[prost(btree_map = "string, string", tag = "4")]
    pub tags: Tags,
    #[prost(string, tag = "5")]
    pub description: String,
    #[prost(string, tag = "6")]
    pub owner: String,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureViewProjection {
    #[prost(string, tag = "1")]
    pub feature_view_name: String,
    #[prost(message, repeated, tag = "2")]
    pub feature_columns: Vec<FeatureSpecV2>,
    #[prost(string, tag = "3")]
    pub feature_view_name_alias: String,
    #[prost(btree_map = "string, string", tag = "4")]
    pub join_key_map: Tags,
}

/// `feast.core.SavedDataset`.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavedDataset {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<SavedDatasetSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<ObjectMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavedDatasetSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub project: String,
    #[prost(string, repeated, tag = "3")]
    pub features: Vec<String>,
    #[prost(string, repeated, tag = "4")]
    pub join_keys: Vec<String>,
    #[prost(message, optional, tag = "6")]
    pub storage: Option<SavedDatasetStorage>,
    #[prost(btree_map = "string, string", tag = "7")]
    pub tags: Tags,
    #[prost(string, tag = "8")]
    pub feature_service_name: String,
    #[prost(string, tag = "11")]
    pub description: String,
}

/// Only file storage is decoded; other kinds show as "elsewhere" in the console.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavedDatasetStorage {
    #[prost(message, optional, tag = "4")]
    pub file_storage: Option<FileOptions>,
}

/// `feast.core.ValidationReference` (profiles are opaque and not decoded).
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ValidationReference {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub reference_dataset_name: String,
    #[prost(string, tag = "3")]
    pub project: String,
    #[prost(string, tag = "4")]
    pub description: String,
    #[prost(btree_map = "string, string", tag = "5")]
    pub tags: Tags,
}
