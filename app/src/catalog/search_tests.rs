use std::sync::Arc;

use super::*;
use crate::catalog::model::{CatalogObject, Detail, Field};
use crate::catalog::query::tests::view;
use crate::catalog::query::EveryObject;
use crate::catalog::search_index::{within_distance, SearchIndex};

fn index(objects: Vec<CatalogObject>) -> SearchIndex {
    SearchIndex::build(vec![(
        "r".into(),
        objects.into_iter().map(Arc::new).collect(),
    )])
}

fn names(index: &SearchIndex, text: &str) -> Vec<String> {
    index
        .search(&parse_query(text), &EveryObject, 100)
        .groups
        .into_iter()
        .flat_map(|g| g.hits)
        .map(|h| h.name)
        .collect()
}

#[test]
fn parses_fields() {
    let q = parse_query("tag:team=a owner:Ann kind:feature-views project:p driver Rides");
    assert_eq!(q.tags, vec![("team".to_string(), Some("a".to_string()))]);
    assert_eq!(q.owner.as_deref(), Some("ann"));
    assert_eq!(q.kinds.len(), 5);
    assert_eq!(q.project.as_deref(), Some("p"));
    assert_eq!(q.terms, vec!["driver", "rides"]);
    assert_eq!(parse_query("kind:entity").kinds, vec![ObjectKind::Entity]);
    assert_eq!(
        parse_query("kind:feature_service").kinds,
        vec![ObjectKind::FeatureService]
    );
    assert_eq!(
        parse_query("kind:data-source").kinds,
        vec![ObjectKind::DataSource]
    );
}

#[test]
fn ranks_exact_then_prefix_then_word_then_fuzzy() {
    let mut described = view("p", "trips_stats", &[], "");
    described.description = "Hourly driver statistics".into();
    let idx = index(vec![
        view("p", "driver_stats_fresh", &[], ""),
        view("p", "zz_driver", &[], ""),
        described,
        view("p", "drivr", &[], ""),
        view("p", "driver", &[], ""),
        view("p", "unrelated", &[], ""),
    ]);
    let results = idx.search(&parse_query("driver"), &EveryObject, 100);
    let ranked: Vec<(String, MatchTier)> = results
        .groups
        .iter()
        .flat_map(|g| g.hits.iter().map(|h| (h.name.clone(), h.tier)))
        .collect();
    assert_eq!(
        ranked,
        vec![
            ("driver".to_string(), MatchTier::Exact),
            ("driver_stats_fresh".to_string(), MatchTier::Prefix),
            ("trips_stats".to_string(), MatchTier::Word),
            ("zz_driver".to_string(), MatchTier::Word),
            ("drivr".to_string(), MatchTier::Fuzzy),
        ]
    );
}

#[test]
fn filters_and_groups_by_kind() {
    let mut entity = CatalogObject::unreadable(ObjectKind::Entity, "p", "driver_id", String::new());
    entity.detail = Detail::Entity {
        join_key: "driver_id".into(),
        value_type: "INT64".into(),
    };
    let mut with_feature = view("q", "stats", &[("team", "b")], "ann@example.com");
    if let Detail::View(v) = &mut with_feature.detail {
        v.features.push(Field {
            name: "conv_rate".into(),
            dtype: "FLOAT".into(),
            description: Default::default(),
        });
    }
    let idx = index(vec![
        entity,
        view("p", "driver_hourly", &[("team", "a")], "bob@example.com"),
        with_feature,
        CatalogObject::unreadable(ObjectKind::Entity, "p", "__dummy", String::new()),
    ]);
    assert_eq!(names(&idx, "tag:team=a"), ["driver_hourly"]);
    assert_eq!(names(&idx, "tag:team"), ["driver_hourly", "stats"]);
    assert_eq!(names(&idx, "owner:ann"), ["stats"]);
    assert_eq!(names(&idx, "conv_rate"), ["stats"]);
    assert_eq!(
        names(&idx, "project:p driver"),
        ["driver_hourly", "driver_id"]
    );
    assert_eq!(names(&idx, "kind:entity driver"), ["driver_id"]);
    assert_eq!(names(&idx, "dummy"), Vec::<String>::new());
    assert_eq!(names(&idx, ""), Vec::<String>::new());
    let grouped = idx.search(&parse_query("driver"), &EveryObject, 100);
    let kinds: Vec<ObjectKind> = grouped.groups.iter().map(|g| g.kind).collect();
    // Groups follow their best hit: both are prefix matches, `driver_hourly` sorts first.
    assert_eq!(kinds, vec![ObjectKind::FeatureView, ObjectKind::Entity]);
}

#[test]
fn groups_cap_shown_hits_but_count_all() {
    let idx = index(
        (0..30)
            .map(|i| view("p", &format!("v{i}"), &[("t", "1")], ""))
            .collect(),
    );
    let r = idx.search(&parse_query("tag:t=1"), &EveryObject, 10);
    assert_eq!(
        (r.total, r.groups[0].total, r.groups[0].hits.len()),
        (30, 30, 10)
    );
}

#[test]
fn edit_distance_is_bounded() {
    assert!(within_distance("driver", "drivr", 1));
    assert!(!within_distance("driver", "dr", 2));
    assert!(within_distance("kitten", "sitting", 3));
    assert!(!within_distance("kitten", "sitting", 2));
}

#[test]
fn shared_names_and_words_match_in_every_project_and_registry_in_order() {
    // The index keeps each distinct name and word once; every object using it must still match,
    // and ties sort by name, then project, then registry order.
    let objects = |r: &str| -> (String, Vec<Arc<CatalogObject>>) {
        let mut a = view("proj_b", "driver_stats", &[], "");
        a.description = "Driver statistics".into();
        let mut b = view("proj_a", "driver_stats", &[], "");
        b.description = "Driver statistics".into();
        (
            r.to_string(),
            vec![
                Arc::new(a),
                Arc::new(b),
                Arc::new(view("proj_a", "drivr_stats", &[], "")),
            ],
        )
    };
    let idx = SearchIndex::build(vec![objects("r2"), objects("r1")]);
    let hits: Vec<(String, String, String, MatchTier)> = idx
        .search(&parse_query("driver_stats"), &EveryObject, 100)
        .groups
        .into_iter()
        .flat_map(|g| g.hits)
        .map(|h| (h.name, h.project, h.registry, h.tier))
        .collect();
    let exact = |p: &str, r: &str| {
        (
            "driver_stats".to_string(),
            p.to_string(),
            r.to_string(),
            MatchTier::Exact,
        )
    };
    let fuzzy = |r: &str| {
        (
            "drivr_stats".to_string(),
            "proj_a".to_string(),
            r.to_string(),
            MatchTier::Fuzzy,
        )
    };
    assert_eq!(
        hits,
        vec![
            exact("proj_a", "r2"),
            exact("proj_a", "r1"),
            exact("proj_b", "r2"),
            exact("proj_b", "r1"),
            fuzzy("r2"),
            fuzzy("r1"),
        ]
    );
    // A word of the description, shared by four objects, finds all four.
    let by_word = idx.search(&parse_query("statistics"), &EveryObject, 100);
    assert_eq!(by_word.total, 4);
}
