use super::*;
use crate::catalog::model::Detail;
use crate::catalog::query::{EveryObject, Visibility};

fn object(kind: ObjectKind, project: &str, name: &str, owner: &str) -> Arc<CatalogObject> {
    let mut o = CatalogObject::unreadable(kind, project, name, String::new());
    o.detail = if kind == ObjectKind::Project {
        Detail::Project
    } else {
        Detail::SavedDataset {
            features: vec![],
            join_keys: vec![],
            storage: String::new(),
        }
    };
    o.owner = owner.into();
    Arc::new(o)
}

fn staging() -> Vec<Arc<CatalogObject>> {
    vec![
        object(ObjectKind::Project, "p", "p", ""),
        object(ObjectKind::Entity, "p", "driver", "a"),
        object(ObjectKind::FeatureView, "p", "only_staging", "a"),
        object(ObjectKind::FeatureView, "p", "secret", "a"),
        object(ObjectKind::FeatureView, "p", "stats", "ann"),
    ]
}

fn production() -> Vec<Arc<CatalogObject>> {
    vec![
        object(ObjectKind::Project, "p", "p", ""),
        object(ObjectKind::Entity, "p", "driver", "a"),
        object(ObjectKind::FeatureView, "p", "only_prod", "a"),
        object(ObjectKind::FeatureView, "p", "secret", "b"),
        object(ObjectKind::FeatureView, "p", "stats", "bob"),
    ]
}

fn side<'a>(
    registry: &'a str,
    project: Option<&'a str>,
    objects: &'a [Arc<CatalogObject>],
) -> Side<'a> {
    Side {
        registry,
        project,
        objects: objects.iter().collect(),
    }
}

/// Everything but objects named `secret` in `prod`.
struct NoSecretInProd;

impl Visibility for NoSecretInProd {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool {
        !(registry == "prod" && object.name == "secret")
    }
}

#[test]
fn two_registries_differ_by_objects_and_fields() {
    let (s, p) = (staging(), production());
    let c = compare(
        &side("staging", None, &s),
        &side("prod", None, &p),
        &CompareQuery::default(),
        &EveryObject,
    )
    .unwrap();
    assert_eq!(
        (c.only_left, c.only_right, c.different, c.same),
        (1, 1, 2, 2)
    );
    let stats = c.rows.iter().find(|r| r.name == "p/stats").unwrap();
    assert_eq!(stats.change, ChangeType::Changed);
    assert_eq!(stats.fields.len(), 1);
    assert_eq!(stats.fields[0].path, "owner");
    assert_eq!(stats.fields[0].before.as_deref(), Some("ann"));
    assert_eq!(
        stats.left_href.as_deref(),
        Some("/registries/staging/projects/p/feature-views/stats")
    );
    let only = c.rows.iter().find(|r| r.name == "p/only_staging").unwrap();
    assert_eq!(
        (only.change, only.right_href.is_none()),
        (ChangeType::Removed, true)
    );
}

#[test]
fn an_object_hidden_on_either_side_is_left_out_of_both() {
    let (s, p) = (staging(), production());
    let c = compare(
        &side("staging", None, &s),
        &side("prod", None, &p),
        &CompareQuery::default(),
        &NoSecretInProd,
    )
    .unwrap();
    assert!(
        c.rows.iter().all(|r| !r.name.contains("secret")),
        "{:?}",
        c.rows
    );
    assert_eq!((c.only_left, c.only_right, c.different), (1, 1, 1));
}

#[test]
fn two_projects_match_objects_by_kind_and_name() {
    let s = staging();
    let other: Vec<Arc<CatalogObject>> = production()
        .into_iter()
        .map(|o| {
            let mut copy = CatalogObject::clone(&o);
            copy.project = "q".into();
            Arc::new(copy)
        })
        .collect();
    let query = CompareQuery {
        kind: "feature_view".into(),
        show: "different".into(),
        ..CompareQuery::default()
    };
    let c = compare(
        &side("r", Some("p"), &s),
        &side("r", Some("q"), &other),
        &query,
        &EveryObject,
    )
    .unwrap();
    assert_eq!((c.only_left, c.only_right, c.different), (1, 1, 2));
    assert_eq!(
        c.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["secret", "stats"]
    );
    assert_eq!(
        c.rows[1].right_href.as_deref(),
        Some("/registries/r/projects/q/feature-views/stats")
    );
    assert!(c.rows[1].fields.iter().all(|f| f.path != "project"));
}

#[test]
fn pages_and_bad_choices() {
    let many: Vec<Arc<CatalogObject>> = (0..120)
        .map(|i| object(ObjectKind::Entity, "p", &format!("e{i:03}"), ""))
        .collect();
    let query = CompareQuery {
        page: 3,
        ..CompareQuery::default()
    };
    let c = compare(
        &side("a", None, &many),
        &side("b", None, &[]),
        &query,
        &EveryObject,
    )
    .unwrap();
    assert_eq!((c.total, c.pages, c.page, c.rows.len()), (120, 3, 3, 20));
    assert_eq!(c.rows[0].name, "p/e100");
    for (kind, show) in [("views", ""), ("", "everything")] {
        let q = CompareQuery {
            kind: kind.into(),
            show: show.into(),
            ..CompareQuery::default()
        };
        assert!(compare(
            &side("a", None, &many),
            &side("b", None, &[]),
            &q,
            &EveryObject
        )
        .is_err());
    }
}

#[test]
fn the_query_fills_a_missing_project_and_makes_links() {
    let q = CompareQuery::from_pairs([
        ("left", "staging"),
        ("right", "prod"),
        ("right_project", "driver ranking"),
        ("page", "2"),
    ]);
    assert!(q.is_ready());
    assert_eq!(
        q.projects(),
        (Some("driver ranking"), Some("driver ranking"))
    );
    assert_eq!(
        q.href_for_page(2),
        "/compare?left=staging&right=prod&right_project=driver%20ranking&page=2"
    );
    assert_eq!(CompareQuery::default().projects(), (None, None));
}
