//! Names come from users: hostile ones must render as text in the HTML, and stay inside their
//! labels in the Mermaid source and the SVG (no attributes, no `click` / `style` statements).

use std::time::{Duration, SystemTime};

use app::catalog::model::{
    CatalogObject, DataSourceDetail, Detail, ObjectKind, Projection, ViewDetail,
};
use server::registry::RegistrySnapshot;

use crate::catalog_support::{app_with, assert_only_in_text, clean, registries_of};

const QUOTE: &str = "x\" onmouseover=\"alert(1)";
const CLICK: &str = "click n0 call alert(1)";
const STYLE: &str = "style n0 fill:#f00";
const TAG: &str = "<img src=x onerror=alert(1)>";

fn object(kind: ObjectKind, name: &str, detail: Detail) -> CatalogObject {
    let mut o = CatalogObject::unreadable(kind, "p", name, String::new());
    o.detail = detail;
    o.description = TAG.into();
    o.tags = [("team".to_string(), QUOTE.to_string())].into();
    o
}

fn hostile_snapshot() -> RegistrySnapshot {
    let source = object(
        ObjectKind::DataSource,
        QUOTE,
        Detail::DataSource(DataSourceDetail {
            source_type: "BATCH_FILE".into(),
            timestamp_field: "ts".into(),
            location: TAG.into(),
            batch_source: None,
            schema: vec![],
        }),
    );
    let view = object(
        ObjectKind::FeatureView,
        CLICK,
        Detail::View(ViewDetail {
            entities: vec![],
            features: vec![],
            entity_columns: vec![],
            ttl_seconds: 0,
            online: false,
            batch_source: Some(QUOTE.into()),
            stream_source: None,
            materialization_intervals: vec![],
            mode: Default::default(),
        }),
    );
    let service = object(
        ObjectKind::FeatureService,
        STYLE,
        Detail::FeatureService {
            projections: vec![Projection {
                view: CLICK.into(),
                alias: String::new(),
                features: vec![],
            }],
        },
    );
    RegistrySnapshot::build(
        vec![source, view, service],
        vec![],
        SystemTime::now(),
        Duration::ZERO,
    )
}

fn encoded(name: &str) -> String {
    app::util::percent::path_segment(name)
}

#[tokio::test]
async fn hostile_names_render_escaped_in_html_and_svg() {
    let app = app_with(registries_of("r", hostile_snapshot())).await;
    let href = format!("/registries/r/projects/p/feature-views/{}", encoded(CLICK));
    let r = app.get(&href).await;
    assert_eq!(r.status, 200);
    let html = clean(&r.body);
    assert!(html.contains("<h1>"), "{html}");
    assert!(
        !html.contains("<img src=x"),
        "markup from a description reached the page"
    );
    assert_only_in_text(&html, "onmouseover=\"alert(1)");
    assert!(
        html.contains(&format!("/data-sources/{}", encoded(QUOTE))),
        "links are encoded"
    );

    // The SVG: well-formed XML, ids prefixed, no event attributes, user text only as text.
    let start = html.find("<svg").expect("an SVG is drawn");
    let end = html[start..].find("</svg>").unwrap() + start + 6;
    let svg = &html[start..end];
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
    for node in doc.descendants().filter(|n| n.is_element()) {
        for a in node.attributes() {
            assert!(!a.name().starts_with("on"), "event attribute {}", a.name());
        }
        if let Some(id) = node.attribute("id") {
            assert!(id.starts_with("lineage-"), "unprefixed id {id}");
        }
    }
    assert!(!svg.contains("<img"));
    assert!(!svg.contains("javascript:"));

    // The Mermaid source shown to copy: one statement per line, none from user text.
    let mermaid = &html[html.find("flowchart LR").unwrap()..];
    let mermaid = &mermaid[..mermaid.find("</code>").unwrap()];
    for line in mermaid.lines().skip(1) {
        let line = line.trim();
        assert!(line.is_empty() || line.starts_with('n'), "{line}");
    }

    for page in [
        format!("/registries/r/projects/p/data-sources/{}", encoded(QUOTE)),
        format!(
            "/registries/r/projects/p/feature-services/{}",
            encoded(STYLE)
        ),
        "/registries/r/projects/p".to_string(),
        "/catalog/feature-views".to_string(),
        "/search?q=click".to_string(),
    ] {
        let r = app.get(&page).await;
        assert_eq!(r.status, 200, "{page}");
        let html = clean(&r.body);
        assert!(!html.contains("<img src=x"), "{page}");
        assert_only_in_text(&html, "onmouseover=\"alert(1)");
    }
}
