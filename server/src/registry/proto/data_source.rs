//! `feast.core.DataSource`: one message for every source type, told apart by `type` and the
//! `options` oneof.

use super::common::{FeatureSpecV2, ObjectMeta, Tags, Timestamp};

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DataSource {
    /// `DataSource.SourceType`.
    #[prost(int32, tag = "1")]
    #[serde(deserialize_with = "crate::registry::proto::json::source_type")]
    pub r#type: i32,
    #[prost(string, tag = "3")]
    pub timestamp_field: String,
    #[prost(string, tag = "5")]
    pub created_timestamp_column: String,
    #[prost(
        oneof = "Options",
        tags = "11, 12, 13, 14, 15, 16, 18, 19, 22, 27, 30, 35"
    )]
    #[serde(flatten)]
    pub options: Option<Options>,
    #[prost(string, tag = "17")]
    pub data_source_class_type: String,
    #[prost(string, tag = "20")]
    pub name: String,
    #[prost(string, tag = "21")]
    pub project: String,
    #[prost(string, tag = "23")]
    pub description: String,
    #[prost(btree_map = "string, string", tag = "24")]
    pub tags: Tags,
    #[prost(string, tag = "25")]
    pub owner: String,
    /// Push, Kafka and Kinesis sources carry the batch source they backfill from.
    #[prost(message, optional, boxed, tag = "26")]
    pub batch_source: Option<Box<DataSource>>,
    /// `SourceMeta`: fields 3 and 4 are created/last-updated (1 and 2 are event-time bounds).
    #[prost(message, optional, tag = "50")]
    pub meta: Option<SourceMeta>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SourceMeta {
    #[prost(message, optional, tag = "3")]
    pub created_timestamp: Option<Timestamp>,
    #[prost(message, optional, tag = "4")]
    pub last_updated_timestamp: Option<Timestamp>,
}

impl SourceMeta {
    pub fn as_object_meta(&self) -> ObjectMeta {
        ObjectMeta {
            created_timestamp: self.created_timestamp,
            last_updated_timestamp: self.last_updated_timestamp,
        }
    }
}

#[derive(Clone, PartialEq, prost::Oneof, serde::Deserialize)]
pub enum Options {
    #[prost(message, tag = "11")]
    #[serde(rename = "fileOptions")]
    File(FileOptions),
    #[prost(message, tag = "12")]
    #[serde(rename = "bigqueryOptions")]
    BigQuery(TableOptions),
    #[prost(message, tag = "13")]
    #[serde(rename = "kafkaOptions")]
    Kafka(KafkaOptions),
    #[prost(message, tag = "14")]
    #[serde(rename = "kinesisOptions")]
    Kinesis(KinesisOptions),
    #[prost(message, tag = "15")]
    #[serde(rename = "redshiftOptions")]
    Redshift(TableOptions),
    #[prost(message, tag = "16")]
    #[serde(rename = "customOptions")]
    Custom(CustomSourceOptions),
    #[prost(message, tag = "18")]
    #[serde(rename = "requestDataOptions")]
    RequestData(RequestDataOptions),
    #[prost(message, tag = "19")]
    #[serde(rename = "snowflakeOptions")]
    Snowflake(TableOptions),
    #[prost(message, tag = "22")]
    #[serde(rename = "pushOptions")]
    Push(PushOptions),
    #[prost(message, tag = "27")]
    #[serde(rename = "sparkOptions")]
    Spark(SparkOptions),
    #[prost(message, tag = "30")]
    #[serde(rename = "trinoOptions")]
    Trino(TableOptions),
    #[prost(message, tag = "35")]
    #[serde(rename = "athenaOptions")]
    Athena(TableOptions),
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileOptions {
    #[prost(string, tag = "2")]
    pub uri: String,
}

/// BigQuery, Redshift, Snowflake, Trino and Athena options all start with `table` and `query`.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TableOptions {
    #[prost(string, tag = "1")]
    pub table: String,
    #[prost(string, tag = "2")]
    pub query: String,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KafkaOptions {
    #[prost(string, tag = "1")]
    pub kafka_bootstrap_servers: String,
    #[prost(string, tag = "2")]
    pub topic: String,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KinesisOptions {
    #[prost(string, tag = "1")]
    pub region: String,
    #[prost(string, tag = "2")]
    pub stream_name: String,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SparkOptions {
    #[prost(string, tag = "1")]
    pub table: String,
    #[prost(string, tag = "2")]
    pub query: String,
    #[prost(string, tag = "3")]
    pub path: String,
}

/// The configuration bytes are opaque (JSON for most custom sources); not decoded.
#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomSourceOptions {}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestDataOptions {
    #[prost(message, repeated, tag = "3")]
    pub schema: Vec<FeatureSpecV2>,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PushOptions {}
