use prost::Message;

use super::*;
use crate::registry::proto::{
    data_source, objects::OnDemandSource, service, Duration, FeatureTransformationV2,
    FeatureViewMeta, FeatureViewSpec, MaterializationInterval, Timestamp,
};
use app::permissions::Policy;

fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn file_source(name: &str) -> proto::DataSource {
    proto::DataSource {
        r#type: 1,
        name: name.into(),
        timestamp_field: "event_timestamp".into(),
        options: Some(Options::File(data_source::FileOptions {
            uri: "data/x.parquet".into(),
        })),
        ..Default::default()
    }
}

fn feature_view(transformation: bool) -> proto::FeatureView {
    proto::FeatureView {
        spec: Some(FeatureViewSpec {
            name: "driver_hourly_stats".into(),
            project: String::new(), // SQL rows often leave it empty
            entities: vec!["driver".into()],
            features: vec![proto::FeatureSpecV2 {
                name: "conv_rate".into(),
                value_type: 6,
                ..Default::default()
            }],
            tags: [("team".to_string(), "a".to_string())].into(),
            ttl: Some(Duration {
                seconds: 86_400,
                nanos: 0,
            }),
            batch_source: Some(file_source("driver_stats_source")),
            online: true,
            description: "Hourly".into(),
            owner: "alice@example.com".into(),
            feature_transformation: transformation.then(FeatureTransformationV2::default),
            mode: if transformation {
                "pandas".into()
            } else {
                String::new()
            },
            ..Default::default()
        }),
        meta: Some(FeatureViewMeta {
            created_timestamp: ts(1_735_689_600),
            last_updated_timestamp: ts(1_735_776_000),
            materialization_intervals: vec![MaterializationInterval {
                start_time: ts(1_735_689_600),
                end_time: ts(1_736_294_400),
            }],
            current_version_number: 0,
        }),
    }
}

#[test]
fn feature_view_takes_project_from_the_row_and_keeps_everything_shown() {
    let o = decode_blob(
        BlobKind::FeatureView,
        "driver_ranking",
        "row",
        &feature_view(false).encode_to_vec(),
    );
    assert_eq!(o.kind, ObjectKind::FeatureView);
    assert_eq!(o.project, "driver_ranking");
    assert_eq!(o.name, "driver_hourly_stats");
    assert_eq!(o.owner, "alice@example.com");
    assert_eq!(o.created.unwrap().to_rfc3339(), "2025-01-01T00:00:00Z");
    let Detail::View(v) = o.detail else {
        panic!("not a view: {:?}", o.detail)
    };
    assert_eq!(v.ttl_seconds, 86_400);
    assert_eq!(
        v.features,
        vec![Field {
            name: "conv_rate".into(),
            dtype: "FLOAT".into(),
            description: Default::default()
        }]
    );
    assert_eq!(v.batch_source.as_deref(), Some("driver_stats_source"));
    assert_eq!(v.materialization_intervals.len(), 1);
}

#[test]
fn a_transformation_makes_a_batch_feature_view() {
    let o = decode_blob(
        BlobKind::FeatureView,
        "p",
        "row",
        &feature_view(true).encode_to_vec(),
    );
    assert_eq!(o.kind, ObjectKind::BatchFeatureView);
}

#[test]
fn data_sources_of_each_type() {
    let kafka = proto::DataSource {
        r#type: 3,
        name: "events".into(),
        options: Some(Options::Kafka(data_source::KafkaOptions {
            kafka_bootstrap_servers: "k:9092".into(),
            topic: "t".into(),
        })),
        batch_source: Some(Box::new(file_source("batch"))),
        ..Default::default()
    };
    let o = decode_blob(BlobKind::DataSource, "p", "row", &kafka.encode_to_vec());
    let Detail::DataSource(d) = o.detail else {
        panic!()
    };
    assert_eq!(
        (d.source_type.as_str(), d.location.as_str()),
        ("STREAM_KAFKA", "k:9092/t")
    );
    assert_eq!(d.batch_source.as_deref(), Some("batch"));

    let request = proto::DataSource {
        r#type: 7,
        name: "req".into(),
        options: Some(Options::RequestData(data_source::RequestDataOptions {
            schema: vec![proto::FeatureSpecV2 {
                name: "x".into(),
                value_type: 5,
                ..Default::default()
            }],
        })),
        ..Default::default()
    };
    let Detail::DataSource(d) =
        decode_blob(BlobKind::DataSource, "p", "row", &request.encode_to_vec()).detail
    else {
        panic!()
    };
    assert_eq!(d.source_type, "REQUEST_SOURCE");
    assert_eq!(d.schema[0].dtype, "DOUBLE");
}

#[test]
fn on_demand_sources_are_named_and_sorted() {
    let odfv = proto::OnDemandFeatureView {
        spec: Some(proto::OnDemandFeatureViewSpec {
            name: "adjusted".into(),
            sources: [
                (
                    "zz".to_string(),
                    OnDemandSource {
                        source: Some(Source::RequestDataSource(Box::new(file_source(
                            "trip_request",
                        )))),
                    },
                ),
                (
                    "aa".to_string(),
                    OnDemandSource {
                        source: Some(Source::FeatureViewProjection(
                            service::FeatureViewProjection {
                                feature_view_name: "driver_hourly_stats".into(),
                                ..Default::default()
                            },
                        )),
                    },
                ),
            ]
            .into(),
            mode: "pandas".into(),
            ..Default::default()
        }),
        meta: None,
    };
    let Detail::OnDemandView(d) = decode_blob(
        BlobKind::OnDemandFeatureView,
        "p",
        "row",
        &odfv.encode_to_vec(),
    )
    .detail
    else {
        panic!()
    };
    assert_eq!(d.sources, vec!["driver_hourly_stats", "trip_request"]);
}

