//! The catalog's domain model: what a Feast registry holds, as the console shows it.
//!
//! Pure data (serde only): the server builds it from protobuf or REST JSON, the browser
//! receives it from server functions, and `catalog export` prints it.
//!
//! Strings an object shares with many others (project, owner, tags, feature names and types)
//! are [`SharedStr`]s, which a load interns, and tags are [`Tags`]: at 100,000 feature views
//! the catalog is most of the console's memory. Both serialize as `String` and a map did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tags::Tags;
use crate::permissions::model::Policy;
use crate::util::shared_str::SharedStr;
use crate::util::time::Instant;

/// Every kind of object a Feast registry stores, in the order the console lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Project,
    Entity,
    DataSource,
    FeatureView,
    BatchFeatureView,
    StreamFeatureView,
    OnDemandFeatureView,
    LabelView,
    FeatureService,
    SavedDataset,
    ValidationReference,
    Permission,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 12] = [
        ObjectKind::Project,
        ObjectKind::Entity,
        ObjectKind::DataSource,
        ObjectKind::FeatureView,
        ObjectKind::BatchFeatureView,
        ObjectKind::StreamFeatureView,
        ObjectKind::OnDemandFeatureView,
        ObjectKind::LabelView,
        ObjectKind::FeatureService,
        ObjectKind::SavedDataset,
        ObjectKind::ValidationReference,
        ObjectKind::Permission,
    ];

    /// The snake_case name used in exports and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Project => "project",
            ObjectKind::Entity => "entity",
            ObjectKind::DataSource => "data_source",
            ObjectKind::FeatureView => "feature_view",
            ObjectKind::BatchFeatureView => "batch_feature_view",
            ObjectKind::StreamFeatureView => "stream_feature_view",
            ObjectKind::OnDemandFeatureView => "on_demand_feature_view",
            ObjectKind::LabelView => "label_view",
            ObjectKind::FeatureService => "feature_service",
            ObjectKind::SavedDataset => "saved_dataset",
            ObjectKind::ValidationReference => "validation_reference",
            ObjectKind::Permission => "permission",
        }
    }

    /// A plural label for people.
    pub fn plural_label(self) -> &'static str {
        match self {
            ObjectKind::Project => "Projects",
            ObjectKind::Entity => "Entities",
            ObjectKind::DataSource => "Data sources",
            ObjectKind::FeatureView => "Feature views",
            ObjectKind::BatchFeatureView => "Batch feature views",
            ObjectKind::StreamFeatureView => "Stream feature views",
            ObjectKind::OnDemandFeatureView => "On-demand feature views",
            ObjectKind::LabelView => "Label views",
            ObjectKind::FeatureService => "Feature services",
            ObjectKind::SavedDataset => "Saved datasets",
            ObjectKind::ValidationReference => "Validation references",
            ObjectKind::Permission => "Permissions",
        }
    }

    pub fn parse(text: &str) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One registry object. Common fields first; what only some kinds have is in `detail`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogObject {
    pub kind: ObjectKind,
    /// From the registry row's `project_id` (the blob's own `spec.project` is unreliable).
    pub project: SharedStr,
    pub name: SharedStr,
    pub description: SharedStr,
    pub owner: SharedStr,
    pub tags: Tags,
    pub created: Option<Instant>,
    pub updated: Option<Instant>,
    #[serde(flatten)]
    pub detail: Detail,
}

impl CatalogObject {
    /// An object whose stored bytes could not be decoded: listed with its error, never dropped.
    pub fn unreadable(kind: ObjectKind, project: &str, name: &str, error: String) -> CatalogObject {
        CatalogObject {
            kind,
            project: project.into(),
            name: name.into(),
            description: SharedStr::default(),
            owner: SharedStr::default(),
            tags: Tags::default(),
            created: None,
            updated: None,
            detail: Detail::Unreadable { error },
        }
    }

    pub fn is_unreadable(&self) -> bool {
        matches!(self.detail, Detail::Unreadable { .. })
    }

    /// Feast's implicit entity for entity-less views; hidden unless asked for.
    pub fn is_internal(&self) -> bool {
        self.kind == ObjectKind::Entity && self.name == DUMMY_ENTITY_NAME
    }

    /// Stable listing order: project, kind, name.
    pub fn sort_key(&self) -> (&str, ObjectKind, &str) {
        (&self.project, self.kind, &self.name)
    }
}

/// The name of the entity Feast adds to every project for entity-less feature views.
pub const DUMMY_ENTITY_NAME: &str = "__dummy";

