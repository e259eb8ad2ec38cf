//! Where two registries, or two projects, differ (staging vs production, before vs after):
//! objects only on one side, and objects on both sides with their field differences, for every
//! kind, with [`super::diff::IGNORED_FIELDS`] left out.
//!
//! Pure: the server hands in both sides' current objects and the viewer's visibility. An object
//! the viewer may not describe on a side where it exists is left out of the comparison on both
//! sides, so the answer neither shows it nor claims it is missing.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::diff::diff_catalogs;
use super::model::{ChangeType, FieldChange};
use crate::catalog::model::{CatalogObject, ObjectKind};
use crate::catalog::query::{detail_href, project_href, Visibility};
use crate::util::percent::query_value;

/// Rows on one comparison page.
pub const COMPARE_PAGE_SIZE: usize = 50;

/// A comparison request as the GET form sends it (empty project: the whole registry).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    pub left: String,
    pub left_project: String,
    pub right: String,
    pub right_project: String,
    /// An [`ObjectKind`] name; empty for every kind.
    pub kind: String,
    /// `only_left`, `only_right` or `different`; empty for all three.
    pub show: String,
    /// 1-based; 0 counts as 1.
    pub page: usize,
}

impl CompareQuery {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> CompareQuery {
        let mut q = CompareQuery::default();
        for (key, value) in pairs {
            let value = value.trim().to_string();
            match key {
                "left" => q.left = value,
                "left_project" => q.left_project = value,
                "right" => q.right = value,
                "right_project" => q.right_project = value,
                "kind" => q.kind = value,
                "show" => q.show = value,
                "page" => q.page = value.parse().unwrap_or(1),
                _ => {}
            }
        }
        q
    }

    /// Both registries chosen: there is something to compare.
    pub fn is_ready(&self) -> bool {
        !self.left.is_empty() && !self.right.is_empty()
    }

    /// The projects compared: one named on a single side means the same name on both (the
    /// same project in staging and production).
    pub fn projects(&self) -> (Option<&str>, Option<&str>) {
        let left = (!self.left_project.is_empty()).then_some(self.left_project.as_str());
        let right = (!self.right_project.is_empty()).then_some(self.right_project.as_str());
        (left.or(right), right.or(left))
    }

    /// This comparison's link at `page`.
    pub fn href_for_page(&self, page: usize) -> String {
        let mut pairs: Vec<String> = [
            ("left", &self.left),
            ("left_project", &self.left_project),
            ("right", &self.right),
            ("right_project", &self.right_project),
            ("kind", &self.kind),
            ("show", &self.show),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect();
        if page > 1 {
            pairs.push(format!("page={page}"));
        }
        format!("/compare?{}", pairs.join("&"))
    }

    fn kind_filter(&self) -> Result<Option<ObjectKind>, String> {
        match self.kind.as_str() {
            "" => Ok(None),
            k => ObjectKind::parse(k)
                .map(Some)
                .ok_or_else(|| format!("`{k}` is not an object kind")),
        }
    }

    fn show_filter(&self) -> Result<Option<ChangeType>, String> {
        match self.show.as_str() {
            "" => Ok(None),
            "only_left" => Ok(Some(ChangeType::Removed)),
            "only_right" => Ok(Some(ChangeType::Added)),
            "different" => Ok(Some(ChangeType::Changed)),
            s => Err(format!(
                "`{s}` is not a choice; use only_left, only_right or different"
            )),
        }
    }
}

/// One side of a comparison: a registry's current objects (projects included), and the project
/// to narrow it to, if any.
pub struct Side<'a> {
    pub registry: &'a str,
    pub project: Option<&'a str>,
    pub objects: Vec<&'a Arc<CatalogObject>>,
}

/// One object that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRow {
    pub kind: ObjectKind,
    pub name: String,
    /// `Removed`: only on the left; `Added`: only on the right; `Changed`: on both, differing.
    pub change: ChangeType,
    pub fields: Vec<FieldChange>,
    pub left_href: Option<String>,
    pub right_href: Option<String>,
}

/// A comparison's counts and one page of its rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub only_left: usize,
    pub only_right: usize,
    pub different: usize,
    /// On both sides with no difference (ignored fields aside).
    pub same: usize,
    pub rows: Vec<CompareRow>,
    /// Rows matching the `show` filter, over every page.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

