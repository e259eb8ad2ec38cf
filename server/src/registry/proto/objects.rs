//! Projects, entities, features and every feature-view kind.

use super::common::{Duration, FeatureSpecV2, ObjectMeta, Tags, Timestamp};
use super::data_source::DataSource;

/// `feast.core.Project` (`ProjectMeta` has the same two fields as [`ObjectMeta`]).
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Project {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<ProjectSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<ObjectMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub description: String,
    #[prost(btree_map = "string, string", tag = "3")]
    pub tags: Tags,
    #[prost(string, tag = "4")]
    pub owner: String,
}

/// `feast.core.Entity`.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Entity {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<EntitySpecV2>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<ObjectMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EntitySpecV2 {
    #[prost(string, tag = "1")]
    pub name: String,
    /// `feast.types.ValueType.Enum`.
    #[prost(int32, tag = "2")]
    #[serde(deserialize_with = "crate::registry::proto::json::value_type")]
    pub value_type: i32,
    #[prost(string, tag = "3")]
    pub description: String,
    #[prost(string, tag = "4")]
    pub join_key: String,
    #[prost(btree_map = "string, string", tag = "8")]
    pub tags: Tags,
    #[prost(string, tag = "9")]
    pub project: String,
    #[prost(string, tag = "10")]
    pub owner: String,
}

/// `feast.core.FeatureView`; also a BatchFeatureView when `spec.feature_transformation` is set.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureView {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<FeatureViewSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<FeatureViewMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureViewSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub project: String,
    #[prost(string, repeated, tag = "3")]
    pub entities: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    pub features: Vec<FeatureSpecV2>,
    #[prost(btree_map = "string, string", tag = "5")]
    pub tags: Tags,
    #[prost(message, optional, tag = "6")]
    pub ttl: Option<Duration>,
    #[prost(message, optional, tag = "7")]
    pub batch_source: Option<DataSource>,
    #[prost(bool, tag = "8")]
    pub online: bool,
    #[prost(message, optional, tag = "9")]
    pub stream_source: Option<DataSource>,
    #[prost(string, tag = "10")]
    pub description: String,
    #[prost(string, tag = "11")]
    pub owner: String,
    #[prost(message, repeated, tag = "12")]
    pub entity_columns: Vec<FeatureSpecV2>,
    #[prost(message, optional, tag = "15")]
    pub feature_transformation: Option<FeatureTransformationV2>,
    #[prost(string, tag = "16")]
    pub mode: String,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureViewMeta {
    #[prost(message, optional, tag = "1")]
    pub created_timestamp: Option<Timestamp>,
    #[prost(message, optional, tag = "2")]
    pub last_updated_timestamp: Option<Timestamp>,
    #[prost(message, repeated, tag = "3")]
    pub materialization_intervals: Vec<MaterializationInterval>,
    #[prost(int32, tag = "4")]
    pub current_version_number: i32,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MaterializationInterval {
    #[prost(message, optional, tag = "1")]
    pub start_time: Option<Timestamp>,
    #[prost(message, optional, tag = "2")]
    pub end_time: Option<Timestamp>,
}

/// `feast.core.FeatureTransformationV2`: the UDF's name and source text matter; a Substrait
/// plan (field 2) is binary and not declared.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeatureTransformationV2 {
    #[prost(message, optional, tag = "1")]
    pub user_defined_function: Option<UserDefinedFunctionV2>,
}

/// `feast.core.UserDefinedFunction`, the pre-V2 form older registries still carry on
/// on-demand views. The pickled `body` (field 2) is not declared, as in V2.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserDefinedFunction {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub body_text: String,
}

/// The dill-pickled `body` (field 2) is deliberately not declared: never decoded, never kept.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserDefinedFunctionV2 {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub body_text: String,
    #[prost(string, tag = "4")]
    pub mode: String,
}

