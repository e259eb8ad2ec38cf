use serde_json::{json, Value};

use super::*;
use crate::topology::diagram::{
    cluster_diagram, feature_store_diagram, label_text, MermaidDiagram,
};

const EVIL_NAMES: [&str; 5] = [
    "x\" onmouseover=\"alert(1)",
    "click n0 \"javascript:alert(1)\"",
    "style n0 fill:url(https://evil.example/x)",
    "a]\nend\nsubgraph z[\"owned",
    "<script>alert(1)</script>&amp;",
];

fn enterprise_objects() -> Vec<Value> {
    vec![
        fs("feast-system", "shared", standard_spec()),
        fs("team-a", "a", tenant_spec("feast-system", "shared")),
        fs("team-b", "b", tenant_spec("feast-system", "shared")),
        fs("sandbox", "m", minimal_spec()),
    ]
}

/// The generation rules from MERMAID-NOTES, checked on the text.
fn assert_well_formed(d: &MermaidDiagram) {
    let mut lines = d.source.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut depth = 0;
    for line in lines {
        let t = line.trim();
        for banned in ["style ", "classDef", "click ", "link", "linkStyle"] {
            assert!(!t.starts_with(banned), "banned `{banned}` in {t:?}");
        }
        assert!(!t.contains("|\""), "quoted edge label in {t:?}");
        if t.starts_with("subgraph ") {
            depth += 1;
            assert!(depth <= 1, "nested subgraph: {t}");
        } else if t == "end" {
            depth -= 1;
        }
        // Every quote is part of a generated label: `id["..."]`, `id(["..."])` or `id[("...")]`.
        assert!(t.matches('"').count() % 2 == 0, "unbalanced quotes: {t}");
    }
    assert_eq!(depth, 0);
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    for (from, to) in &d.edges {
        assert!(
            ids.contains(&from.as_str()) && ids.contains(&to.as_str()),
            "edge {from}->{to} not node-to-node"
        );
    }
    for g in &d.groups {
        assert!(
            d.nodes.iter().any(|n| n.group == g.id),
            "empty group {}",
            g.id
        );
    }
    assert!(
        d.nodes
            .iter()
            .all(|n| n.group.is_empty() || d.groups.iter().any(|g| g.id == n.group)),
        "node in an unknown group"
    );
}

#[test]
fn per_store_and_cluster_diagrams_follow_the_rules() {
    let r = report(enterprise_objects());
    for f in &r.feature_stores {
        let d = feature_store_diagram(f, &r);
        assert_well_formed(&d);
        assert!(
            d.nodes
                .iter()
                .any(|n| n.lines.iter().any(|l| l.contains("Online store"))),
            "{}",
            d.source
        );
    }
    let d = cluster_diagram(&r);
    assert_well_formed(&d);
    assert!(d.source.contains("Namespace team-a"));
    assert!(d.source.contains("-->|registry|"));
}

#[test]
fn labels_keep_a_safe_alphabet() {
    for evil in EVIL_NAMES {
        let l = label_text(evil);
        assert!(
            !l.contains([
                '"', '<', '>', '&', '\n', ';', '[', ']', '(', ')', '#', '|', '`', '\'', '{', '}'
            ]),
            "{l}"
        );
    }
    assert_eq!(label_text("team-a/store_1.v2"), "team-a/store_1.v2");
    assert_eq!(label_text(""), "_");
    assert!(label_text(&"x".repeat(500)).chars().count() <= 64);
}

#[test]
fn hostile_names_inject_nothing() {
    for evil in EVIL_NAMES {
        let mut objects = enterprise_objects();
        objects.push(fs(evil, evil, standard_spec()));
        objects.push(fs("team-c", evil, tenant_spec(evil, evil)));
        let r = report(objects);
        let mut diagrams = vec![cluster_diagram(&r)];
        diagrams.extend(
            r.feature_stores
                .iter()
                .map(|f| feature_store_diagram(f, &r)),
        );
        for d in diagrams {
            assert_well_formed(&d);
            for banned in [
                "onmouseover=\"",
                "\"javascript:",
                "<script",
                "url(",
                "\nclick",
                "\nstyle",
            ] {
                assert!(!d.source.contains(banned), "{banned} in\n{}", d.source);
            }
        }
    }
}

#[test]
fn diagram_is_deterministic() {
    let r = report(enterprise_objects());
    assert_eq!(cluster_diagram(&r), cluster_diagram(&r));
    let f = one(&r, "team-a", "a");
    assert_eq!(
        feature_store_diagram(&f, &r).source,
        feature_store_diagram(&f, &r).source
    );
    let _ = json!(null);
}
