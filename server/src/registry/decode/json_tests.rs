//! The registry server's protobuf JSON through the same messages and conversion as blobs.

use serde_json::json;

use super::*;
use app::permissions::Policy;

/// Feast's `/feature_views` items say their kind in `type`, as `rest.rs` reads them.
fn feature_view_item(v: &Value) -> CatalogObject {
    let kind = match v.get("type").and_then(Value::as_str) {
        Some("onDemandFeatureView") => BlobKind::OnDemandFeatureView,
        Some("streamFeatureView") => BlobKind::StreamFeatureView,
        _ => BlobKind::FeatureView,
    };
    decode_json(kind, "p", v)
}

#[test]
fn feature_view_from_rest_json() {
    let v = json!({"type": "featureView", "spec": {"name": "driver_hourly_stats", "entities": ["driver"],
        "features": [{"name": "conv_rate", "valueType": "FLOAT"}], "ttl": "86400s",
        "batchSource": {"type": "BATCH_FILE", "name": "driver_stats_source"}, "online": true, "owner": "alice"},
        "meta": {"createdTimestamp": "2026-11-26T12:10:10.245654Z",
          "materializationIntervals": [{"startTime": "2025-01-01T00:00:00Z", "endTime": "2025-01-08T00:00:00Z"}]}});
    let o = feature_view_item(&v);
    assert_eq!(o.kind, ObjectKind::FeatureView);
    let Detail::View(d) = o.detail else { panic!() };
    assert_eq!(d.ttl_seconds, 86_400);
    assert_eq!(d.batch_source.as_deref(), Some("driver_stats_source"));
    assert_eq!(
        d.materialization_intervals[0].end.unwrap().to_rfc3339(),
        "2025-01-08T00:00:00Z"
    );
    assert_eq!(d.features[0].dtype, "FLOAT");
    assert_eq!(o.owner, "alice");
    assert_eq!(
        o.created.unwrap().to_rfc3339(),
        "2026-11-26T12:10:10.245654Z"
    );
}

#[test]
fn permission_policies_and_defaults() {
    let v = json!({"spec": {"name": "x", "types": ["FEATURE_VIEW"], "actions": ["CREATE"],
        "policy": {"combinedGroupNamespacePolicy": {"groups": ["g"], "namespaces": ["n"]}}}});
    let Detail::Permission(p) = decode_json(BlobKind::Permission, "p", &v).detail else {
        panic!()
    };
    assert_eq!(
        p.policy,
        Some(Policy::CombinedGroupNamespace {
            groups: vec!["g".into()],
            namespaces: vec!["n".into()]
        })
    );
    assert_eq!(p.types, vec!["FEATURE_VIEW"]);
    assert_eq!(p.actions, vec!["CREATE"]);
    let open = json!({"spec": {"name": "open", "policy": {}}});
    let Detail::Permission(p) = decode_json(BlobKind::Permission, "p", &open).detail else {
        panic!()
    };
    assert_eq!(p.policy, Some(Policy::AllowAll));
    let missing = json!({"spec": {"name": "none"}});
    let Detail::Permission(p) = decode_json(BlobKind::Permission, "p", &missing).detail else {
        panic!()
    };
    assert_eq!(p.policy, None);
}

#[test]
fn missing_fields_are_defaults_not_panics() {
    for kind in [
        BlobKind::Entity,
        BlobKind::DataSource,
        BlobKind::FeatureService,
        BlobKind::SavedDataset,
        BlobKind::Permission,
    ] {
        let o = decode_json(kind, "p", &json!({"spec": 5, "meta": "x", "type": []}));
        assert_eq!(o.name, "");
        let o = decode_json(kind, "p", &json!({}));
        assert_eq!(o.name, "");
        assert_eq!(o.kind, kind.object_kind());
    }
    let o = feature_view_item(&json!(null));
    assert_eq!(o.kind, ObjectKind::FeatureView);
}

