use super::*;
use crate::catalog::model::{Detail, ViewDetail};

pub(crate) fn view(project: &str, name: &str, tags: &[(&str, &str)], owner: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(ObjectKind::FeatureView, project, name, String::new());
    o.owner = owner.into();
    o.tags = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    o.detail = Detail::View(ViewDetail {
        entities: vec![],
        features: vec![],
        entity_columns: vec![],
        ttl_seconds: 86_400,
        online: true,
        batch_source: None,
        stream_source: None,
        materialization_intervals: vec![],
        mode: Default::default(),
    });
    o
}

fn scoped<'a>(r: &'a str, objects: &'a [CatalogObject]) -> impl Iterator<Item = Scoped<'a>> + 'a {
    objects.iter().map(move |o| Scoped {
        registry: r,
        object: o,
    })
}

fn q(list: &str, pairs: &[(&str, &str)]) -> ListQuery {
    ListQuery::from_pairs(list, pairs.iter().copied())
}

struct HideSecret;
impl Visibility for HideSecret {
    fn may_describe(&self, _r: &str, o: &CatalogObject) -> bool {
        !o.name.contains("secret")
    }
}

#[test]
fn filters_by_project_tag_owner_and_kind() {
    let objects = vec![
        view("p", "a", &[("team", "x")], "ann@x"),
        view("p", "b", &[("team", "y")], "bob@x"),
        view("q", "c", &[("team", "x")], "ann@x"),
        CatalogObject::unreadable(ObjectKind::Entity, "p", "driver", String::new()),
    ];
    let names = |query: &ListQuery| -> Vec<String> {
        list(scoped("r", &objects), query, &EveryObject)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.name)
            .collect()
    };
    assert_eq!(names(&q("feature-views", &[])), ["a", "b", "c"]);
    assert_eq!(names(&q("feature-views", &[("project", "p")])), ["a", "b"]);
    assert_eq!(names(&q("feature-views", &[("tag", "team=x")])), ["a", "c"]);
    assert_eq!(
        names(&q("feature-views", &[("tag", "team")])),
        ["a", "b", "c"]
    );
    assert_eq!(names(&q("feature-views", &[("owner", "BOB")])), ["b"]);
    assert_eq!(
        names(&q("feature-views", &[("registry", "other")])),
        Vec::<String>::new()
    );
    assert_eq!(names(&q("entities", &[])), ["driver"]);
    assert_eq!(
        names(&q("feature-views", &[("sort", "-name")])),
        ["c", "b", "a"]
    );
    assert_eq!(
        names(&q("feature-views", &[("sort", "project"), ("name", "C")])),
        ["c"]
    );
    assert!(list(scoped("r", &objects), &q("nope", &[]), &EveryObject).is_err());
    assert!(list(
        scoped("r", &objects),
        &q("feature-views", &[("sort", "x")]),
        &EveryObject
    )
    .is_err());
    assert!(list(
        scoped("r", &objects),
        &q("feature-views", &[("kind", "x")]),
        &EveryObject
    )
    .is_err());
}

#[test]
fn pages_are_clamped_and_counted() {
    let objects: Vec<CatalogObject> = (0..10_000)
        .map(|i| view(&format!("p{}", i % 50), &format!("v{i:05}"), &[], ""))
        .collect();
    let page = list(
        scoped("r", &objects),
        &q("feature-views", &[("page", "3"), ("page_size", "100")]),
        &EveryObject,
    )
    .unwrap();
    assert_eq!(
        (page.total, page.pages, page.page, page.rows.len()),
        (10_000, 100, 3, 100)
    );
    assert_eq!(page.rows[0].name, "v00200");
    let last = list(
        scoped("r", &objects),
        &q("feature-views", &[("page", "9999")]),
        &EveryObject,
    )
    .unwrap();
    assert_eq!((last.page, last.rows.len()), (200, 50));
    let huge = list(
        scoped("r", &objects),
        &q("feature-views", &[("page_size", "100000")]),
        &EveryObject,
    )
    .unwrap();
    assert_eq!(huge.rows.len(), MAX_PAGE_SIZE);
}

#[test]
fn visibility_and_internal_objects_are_applied_to_every_list() {
    let objects = vec![
        view("p", "open", &[], ""),
        view("p", "secret_view", &[], ""),
        CatalogObject::unreadable(ObjectKind::Entity, "p", "__dummy", String::new()),
    ];
    let page = list(scoped("r", &objects), &q("feature-views", &[]), &HideSecret).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(
        list(scoped("r", &objects), &q("entities", &[]), &EveryObject)
            .unwrap()
            .total,
        0
    );
}

#[test]
fn urls_encode_user_text() {
    assert_eq!(
        detail_href("r 1", "p", ObjectKind::OnDemandFeatureView, "x\"/y"),
        "/registries/r%201/projects/p/on-demand-feature-views/x%22%2Fy"
    );
    let query = q("feature-views", &[("tag", "team=a b"), ("page", "2")]);
    assert_eq!(query.href_for_page(3), "?tag=team%3Da%20b&page=3");
    for k in ObjectKind::ALL {
        assert_eq!(kind_from_slug(kind_slug(k)), Some(k));
    }
}

#[test]
fn changed_since_keeps_objects_updated_on_or_after_the_day() {
    let at = |seconds| Some(Instant { seconds, nanos: 0 });
    let mut objects = vec![
        view("p", "before", &[], ""),
        view("p", "that_day", &[], ""),
        view("p", "after", &[], ""),
        view("p", "never", &[], ""),
    ];
    // 2025-11-30T00:00:00Z is 1_764_460_800.
    objects[0].updated = at(1_764_460_799);
    objects[1].updated = at(1_764_460_800);
    objects[2].updated = at(1_764_547_200);
    let query = q("feature-views", &[("changed_since", "2025-11-30")]);
    let names: Vec<String> = list(scoped("r", &objects), &query, &EveryObject)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["after", "that_day"]);
    assert_eq!(query.href_for_page(2), "?changed_since=2025-11-30&page=2");
    let bad = q("feature-views", &[("changed_since", "yesterday")]);
    assert!(list(scoped("r", &objects), &bad, &EveryObject)
        .unwrap_err()
        .contains("yesterday"));
}
