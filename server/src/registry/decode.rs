//! Feast objects to catalog objects: protobuf blobs (SQL and file registries) and the
//! registry server's protobuf JSON decode into the same prost messages, and one conversion
//! turns those into [`CatalogObject`]s. Pure: bytes or JSON in, objects out, no I/O.
//! Strings objects repeat go through an [`Interner`], so a load keeps each once.

use app::catalog::model::{
    CatalogObject, DataSourceDetail, Detail, Field, Interval, ObjectKind, OnDemandDetail,
    PermissionDetail, Projection, ViewDetail,
};
use app::catalog::tags::Tags;
use app::util::shared_str::{Interner, SharedStr};
use app::util::time::Instant;
use prost::Message;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::proto::permission::PermissionCodecError;
use super::proto::{
    self, data_source::Options, names, objects::on_demand_source::Source,
    permission::console_policy, ObjectMeta, PermissionRecord,
};

/// Why one stored object could not be decoded.
#[derive(Debug, thiserror::Error)]
enum DecodeFailure {
    #[error(transparent)]
    Protobuf(#[from] prost::DecodeError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Permission(#[from] PermissionCodecError),
}

/// Which message a blob holds: one per SQL registry table (file registries use the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlobKind {
    Project,
    Entity,
    DataSource,
    /// `feature_views` rows: FeatureView, or BatchFeatureView when a transformation is set.
    FeatureView,
    StreamFeatureView,
    OnDemandFeatureView,
    LabelView,
    FeatureService,
    SavedDataset,
    ValidationReference,
    Permission,
}

impl BlobKind {
    pub const ALL: [BlobKind; 11] = [
        BlobKind::Project,
        BlobKind::Entity,
        BlobKind::DataSource,
        BlobKind::FeatureView,
        BlobKind::StreamFeatureView,
        BlobKind::OnDemandFeatureView,
        BlobKind::LabelView,
        BlobKind::FeatureService,
        BlobKind::SavedDataset,
        BlobKind::ValidationReference,
        BlobKind::Permission,
    ];

    /// The kind an unreadable blob is listed under.
    pub fn object_kind(self) -> ObjectKind {
        match self {
            BlobKind::Project => ObjectKind::Project,
            BlobKind::Entity => ObjectKind::Entity,
            BlobKind::DataSource => ObjectKind::DataSource,
            BlobKind::FeatureView => ObjectKind::FeatureView,
            BlobKind::StreamFeatureView => ObjectKind::StreamFeatureView,
            BlobKind::OnDemandFeatureView => ObjectKind::OnDemandFeatureView,
            BlobKind::LabelView => ObjectKind::LabelView,
            BlobKind::FeatureService => ObjectKind::FeatureService,
            BlobKind::SavedDataset => ObjectKind::SavedDataset,
            BlobKind::ValidationReference => ObjectKind::ValidationReference,
            BlobKind::Permission => ObjectKind::Permission,
        }
    }
}

/// Decodes one blob. `project` comes from the row (SQL `project_id`) or, for file
/// registries, from the object itself. On error the object is still returned, as unreadable,
/// under `fallback_name` (the row's name column, or the position in the file).
pub fn decode_blob(
    kind: BlobKind,
    project: &str,
    fallback_name: &str,
    bytes: &[u8],
) -> CatalogObject {
    decode_blob_interned(
        kind,
        project,
        fallback_name,
        bytes,
        &mut Interner::default(),
    )
}

/// [`decode_blob`], sharing repeated strings with the other objects `interner` has seen.
pub fn decode_blob_interned(
    kind: BlobKind,
    project: &str,
    fallback_name: &str,
    bytes: &[u8],
    interner: &mut Interner,
) -> CatalogObject {
    let decoded = try_decode(kind, project, bytes, interner);
    or_unreadable(kind, project, fallback_name, decoded)
}

/// Decodes one item of a registry server listing (`{spec, meta}`, or a data source). On error
/// the object is still returned, as unreadable, under the name the item gives, if any.
pub fn decode_json(kind: BlobKind, project: &str, value: &Value) -> CatalogObject {
    let name = value
        .get("spec")
        .unwrap_or(value)
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let decoded = try_decode(kind, project, value, &mut Interner::default());
    or_unreadable(kind, project, name, decoded)
}

fn or_unreadable(
    kind: BlobKind,
    project: &str,
    fallback_name: &str,
    decoded: Result<CatalogObject, DecodeFailure>,
) -> CatalogObject {
    decoded.unwrap_or_else(|e| {
        CatalogObject::unreadable(
            kind.object_kind(),
            project,
            fallback_name,
            format!("cannot decode: {}", app::backend::error_chain(&e)),
        )
    })
}