/// What only some kinds carry. Serialized flat into the object with a `detail` tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "detail", rename_all = "snake_case")]
pub enum Detail {
    Project,
    Entity {
        join_key: String,
        /// Feast value type name (`INT64`, `STRING`); `INVALID` on the implicit `__dummy` entity.
        value_type: String,
    },
    DataSource(DataSourceDetail),
    View(ViewDetail),
    OnDemandView(OnDemandDetail),
    FeatureService {
        projections: Vec<Projection>,
    },
    SavedDataset {
        features: Vec<String>,
        join_keys: Vec<String>,
        /// Where the rows were written (file path or table), empty when unknown.
        storage: String,
    },
    ValidationReference {
        reference_dataset: String,
    },
    Permission(PermissionDetail),
    /// The bytes could not be decoded; `error` says why.
    Unreadable {
        error: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSourceDetail {
    /// Feast's `DataSource.SourceType` name: `BATCH_FILE`, `STREAM_KAFKA`, `PUSH_SOURCE`, ...
    pub source_type: String,
    pub timestamp_field: String,
    /// File URI, table, topic or stream: where the data is; empty for request and push sources.
    pub location: String,
    /// The batch source behind a push, Kafka or Kinesis source.
    pub batch_source: Option<String>,
    /// Request sources: the fields a caller must send.
    pub schema: Vec<Field>,
}

/// A feature or entity column with its Feast value type name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: SharedStr,
    pub dtype: SharedStr,
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub description: SharedStr,
}

/// Feature views of every materialized kind (plain, batch, stream, label).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewDetail {
    pub entities: Vec<SharedStr>,
    pub features: Vec<Field>,
    pub entity_columns: Vec<Field>,
    /// 0 means "never expires" in Feast.
    pub ttl_seconds: i64,
    pub online: bool,
    pub batch_source: Option<SharedStr>,
    pub stream_source: Option<SharedStr>,
    pub materialization_intervals: Vec<Interval>,
    /// Transformation mode of batch and stream views (`pandas`, `spark`, ...).
    #[serde(default, skip_serializing_if = "SharedStr::is_empty")]
    pub mode: SharedStr,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OnDemandDetail {
    pub features: Vec<Field>,
    /// Source feature views and request sources, sorted by name.
    pub sources: Vec<String>,
    pub mode: String,
    /// The fields callers must send with each request (from the request sources).
    #[serde(default)]
    pub request_schema: Vec<Field>,
    /// The transformation's name and Python source text as Feast stored it (`body_text`);
    /// shown as text, never run. Empty when the registry holds none.
    #[serde(default)]
    pub transformation_name: String,
    #[serde(default)]
    pub transformation_text: String,
    /// Results are written to the online store at ingestion rather than computed per request.
    #[serde(default)]
    pub write_to_online_store: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: Option<Instant>,
    pub end: Option<Instant>,
}

/// One feature view as a feature service uses it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    pub view: String,
    /// The `with_name` alias, empty when none.
    pub alias: String,
    pub features: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionDetail {
    /// Feast `PermissionSpec.Type` names in stored order.
    pub types: Vec<String>,
    pub name_patterns: Vec<String>,
    pub required_tags: BTreeMap<String, String>,
    /// Feast `AuthzedAction` names in stored order.
    pub actions: Vec<String>,
    /// None: the permission has no policy field at all (never written by Feast's SDK).
    pub policy: Option<Policy>,
}

/// One row of a feature view's version history (`feature_view_version_history`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewVersion {
    pub project: String,
    pub view: String,
    /// `feature_view`, `stream_feature_view`, `on_demand_feature_view` or `label_view`.
    pub view_type: String,
    pub version_number: i32,
    pub version_id: String,
    pub created: Option<Instant>,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_flat_with_kind_and_detail_tags() {
        let mut o = CatalogObject::unreadable(ObjectKind::Entity, "p", "driver", String::new());
        o.detail = Detail::Entity {
            join_key: "driver_id".into(),
            value_type: "INT64".into(),
        };
        o.created = Instant::new(1_735_689_600, 0);
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["kind"], "entity");
        assert_eq!(json["detail"], "entity");
        assert_eq!(json["join_key"], "driver_id");
        assert_eq!(json["created"], "2025-01-01T00:00:00Z");
        assert_eq!(json["updated"], serde_json::Value::Null);
        let back: CatalogObject = serde_json::from_value(json).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn permission_policy_round_trips() {
        let mut o = CatalogObject::unreadable(ObjectKind::Permission, "p", "x", String::new());
        o.detail = Detail::Permission(PermissionDetail {
            types: vec!["FEATURE_VIEW".into()],
            name_patterns: vec![],
            required_tags: BTreeMap::new(),
            actions: vec!["CREATE".into()],
            policy: Some(Policy::CombinedGroupNamespace {
                groups: vec!["g".into()],
                namespaces: vec!["n".into()],
            }),
        });
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["policy"]["kind"], "combined_group_namespace");
        assert_eq!(serde_json::from_value::<CatalogObject>(json).unwrap(), o);
    }

    #[test]
    fn kinds_have_stable_names_and_dummy_is_internal() {
        for k in ObjectKind::ALL {
            assert_eq!(ObjectKind::parse(k.as_str()), Some(k));
        }
        let dummy =
            CatalogObject::unreadable(ObjectKind::Entity, "p", DUMMY_ENTITY_NAME, String::new());
        assert!(dummy.is_internal());
    }
}
