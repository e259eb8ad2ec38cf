//! The catalog query layer: every catalog read (lists, details, search, lineage, export) goes
//! through [`visible`], so one [`Visibility`] drops what a user may not DESCRIBE.
//!
//! Pure: the server hands in its snapshots' objects, paired with their registry's name.

use serde::{Deserialize, Serialize};

use super::model::{CatalogObject, Detail, ObjectKind};
use crate::util::percent::{path_segment, query_value};
use crate::util::time::Instant;

/// One object with the registry it was read from.
#[derive(Clone, Copy, Debug)]
pub struct Scoped<'a> {
    pub registry: &'a str,
    pub object: &'a CatalogObject,
}

/// Decides whether the signed-in user may see an object: Feast's DESCRIBE decision for them
/// (`super::visibility`), or everything when `catalog_visibility = all`.
pub trait Visibility: Send + Sync {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool;

    /// Objects hidden because the decision could not be made (the page says so once).
    fn undecided(&self) -> usize {
        0
    }

    /// [`Visibility::undecided`], in one registry.
    fn undecided_in(&self, _registry: &str) -> usize {
        0
    }
}

/// Everything: for console admins' own tools and `catalog_visibility = all`.
pub struct EveryObject;

impl Visibility for EveryObject {
    fn may_describe(&self, _registry: &str, _object: &CatalogObject) -> bool {
        true
    }
}

/// Nothing: no identity, or no visibility source (fail closed).
pub struct NoObject;

impl Visibility for NoObject {
    fn may_describe(&self, _registry: &str, _object: &CatalogObject) -> bool {
        false
    }
}

/// The one gate: internal `__dummy` entities and objects the user may not describe are dropped.
pub fn visible<'a, 'b>(
    objects: impl Iterator<Item = Scoped<'a>> + 'b,
    visibility: &'b dyn Visibility,
) -> impl Iterator<Item = Scoped<'a>> + 'b {
    objects
        .filter(move |s| !s.object.is_internal() && visibility.may_describe(s.registry, s.object))
}

/// Every kind of feature view, listed together under `feature-views`.
pub const VIEW_KINDS: [ObjectKind; 5] = [
    ObjectKind::FeatureView,
    ObjectKind::BatchFeatureView,
    ObjectKind::StreamFeatureView,
    ObjectKind::OnDemandFeatureView,
    ObjectKind::LabelView,
];

/// The URL segment of a kind (`feature-views`, `data-sources`, ...).
pub fn kind_slug(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Project => "projects",
        ObjectKind::Entity => "entities",
        ObjectKind::DataSource => "data-sources",
        ObjectKind::FeatureView => "feature-views",
        ObjectKind::BatchFeatureView => "batch-feature-views",
        ObjectKind::StreamFeatureView => "stream-feature-views",
        ObjectKind::OnDemandFeatureView => "on-demand-feature-views",
        ObjectKind::LabelView => "label-views",
        ObjectKind::FeatureService => "feature-services",
        ObjectKind::SavedDataset => "saved-datasets",
        ObjectKind::ValidationReference => "validation-references",
        ObjectKind::Permission => "permissions",
    }
}

pub fn kind_from_slug(slug: &str) -> Option<ObjectKind> {
    ObjectKind::ALL.into_iter().find(|k| kind_slug(*k) == slug)
}

/// The list pages linked from the overview, in navigation order.
pub const LIST_SLUGS: [&str; 7] = [
    "feature-views",
    "feature-services",
    "entities",
    "data-sources",
    "saved-datasets",
    "validation-references",
    "permissions",
];

/// The kinds a list page shows: `feature-views` shows every view kind.
pub fn kinds_for_list(slug: &str) -> Option<Vec<ObjectKind>> {
    if slug == "feature-views" {
        return Some(VIEW_KINDS.to_vec());
    }
    kind_from_slug(slug)
        .filter(|k| *k != ObjectKind::Project)
        .map(|k| vec![k])
}

/// A detail page's path. Names are percent-encoded: they are user text.
pub fn detail_href(registry: &str, project: &str, kind: ObjectKind, name: &str) -> String {
    format!(
        "{}/{}/{}",
        project_href(registry, project),
        kind_slug(kind),
        path_segment(name)
    )
}

pub fn project_href(registry: &str, project: &str) -> String {
    format!(
        "/registries/{}/projects/{}",
        path_segment(registry),
        path_segment(project)
    )
}