/// Where a message is decoded from: protobuf bytes or protobuf JSON.
trait Encoded {
    fn message<M: Message + Default + DeserializeOwned>(&self) -> Result<M, DecodeFailure>;

    fn permission(&self) -> Result<proto::Permission, DecodeFailure> {
        self.message()
    }
}

impl Encoded for &[u8] {
    fn message<M: Message + Default + DeserializeOwned>(&self) -> Result<M, DecodeFailure> {
        Ok(M::decode(*self)?)
    }

    /// Also checks the framing, as the permission writer does before it writes.
    fn permission(&self) -> Result<proto::Permission, DecodeFailure> {
        Ok(PermissionRecord::decode(self)?.message)
    }
}

impl Encoded for &Value {
    fn message<M: Message + Default + DeserializeOwned>(&self) -> Result<M, DecodeFailure> {
        Ok(M::deserialize(*self)?)
    }
}

/// The `spec.project` stored in a blob (file registries rely on it; SQL rows do not).
pub fn stored_project(kind: BlobKind, bytes: &[u8]) -> Option<String> {
    let project = match kind {
        BlobKind::Project => proto::Project::decode(bytes).ok()?.spec?.name,
        BlobKind::Entity => proto::Entity::decode(bytes).ok()?.spec?.project,
        BlobKind::DataSource => proto::DataSource::decode(bytes).ok()?.project,
        BlobKind::FeatureView => proto::FeatureView::decode(bytes).ok()?.spec?.project,
        BlobKind::StreamFeatureView => proto::StreamFeatureView::decode(bytes).ok()?.spec?.project,
        BlobKind::OnDemandFeatureView => {
            proto::OnDemandFeatureView::decode(bytes)
                .ok()?
                .spec?
                .project
        }
        BlobKind::LabelView => proto::LabelView::decode(bytes).ok()?.spec?.project,
        BlobKind::FeatureService => proto::FeatureService::decode(bytes).ok()?.spec?.project,
        BlobKind::SavedDataset => proto::SavedDataset::decode(bytes).ok()?.spec?.project,
        BlobKind::ValidationReference => proto::ValidationReference::decode(bytes).ok()?.project,
        BlobKind::Permission => proto::Permission::decode(bytes).ok()?.spec?.project,
    };
    Some(project)
}

/// [`base`] for a spec with the usual `name`, `description`, `owner` and `tags` fields (the
/// spec types differ per kind, so a macro rather than a function).
macro_rules! described {
    ($kind:expr, $project:expr, $spec:ident, $meta:expr, $detail:expr, $interner:expr) => {
        base(
            $kind,
            $project,
            Described {
                name: &$spec.name,
                description: &$spec.description,
                owner: &$spec.owner,
                tags: $spec.tags,
            },
            $meta,
            $detail,
            $interner,
        )
    };
}

/// A feature view or stream feature view: the same spec fields in two message types.
macro_rules! feature_view {
    ($kind:expr, $project:expr, $message:ident, $interner:expr) => {{
        let s = $message.spec.unwrap_or_default();
        let meta = $message.meta.unwrap_or_default();
        let i: &mut Interner = $interner;
        let detail = ViewDetail {
            entities: s.entities.iter().map(|e| i.intern(e)).collect(),
            features: fields(&s.features, i),
            entity_columns: fields(&s.entity_columns, i),
            ttl_seconds: s.ttl.map(|d| d.seconds).unwrap_or(0),
            online: s.online,
            batch_source: s.batch_source.map(|d| i.intern(&d.name)),
            stream_source: s.stream_source.map(|d| i.intern(&d.name)),
            materialization_intervals: intervals(&meta.materialization_intervals),
            mode: i.intern(&s.mode),
        };
        let meta = ObjectMeta {
            created_timestamp: meta.created_timestamp,
            last_updated_timestamp: meta.last_updated_timestamp,
        };
        described!($kind, $project, s, Some(meta), Detail::View(detail), i)
    }};
}

