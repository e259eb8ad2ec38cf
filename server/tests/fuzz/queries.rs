//! Catalog query strings through the real list and search query layers
//! (`app::catalog::query` `ListQuery::from_pairs`, `list`, `href_for_page`;
//! `app::catalog::search` `parse_query` and the search index), over the demo registry's
//! objects: real keys with hostile values (huge numbers, percent escapes, multi-byte
//! characters), and mutations of real query strings.

use std::sync::{Arc, OnceLock};

use app::catalog::model::CatalogObject;
use app::catalog::query::{list, EveryObject, ListQuery, Scoped, LIST_SLUGS};
use app::catalog::search::parse_query;
use app::catalog::search_index::SearchIndex;
use proptest::prelude::*;
use server::registry::file::decode_registry;

use crate::support::{fuzz, hostile_text, mutate_text, text_mutations};

const DEMO_REGISTRY: &[u8] = include_bytes!("../../demo/registry/registry.db");

fn objects() -> &'static [CatalogObject] {
    static OBJECTS: OnceLock<Vec<CatalogObject>> = OnceLock::new();
    OBJECTS.get_or_init(|| match decode_registry(DEMO_REGISTRY) {
        Ok((objects, _)) => objects,
        Err(e) => panic!("the demo registry does not decode: {e}"),
    })
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let shared = objects().iter().cloned().map(Arc::new).collect();
        SearchIndex::build(vec![("demo".to_string(), shared)])
    })
}

fn query_string() -> impl Strategy<Value = String> {
    // The keys the list form sends, and two it does not.
    let keys: Vec<&str> = "registry project tag owner kind name sort page page_size list q"
        .split(' ')
        .chain([""])
        .collect();
    let key = prop::sample::select(keys);
    let value = prop_oneof![
        hostile_text(),
        prop::sample::select(
            &[
                "0",
                "1",
                "-1",
                "18446744073709551615",
                "18446744073709551616",
                "99999999999999999999999",
                " 7 ",
                "-name",
                "--updated",
                "kind",
                "team=a",
                "=",
                "%",
                "%FF",
                "%C3%A9",
                "+",
            ][..]
        )
        .prop_map(str::to_string),
    ];
    prop_oneof![
        3 => prop::collection::vec((key, value), 0..12).prop_map(|pairs| {
            pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
        }),
        1 => (Just("registry=demo&project=driver_ranking&tag=team%3Dml&sort=-updated&page=2&page_size=10"),
              text_mutations()).prop_map(|(seed, changes)| mutate_text(seed, &changes)),
    ]
}

#[test]
fn list_query_strings() {
    let strategy = (prop::sample::select(&LIST_SLUGS[..]), query_string());
    fuzz("catalog list queries", strategy, |(slug, raw)| {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect();
        let query =
            ListQuery::from_pairs(slug, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let scoped = objects().iter().map(|object| Scoped {
            registry: "demo",
            object,
        });
        if let Ok(page) = list(scoped, &query, &EveryObject) {
            assert!(page.rows.len() <= page.page_size);
            let _ = query.href_for_page(page.page.saturating_add(1));
        }
        let _ = query.href_for_page(usize::MAX);
    });
}

#[test]
fn search_query_strings() {
    let strategy = prop_oneof![
        hostile_text(),
        (
            Just("tag:team=ml owner:alice kind:fv project:driver_ranking driver stats"),
            text_mutations()
        )
            .prop_map(|(seed, changes)| mutate_text(seed, &changes)),
    ];
    fuzz("catalog search queries", strategy, |text| {
        let query = parse_query(&text);
        let results = index().search(&query, &EveryObject, 5);
        assert!(results.groups.iter().all(|g| g.hits.len() <= 5));
    });
}
