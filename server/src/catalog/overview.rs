//! The catalog overview the page shows, built from the live registry handles.

use std::sync::Arc;
use std::time::SystemTime;

use app::catalog::model::CatalogObject;
use app::catalog::overview::{project_overview, ProjectOverview, RegistryOverview};
use app::catalog::query::Visibility;

use crate::registry::refresher::Registries;
use crate::registry::snapshot::RegistrySnapshot;

/// Every registry, counting only what `visibility` shows.
pub fn overview(
    registries: &Registries,
    now: SystemTime,
    visibility: &dyn Visibility,
) -> Vec<RegistryOverview> {
    registries
        .handles
        .iter()
        .map(|h| {
            let snapshot = h.snapshot();
            RegistryOverview {
                name: h.name.clone(),
                source: h.source.clone(),
                age_seconds: h.age(now).map(|a| a.as_secs()),
                error: h.status().last_error,
                projects: snapshot
                    .map(|s| projects(&h.name, &s, visibility))
                    .unwrap_or_default(),
                undecided: visibility.undecided_in(&h.name),
            }
        })
        .collect()
}

/// Each visible project of `snapshot` with its visible objects counted: objects are sorted by
/// project, so each project counts its own range (one pass over the registry, not one per
/// project), and a decision made ahead answers by position (projects, then objects).
pub fn projects(
    registry: &str,
    snapshot: &Arc<RegistrySnapshot>,
    visibility: &dyn Visibility,
) -> Vec<ProjectOverview> {
    let decided = visibility.decided(registry, Arc::as_ptr(snapshot) as usize);
    let may = |position: usize, o: &CatalogObject| match decided {
        Some(d) => d.allows(position),
        None => visibility.may_describe(registry, o),
    };
    let objects = &snapshot.objects;
    let first = snapshot.projects.len();
    snapshot
        .projects
        .iter()
        .enumerate()
        .filter(|(i, p)| may(*i, p))
        .map(|(_, p)| {
            let name: &str = &p.name;
            let start = objects.partition_point(|o| &*o.project < name);
            let end = start + objects[start..].partition_point(|o| &*o.project == name);
            let shown: Vec<&CatalogObject> = objects[start..end]
                .iter()
                .enumerate()
                .filter(|(j, o)| may(first + start + j, o))
                .map(|(_, o)| &**o)
                .collect();
            project_overview(p, &shown)
        })
        .collect()
}
