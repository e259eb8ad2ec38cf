//! The catalog backend over the live registry snapshots: lists, details, project pages,
//! search (index rebuilt when a snapshot changes) and lineage SVGs (cached by source hash).

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use app::backend::BackendError;
use app::catalog::api::CatalogBackend;
use app::catalog::detail::{self, staleness, used_by, DetailView, ProjectView, RegistryState};
use app::catalog::lineage::{
    object_lineage, project_lineage, to_mermaid, LineageGraph, LineageView, MAX_DRAWN_NODES,
};
use app::catalog::list_index::{IndexedRegistry, ListIndex};
use app::catalog::model::{CatalogObject, ObjectKind};
use app::catalog::overview::{project_overview, RegistryOverview};
use app::catalog::query::{visible, ListPage, ListQuery, Scoped, Visibility, VIEW_KINDS};
use app::catalog::search::{parse_query, SearchResults};
use app::catalog::search_index::SearchIndex;

use crate::cpu::CpuPool;
use crate::registry::refresher::{Registries, RegistryHandle};
use crate::registry::RegistrySnapshot;
use crate::topology::diagrams::id_prefix;
use crate::topology::svg::SvgRenderer;

/// The registries' current snapshots, taken once per request so one answer sees one state.
pub struct Snapshots {
    pub entries: Vec<(Arc<RegistryHandle>, Option<Arc<RegistrySnapshot>>)>,
}

impl Snapshots {
    pub fn objects(&self) -> impl Iterator<Item = Scoped<'_>> + '_ {
        self.entries.iter().flat_map(|(h, s)| {
            s.iter().flat_map(move |s| {
                s.objects.iter().map(move |o| Scoped {
                    registry: &h.name,
                    object: o,
                })
            })
        })
    }

    /// Each registry's objects with the positions its visibility decisions use (projects
    /// first, then objects: `catalog::visibility`), for the list and search indexes.
    fn indexed(&self) -> Vec<IndexedRegistry> {
        self.entries
            .iter()
            .map(|(h, s)| IndexedRegistry {
                name: h.name.clone(),
                snapshot: s.as_ref().map_or(0, |s| Arc::as_ptr(s) as usize),
                first_position: s.as_ref().map_or(0, |s| s.projects.len()),
                objects: s.as_ref().map(|s| s.objects.clone()).unwrap_or_default(),
            })
            .collect()
    }

    fn find(
        &self,
        registry: &str,
    ) -> Option<&(Arc<RegistryHandle>, Option<Arc<RegistrySnapshot>>)> {
        self.entries.iter().find(|(h, _)| h.name == registry)
    }

    /// `registry`'s entry, or an error saying it is loading when its first read has not
    /// finished (a page must not answer "no such object" for a registry not read yet).
    fn find_read(
        &self,
        registry: &str,
    ) -> Result<Option<&(Arc<RegistryHandle>, Option<Arc<RegistrySnapshot>>)>, BackendError> {
        match self.find(registry) {
            Some((handle, None)) if !handle.first_read_done() => Err(BackendError::Unavailable(
                app::catalog::loading::loading_note(&[registry.to_string()]).unwrap_or_default(),
            )),
            found => Ok(found),
        }
    }
}

/// A value derived from one set of snapshots, kept until one of them changes. It holds the
/// snapshots themselves, not their addresses, so a new snapshot allocated where a freed one
/// was can never pass for it.
struct SnapshotCache<T> {
    slot: Mutex<Option<(Vec<Option<Arc<RegistrySnapshot>>>, Arc<T>)>>,
}

impl<T> SnapshotCache<T> {
    fn new() -> Self {
        SnapshotCache {
            slot: Mutex::new(None),
        }
    }