/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: usize = 500;
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// A list request, exactly as the GET form sends it (empty means "any").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// The list slug (`feature-views`, `entities`, ...).
    pub list: String,
    pub registry: String,
    pub project: String,
    /// `key=value`, or `key` for any value.
    pub tag: String,
    pub owner: String,
    /// Narrows `feature-views` to one kind (`on_demand_feature_view`, ...).
    pub kind: String,
    /// Name contains (case-insensitive).
    pub name: String,
    /// `name`, `project`, `owner`, `updated`, `kind`; a leading `-` reverses.
    pub sort: String,
    /// 1-based; 0 counts as 1.
    pub page: usize,
    /// 0 means [`DEFAULT_PAGE_SIZE`].
    pub page_size: usize,
}

impl ListQuery {
    /// From query-string pairs, leniently: unknown keys are ignored, a bad number is page 1.
    pub fn from_pairs<'a>(
        list: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ListQuery {
        let mut q = ListQuery {
            list: list.to_string(),
            ..ListQuery::default()
        };
        for (key, value) in pairs {
            let value = value.to_string();
            match key {
                "list" if q.list.is_empty() => q.list = value,
                "registry" => q.registry = value,
                "project" => q.project = value,
                "tag" => q.tag = value,
                "owner" => q.owner = value,
                "kind" => q.kind = value,
                "name" => q.name = value,
                "sort" => q.sort = value,
                "page" => q.page = value.trim().parse().unwrap_or(1),
                "page_size" => q.page_size = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        q
    }

    /// The query string of this query with another page number (for paging links).
    pub fn href_for_page(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = vec![];
        for (key, value) in [
            ("registry", &self.registry),
            ("project", &self.project),
            ("tag", &self.tag),
            ("owner", &self.owner),
            ("kind", &self.kind),
            ("name", &self.name),
            ("sort", &self.sort),
        ] {
            if !value.is_empty() {
                pairs.push((key, value.clone()));
            }
        }
        if self.page_size != 0 && self.page_size != DEFAULT_PAGE_SIZE {
            pairs.push(("page_size", self.page_size.to_string()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", query_value(v)))
            .collect::<Vec<_>>()
            .join("&");
        if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        }
    }
}

/// One row of a list page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListRow {
    pub registry: String,
    pub project: String,
    pub kind: ObjectKind,
    pub name: String,
    pub description: String,
    pub owner: String,
    pub tags: Vec<(String, String)>,
    pub updated: Option<Instant>,
    /// A few words on what the object holds (`12 features · TTL 1d`).
    pub summary: String,
    pub unreadable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    /// Objects hidden because the console could not decide whether Feast would show them.
    #[serde(default)]
    pub undecided: usize,
    /// Registries whose first read has not finished: their objects are not counted yet.
    #[serde(default)]
    pub loading: Vec<String>,
    /// Matching objects over every page.
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    pub pages: usize,
}

/// Sort orders a list page offers.
pub const SORTS: [(&str, &str); 8] = [
    ("name", "Name"),
    ("-name", "Name, Z to A"),
    ("project", "Project"),
    ("owner", "Owner"),
    ("kind", "Kind"),
    ("-updated", "Recently updated"),
    ("updated", "Least recently updated"),
    ("-project", "Project, Z to A"),
];

/// The matching objects of `query`, sorted, every page (export uses this; lists page it).
pub fn filtered<'a>(
    objects: impl Iterator<Item = Scoped<'a>> + 'a,
    query: &ListQuery,
    visibility: &'a dyn Visibility,
) -> Result<Vec<Scoped<'a>>, String> {
    let kinds = kinds_for_list(&query.list)
        .ok_or_else(|| format!("`{}` is not a catalog list", query.list))?;
    let narrow = match query.kind.trim() {
        "" => None,
        k => Some(ObjectKind::parse(k).ok_or_else(|| format!("`{k}` is not an object kind"))?),
    };
    let tag = match query.tag.trim() {
        "" => None,
        t => Some(match t.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
            None => (t.to_string(), None),
        }),
    };
    let (descending, field) = match query.sort.trim() {
        "" => (false, "name"),
        s => match s.strip_prefix('-') {
            Some(f) => (true, f),
            None => (false, s),
        },
    };
    if !["name", "project", "owner", "updated", "kind"].contains(&field) {
        return Err(format!(
            "`{}` is not a sort order; use name, project, owner, kind or updated",
            query.sort
        ));
    }
    let owner = query.owner.trim().to_lowercase();
    let name = query.name.trim().to_lowercase();
    // Cheapest and most selective tests first; the visibility gate (which may evaluate Feast
    // permissions) only sees what the filters kept.
    let narrowed = objects
        .filter(|s| kinds.contains(&s.object.kind) && narrow.is_none_or(|k| s.object.kind == k))
        .filter(|s| query.project.is_empty() || s.object.project == query.project)
        .filter(|s| query.registry.is_empty() || s.registry == query.registry);
    let mut rows: Vec<Scoped<'a>> = visible(narrowed, visibility)
        .filter(|s| owner.is_empty() || s.object.owner.to_lowercase().contains(&owner))
        .filter(|s| name.is_empty() || s.object.name.to_lowercase().contains(&name))
        .filter(|s| match &tag {
            None => true,
            Some((k, v)) => s
                .object
                .tags
                .get(k)
                .is_some_and(|have| v.as_ref().is_none_or(|v| have == v)),
        })
        .collect();
    let key = |s: &Scoped<'a>| {
        (
            s.object.name.as_str(),
            s.object.project.as_str(),
            s.registry,
        )
    };
    rows.sort_by(|a, b| {
        let primary = match field {
            "project" => a.object.project.cmp(&b.object.project),
            "owner" => a.object.owner.cmp(&b.object.owner),
            "updated" => a.object.updated.cmp(&b.object.updated),
            "kind" => a.object.kind.cmp(&b.object.kind),
            _ => std::cmp::Ordering::Equal,
        };
        let order = primary.then_with(|| key(a).cmp(&key(b)));
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    Ok(rows)
}

/// One page of `query`'s matches.
pub fn list<'a>(
    objects: impl Iterator<Item = Scoped<'a>> + 'a,
    query: &ListQuery,
    visibility: &'a dyn Visibility,
) -> Result<ListPage, String> {
    let all = filtered(objects, query, visibility)?;
    let page_size = match query.page_size {
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    };
    let pages = all.len().div_ceil(page_size).max(1);
    let page = query.page.clamp(1, pages);
    let rows = all
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|s| row(*s))
        .collect();
    Ok(ListPage {
        rows,
        undecided: visibility.undecided(),
        loading: Vec::new(),
        total: all.len(),
        page,
        page_size,
        pages,
    })
}