fn try_decode(
    kind: BlobKind,
    project: &str,
    input: impl Encoded,
    interner: &mut Interner,
) -> Result<CatalogObject, DecodeFailure> {
    let object = match kind {
        BlobKind::Project => {
            let m = input.message::<proto::Project>()?;
            let spec = m.spec.unwrap_or_default();
            described!(
                ObjectKind::Project,
                project,
                spec,
                m.meta,
                Detail::Project,
                interner
            )
        }
        BlobKind::Entity => {
            let m = input.message::<proto::Entity>()?;
            let s = m.spec.unwrap_or_default();
            let detail = Detail::Entity {
                join_key: s.join_key,
                value_type: names::value_type(s.value_type),
            };
            described!(ObjectKind::Entity, project, s, m.meta, detail, interner)
        }
        BlobKind::DataSource => {
            data_source(project, input.message::<proto::DataSource>()?, interner)
        }
        BlobKind::FeatureView => {
            let m = input.message::<proto::FeatureView>()?;
            let batch = m
                .spec
                .as_ref()
                .is_some_and(|s| s.feature_transformation.is_some());
            let kind = if batch {
                ObjectKind::BatchFeatureView
            } else {
                ObjectKind::FeatureView
            };
            feature_view!(kind, project, m, interner)
        }
        BlobKind::StreamFeatureView => {
            let m = input.message::<proto::StreamFeatureView>()?;
            feature_view!(ObjectKind::StreamFeatureView, project, m, interner)
        }
        BlobKind::OnDemandFeatureView => {
            let m = input.message::<proto::OnDemandFeatureView>()?;
            let s = m.spec.unwrap_or_default();
            let mut sources: Vec<String> = s
                .sources
                .iter()
                .map(|(key, src)| match &src.source {
                    Some(Source::FeatureView(fv)) => fv
                        .spec
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_else(|| key.clone()),
                    Some(Source::RequestDataSource(ds)) => ds.name.clone(),
                    Some(Source::FeatureViewProjection(p)) => p.feature_view_name.clone(),
                    None => key.clone(),
                })
                .collect();
            sources.sort();
            let mut request_schema: Vec<Field> = s
                .sources
                .values()
                .filter_map(|src| match &src.source {
                    Some(Source::RequestDataSource(ds)) => match &ds.options {
                        Some(Options::RequestData(r)) => Some(fields(&r.schema, interner)),
                        _ => None,
                    },
                    _ => None,
                })
                .flatten()
                .collect();
            request_schema.sort_by(|a, b| a.name.cmp(&b.name));
            // Feast 0.67 writes the V2 transformation; older registries only the first UDF.
            let (transformation_name, transformation_text) = s
                .feature_transformation
                .and_then(|t| t.user_defined_function)
                .map(|u| (u.name, u.body_text))
                .or_else(|| s.user_defined_function.map(|u| (u.name, u.body_text)))
                .unwrap_or_default();
            let detail = OnDemandDetail {
                features: fields(&s.features, interner),
                sources,
                mode: s.mode,
                request_schema,
                transformation_name,
                transformation_text,
                write_to_online_store: s.write_to_online_store,
            };
            described!(
                ObjectKind::OnDemandFeatureView,
                project,
                s,
                m.meta,
                Detail::OnDemandView(detail),
                interner
            )
        }
        BlobKind::LabelView => {
            let m = input.message::<proto::LabelView>()?;
            let s = m.spec.unwrap_or_default();
            let detail = ViewDetail {
                entities: s.entities.iter().map(|e| interner.intern(e)).collect(),
                features: fields(&s.features, interner),
                entity_columns: fields(&s.entity_columns, interner),
                ttl_seconds: s.ttl.map(|d| d.seconds).unwrap_or(0),
                online: s.online,
                batch_source: s.source.map(|d| interner.intern(&d.name)),
                stream_source: None,
                materialization_intervals: Vec::new(),
                mode: SharedStr::default(),
            };
            described!(
                ObjectKind::LabelView,
                project,
                s,
                m.meta,
                Detail::View(detail),
                interner
            )
        }
        BlobKind::FeatureService => {
            let m = input.message::<proto::FeatureService>()?;
            let s = m.spec.unwrap_or_default();
            let projections = s
                .features
                .into_iter()
                .map(|p| Projection {
                    view: p.feature_view_name,
                    alias: p.feature_view_name_alias,
                    features: p.feature_columns.into_iter().map(|f| f.name).collect(),
                })
                .collect();
            described!(
                ObjectKind::FeatureService,
                project,
                s,
                m.meta,
                Detail::FeatureService { projections },
                interner
            )
        }
        BlobKind::SavedDataset => {
            let m = input.message::<proto::SavedDataset>()?;
            let s = m.spec.unwrap_or_default();
            let storage = s
                .storage
                .and_then(|st| st.file_storage)
                .map(|f| f.uri)
                .unwrap_or_default();
            let detail = Detail::SavedDataset {
                features: s.features,
                join_keys: s.join_keys,
                storage,
            };
            let described = Described {
                name: &s.name,
                description: &s.description,
                owner: "",
                tags: s.tags,
            };
            base(
                ObjectKind::SavedDataset,
                project,
                described,
                m.meta,
                detail,
                interner,
            )
        }
        BlobKind::ValidationReference => {
            let m = input.message::<proto::ValidationReference>()?;
            let detail = Detail::ValidationReference {
                reference_dataset: m.reference_dataset_name,
            };
            let described = Described {
                name: &m.name,
                description: &m.description,
                owner: "",
                tags: m.tags,
            };
            base(
                ObjectKind::ValidationReference,
                project,
                described,
                None,
                detail,
                interner,
            )
        }
        BlobKind::Permission => permission(project, input.permission()?, interner),
    };
    Ok(object)
}

