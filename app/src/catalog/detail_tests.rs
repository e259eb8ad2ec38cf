use super::*;
use crate::catalog::model::{Field, Interval, Projection, ViewDetail};
use crate::util::time::{human_duration, Instant};

fn view(name: &str, ttl: i64, last_end: Option<i64>) -> CatalogObject {
    let mut o = CatalogObject::unreadable(ObjectKind::FeatureView, "p", name, String::new());
    o.detail = Detail::View(ViewDetail {
        entities: vec!["driver".into()],
        features: vec![Field {
            name: "conv_rate".into(),
            dtype: "FLOAT".into(),
            description: Default::default(),
        }],
        entity_columns: vec![],
        ttl_seconds: ttl,
        online: true,
        batch_source: Some("src".into()),
        stream_source: None,
        materialization_intervals: last_end
            .map(|e| Interval {
                start: Instant::new(e - 100, 0),
                end: Instant::new(e, 0),
            })
            .into_iter()
            .collect(),
        mode: Default::default(),
    });
    o
}

#[test]
fn staleness_compares_last_materialization_with_ttl() {
    let fresh = staleness(&view("a", 3600, Some(10_000)), 11_000).unwrap();
    assert_eq!((fresh.age_seconds, fresh.stale), (Some(1000), false));
    assert!(
        staleness(&view("b", 3600, Some(10_000)), 20_000)
            .unwrap()
            .stale
    );
    assert!(
        !staleness(&view("c", 0, Some(10_000)), 99_999_999)
            .unwrap()
            .stale,
        "no TTL never expires"
    );
    assert!(
        staleness(&view("d", 3600, None), 1).unwrap().stale,
        "online but never materialized"
    );
    assert_eq!(human_duration(2 * 86_400), "2 d");
}

#[test]
fn usage_and_snippet() {
    let mut entity = CatalogObject::unreadable(ObjectKind::Entity, "p", "driver", String::new());
    entity.detail = Detail::Entity {
        join_key: "driver_id".into(),
        value_type: "INT64".into(),
    };
    let v = view("driver_\"stats", 3600, None);
    let mut svc = CatalogObject::unreadable(ObjectKind::FeatureService, "p", "svc", String::new());
    svc.detail = Detail::FeatureService {
        projections: vec![Projection {
            view: "driver_\"stats".into(),
            alias: String::new(),
            features: vec!["conv_rate".into()],
        }],
    };
    let objects = [&entity, &v, &svc];
    assert_eq!(
        used_by(&v, &objects),
        vec![Link {
            kind: ObjectKind::FeatureService,
            name: "svc".into()
        }]
    );
    assert_eq!(used_by(&entity, &objects)[0].name, "driver_\"stats");
    let snippet = online_snippet(&v, &objects).unwrap();
    assert!(
        snippet.contains(r#""driver_\"stats:conv_rate""#),
        "{snippet}"
    );
    assert!(
        snippet.contains(r#"entity_rows=[{"driver_id": ...}]"#),
        "{snippet}"
    );
    let service_snippet = online_snippet(&svc, &objects).unwrap();
    assert!(
        service_snippet.contains(r#"store.get_feature_service("svc")"#),
        "{service_snippet}"
    );
    assert!(service_snippet.contains("driver_id"));
    assert_eq!(online_snippet(&entity, &objects), None);
}