pub fn row(s: Scoped<'_>) -> ListRow {
    let o = s.object;
    ListRow {
        registry: s.registry.to_string(),
        project: o.project.to_string(),
        kind: o.kind,
        name: o.name.to_string(),
        description: shorten(&o.description, 160),
        owner: o.owner.to_string(),
        tags: o
            .tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        updated: o.updated,
        summary: summary(o),
        unreadable: o.is_unreadable(),
    }
}

pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// A short description of what an object holds, for list rows.
pub fn summary(o: &CatalogObject) -> String {
    match &o.detail {
        Detail::View(v) => {
            let ttl = if v.ttl_seconds == 0 {
                "no TTL".to_string()
            } else {
                format!(
                    "TTL {}",
                    crate::util::time::human_duration(v.ttl_seconds.unsigned_abs())
                )
            };
            format!("{} features · {ttl}", v.features.len())
        }
        Detail::OnDemandView(v) => format!(
            "{} features · {} sources",
            v.features.len(),
            v.sources.len()
        ),
        Detail::FeatureService { projections } => format!(
            "{} views · {} features",
            projections.len(),
            projections.iter().map(|p| p.features.len()).sum::<usize>()
        ),
        Detail::Entity {
            join_key,
            value_type,
        } => format!("{join_key} ({value_type})"),
        Detail::DataSource(d) => {
            if d.location.is_empty() {
                d.source_type.clone()
            } else {
                format!("{} · {}", d.source_type, shorten(&d.location, 60))
            }
        }
        Detail::SavedDataset { features, .. } => format!("{} features", features.len()),
        Detail::ValidationReference { reference_dataset } => format!("dataset {reference_dataset}"),
        Detail::Permission(p) => format!("{} · {}", p.types.join(", "), p.actions.join(", ")),
        Detail::Unreadable { error } => format!("unreadable: {}", shorten(error, 80)),
        Detail::Project => String::new(),
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
pub(crate) mod tests;
