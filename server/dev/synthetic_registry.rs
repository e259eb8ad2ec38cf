//! A synthetic Feast registry of any size, for the catalog's scale tests, the benchmarks and the
//! browser tests. Test data, so not in the shipped binary: the benches and the integration tests
//! include this file with `#[path]`, and `cargo run -p server --example synthetic_registry --
//! --out registry.db` writes it as a file registry.
//!
//! Per project: one entity, one file data source, `views` feature views (10 features each,
//! tags `team=team-N` and `tier=gold|silver`, an owner per team, half materialized recently)
//! and one feature service over the first three views.

use prost::Message;

use server::registry::proto::{
    self, data_source::FileOptions, data_source::Options, service::FeatureServiceSpec,
    service::FeatureViewProjection, ObjectMeta, Timestamp,
};

pub const FEATURES_PER_VIEW: usize = 10;
/// 2025-01-01T00:00:00Z: every object's creation time.
const CREATED: i64 = 1_735_689_600;

fn stamp(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn meta() -> Option<ObjectMeta> {
    Some(ObjectMeta {
        created_timestamp: stamp(CREATED),
        last_updated_timestamp: stamp(CREATED),
    })
}

pub fn project_name(p: usize) -> String {
    format!("project_{p:02}")
}

pub fn view_name(v: usize) -> String {
    format!("view_{v:04}")
}

/// The team tag of view `v` (five teams).
pub fn team_of(v: usize) -> String {
    format!("team-{}", v % 5)
}

/// Project number `p`.
pub fn project(p: usize) -> proto::Project {
    proto::Project {
        spec: Some(proto::ProjectSpec {
            name: project_name(p),
            description: format!("Synthetic project {p}"),
            ..Default::default()
        }),
        meta: meta(),
    }
}

/// The one entity of a project.
pub fn entity(project: &str) -> proto::Entity {
    proto::Entity {
        spec: Some(proto::EntitySpecV2 {
            name: "driver".into(),
            join_key: "driver_id".into(),
            value_type: 4,
            project: project.into(),
            ..Default::default()
        }),
        meta: meta(),
    }
}

/// The one file data source of a project, which every feature view reads.
pub fn data_source(project: &str) -> proto::DataSource {
    proto::DataSource {
        r#type: 1,
        name: "driver_stats_source".into(),
        project: project.into(),
        timestamp_field: "event_timestamp".into(),
        options: Some(Options::File(FileOptions {
            uri: format!("s3://bucket/{project}/driver_stats.parquet"),
        })),
        ..Default::default()
    }
}

/// Feature view `v` of `project`; `now` decides which materializations are fresh.
pub fn feature_view(project: &str, v: usize, now: i64) -> proto::FeatureView {
    let team = team_of(v);
    // Half the views were materialized an hour ago (fresh), the others ten days ago (stale).
    let end = if v.is_multiple_of(2) {
        now - 3600
    } else {
        now - 10 * 86_400
    };
    proto::FeatureView {
        spec: Some(proto::FeatureViewSpec {
            name: view_name(v),
            project: project.into(),
            entities: vec!["driver".into()],
            features: (0..FEATURES_PER_VIEW)
                .map(|i| proto::FeatureSpecV2 {
                    name: format!("feature_{i}"),
                    value_type: 5,
                    description: "a synthetic feature".into(),
                    ..Default::default()
                })
                .collect(),
            tags: [
                ("team".to_string(), team.clone()),
                (
                    "tier".to_string(),
                    if v.is_multiple_of(3) {
                        "gold"
                    } else {
                        "silver"
                    }
                    .into(),
                ),
            ]
            .into(),
            ttl: Some(proto::Duration {
                seconds: 86_400,
                nanos: 0,
            }),
            batch_source: Some(data_source(project)),
            online: true,
            description: format!("Synthetic statistics number {v} of {project}"),
            owner: format!("{team}@example.com"),
            ..Default::default()
        }),
        meta: Some(proto::FeatureViewMeta {
            created_timestamp: stamp(CREATED),
            last_updated_timestamp: stamp(CREATED + v as i64),
            materialization_intervals: vec![proto::MaterializationInterval {
                start_time: stamp(end - 86_400),
                end_time: stamp(end),
            }],
            ..Default::default()
        }),
    }
}

/// The one feature service of a project (of `views` views): the first feature of its first
/// three views.
pub fn feature_service(project: &str, views: usize) -> proto::FeatureService {
    proto::FeatureService {
        spec: Some(FeatureServiceSpec {
            name: "driver_service".into(),
            project: project.into(),
            features: (0..views.min(3))
                .map(|v| FeatureViewProjection {
                    feature_view_name: view_name(v),
                    feature_columns: vec![proto::FeatureSpecV2 {
                        name: "feature_0".into(),
                        value_type: 5,
                        ..Default::default()
                    }],
                    ..Default::default()
                })
                .collect(),
            owner: "team-0@example.com".into(),
            ..Default::default()
        }),
        meta: meta(),
    }
}

/// The encoded registry: `projects` projects of `views` feature views each.
pub fn synthetic_registry(projects: usize, views: usize, now: i64) -> Vec<u8> {
    let mut registry = proto::Registry {
        registry_schema_version: "1".into(),
        version_id: "synthetic".into(),
        last_updated: stamp(now),
        ..Default::default()
    };
    for p in 0..projects {
        let project = project_name(p);
        registry.projects.push(self::project(p).encode_to_vec());
        registry.entities.push(entity(&project).encode_to_vec());
        registry
            .data_sources
            .push(data_source(&project).encode_to_vec());
        for v in 0..views {
            registry
                .feature_views
                .push(feature_view(&project, v, now).encode_to_vec());
        }
        registry
            .feature_services
            .push(feature_service(&project, views).encode_to_vec());
    }
    registry.encode_to_vec()
}

/// One project (`project_00`) of `objects` objects (feature views, plus its entity, source and
/// service) and `permissions` permissions naming `principals` roles (`role-N`), for the
/// permissions page's scale test and bench. Permission `i` covers feature views (names matching
/// `view_0<i % 10>.*`, so some views are denied) or every type, lists a few actions and grants
/// two roles.
#[allow(
    dead_code,
    reason = "only the permissions-page bench and test call it; the other includers do not"
)]
pub fn permissions_registry(
    objects: usize,
    principals: usize,
    permissions: usize,
    now: i64,
) -> Vec<u8> {
    use app::permissions::{Action, PermissionSpec, Policy, ResourceType};
    let views = objects.saturating_sub(3).max(1);
    let mut registry =
        proto::Registry::decode(synthetic_registry(1, views, now).as_slice()).unwrap_or_default();
    let principals = principals.max(1);
    for i in 0..permissions {
        let mut spec = server::permissions::store::to_proto(&PermissionSpec {
            name: format!("permission_{i:03}"),
            types: if i % 3 == 0 {
                vec![]
            } else {
                vec![ResourceType::FeatureView]
            },
            name_patterns: if i % 3 == 0 {
                vec![]
            } else {
                vec![format!("view_0{}.*", i % 10)]
            },
            required_tags: Default::default(),
            actions: Action::ALL
                .into_iter()
                .enumerate()
                .filter(|(a, _)| (a + i) % 3 != 0)
                .map(|(_, a)| a)
                .collect(),
            policy: Policy::RoleBased {
                roles: vec![
                    format!("role-{}", i % principals),
                    format!("role-{}", (i * 7 + 3) % principals),
                ],
            },
            tags: Default::default(),
        });
        spec.project = project_name(0);
        registry.permissions.push(
            proto::permission::Permission {
                spec: Some(spec),
                meta: meta(),
            }
            .encode_to_vec(),
        );
    }
    registry.encode_to_vec()
}