/// The fields every spec names alike.
struct Described<'a> {
    name: &'a str,
    description: &'a str,
    owner: &'a str,
    tags: proto::Tags,
}

fn base(
    kind: ObjectKind,
    project: &str,
    described: Described<'_>,
    meta: Option<ObjectMeta>,
    detail: Detail,
    interner: &mut Interner,
) -> CatalogObject {
    let meta = meta.unwrap_or_default();
    CatalogObject {
        kind,
        project: interner.intern(project),
        // Names and descriptions are mostly unique: shared only when another holds the same.
        name: interner.intern(described.name),
        description: interner.intern(described.description),
        owner: interner.intern(described.owner),
        tags: Tags::from_map_with(described.tags, |t| interner.intern(t)),
        created: instant(meta.created_timestamp),
        updated: instant(meta.last_updated_timestamp),
        detail,
    }
}

fn instant(ts: Option<proto::Timestamp>) -> Option<Instant> {
    ts.and_then(|t| Instant::new(t.seconds, t.nanos))
}

fn fields(specs: &[proto::FeatureSpecV2], interner: &mut Interner) -> Vec<Field> {
    specs
        .iter()
        .map(|f| Field {
            name: interner.intern(&f.name),
            dtype: interner.intern(&names::value_type(f.value_type)),
            description: interner.intern(&f.description),
        })
        .collect()
}

fn intervals(list: &[proto::MaterializationInterval]) -> Vec<Interval> {
    list.iter()
        .map(|i| Interval {
            start: instant(i.start_time),
            end: instant(i.end_time),
        })
        .collect()
}

fn data_source(project: &str, m: proto::DataSource, interner: &mut Interner) -> CatalogObject {
    let (location, schema) = match &m.options {
        Some(Options::File(f)) => (f.uri.clone(), Vec::new()),
        Some(Options::Kafka(k)) => (
            format!("{}/{}", k.kafka_bootstrap_servers, k.topic),
            Vec::new(),
        ),
        Some(Options::Kinesis(k)) => (format!("{}/{}", k.region, k.stream_name), Vec::new()),
        Some(
            Options::BigQuery(t)
            | Options::Redshift(t)
            | Options::Snowflake(t)
            | Options::Trino(t)
            | Options::Athena(t),
        ) => (
            if t.table.is_empty() {
                t.query.clone()
            } else {
                t.table.clone()
            },
            Vec::new(),
        ),
        Some(Options::Spark(s)) => {
            let loc = [&s.table, &s.path, &s.query]
                .into_iter()
                .find(|v| !v.is_empty())
                .cloned()
                .unwrap_or_default();
            (loc, Vec::new())
        }
        Some(Options::RequestData(r)) => (String::new(), fields(&r.schema, interner)),
        Some(Options::Custom(_) | Options::Push(_)) | None => (String::new(), Vec::new()),
    };
    let detail = DataSourceDetail {
        source_type: names::source_type(m.r#type),
        timestamp_field: m.timestamp_field,
        location,
        batch_source: m.batch_source.map(|b| b.name),
        schema,
    };
    let meta = m.meta.map(|meta| meta.as_object_meta());
    described!(
        ObjectKind::DataSource,
        project,
        m,
        meta,
        Detail::DataSource(detail),
        interner
    )
}

fn permission(project: &str, m: proto::Permission, interner: &mut Interner) -> CatalogObject {
    let s = m.spec.unwrap_or_default();
    // None: no policy field at all (never written by Feast's SDK).
    let policy = s.policy.map(|p| console_policy(p.policy_type));
    let detail = PermissionDetail {
        types: s.types.iter().map(|t| names::permission_type(*t)).collect(),
        name_patterns: s.name_patterns,
        required_tags: s.required_tags,
        actions: s
            .actions
            .iter()
            .map(|a| names::authzed_action(*a))
            .collect(),
        policy,
    };
    let described = Described {
        name: &s.name,
        description: "",
        owner: "",
        tags: s.tags,
    };
    base(
        ObjectKind::Permission,
        project,
        described,
        m.meta,
        Detail::Permission(detail),
        interner,
    )
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod json_tests;
