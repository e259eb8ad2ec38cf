//! Kubernetes manifests through the real reader (`topology/manifests.rs` `load_text`) and the
//! analysis the topology pages run on what it read (`app::topology::report::analyze`): the
//! committed fixture manifests, mutated as text (multi-byte characters, deep nesting, YAML
//! anchors and aliases), as YAML and as JSON.

use app::topology::{report::analyze, snapshot::ClusterSnapshot};
use proptest::prelude::*;
use server::topology::manifests::load_text;

use crate::support::{fuzz, mutate_text, text_mutations};

const SEEDS: &[&str] = &[
    include_str!("../fixtures/topology/minimal/feature-store.yaml"),
    include_str!("../fixtures/topology/standard/feature-store.yaml"),
    include_str!("../fixtures/topology/standard/ingress.yaml"),
    include_str!("../fixtures/topology/enterprise-shared/shared-registry.yaml"),
    include_str!("../fixtures/topology/enterprise-shared/team-a.yaml"),
    include_str!("../fixtures/topology/rules/hpa-without-pdb.yaml"),
    include_str!("../fixtures/topology/rules/shared-registry-without-auth.yaml"),
    include_str!("../fixtures/topology/malformed/unknown-fields.yaml"),
    include_str!("../fixtures/topology/malformed/truncated.json"),
    // Alias expansion: each level refers to the one before ten times.
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
     c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
     e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"feast.dev/v1\", \
     \"kind\": \"FeatureStore\", \"metadata\": {\"name\": \"x\"}, \"spec\": {\"feastProject\": \"p\"}}]}",
];

#[test]
fn manifests_as_yaml_and_json() {
    let strategy = (prop::sample::select(SEEDS), text_mutations(), any::<bool>());
    fuzz("topology manifests", strategy, |(seed, changes, json)| {
        let text = mutate_text(seed, &changes);
        let mut snapshot = ClusterSnapshot::default();
        load_text("fuzz.yaml", &text, json, &mut snapshot);
        snapshot.sort();
        let _ = analyze(&snapshot);
    });
}