/// The objects of a side that take part: the project's (projects themselves left out, they
/// differ by name) or the whole registry's; never Feast's internal `__dummy` entities.
fn members<'a>(side: &Side<'a>) -> Vec<&'a Arc<CatalogObject>> {
    side.objects
        .iter()
        .copied()
        .filter(|o| !o.is_internal())
        .filter(|o| match side.project {
            Some(p) => o.project == p && o.kind != ObjectKind::Project,
            None => true,
        })
        .collect()
}

/// Objects are matched by (project, kind, name) between registries, by (kind, name) between
/// projects.
type Key = (String, ObjectKind, String);

fn key(o: &CatalogObject, by_project: bool) -> Key {
    let project = if by_project {
        String::new()
    } else {
        o.project.to_string()
    };
    (project, o.kind, o.name.to_string())
}

/// Compares `left` with `right` as `viewer` may see them; `query` picks the kind, the rows
/// shown and the page.
pub fn compare(
    left: &Side<'_>,
    right: &Side<'_>,
    query: &CompareQuery,
    viewer: &dyn Visibility,
) -> Result<Comparison, String> {
    let kind = query.kind_filter()?;
    let show = query.show_filter()?;
    let by_project = left.project.is_some() || right.project.is_some();
    let (l, r) = (members(left), members(right));
    let hidden: BTreeSet<Key> = l
        .iter()
        .filter(|o| !viewer.may_describe(left.registry, o))
        .chain(r.iter().filter(|o| !viewer.may_describe(right.registry, o)))
        .map(|o| key(o, by_project))
        .collect();
    let kept = |list: Vec<&Arc<CatalogObject>>| -> Vec<Arc<CatalogObject>> {
        list.into_iter()
            .filter(|o| kind.is_none_or(|k| o.kind == k))
            .filter(|o| !hidden.contains(&key(o, by_project)))
            .map(|o| {
                if by_project {
                    // Matched across projects: the project name is not a difference.
                    let mut copy = CatalogObject::clone(o);
                    copy.project = Default::default();
                    Arc::new(copy)
                } else {
                    Arc::clone(o)
                }
            })
            .collect()
    };
    let (l, r) = (kept(l), kept(r));
    let changes = diff_catalogs(&l, &r);
    let count = |c: ChangeType| changes.iter().filter(|x| x.change == c).count();
    let (only_left, only_right, different) = (
        count(ChangeType::Removed),
        count(ChangeType::Added),
        count(ChangeType::Changed),
    );
    let href = |side: &Side<'_>, project: &str, kind: ObjectKind, name: &str| {
        let project = side.project.unwrap_or(project);
        if kind == ObjectKind::Project {
            project_href(side.registry, name)
        } else {
            detail_href(side.registry, project, kind, name)
        }
    };
    let matching: Vec<CompareRow> = changes
        .into_iter()
        .filter(|c| show.is_none_or(|s| c.change == s))
        .map(|c| CompareRow {
            left_href: (c.change != ChangeType::Added)
                .then(|| href(left, &c.project, c.kind, &c.name)),
            right_href: (c.change != ChangeType::Removed)
                .then(|| href(right, &c.project, c.kind, &c.name)),
            kind: c.kind,
            name: if by_project || c.kind == ObjectKind::Project {
                c.name
            } else {
                format!("{}/{}", c.project, c.name)
            },
            change: c.change,
            fields: c.fields,
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(COMPARE_PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let rows = matching
        .into_iter()
        .skip((page - 1) * COMPARE_PAGE_SIZE)
        .take(COMPARE_PAGE_SIZE)
        .collect();
    Ok(Comparison {
        only_left,
        only_right,
        different,
        same: l.len().saturating_sub(only_left + different),
        rows,
        total,
        page,
        pages,
    })
}

/// What a viewer may pick: each registry with the projects they may see in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareChoice {
    pub registry: String,
    pub projects: Vec<String>,
}

/// The comparison page's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparePage {
    pub choices: Vec<CompareChoice>,
    /// None until both registries are chosen.
    pub comparison: Option<Comparison>,
    /// "ignored: created, updated, ...".
    pub ignored: String,
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
