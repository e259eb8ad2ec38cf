//! The topology diagrams as the page and the CLI serve them: Mermaid source (to copy) and SVG.

use std::sync::Arc;

use app::topology::diagram::{cluster_diagram, feature_store_diagram};
use app::topology::TopologyReport;
use sha2::{Digest, Sha256};

use super::svg::{SvgError, SvgRenderer};

#[derive(Clone, Debug)]
pub struct RenderedDiagram {
    pub mermaid: String,
    pub svg: Arc<str>,
}

/// Ids in an SVG start with this, unique per diagram, so several SVGs can share a page.
/// Derived from a hash: namespace and name are user text and never reach an attribute.
pub fn id_prefix(kind: &str, namespace: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\0{namespace}\0{name}").as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("{kind}-{hex}-")
}

pub fn render_cluster(
    report: &TopologyReport,
    renderer: &SvgRenderer,
) -> Result<RenderedDiagram, SvgError> {
    let d = cluster_diagram(report);
    let svg = renderer.render(&d.source, &id_prefix("cluster", "", ""))?;
    Ok(RenderedDiagram {
        mermaid: d.source,
        svg,
    })
}

/// None when the report has no such FeatureStore.
pub fn render_feature_store(
    report: &TopologyReport,
    namespace: &str,
    name: &str,
    renderer: &SvgRenderer,
) -> Option<Result<RenderedDiagram, SvgError>> {
    let fs = report.find(namespace, name)?;
    let d = feature_store_diagram(fs, report);
    Some(
        renderer
            .render(&d.source, &id_prefix("fs", namespace, name))
            .map(|svg| RenderedDiagram {
                mermaid: d.source,
                svg,
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_safe_and_distinct() {
        let a = id_prefix("fs", "ns", "x\" onload=\"y");
        let b = id_prefix("fs", "ns", "other");
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
