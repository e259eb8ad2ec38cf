use std::sync::Arc;

use super::*;
use crate::catalog::model::CatalogObject;
use crate::catalog::query::tests::view;
use crate::catalog::query::{list, Decided, ListQuery, Scoped, Visibility, SORTS};
use crate::catalog::visibility::Describable;
use crate::util::time::Instant;

/// A small xorshift generator: the same cases on every run.
pub(crate) struct Cases(u64);

impl Cases {
    pub(crate) fn new(seed: u64) -> Cases {
        Cases(seed.max(1))
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A registry's objects as a snapshot holds them, and a random decision over them.
#[derive(Clone)]
pub(crate) struct Decision {
    pub(crate) name: String,
    pub(crate) snapshot: usize,
    pub(crate) objects: Vec<Arc<CatalogObject>>,
    pub(crate) bits: Describable,
}

/// Decides from the random bits, by position when asked ahead (`ahead`) and object by object
/// always (the reference path).
pub(crate) struct RandomVisibility {
    pub(crate) registries: Vec<Decision>,
    pub(crate) ahead: bool,
}

impl Visibility for RandomVisibility {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool {
        self.registries
            .iter()
            .filter(|r| r.name == registry)
            .any(|r| {
                r.objects
                    .iter()
                    .position(|o| std::ptr::eq(&**o, object))
                    .is_some_and(|i| r.bits.allows(i))
            })
    }

    fn decided(&self, registry: &str, snapshot: usize) -> Option<Decided<'_>> {
        if !self.ahead {
            return None;
        }
        self.registries
            .iter()
            .find(|r| r.name == registry && r.snapshot == snapshot)
            .map(|r| Decided::Bits(&r.bits))
    }
}

/// Two registries of views, on-demand views and entities whose names, projects and kinds
/// collide, with owners, tags, update times, an internal entity, and random visibility.
pub(crate) fn random_registries(cases: &mut Cases, per_registry: usize) -> Vec<Decision> {
    ["reg-b", "reg-a"]
        .iter()
        .enumerate()
        .map(|(r, name)| {
            let mut objects: Vec<CatalogObject> = (0..per_registry)
                .map(|_| {
                    let project = cases.pick(&["p0", "p1", "p2", "p3"]);
                    let name = cases.pick(&[
                        "n0",
                        "n1",
                        "n2",
                        "n3",
                        "n4",
                        "driver",
                        "driver_stats",
                        "rides",
                    ]);
                    let owner = cases.pick(&["o1@x", "o2@x", "", "O1@Y"]);
                    let team = cases.pick(&["t0", "t1", "t2"]);
                    let mut o = view(project, name, &[("team", team)], owner);
                    o.kind = [
                        ObjectKind::FeatureView,
                        ObjectKind::OnDemandFeatureView,
                        ObjectKind::BatchFeatureView,
                        ObjectKind::Entity,
                    ][cases.below(4)];
                    if cases.below(20) == 0 {
                        o.name = crate::catalog::model::DUMMY_ENTITY_NAME.into();
                        o.kind = ObjectKind::Entity;
                    }
                    let at = cases.below(5) as i64;
                    o.updated = (cases.below(3) > 0).then(|| Instant::new(at, 0)).flatten();
                    o
                })
                .collect();
            objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            objects.dedup_by(|a, b| a.sort_key() == b.sort_key());
            let bits = Describable::from_allowed(objects.iter().map(|_| cases.below(3) > 0));
            Decision {
                name: name.to_string(),
                snapshot: r + 1,
                objects: objects.into_iter().map(Arc::new).collect(),
                bits,
            }
        })
        .collect()
}

pub(crate) fn indexed(registries: &[Decision]) -> Vec<IndexedRegistry> {
    registries
        .iter()
        .map(|r| IndexedRegistry {
            name: r.name.clone(),
            snapshot: r.snapshot,
            first_position: 0,
            objects: r.objects.clone(),
        })
        .collect()
}

fn random_query(cases: &mut Cases) -> ListQuery {
    let sort = SORTS[cases.below(SORTS.len())].0;
    let pairs = [
        ("registry", cases.pick(&["", "", "reg-a", "reg-b", "reg-z"])),
        ("project", cases.pick(&["", "", "p1", "p3", "p9"])),
        ("tag", cases.pick(&["", "", "team=t1", "team"])),
        ("owner", cases.pick(&["", "", "o1"])),
        (
            "kind",
            cases.pick(&["", "", "on_demand_feature_view", "feature_view"]),
        ),
        ("name", cases.pick(&["", "", "n", "driver"])),
        ("sort", if cases.below(3) == 0 { "" } else { sort }),
        ("page", cases.pick(&["0", "1", "2", "3", "5", "40"])),
        ("page_size", cases.pick(&["0", "1", "3", "7"])),
    ];
    let list = cases.pick(&[
        "feature-views",
        "feature-views",
        "entities",
        "batch-feature-views",
        "on-demand-feature-views",
    ]);
    ListQuery::from_pairs(list, pairs)
}

/// The reference: every object filtered, sorted and skipped, object by object.
fn naive(registries: &[Decision], q: &ListQuery, v: &dyn Visibility) -> ListPage {
    let objects = registries.iter().flat_map(|r| {
        r.objects.iter().map(move |o| Scoped {
            registry: &r.name,
            object: o,
        })
    });
    list(objects, q, v).expect("a valid query")
}

#[test]
fn every_page_equals_the_naive_filter_sort_and_skip_over_random_visibility() {
    let mut cases = Cases::new(20);
    for round in 0..40 {
        let registries = random_registries(&mut cases, 60);
        let index = ListIndex::build(indexed(&registries));
        for ahead in [true, false] {
            let visibility = RandomVisibility {
                registries: registries.clone(),
                ahead,
            };
            for _ in 0..50 {
                let q = random_query(&mut cases);
                let expected = naive(&registries, &q, &visibility);
                let got = index.list(&q, &visibility).expect("a valid query");
                assert_eq!(got, expected, "round {round}, ahead {ahead}, {q:?}");
            }
        }
    }
}

#[test]
fn a_deep_page_of_a_visibility_limited_list_is_the_naive_one() {
    let mut cases = Cases::new(7);
    let registries = random_registries(&mut cases, 3000);
    let index = ListIndex::build(indexed(&registries));
    let visibility = RandomVisibility {
        registries,
        ahead: true,
    };
    for page in ["1", "20", "150", "100000"] {
        let q = ListQuery::from_pairs("feature-views", [("page", page), ("page_size", "10")]);
        let got = index.list(&q, &visibility).expect("valid");
        assert_eq!(
            got,
            naive(&visibility.registries, &q, &visibility),
            "page {page}"
        );
        assert!(!got.rows.is_empty());
    }
}

#[test]
fn a_bad_list_or_sort_is_the_naive_error() {
    let index = ListIndex::build(vec![IndexedRegistry::undecided("r", Vec::new())]);
    let visibility = RandomVisibility {
        registries: Vec::new(),
        ahead: false,
    };
    for q in [
        ListQuery::from_pairs("projects", []),
        ListQuery::from_pairs("nope", []),
        ListQuery::from_pairs("entities", [("sort", "size")]),
        ListQuery::from_pairs("feature-views", [("kind", "spaceship")]),
    ] {
        let expected = list(std::iter::empty(), &q, &visibility).map(|_| ());
        assert_eq!(index.list(&q, &visibility).map(|_| ()), expected);
        assert!(expected.is_err());
    }
}
