//! Renders every fixture's diagrams to SVG and checks what a person would see: each node inside
//! its own box and outside the others, no two nodes on top of each other, and no name able to
//! inject markup, scripts, links or styles.

use std::path::PathBuf;

use app::topology::diagram::{cluster_diagram, feature_store_diagram, MermaidDiagram};
use app::topology::{analyze, TopologyReport};
use server::topology::manifests::{load_paths, load_text};
use server::topology::svg::SvgRenderer;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/topology")
}

#[derive(Clone, Copy, Debug)]
struct BoxRect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl BoxRect {
    fn union(self, o: BoxRect) -> BoxRect {
        BoxRect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
    fn inside(self, o: BoxRect) -> bool {
        const EPS: f64 = 0.5;
        self.x0 >= o.x0 - EPS
            && self.y0 >= o.y0 - EPS
            && self.x1 <= o.x1 + EPS
            && self.y1 <= o.y1 + EPS
    }
    fn overlaps(self, o: BoxRect) -> bool {
        const EPS: f64 = 0.5;
        self.x0 < o.x1 - EPS && o.x0 < self.x1 - EPS && self.y0 < o.y1 - EPS && o.y0 < self.y1 - EPS
    }
}

/// Boxes read back from the SVG: subgraphs and nodes, each with the text drawn in it.
struct SvgShapes {
    groups: Vec<(String, BoxRect)>,
    nodes: Vec<(String, BoxRect)>,
}

fn num(n: roxmltree::Node, attr: &str) -> f64 {
    n.attribute(attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn shape_box(n: roxmltree::Node) -> Option<BoxRect> {
    match n.tag_name().name() {
        "rect" => {
            let (x, y) = (num(n, "x"), num(n, "y"));
            Some(BoxRect {
                x0: x,
                y0: y,
                x1: x + num(n, "width"),
                y1: y + num(n, "height"),
            })
        }
        "ellipse" => {
            let (cx, cy, rx, ry) = (num(n, "cx"), num(n, "cy"), num(n, "rx"), num(n, "ry"));
            Some(BoxRect {
                x0: cx - rx,
                y0: cy - ry,
                x1: cx + rx,
                y1: cy + ry,
            })
        }
        _ => None,
    }
}

/// Text of a `<text>`, all whitespace removed (the renderer may wrap long labels).
fn squashed_text(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn squash(s: &str) -> String {
    s.replace("<br/>", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// mermaid-rs-renderer draws a subgraph as a rounded rect in the cluster colour followed by its
/// title, and a node as its shapes (rect, or ellipse + rect + ellipse) followed by its text.
fn read_shapes(svg: &str) -> SvgShapes {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG is not XML: {e}"));
    let mut groups = Vec::new();
    let mut nodes = Vec::new();
    let mut pending: Option<(bool, BoxRect)> = None;
    for n in doc.root_element().children().filter(|n| n.is_element()) {
        if n.attribute("data-edge-id").is_some()
            || n.tag_name().name() == "defs"
            || n.tag_name().name() == "g"
        {
            continue;
        }
        if n.tag_name().name() == "text" {
            if let Some((is_group, b)) = pending.take() {
                let text = squashed_text(n);
                if is_group {
                    groups.push((text, b))
                } else {
                    nodes.push((text, b))
                }
            }
            continue;
        }
        let Some(b) = shape_box(n) else { continue };
        if b.x0 == 0.0
            && b.y0 == 0.0
            && n.attribute("fill") == Some("#FFFFFF")
            && n.attribute("rx").is_none()
        {
            continue; // background
        }
        let is_group = n.tag_name().name() == "rect"
            && n.attribute("rx") == Some("10")
            && n.attribute("fill") == Some("#F1F5F9");
        pending = Some(match pending {
            Some((g, prev)) if !is_group && !g => (false, prev.union(b)),
            _ => (is_group, b),
        });
    }
    SvgShapes { groups, nodes }
}

fn check_geometry(d: &MermaidDiagram, svg: &str, what: &str) {
    if let Ok(dir) = std::env::var("TOPOLOGY_SVG_DUMP") {
        let file: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let _ = std::fs::write(format!("{dir}/{file}.svg"), svg);
        let _ = std::fs::write(format!("{dir}/{file}.mmd"), &d.source);
    }
    let shapes = read_shapes(svg);
    let group_box = |id: &str| {
        let label = d
            .groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| squash(&g.label))
            .unwrap_or_default();
        shapes
            .groups
            .iter()
            .find(|(t, _)| *t == label)
            .map(|(_, b)| *b)
            .unwrap_or_else(|| panic!("{what}: no box for group {label}"))
    };
    let mut placed = Vec::new();
    for node in &d.nodes {
        let text = squash(&node.lines.join(""));
        let b = shapes
            .nodes
            .iter()
            .find(|(t, _)| *t == text)
            .map(|(_, b)| *b)
            .unwrap_or_else(|| panic!("{what}: node {text} not drawn"));
        // Top-level nodes (no group) must only stay clear of every box.
        if !node.group.is_empty() {
            let own = group_box(&node.group);
            assert!(
                b.inside(own),
                "{what}: node {text} {b:?} outside its group {own:?}\n{}",
                d.source
            );
        }
        for g in d.groups.iter().filter(|g| g.id != node.group) {
            let other = group_box(&g.id);
            assert!(
                !b.overlaps(other),
                "{what}: node {text} overlaps group {}\n{}",
                g.label,
                d.source
            );
        }
        placed.push((text, b));
    }
    for (i, (a, ab)) in placed.iter().enumerate() {
        for (b, bb) in &placed[i + 1..] {
            assert!(!ab.overlaps(*bb), "{what}: nodes {a} and {b} overlap");
        }
    }
}

fn all_diagrams(report: &TopologyReport) -> Vec<(String, MermaidDiagram)> {
    let mut out = vec![("cluster".to_string(), cluster_diagram(report))];
    for f in &report.feature_stores {
        out.push((
            format!("{}/{}", f.facts.namespace, f.facts.name),
            feature_store_diagram(f, report),
        ));
    }
    out
}

#[test]
fn fixture_diagrams_have_sound_geometry() {
    let renderer = SvgRenderer::new();
    for folder in [
        "minimal",
        "standard",
        "enterprise-isolated",
        "enterprise-shared",
        "rules",
    ] {
        let report = analyze(&load_paths(&[fixtures().join(folder)]));
        for (name, d) in all_diagrams(&report) {
            let svg = renderer
                .render(&d.source, "t-")
                .unwrap_or_else(|e| panic!("{folder} {name}: {e}"));
            check_geometry(&d, &svg, &format!("{folder} {name}"));
        }
    }
}

const EVIL: [&str; 4] = [
    "x\" onmouseover=\"alert(1)",
    "click n0 \"javascript:alert(1)\"",
    "style n0 fill:url(https://evil.example/x)",
    "<script>alert(1)</script>",
];

#[test]
fn hostile_names_inject_nothing_into_the_svg() {
    let renderer = SvgRenderer::new();
    for evil in EVIL {
        let yaml = format!(
            "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata: {{name: {n}, namespace: {n}}}\nspec:\n  replicas: 2\n  services:\n    onlineStore: {{persistence: {{store: {{type: redis}}}}}}\n    registry: {{local: {{persistence: {{store: {{type: sql}}}}}}}}\n",
            n = serde_json::to_string(evil).unwrap_or_default()
        );
        let mut snapshot = Default::default();
        load_text("evil.yaml", &yaml, false, &mut snapshot);
        let report = analyze(&snapshot);
        assert_eq!(
            report.feature_stores.len(),
            1,
            "{evil}: {:?}",
            report.errors
        );
        for (name, d) in all_diagrams(&report) {
            let svg = renderer
                .render(&d.source, "evil-")
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let doc =
                roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{evil}: not XML: {e}"));
            for n in doc.descendants().filter(|n| n.is_element()) {
                let tag = n.tag_name().name();
                assert!(
                    !matches!(
                        tag,
                        "script" | "a" | "foreignObject" | "image" | "use" | "style"
                    ),
                    "{evil}: <{tag}>"
                );
                for a in n.attributes() {
                    let (k, v) = (a.name(), a.value());
                    assert!(!k.starts_with("on") && k != "href", "{evil}: attribute {k}");
                    assert!(!v.contains("javascript:"), "{evil}: {k}={v}");
                    if v.contains("url(") {
                        assert!(
                            v.starts_with("url(#evil-"),
                            "{evil}: external url in {k}={v}"
                        );
                    }
                    if k == "id" {
                        assert!(v.starts_with("evil-"), "{evil}: unprefixed id {v}");
                    }
                }
            }
            check_geometry(&d, &svg, &format!("evil {name}"));
        }
    }
}
