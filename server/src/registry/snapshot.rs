//! [`RegistrySnapshot`]: one registry's contents at one moment, immutable once built.

use std::{
    collections::BTreeSet,
    sync::Arc,
    time::{Duration, SystemTime},
};

use app::catalog::{
    model::{CatalogObject, Detail, ObjectKind, ViewVersion},
    overview::{project_overview, ProjectOverview},
    query::Visibility,
};
use app::util::shared_str::SharedStr;

/// Everything one registry held when it was read. Shared as `Arc<RegistrySnapshot>` and
/// replaced whole, never edited. Lists are sorted, so two reads of the same registry compare
/// equal even though Feast's own queries return rows in no defined order.
#[derive(Clone, Debug)]
pub struct RegistrySnapshot {
    /// Projects, sorted by name.
    pub projects: Vec<Arc<CatalogObject>>,
    /// Every other object, sorted by (project, kind, name); includes Feast's `__dummy`
    /// entities (see [`CatalogObject::is_internal`]) and unreadable objects.
    /// Objects are shared with the reader's cache, so a refresh that changed one row
    /// copies pointers, not the catalog.
    pub objects: Vec<Arc<CatalogObject>>,
    /// Feature-view version history, sorted by (project, view, version).
    pub versions: Vec<ViewVersion>,
    /// When the read finished.
    pub loaded_at: SystemTime,
    /// How long the read took (a full load, or a refresh that re-read only changed rows).
    pub load_duration: Duration,
}

impl RegistrySnapshot {
    /// Sorts the objects and adds a project entry for any project that has objects but no
    /// project row (legacy registries that predate Feast's `projects` table).
    pub fn build(
        objects: impl IntoIterator<Item = CatalogObject>,
        versions: Vec<ViewVersion>,
        loaded_at: SystemTime,
        load_duration: Duration,
    ) -> RegistrySnapshot {
        Self::build_shared(
            objects.into_iter().map(Arc::new),
            versions,
            loaded_at,
            load_duration,
        )
    }

    pub fn build_shared(
        objects: impl IntoIterator<Item = Arc<CatalogObject>>,
        mut versions: Vec<ViewVersion>,
        loaded_at: SystemTime,
        load_duration: Duration,
    ) -> RegistrySnapshot {
        let (mut projects, mut objects): (Vec<_>, Vec<_>) = objects
            .into_iter()
            .partition(|o| o.kind == ObjectKind::Project);
        let known: BTreeSet<SharedStr> = projects.iter().map(|p| p.project.clone()).collect();
        let implicit: BTreeSet<SharedStr> = objects
            .iter()
            .map(|o| o.project.clone())
            .filter(|p| !known.contains(p))
            .collect();
        for name in implicit {
            let mut project =
                CatalogObject::unreadable(ObjectKind::Project, &name, &name, String::new());
            project.detail = Detail::Project;
            projects.push(Arc::new(project));
        }
        projects.sort_by(|a, b| a.project.cmp(&b.project).then_with(|| a.name.cmp(&b.name)));
        objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        versions.sort_by(|a, b| {
            (&a.project, &a.view, a.version_number).cmp(&(&b.project, &b.view, b.version_number))
        });
        RegistrySnapshot {
            projects,
            objects,
            versions,
            loaded_at,
            load_duration,
        }
    }

    /// Objects for listing: `__dummy` entities only when asked for, optionally one project.
    pub fn listed<'a>(
        &'a self,
        project: Option<&'a str>,
        include_internal: bool,
    ) -> impl Iterator<Item = &'a CatalogObject> + 'a {
        self.objects
            .iter()
            .map(|o| &**o)
            .filter(move |o| include_internal || !o.is_internal())
            .filter(move |o| project.is_none_or(|p| o.project == p))
    }

    pub fn project(&self, name: &str) -> Option<&CatalogObject> {
        self.projects.iter().map(|p| &**p).find(|p| p.name == name)
    }

    /// The projects `visibility` shows of `registry` (this snapshot), with counts of the
    /// objects it shows.
    pub fn overview(&self, registry: &str, visibility: &dyn Visibility) -> Vec<ProjectOverview> {
        let objects: Vec<&CatalogObject> = self
            .objects
            .iter()
            .map(|o| &**o)
            .filter(|o| visibility.may_describe(registry, o))
            .collect();
        self.projects
            .iter()
            .filter(|p| visibility.may_describe(registry, p))
            .map(|p| project_overview(p, &objects))
            .collect()
    }

    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.loaded_at).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(kind: ObjectKind, project: &str, name: &str) -> CatalogObject {
        let mut o = CatalogObject::unreadable(kind, project, name, String::new());
        o.detail = Detail::Project;
        o
    }

    #[test]
    fn order_is_deterministic_whatever_the_input_order() {
        let items = vec![
            obj(ObjectKind::FeatureView, "b", "z"),
            obj(ObjectKind::Entity, "b", "a"),
            obj(ObjectKind::Project, "b", "b"),
            obj(ObjectKind::FeatureView, "a", "y"),
            obj(ObjectKind::Entity, "b", "__dummy"),
        ];
        let mut reversed = items.clone();
        reversed.reverse();
        let t = SystemTime::UNIX_EPOCH;
        let one = RegistrySnapshot::build(items, vec![], t, Duration::ZERO);
        let two = RegistrySnapshot::build(reversed, vec![], t, Duration::ZERO);
        assert_eq!(one.objects, two.objects);
        let names: Vec<_> = one
            .objects
            .iter()
            .map(|o| (o.project.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("a", "y"), ("b", "__dummy"), ("b", "a"), ("b", "z")]
        );
        // Project `a` had no project row: it is listed anyway.
        assert_eq!(
            one.projects
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(one.listed(None, false).count(), 3);
        assert_eq!(one.listed(Some("b"), true).count(), 3);
    }
}
