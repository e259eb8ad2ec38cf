//! Registry server REST JSON (protobuf JSON: lowerCamelCase, enums by name, defaults omitted)
//! to catalog objects. Pure: values in, objects out.

use std::collections::BTreeMap;

use app::catalog::model::{
    CatalogObject, DataSourceDetail, Detail, Field, Interval, ObjectKind, OnDemandDetail,
    PermissionDetail, Policy, Projection, ViewDetail,
};
use app::util::time::Instant;
use serde_json::Value;

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn map(v: &Value, key: &str) -> BTreeMap<String, String> {
    v.get(key)
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn instant(v: &Value, key: &str) -> Option<Instant> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(Instant::parse_rfc3339)
}

/// Protobuf JSON durations: `"86400s"`, `"1.5s"`.
fn duration_seconds(v: &Value, key: &str) -> i64 {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| s.strip_suffix('s'))
        .and_then(|s| s.split('.').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn fields(v: &Value, key: &str) -> Vec<Field> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|f| Field {
                    name: text(f, "name"),
                    dtype: f
                        .get("valueType")
                        .and_then(Value::as_str)
                        .unwrap_or("INVALID")
                        .to_string(),
                    description: text(f, "description"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn spec(v: &Value) -> &Value {
    v.get("spec").unwrap_or(&Value::Null)
}

fn meta(v: &Value) -> &Value {
    v.get("meta").unwrap_or(&Value::Null)
}

fn base(
    kind: ObjectKind,
    project: &str,
    spec: &Value,
    meta: &Value,
    detail: Detail,
) -> CatalogObject {
    CatalogObject {
        kind,
        project: project.to_string(),
        name: text(spec, "name"),
        description: text(spec, "description"),
        owner: text(spec, "owner"),
        tags: map(spec, "tags"),
        created: instant(meta, "createdTimestamp"),
        updated: instant(meta, "lastUpdatedTimestamp"),
        detail,
    }
}

pub fn project(v: &Value) -> CatalogObject {
    let name = text(spec(v), "name");
    base(
        ObjectKind::Project,
        &name,
        spec(v),
        meta(v),
        Detail::Project,
    )
}

pub fn entity(project: &str, v: &Value) -> CatalogObject {
    let s = spec(v);
    let detail = Detail::Entity {
        join_key: text(s, "joinKey"),
        value_type: s
            .get("valueType")
            .and_then(Value::as_str)
            .unwrap_or("INVALID")
            .to_string(),
    };
    base(ObjectKind::Entity, project, s, meta(v), detail)
}

pub fn data_source(project: &str, v: &Value) -> CatalogObject {
    let opt = |k: &str| v.get(k).unwrap_or(&Value::Null);
    let location = if let Some(f) = v.get("fileOptions") {
        text(f, "uri")
    } else if let Some(k) = v.get("kafkaOptions") {
        format!("{}/{}", text(k, "kafkaBootstrapServers"), text(k, "topic"))
    } else if let Some(k) = v.get("kinesisOptions") {
        format!("{}/{}", text(k, "region"), text(k, "streamName"))
    } else {
        [
            "bigqueryOptions",
            "redshiftOptions",
            "snowflakeOptions",
            "trinoOptions",
            "athenaOptions",
            "sparkOptions",
        ]
        .iter()
        .map(|k| opt(k))
        .find(|o| !o.is_null())
        .map(|o| {
            ["table", "path", "query"]
                .iter()
                .map(|k| text(o, k))
                .find(|t| !t.is_empty())
                .unwrap_or_default()
        })
        .unwrap_or_default()
    };
    let detail = DataSourceDetail {
        source_type: v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("INVALID")
            .to_string(),
        timestamp_field: text(v, "timestampField"),
        location,
        batch_source: v.get("batchSource").map(|b| text(b, "name")),
        schema: fields(opt("requestDataOptions"), "schema"),
    };
    let m = v.get("meta").unwrap_or(&Value::Null);
    let mut o = base(
        ObjectKind::DataSource,
        project,
        v,
        &Value::Null,
        Detail::DataSource(detail),
    );
    o.created = instant(m, "createdTimestamp");
    o.updated = instant(m, "lastUpdatedTimestamp");
    o
}

/// An item of `/feature_views` (with `type`) or of `/label_views` (`type` absent).
pub fn any_feature_view(project: &str, v: &Value, label_view: bool) -> CatalogObject {
    let s = spec(v);
    let m = meta(v);
    let kind = match (label_view, v.get("type").and_then(Value::as_str)) {
        (true, _) => ObjectKind::LabelView,
        (_, Some("onDemandFeatureView")) => ObjectKind::OnDemandFeatureView,
        (_, Some("streamFeatureView")) => ObjectKind::StreamFeatureView,
        _ if s.get("featureTransformation").is_some() => ObjectKind::BatchFeatureView,
        _ => ObjectKind::FeatureView,
    };
    if kind == ObjectKind::OnDemandFeatureView {
        let mut sources: Vec<String> = s
            .get("sources")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(key, src)| {
                        let name = src
                            .get("featureView")
                            .map(|fv| text(spec(fv), "name"))
                            .or_else(|| src.get("requestDataSource").map(|r| text(r, "name")))
                            .or_else(|| {
                                src.get("featureViewProjection")
                                    .map(|p| text(p, "featureViewName"))
                            })
                            .unwrap_or_default();
                        if name.is_empty() {
                            key.clone()
                        } else {
                            name
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        sources.sort();
        let mut request_schema: Vec<Field> = s
            .get("sources")
            .and_then(Value::as_object)
            .map(|o| {
                o.values()
                    .filter_map(|src| src.get("requestDataSource"))
                    .flat_map(|r| {
                        fields(
                            r.get("requestDataOptions").unwrap_or(&Value::Null),
                            "schema",
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        request_schema.sort_by(|a, b| a.name.cmp(&b.name));
        // Feast 0.67 writes the V2 transformation; older registries only the first UDF.
        let udf = s
            .get("featureTransformation")
            .and_then(|t| t.get("userDefinedFunction"))
            .or_else(|| s.get("userDefinedFunction"))
            .unwrap_or(&Value::Null);
        let detail = OnDemandDetail {
            features: fields(s, "features"),
            sources,
            mode: text(s, "mode"),
            request_schema,
            transformation_name: text(udf, "name"),
            transformation_text: text(udf, "bodyText"),
            write_to_online_store: s
                .get("writeToOnlineStore")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        return base(kind, project, s, m, Detail::OnDemandView(detail));
    }
    let source_name = |k: &str| s.get(k).map(|b| text(b, "name"));
    let detail = ViewDetail {
        entities: strings(s, "entities"),
        features: fields(s, "features"),
        entity_columns: fields(s, "entityColumns"),
        ttl_seconds: duration_seconds(s, "ttl"),
        online: s.get("online").and_then(Value::as_bool).unwrap_or(false),
        batch_source: if label_view {
            source_name("source")
        } else {
            source_name("batchSource")
        },
        stream_source: source_name("streamSource"),
        materialization_intervals: m
            .get("materializationIntervals")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|i| Interval {
                        start: instant(i, "startTime"),
                        end: instant(i, "endTime"),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        mode: text(s, "mode"),
    };
    base(kind, project, s, m, Detail::View(detail))
}

pub fn feature_service(project: &str, v: &Value) -> CatalogObject {
    let s = spec(v);
    let projections = s
        .get("features")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| Projection {
                    view: text(p, "featureViewName"),
                    alias: text(p, "featureViewNameAlias"),
                    features: fields(p, "featureColumns")
                        .into_iter()
                        .map(|f| f.name)
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    base(
        ObjectKind::FeatureService,
        project,
        s,
        meta(v),
        Detail::FeatureService { projections },
    )
}

pub fn saved_dataset(project: &str, v: &Value) -> CatalogObject {
    let s = spec(v);
    let storage = s
        .get("storage")
        .and_then(|st| st.get("fileStorage"))
        .map(|f| text(f, "uri"))
        .unwrap_or_default();
    let detail = Detail::SavedDataset {
        features: strings(s, "features"),
        join_keys: strings(s, "joinKeys"),
        storage,
    };
    let mut o = base(ObjectKind::SavedDataset, project, s, meta(v), detail);
    o.owner.clear();
    o
}

pub fn permission(project: &str, v: &Value) -> CatalogObject {
    let s = spec(v);
    let policy = match s.get("policy") {
        None => Policy::Missing,
        Some(p) => {
            if let Some(r) = p.get("roleBasedPolicy") {
                Policy::RoleBased {
                    roles: strings(r, "roles"),
                }
            } else if let Some(g) = p.get("groupBasedPolicy") {
                Policy::GroupBased {
                    groups: strings(g, "groups"),
                }
            } else if let Some(n) = p.get("namespaceBasedPolicy") {
                Policy::NamespaceBased {
                    namespaces: strings(n, "namespaces"),
                }
            } else if let Some(c) = p.get("combinedGroupNamespacePolicy") {
                Policy::CombinedGroupNamespace {
                    groups: strings(c, "groups"),
                    namespaces: strings(c, "namespaces"),
                }
            } else {
                Policy::AllowAll
            }
        }
    };
    let detail = PermissionDetail {
        types: strings(s, "types"),
        name_patterns: strings(s, "namePatterns"),
        required_tags: map(s, "requiredTags"),
        actions: strings(s, "actions"),
        policy,
    };
    let mut o = base(
        ObjectKind::Permission,
        project,
        s,
        meta(v),
        Detail::Permission(detail),
    );
    o.description.clear();
    o.owner.clear();
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn feature_view_from_rest_json() {
        let v = json!({"type": "featureView", "spec": {"name": "driver_hourly_stats", "entities": ["driver"],
            "features": [{"name": "conv_rate", "valueType": "FLOAT"}], "ttl": "86400s",
            "batchSource": {"type": "BATCH_FILE", "name": "driver_stats_source"}, "online": true, "owner": "alice"},
            "meta": {"createdTimestamp": "2026-11-26T12:10:10.245654Z",
              "materializationIntervals": [{"startTime": "2025-01-01T00:00:00Z", "endTime": "2025-01-08T00:00:00Z"}]}});
        let o = any_feature_view("p", &v, false);
        assert_eq!(o.kind, ObjectKind::FeatureView);
        let Detail::View(d) = o.detail else { panic!() };
        assert_eq!(d.ttl_seconds, 86_400);
        assert_eq!(d.batch_source.as_deref(), Some("driver_stats_source"));
        assert_eq!(
            d.materialization_intervals[0].end.unwrap().to_rfc3339(),
            "2025-01-08T00:00:00Z"
        );
    }

    #[test]
    fn permission_policies_and_defaults() {
        let v = json!({"spec": {"name": "x", "types": ["FEATURE_VIEW"], "actions": ["CREATE"],
            "policy": {"combinedGroupNamespacePolicy": {"groups": ["g"], "namespaces": ["n"]}}}});
        let Detail::Permission(p) = permission("p", &v).detail else {
            panic!()
        };
        assert_eq!(
            p.policy,
            Policy::CombinedGroupNamespace {
                groups: vec!["g".into()],
                namespaces: vec!["n".into()]
            }
        );
        let Detail::Permission(p) =
            permission("p", &json!({"spec": {"name": "open", "policy": {}}})).detail
        else {
            panic!()
        };
        assert_eq!(p.policy, Policy::AllowAll);
    }

    #[test]
    fn missing_fields_are_defaults_not_panics() {
        for f in [
            entity,
            data_source,
            feature_service,
            saved_dataset,
            permission,
        ] {
            let o = f("p", &json!({"spec": 5, "meta": "x", "type": []}));
            assert_eq!(o.name, "");
        }
        let o = any_feature_view("p", &json!(null), false);
        assert_eq!(o.kind, ObjectKind::FeatureView);
    }
}
