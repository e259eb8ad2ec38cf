use super::*;
use crate::catalog::model::{DataSourceDetail, OnDemandDetail, Projection, ViewDetail};

fn source(name: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(ObjectKind::DataSource, "p", name, String::new());
    o.detail = Detail::DataSource(DataSourceDetail {
        source_type: "BATCH_FILE".into(),
        timestamp_field: String::new(),
        location: String::new(),
        batch_source: None,
        schema: vec![],
    });
    o
}

fn view(name: &str, batch: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(ObjectKind::FeatureView, "p", name, String::new());
    o.detail = Detail::View(ViewDetail {
        entities: vec![],
        features: vec![],
        entity_columns: vec![],
        ttl_seconds: 0,
        online: true,
        batch_source: Some(batch.into()),
        stream_source: None,
        materialization_intervals: vec![],
        mode: Default::default(),
    });
    o
}

fn odfv(name: &str, sources: &[&str]) -> CatalogObject {
    let mut o =
        CatalogObject::unreadable(ObjectKind::OnDemandFeatureView, "p", name, String::new());
    o.detail = Detail::OnDemandView(OnDemandDetail {
        features: vec![],
        sources: sources.iter().map(|s| s.to_string()).collect(),
        mode: "pandas".into(),
        ..Default::default()
    });
    o
}

fn service(name: &str, views: &[&str]) -> CatalogObject {
    let mut o = CatalogObject::unreadable(ObjectKind::FeatureService, "p", name, String::new());
    o.detail = Detail::FeatureService {
        projections: views
            .iter()
            .map(|v| Projection {
                view: v.to_string(),
                alias: String::new(),
                features: vec![],
            })
            .collect(),
    };
    o
}

fn sample() -> Vec<CatalogObject> {
    vec![
        source("driver_source"),
        source("vals_to_add"),
        source("unused_source"),
        view("driver_stats", "driver_source"),
        odfv("transformed", &["driver_stats", "vals_to_add"]),
        service("svc", &["driver_stats", "transformed"]),
    ]
}

fn edge_names(g: &LineageGraph) -> Vec<(String, String)> {
    g.edges
        .iter()
        .map(|(a, b)| (g.nodes[*a].name.clone(), g.nodes[*b].name.clone()))
        .collect()
}

#[test]
fn project_lineage_links_sources_views_and_services() {
    let objects = sample();
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let g = project_lineage(&refs);
    assert_eq!(g.nodes.len(), 6, "unused sources are still shown");
    let mut edges = edge_names(&g);
    edges.sort();
    assert_eq!(
        edges,
        vec![
            ("driver_source".to_string(), "driver_stats".to_string()),
            ("driver_stats".to_string(), "svc".to_string()),
            ("driver_stats".to_string(), "transformed".to_string()),
            ("transformed".to_string(), "svc".to_string()),
            ("vals_to_add".to_string(), "transformed".to_string()),
        ]
    );
    let on_demand = g.nodes.iter().find(|n| n.name == "transformed").unwrap();
    assert_eq!(on_demand.kind, ObjectKind::OnDemandFeatureView);
}

#[test]
fn object_lineage_keeps_only_the_connected_part() {
    let objects = sample();
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let g = object_lineage(&refs, ObjectKind::OnDemandFeatureView, "transformed");
    let mut names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "driver_source",
            "driver_stats",
            "svc",
            "transformed",
            "vals_to_add"
        ]
    );
    let lonely = object_lineage(&refs, ObjectKind::DataSource, "unused_source");
    assert_eq!((lonely.nodes.len(), lonely.edges.len()), (1, 0));
}

#[test]
fn hostile_names_stay_inside_their_labels() {
    let objects = vec![
        source("x\" onmouseover=\"alert(1)"),
        view("click n0 call alert()", "x\" onmouseover=\"alert(1)"),
        service(
            "style n0 fill:#f00\nclick n1 href \"javascript:alert(1)\"",
            &["click n0 call alert()"],
        ),
    ];
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let mermaid = to_mermaid(&project_lineage(&refs));
    for line in mermaid.lines().skip(1) {
        let line = line.trim();
        assert!(line.starts_with('n'), "{line}");
        // One quoted label per node line: exactly two quotes, user text between them.
        assert!(
            line.contains("-->") || line.matches('"').count() == 2,
            "{line}"
        );
        assert!(
            !line.starts_with("click") && !line.starts_with("style"),
            "{line}"
        );
    }
    assert!(!mermaid.contains("onmouseover=\""));
    assert!(!mermaid.contains("alert(1)"));
}