#[test]
fn permission_policies_including_allow_all() {
    let allow_all = [0x0a, 0x08, 0x0a, 0x04, b'o', b'p', b'e', b'n', 0x3a, 0x00];
    let o = decode_blob(BlobKind::Permission, "sandbox", "open", &allow_all);
    let Detail::Permission(p) = o.detail else {
        panic!()
    };
    assert_eq!(p.policy, Some(Policy::AllowAll));

    let spec = proto::permission::PermissionSpec {
        name: "r".into(),
        types: vec![0, 11, 99],
        actions: vec![0, 7],
        ..Default::default()
    };
    let bytes = proto::Permission {
        spec: Some(spec),
        meta: None,
    }
    .encode_to_vec();
    let Detail::Permission(p) = decode_blob(BlobKind::Permission, "p", "r", &bytes).detail else {
        panic!()
    };
    assert_eq!(p.types, vec!["FEATURE_VIEW", "LABEL_VIEW", "UNKNOWN_99"]);
    assert_eq!(p.actions, vec!["CREATE", "WRITE_OFFLINE"]);
    assert_eq!(p.policy, None);
}

#[test]
fn corrupt_blob_is_unreadable_under_the_row_name() {
    let o = decode_blob(BlobKind::Entity, "p", "driver", &[0x0a, 0xff, 0x01]);
    assert_eq!(o.name, "driver");
    assert_eq!(o.kind, ObjectKind::Entity);
    let Detail::Unreadable { error } = &o.detail else {
        panic!()
    };
    assert!(error.starts_with("cannot decode"), "{error}");
}

/// Random and mutated blobs through every decoder: errors are fine, panics are not.
#[test]
fn random_and_mutated_blobs_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let valid = [
        feature_view(false).encode_to_vec(),
        feature_view(true).encode_to_vec(),
        file_source("s").encode_to_vec(),
        [0x0a, 0x08, 0x0a, 0x04, b'o', b'p', b'e', b'n', 0x3a, 0x00].to_vec(),
    ];
    for round in 0..4000 {
        let mut bytes = if round % 2 == 0 {
            (0..(next() % 64))
                .map(|_| next() as u8)
                .collect::<Vec<u8>>()
        } else {
            valid[(next() % valid.len() as u64) as usize].clone()
        };
        if !bytes.is_empty() {
            for _ in 0..(1 + next() % 4) {
                let i = (next() % bytes.len() as u64) as usize;
                match next() % 3 {
                    0 => bytes[i] = next() as u8,
                    1 => bytes.truncate(i),
                    _ => bytes.insert(i, next() as u8),
                }
                if bytes.is_empty() {
                    break;
                }
            }
        }
        for kind in BlobKind::ALL {
            let _ = decode_blob(kind, "p", "n", &bytes);
            let _ = stored_project(kind, &bytes);
        }
        let _ = proto::Registry::decode(bytes.as_slice());
        if let Ok(record) = PermissionRecord::decode(&bytes) {
            let written = record.encode().expect("a decodable permission re-encodes");
            proto::Permission::decode(written.as_slice()).expect("re-encoded permission decodes");
        }
    }
}

#[test]
fn on_demand_transformation_text_and_request_schema() {
    let request = proto::DataSource {
        r#type: 7,
        name: "vals_to_add".into(),
        options: Some(Options::RequestData(data_source::RequestDataOptions {
            schema: vec![proto::FeatureSpecV2 {
                name: "val_to_add".into(),
                value_type: 4,
                ..Default::default()
            }],
        })),
        ..Default::default()
    };
    let body = "@on_demand_feature_view(...)\ndef f(df):\n    return df[\"a\"] < \"<b>\"\n";
    let odfv = proto::OnDemandFeatureView {
        spec: Some(proto::OnDemandFeatureViewSpec {
            name: "adjusted".into(),
            sources: [(
                "vals_to_add".to_string(),
                OnDemandSource {
                    source: Some(Source::RequestDataSource(Box::new(request))),
                },
            )]
            .into(),
            feature_transformation: Some(FeatureTransformationV2 {
                user_defined_function: Some(proto::objects::UserDefinedFunctionV2 {
                    name: "f".into(),
                    body_text: body.into(),
                    mode: "pandas".into(),
                }),
            }),
            write_to_online_store: true,
            ..Default::default()
        }),
        meta: None,
    };
    let Detail::OnDemandView(d) = decode_blob(
        BlobKind::OnDemandFeatureView,
        "p",
        "row",
        &odfv.encode_to_vec(),
    )
    .detail
    else {
        panic!()
    };
    assert_eq!(d.transformation_name, "f");
    assert_eq!(d.transformation_text, body);
    assert!(d.write_to_online_store);
    assert_eq!(d.request_schema.len(), 1);
    assert_eq!(d.request_schema[0].name, "val_to_add");

    // A registry written before the V2 transformation keeps the text in field 5.
    let old = proto::OnDemandFeatureView {
        spec: Some(proto::OnDemandFeatureViewSpec {
            name: "old".into(),
            user_defined_function: Some(proto::objects::UserDefinedFunction {
                name: "g".into(),
                body_text: "def g(df): return df".into(),
            }),
            ..Default::default()
        }),
        meta: None,
    };
    let Detail::OnDemandView(d) = decode_blob(
        BlobKind::OnDemandFeatureView,
        "p",
        "old",
        &old.encode_to_vec(),
    )
    .detail
    else {
        panic!()
    };
    assert_eq!(d.transformation_text, "def g(df): return df");
}
