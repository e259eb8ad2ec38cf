//! Registry blobs of every kind through the real decoders (`registry/decode.rs`,
//! `registry/file.rs`): real Feast messages from the committed demo registry, mutated; the
//! whole `registry.db` mutated; REST JSON items with hostile values and deep nesting.

use std::sync::OnceLock;

use proptest::prelude::*;
use prost::Message;
use serde_json::{json, Value};
use server::registry::decode::{decode_blob, decode_json, stored_project, BlobKind};
use server::registry::file::decode_registry;
use server::registry::proto::Registry;

use crate::support::{fuzz, hostile_text, mutate, mutations};

/// Written by real Feast (`scripts/make-registries.sh --update-demo`).
const DEMO_REGISTRY: &[u8] = include_bytes!("../../demo/registry/registry.db");

/// Every blob of the demo registry, with the kind it is stored as.
fn seeds() -> &'static [(BlobKind, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(BlobKind, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let registry = match Registry::decode(DEMO_REGISTRY) {
            Ok(r) => r,
            Err(e) => panic!("the demo registry does not decode: {e}"),
        };
        let lists: [(BlobKind, Vec<Vec<u8>>); 11] = [
            (BlobKind::Project, registry.projects),
            (BlobKind::Entity, registry.entities),
            (BlobKind::DataSource, registry.data_sources),
            (BlobKind::FeatureView, registry.feature_views),
            (BlobKind::StreamFeatureView, registry.stream_feature_views),
            (
                BlobKind::OnDemandFeatureView,
                registry.on_demand_feature_views,
            ),
            (BlobKind::LabelView, registry.label_views),
            (BlobKind::FeatureService, registry.feature_services),
            (BlobKind::SavedDataset, registry.saved_datasets),
            (
                BlobKind::ValidationReference,
                registry.validation_references,
            ),
            (BlobKind::Permission, registry.permissions),
        ];
        let seeds: Vec<_> = lists
            .into_iter()
            .flat_map(|(kind, blobs)| blobs.into_iter().map(move |b| (kind, b)))
            .collect();
        assert!(seeds.len() > 10, "the demo registry has too few objects");
        seeds
    })
}

#[test]
fn unmutated_seeds_decode_as_readable_objects() {
    for (kind, blob) in seeds() {
        let object = decode_blob(*kind, "p", "#0", blob);
        assert!(!object.is_unreadable(), "{kind:?} seed is unreadable");
    }
}

#[test]
fn blobs_of_every_kind() {
    let strategy = (
        prop::sample::select(BlobKind::ALL.to_vec()),
        any::<prop::sample::Index>(),
        mutations(),
    );
    fuzz("registry blobs", strategy, |(kind, seed, changes)| {
        // A seed of any kind, decoded as `kind`: wrong-kind blobs are hostile input too.
        let (_, blob) = seed.get(seeds());
        let bytes = mutate(blob, &changes);
        let project = stored_project(kind, &bytes).unwrap_or_default();
        let object = decode_blob(kind, &project, "#0", &bytes);
        // Decoded or not, the object stays listed (a feature_views row may hold a batch view).
        if object.is_unreadable() {
            assert_eq!(object.kind, kind.object_kind());
        }
    });
}

#[test]
fn random_bytes_as_blobs() {
    let strategy = (
        prop::sample::select(BlobKind::ALL.to_vec()),
        prop::collection::vec(any::<u8>(), 0..512),
    );
    fuzz("registry random bytes", strategy, |(kind, bytes)| {
        let _ = stored_project(kind, &bytes);
        let _ = decode_blob(kind, "p", "#0", &bytes);
    });
}

#[test]
fn whole_registry_files() {
    fuzz("registry.db files", mutations(), |changes| {
        let bytes = mutate(DEMO_REGISTRY, &changes);
        let _ = decode_registry(&bytes);
    });
}

/// JSON values with hostile leaves, up to a few levels of structure.
fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        hostile_text().prop_map(Value::String),
        prop::sample::select(
            &[
                "FEATURE_VIEW",
                "CREATE",
                "BATCH_FILE",
                "FLOAT",
                "86400s",
                "-1s",
                "99999999999999999999s",
                "2026-11-26T12:10:10Z",
                "0000-00-00T99:99:99Z",
                "",
            ][..]
        )
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(
                    &[
                        "name",
                        "spec",
                        "meta",
                        "type",
                        "features",
                        "entities",
                        "ttl",
                        "policy",
                        "types",
                        "actions",
                        "tags",
                        "owner",
                        "batchSource",
                        "streamSource",
                        "createdTimestamp",
                        "lastUpdatedTimestamp",
                        "materializationIntervals",
                        "startTime",
                        "endTime",
                        "valueType",
                        "project",
                        "sources",
                        "userDefinedFunction",
                        "featureViewProjections",
                        "roleBasedPolicy",
                        "roles",
                        "groupBasedPolicy",
                        "groups",
                        "namespaceBasedPolicy",
                        "namespaces",
                        "combinedGroupNamespacePolicy",
                        "namePatterns",
                        "requiredTags",
                        "fileOptions",
                        "uri",
                        "x",
                    ][..]
                ),
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

#[test]
fn rest_json_items() {
    let strategy = (
        prop::sample::select(BlobKind::ALL.to_vec()),
        hostile_json(),
        hostile_json(),
        0usize..300,
    );
    fuzz(
        "registry REST JSON",
        strategy,
        |(kind, spec, meta, depth)| {
            let item = json!({"spec": spec, "meta": meta});
            let _ = decode_json(kind, "p", &item);
            // Deep nesting in the spec: serde_json's parser stops at 128 levels, but a value
            // built in memory (as here) reaches the decoder at any depth.
            let mut deep = json!({"name": "deep"});
            for level in 0..depth {
                deep = match level % 3 {
                    0 => json!({"spec": deep}),
                    1 => json!({"features": [deep]}),
                    _ => json!({"policy": {"roleBasedPolicy": deep}}),
                };
            }
            let _ = decode_json(kind, "p", &json!({"spec": deep}));
        },
    );
}
