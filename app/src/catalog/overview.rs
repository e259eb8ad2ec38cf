//! The catalog overview: per registry, its projects with how many objects of each kind.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};

use super::model::{CatalogObject, ObjectKind};

/// One configured registry as the overview page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryOverview {
    /// The display name from the configuration.
    pub name: String,
    /// The source with any password removed.
    pub source: String,
    /// Seconds since the snapshot in use was loaded; None before the first successful load.
    pub age_seconds: Option<u64>,
    /// The last load or refresh error; the previous snapshot stays in use when there is one.
    pub error: Option<String>,
    pub projects: Vec<ProjectOverview>,
    /// Objects hidden because the console could not decide whether Feast would show them.
    #[serde(default)]
    pub undecided: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectOverview {
    pub name: String,
    pub description: String,
    pub owner: String,
    /// Kinds with at least one object, in [`ObjectKind::ALL`] order (projects excluded).
    pub counts: Vec<KindCount>,
    /// Objects whose stored bytes could not be decoded.
    pub unreadable: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: ObjectKind,
    pub count: usize,
}

/// Counts `objects` of `project` per kind. Internal objects (`__dummy`) are not counted.
pub fn project_overview<O: Borrow<CatalogObject>>(
    project: &CatalogObject,
    objects: &[O],
) -> ProjectOverview {
    // One pass over the objects: registries hold tens of thousands of them.
    let mut per_kind = [0usize; ObjectKind::ALL.len()];
    let mut unreadable = 0;
    for o in objects
        .iter()
        .map(Borrow::borrow)
        .filter(|o| o.project == project.name && !o.is_internal())
    {
        if let Some(i) = ObjectKind::ALL.iter().position(|k| *k == o.kind) {
            per_kind[i] += 1;
        }
        unreadable += usize::from(o.is_unreadable());
    }
    let counts = ObjectKind::ALL
        .into_iter()
        .zip(per_kind)
        .filter(|(kind, count)| *kind != ObjectKind::Project && *count > 0)
        .map(|(kind, count)| KindCount { kind, count })
        .collect();
    ProjectOverview {
        name: project.name.to_string(),
        description: project.description.to_string(),
        owner: project.owner.to_string(),
        counts,
        unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Detail;

    fn obj(kind: ObjectKind, project: &str, name: &str) -> CatalogObject {
        let mut o = CatalogObject::unreadable(kind, project, name, String::new());
        o.detail = Detail::Project;
        o
    }

    #[test]
    fn counts_per_kind_skip_dummy_and_other_projects() {
        let project = obj(ObjectKind::Project, "p", "p");
        let objects = vec![
            obj(ObjectKind::Entity, "p", "driver"),
            obj(ObjectKind::Entity, "p", "__dummy"),
            obj(ObjectKind::FeatureView, "p", "a"),
            obj(ObjectKind::FeatureView, "p", "b"),
            obj(ObjectKind::FeatureView, "q", "c"),
            CatalogObject::unreadable(
                ObjectKind::Permission,
                "p",
                "broken",
                "bad wire type".into(),
            ),
        ];
        let o = project_overview(&project, &objects);
        assert_eq!(
            o.counts,
            vec![
                KindCount {
                    kind: ObjectKind::Entity,
                    count: 1
                },
                KindCount {
                    kind: ObjectKind::FeatureView,
                    count: 2
                },
                KindCount {
                    kind: ObjectKind::Permission,
                    count: 1
                },
            ]
        );
        assert_eq!(o.unreadable, 1);
    }
}