#[test]
fn camel_case_names_enums_by_name_or_number_and_unknown_fields_ignored() {
    let v = json!({"spec": {"name": "driver", "joinKey": "driver_id", "valueType": "INT64",
        "description": "a driver", "someFutureField": {"deep": [1, 2]}}, "futureTop": true});
    let o = decode_json(BlobKind::Entity, "p", &v);
    assert_eq!(o.name, "driver");
    assert_eq!(o.description, "a driver");
    assert_eq!(
        o.detail,
        Detail::Entity {
            join_key: "driver_id".into(),
            value_type: "INT64".into()
        }
    );
    // protobuf JSON writes a number for a value its writer has no name for.
    let by_number = json!({"spec": {"name": "d", "valueType": 4}});
    let Detail::Entity { value_type, .. } = decode_json(BlobKind::Entity, "p", &by_number).detail
    else {
        panic!()
    };
    assert_eq!(value_type, "INT64");
    // A name from a newer Feast keeps the object readable.
    let newer = json!({"spec": {"name": "d", "valueType": "QUANTUM_BIT"}});
    let o = decode_json(BlobKind::Entity, "p", &newer);
    assert_eq!(o.name, "d");
    let Detail::Entity { value_type, .. } = o.detail else {
        panic!()
    };
    assert_eq!(value_type, "UNKNOWN");
}

#[test]
fn data_source_options_are_a_flattened_oneof() {
    let v = json!({"type": "STREAM_KAFKA", "name": "rides", "timestampField": "ts",
        "kafkaOptions": {"kafkaBootstrapServers": "k:9092", "topic": "rides"},
        "batchSource": {"type": "BATCH_FILE", "name": "rides_batch", "fileOptions": {"uri": "s3://x"}},
        "meta": {"createdTimestamp": "2025-01-01T00:00:00Z"}});
    let o = decode_json(BlobKind::DataSource, "p", &v);
    assert_eq!(o.created.unwrap().to_rfc3339(), "2025-01-01T00:00:00Z");
    let Detail::DataSource(d) = o.detail else {
        panic!()
    };
    assert_eq!(d.source_type, "STREAM_KAFKA");
    assert_eq!(d.location, "k:9092/rides");
    assert_eq!(d.batch_source.as_deref(), Some("rides_batch"));
    let request = json!({"type": "REQUEST_SOURCE", "name": "vals",
        "requestDataOptions": {"schema": [{"name": "val", "valueType": "INT64"}]}});
    let Detail::DataSource(d) = decode_json(BlobKind::DataSource, "p", &request).detail else {
        panic!()
    };
    assert_eq!(d.schema[0].name, "val");
    assert_eq!(d.location, "");
}

#[test]
fn on_demand_view_sources_and_transformation() {
    let v = json!({"type": "onDemandFeatureView", "spec": {"name": "odfv", "mode": "pandas",
        "sources": {"a": {"featureViewProjection": {"featureViewName": "driver_hourly_stats"}},
                    "b": {"requestDataSource": {"name": "vals", "type": "REQUEST_SOURCE",
                        "requestDataOptions": {"schema": [{"name": "val", "valueType": "INT64"}]}}}},
        "featureTransformation": {"userDefinedFunction": {"name": "f", "bodyText": "def f(): pass"}},
        "writeToOnlineStore": true}});
    let o = feature_view_item(&v);
    assert_eq!(o.kind, ObjectKind::OnDemandFeatureView);
    let Detail::OnDemandView(d) = o.detail else {
        panic!()
    };
    assert_eq!(d.sources, vec!["driver_hourly_stats", "vals"]);
    assert_eq!(d.request_schema[0].dtype, "INT64");
    assert_eq!(d.transformation_name, "f");
    assert_eq!(d.transformation_text, "def f(): pass");
    assert!(d.write_to_online_store);
}

#[test]
fn durations_and_timestamps_in_protobuf_json_form() {
    let view = |ttl: &str, created: &str| json!({"spec": {"name": "v", "ttl": ttl}, "meta": {"createdTimestamp": created}});
    let o = feature_view_item(&view("1.500s", "2025-01-01T01:00:00+01:00"));
    assert_eq!(o.created.unwrap().to_rfc3339(), "2025-01-01T00:00:00Z");
    let Detail::View(d) = o.detail else { panic!() };
    assert_eq!(d.ttl_seconds, 1);
    // Malformed values make the object unreadable, as a malformed blob does, naming it.
    for bad in [
        view("86400", "2025-01-01T00:00:00Z"),
        view("1s", "yesterday"),
    ] {
        let o = feature_view_item(&bad);
        assert_eq!(o.name, "v");
        assert!(matches!(o.detail, Detail::Unreadable { .. }), "{o:?}");
    }
}

#[test]
fn nesting_deeper_than_serde_json_allows_is_an_error() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(serde_json::from_str::<Value>(&deep).is_err());
}
