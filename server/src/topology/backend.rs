//! The topology as the pages see it: the current snapshot of a [`TopologyHandle`] (kept fresh by
//! the refresher, or read once from a manifests folder), analysed and drawn on request. The
//! router puts it in the request context as the area's `TopologyBackend`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use app::topology::api::{
    self, DiagramView, FeatureStoreDetail, TopologyBackend, TopologyOverview,
};
use app::topology::diagram::{cluster_diagram, feature_store_diagram};
use app::topology::{analyze, TopologyReport};

use super::diagrams::{id_prefix, RenderedDiagram};
use super::manifests::load_paths;
use super::refresher::TopologyHandle;
use super::svg::{SvgError, SvgRenderer};
use crate::cpu::CpuPool;

pub struct SnapshotTopology {
    source: String,
    handle: Arc<TopologyHandle>,
    renderer: Arc<SvgRenderer>,
    /// Diagram layout runs here, off the async workers.
    cpu: Arc<CpuPool>,
}

impl SnapshotTopology {
    pub fn new(source: String, handle: Arc<TopologyHandle>) -> Self {
        Self {
            source,
            handle,
            renderer: Arc::new(SvgRenderer::new()),
            cpu: Arc::new(CpuPool::default()),
        }
    }

    /// Shares the console's CPU pool and draws with `renderer` (its cache sized by config).
    pub fn with_limits(self, cpu: Arc<CpuPool>, renderer: SvgRenderer) -> Self {
        Self {
            cpu,
            renderer: Arc::new(renderer),
            ..self
        }
    }

    async fn draw(&self, source: &str, prefix: String) -> Result<RenderedDiagram, SvgError> {
        self.renderer
            .render_on(&self.cpu, source.to_string(), prefix)
            .await
            .map(|svg| RenderedDiagram {
                mermaid: source.to_string(),
                svg,
            })
    }

    /// A manifests folder (or files), read once now.
    pub fn from_manifests(paths: &[PathBuf]) -> Self {
        let source = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let handle = Arc::new(TopologyHandle::default());
        handle.record(Ok(load_paths(paths)));
        Self::new(source, handle)
    }

    pub fn into_backend(self) -> Arc<dyn TopologyBackend> {
        Arc::new(self)
    }

    /// Analysis takes a few ms even for 200 FeatureStores, so it is redone per request
    /// rather than cached next to a snapshot that may be swapped at any time.
    fn report(&self) -> TopologyReport {
        self.handle
            .snapshot()
            .map(|s| analyze(&s))
            .unwrap_or_else(|| analyze(&Default::default()))
    }
}

fn diagram_view(result: Result<RenderedDiagram, SvgError>, mermaid: String) -> DiagramView {
    match result {
        Ok(d) => DiagramView {
            svg: Some(d.svg.to_string()),
            mermaid: d.mermaid,
            error: None,
        },
        Err(e) => DiagramView {
            svg: None,
            mermaid,
            error: Some(app::backend::error_chain(&e)),
        },
    }
}

#[app::backend::async_trait]
impl TopologyBackend for SnapshotTopology {
    async fn overview(&self) -> TopologyOverview {
        let report = self.report();
        let mermaid = cluster_diagram(&report).source;
        let drawn = self.draw(&mermaid, id_prefix("cluster", "", "")).await;
        let mut o = api::overview(&report, &self.source, diagram_view(drawn, mermaid));
        let status = self.handle.status();
        o.age_seconds = self.handle.age(SystemTime::now()).map(|d| d.as_secs());
        o.refresh_error = status.last_error;
        o
    }

    async fn feature_store(&self, namespace: &str, name: &str) -> Option<FeatureStoreDetail> {
        let report = self.report();
        let f = report.find(namespace, name)?;
        let mermaid = feature_store_diagram(f, &report).source;
        let drawn = self.draw(&mermaid, id_prefix("fs", namespace, name)).await;
        Some(api::detail(f, &report, diagram_view(drawn, mermaid)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn demo_manifests_feed_the_pages() {
        let demo =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/manifests/enterprise-shared");
        let t = SnapshotTopology::from_manifests(&[demo]);
        let o = t.overview().await;
        assert_eq!(o.stores.len(), 3);
        assert!(
            o.errors.is_empty() && o.refresh_error.is_none(),
            "{:?}",
            o.errors
        );
        assert!(o.age_seconds.is_some());
        assert!(o.stores.iter().all(|s| s.class_id == "enterprise_shared"));
        assert!(o.diagram.svg.as_deref().is_some_and(|s| s.contains("<svg")));
        let d = t.feature_store("team-a", "team-a").await;
        assert!(d
            .as_ref()
            .is_some_and(|d| !d.checklist.is_empty()
                && d.row.badges.contains(&"shared registry".to_string())));
        assert!(t.feature_store("team-a", "nope").await.is_none());
    }
}