    fn get_or_build(&self, snapshots: &Snapshots, build: impl FnOnce(&Snapshots) -> T) -> Arc<T> {
        let same = |held: &[Option<Arc<RegistrySnapshot>>]| {
            held.len() == snapshots.entries.len()
                && held
                    .iter()
                    .zip(&snapshots.entries)
                    .all(|(a, (_, b))| match (a, b) {
                        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                        (None, None) => true,
                        _ => false,
                    })
        };
        if let Ok(guard) = self.slot.lock() {
            if let Some((held, value)) = guard.as_ref() {
                if same(held) {
                    return value.clone();
                }
            }
        }
        let value = Arc::new(build(snapshots));
        let replaced = match self.slot.lock() {
            Ok(mut guard) => {
                let held = snapshots.entries.iter().map(|(_, s)| s.clone()).collect();
                guard.replace((held, value.clone()))
            }
            Err(_) => None,
        };
        drop(replaced);
        // Building freed its scratch, and the replaced value is gone unless a request still
        // reads it: give those pages back, off this request.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn_blocking(crate::heap::release_freed);
        }
        value
    }
}

pub struct CatalogService {
    registries: Registries,
    renderer: Arc<SvgRenderer>,
    /// Lineage layout runs here, off the async workers.
    cpu: Arc<CpuPool>,
    index: SnapshotCache<SearchIndex>,
    lists: SnapshotCache<ListIndex>,
}

impl CatalogService {
    /// With a CPU pool of its own and the default diagram cache (the command line, benches).
    pub fn new(registries: Registries) -> Arc<CatalogService> {
        CatalogService::with_limits(registries, Arc::new(CpuPool::default()), SvgRenderer::new())
    }

    /// Sharing the console's CPU pool, with a diagram cache of the configured size.
    pub fn with_limits(
        registries: Registries,
        cpu: Arc<CpuPool>,
        renderer: SvgRenderer,
    ) -> Arc<CatalogService> {
        Arc::new(CatalogService {
            registries,
            renderer: Arc::new(renderer),
            cpu,
            index: SnapshotCache::new(),
            lists: SnapshotCache::new(),
        })
    }

    pub fn snapshots(&self) -> Snapshots {
        Snapshots {
            entries: self
                .registries
                .handles
                .iter()
                .map(|h| (h.clone(), h.snapshot()))
                .collect(),
        }
    }

    /// The search index of `snapshots`, rebuilt only when one of them changed. As with
    /// [`Self::lists`], the caller keeps `snapshots` while it searches.
    pub fn index(&self, snapshots: &Snapshots) -> Arc<SearchIndex> {
        self.index.get_or_build(snapshots, |snapshots| {
            SearchIndex::build_indexed(snapshots.indexed())
        })
    }

    /// The list index of `snapshots`, rebuilt only when one of them changed. A request keeps
    /// `snapshots` while it uses the index: the positions it holds stay those snapshots'.
    pub fn lists(&self, snapshots: &Snapshots) -> Arc<ListIndex> {
        self.lists
            .get_or_build(snapshots, |snapshots| ListIndex::build(snapshots.indexed()))
    }

    async fn lineage_view(&self, graph: LineageGraph, prefix: String) -> LineageView {
        let mermaid = to_mermaid(&graph);
        let (svg, note) = if graph.nodes.len() > MAX_DRAWN_NODES {
            (
                None,
                Some(format!(
                    "{} objects are too many to draw; the list below has every link.",
                    graph.nodes.len()
                )),
            )
        } else if graph.edges.is_empty() {
            (None, Some("No lineage links.".to_string()))
        } else {
            match self
                .renderer
                .render_on(&self.cpu, mermaid.clone(), prefix)
                .await
            {
                Ok(svg) => (Some(svg.to_string()), None),
                Err(e) => (None, Some(app::backend::error_chain(&e))),
            }
        };
        LineageView {
            graph,
            mermaid,
            svg,
            note,
        }
    }
}

fn registry_state(handle: &RegistryHandle) -> RegistryState {
    RegistryState {
        name: handle.name.clone(),
        age_seconds: handle.age(SystemTime::now()).map(|a| a.as_secs()),
        error: handle.status().last_error,
    }
}

/// One registry's visible objects of one project.
fn project_objects<'a>(
    registry: &'a str,
    snapshot: &'a RegistrySnapshot,
    project: &'a str,
    visibility: &'a dyn Visibility,
) -> Vec<&'a CatalogObject> {
    // Objects are sorted by project first: the project's are one range.
    let objects = &snapshot.objects;
    let start = objects.partition_point(|o| &*o.project < project);
    let end = start + objects[start..].partition_point(|o| &*o.project == project);
    let scoped = objects[start..end].iter().map(move |o| Scoped {
        registry,
        object: o,
    });
    visible(scoped, visibility).map(|s| s.object).collect()
}