/// `feast.core.StreamFeatureView` (its meta is a [`FeatureViewMeta`]).
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StreamFeatureView {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<StreamFeatureViewSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<FeatureViewMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StreamFeatureViewSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub project: String,
    #[prost(string, repeated, tag = "3")]
    pub entities: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    pub features: Vec<FeatureSpecV2>,
    #[prost(message, repeated, tag = "5")]
    pub entity_columns: Vec<FeatureSpecV2>,
    #[prost(string, tag = "6")]
    pub description: String,
    #[prost(btree_map = "string, string", tag = "7")]
    pub tags: Tags,
    #[prost(string, tag = "8")]
    pub owner: String,
    #[prost(message, optional, tag = "9")]
    pub ttl: Option<Duration>,
    #[prost(message, optional, tag = "10")]
    pub batch_source: Option<DataSource>,
    #[prost(message, optional, tag = "11")]
    pub stream_source: Option<DataSource>,
    #[prost(bool, tag = "12")]
    pub online: bool,
    #[prost(string, tag = "14")]
    pub mode: String,
    #[prost(string, tag = "16")]
    pub timestamp_field: String,
}

/// `feast.core.OnDemandFeatureView`.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnDemandFeatureView {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<OnDemandFeatureViewSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<ObjectMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnDemandFeatureViewSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub project: String,
    #[prost(message, repeated, tag = "3")]
    pub features: Vec<FeatureSpecV2>,
    #[prost(btree_map = "string, message", tag = "4")]
    pub sources: std::collections::BTreeMap<String, OnDemandSource>,
    #[prost(message, optional, tag = "5")]
    pub user_defined_function: Option<UserDefinedFunction>,
    #[prost(string, tag = "6")]
    pub description: String,
    #[prost(btree_map = "string, string", tag = "7")]
    pub tags: Tags,
    #[prost(string, tag = "8")]
    pub owner: String,
    #[prost(message, optional, tag = "10")]
    pub feature_transformation: Option<FeatureTransformationV2>,
    #[prost(string, tag = "11")]
    pub mode: String,
    #[prost(bool, tag = "12")]
    pub write_to_online_store: bool,
    #[prost(string, repeated, tag = "13")]
    pub entities: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnDemandSource {
    #[prost(oneof = "on_demand_source::Source", tags = "1, 2, 3")]
    #[serde(flatten)]
    pub source: Option<on_demand_source::Source>,
}

pub mod on_demand_source {
    #[derive(Clone, PartialEq, prost::Oneof, serde::Deserialize)]
    pub enum Source {
        #[prost(message, boxed, tag = "1")]
        #[serde(rename = "featureView")]
        FeatureView(Box<crate::registry::proto::objects::FeatureView>),
        #[prost(message, boxed, tag = "2")]
        #[serde(rename = "requestDataSource")]
        RequestDataSource(Box<crate::registry::proto::data_source::DataSource>),
        #[prost(message, tag = "3")]
        #[serde(rename = "featureViewProjection")]
        FeatureViewProjection(crate::registry::proto::service::FeatureViewProjection),
    }
}

/// `feast.core.LabelView`.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelView {
    #[prost(message, optional, tag = "1")]
    pub spec: Option<LabelViewSpec>,
    #[prost(message, optional, tag = "2")]
    pub meta: Option<ObjectMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelViewSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub project: String,
    #[prost(string, repeated, tag = "3")]
    pub entities: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    pub features: Vec<FeatureSpecV2>,
    #[prost(btree_map = "string, string", tag = "5")]
    pub tags: Tags,
    #[prost(message, optional, tag = "6")]
    pub ttl: Option<Duration>,
    #[prost(message, optional, tag = "7")]
    pub source: Option<DataSource>,
    #[prost(bool, tag = "8")]
    pub online: bool,
    #[prost(string, tag = "9")]
    pub description: String,
    #[prost(string, tag = "10")]
    pub owner: String,
    #[prost(message, repeated, tag = "11")]
    pub entity_columns: Vec<FeatureSpecV2>,
}