#[app::backend::async_trait]
impl CatalogBackend for CatalogService {
    async fn overview(
        &self,
        visibility: &dyn Visibility,
    ) -> Result<Vec<RegistryOverview>, BackendError> {
        Ok(super::overview::overview(
            &self.registries,
            SystemTime::now(),
            visibility,
        ))
    }

    async fn list(
        &self,
        query: &ListQuery,
        visibility: &dyn Visibility,
    ) -> Result<ListPage, BackendError> {
        let snapshots = self.snapshots();
        let mut page = self
            .lists(&snapshots)
            .list(query, visibility)
            .map_err(BackendError::Invalid)?;
        page.loading = self.registries.loading();
        Ok(page)
    }

    async fn project(
        &self,
        registry: &str,
        project: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<ProjectView>, BackendError> {
        let snapshots = self.snapshots();
        let Some((handle, Some(snapshot))) = snapshots.find_read(registry)? else {
            return Ok(None);
        };
        // A project the caller may not describe answers as a missing one does.
        let Some(project_object) = snapshot
            .project(project)
            .filter(|p| visibility.may_describe(registry, p))
        else {
            return Ok(None);
        };
        let objects = project_objects(registry, snapshot, project, visibility);
        let now = crate::clock::unix_now();
        let stale_views = objects
            .iter()
            .filter(|o| staleness(o, now).is_some_and(|s| s.stale))
            .map(|o| o.name.to_string())
            .collect();
        let lineage = self
            .lineage_view(
                project_lineage(&objects),
                id_prefix("lineage", registry, project),
            )
            .await;
        Ok(Some(ProjectView {
            registry: registry_state(handle),
            project: project_object.clone(),
            overview: project_overview(project_object, &objects),
            stale_views,
            lineage,
        }))
    }

    async fn detail(
        &self,
        registry: &str,
        project: &str,
        kind: ObjectKind,
        name: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<DetailView>, BackendError> {
        let snapshots = self.snapshots();
        let Some((handle, Some(snapshot))) = snapshots.find_read(registry)? else {
            return Ok(None);
        };
        let objects = project_objects(registry, snapshot, project, visibility);
        // `feature-views/NAME` also finds a batch, stream, on-demand or label view.
        let found = objects
            .iter()
            .find(|o| o.kind == kind && o.name == name)
            .or_else(|| {
                (kind == ObjectKind::FeatureView)
                    .then(|| {
                        objects
                            .iter()
                            .find(|o| VIEW_KINDS.contains(&o.kind) && o.name == name)
                    })
                    .flatten()
            });
        let Some(object) = found.copied() else {
            return Ok(None);
        };
        let versions = snapshot
            .versions
            .iter()
            .filter(|v| v.project == project && v.view == name)
            .cloned()
            .collect();
        let lineage = self
            .lineage_view(
                object_lineage(&objects, object.kind, &object.name),
                id_prefix(
                    "lineage",
                    registry,
                    &format!("{project}\0{}\0{name}", object.kind.as_str()),
                ),
            )
            .await;
        Ok(Some(DetailView {
            registry: registry_state(handle),
            staleness: staleness(object, crate::clock::unix_now()),
            used_by: used_by(object, &objects),
            versions,
            snippet: detail::online_snippet(object, &objects),
            lineage,
            object: object.clone(),
        }))
    }

    async fn search(
        &self,
        text: &str,
        per_kind: usize,
        visibility: &dyn Visibility,
    ) -> Result<SearchResults, BackendError> {
        if text.len() > 1000 {
            return Err(BackendError::Invalid(
                "the search is longer than 1000 characters".into(),
            ));
        }
        let snapshots = self.snapshots();
        let mut results = self
            .index(&snapshots)
            .search(&parse_query(text), visibility, per_kind);
        results.loading = self.registries.loading();
        Ok(results)
    }
}
