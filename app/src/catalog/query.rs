//! The catalog query layer: every catalog read (lists, details, search, lineage, export) goes
//! through [`visible`], so one [`Visibility`] drops what a user may not DESCRIBE.
//!
//! Pure: the server hands in its snapshots' objects, paired with their registry's name.

use serde::{Deserialize, Serialize};

use super::model::{CatalogObject, Detail, ObjectKind};
use super::visibility::Describable;
use crate::util::percent::{path_segment, query_value};
use crate::util::time::{parse_date, Instant};

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

    /// The whole decision on one snapshot of `registry`, when it was made ahead: lets a list
    /// or search test an object by its position in that snapshot (projects, then objects, the
    /// order the server decides in) instead of asking [`Visibility::may_describe`] object by
    /// object. `snapshot` names the snapshot the caller's positions come from (the server's
    /// `Arc` address, alive while the caller holds it); `None`: ask object by object.
    fn decided(&self, _registry: &str, _snapshot: usize) -> Option<Decided<'_>> {
        None
    }

    /// Objects hidden because the decision could not be made (the page says so once).
    fn undecided(&self) -> usize {
        0
    }

    /// [`Visibility::undecided`], in one registry.
    fn undecided_in(&self, _registry: &str) -> usize {
        0
    }
}

/// A decision made ahead for one registry snapshot (see [`Visibility::decided`]).
#[derive(Clone, Copy, Debug)]
pub enum Decided<'a> {
    Everything,
    Nothing,
    /// One bit per position in the snapshot.
    Bits(&'a Describable),
}

impl Decided<'_> {
    /// Whether the object at `position` may be described (internal objects are the caller's
    /// to drop: `Everything` does not).
    pub fn allows(self, position: usize) -> bool {
        match self {
            Decided::Everything => true,
            Decided::Nothing => false,
            Decided::Bits(bits) => bits.allows(position),
        }
    }
}

/// Everything: for console admins' own tools and `catalog_visibility = all`.
pub struct EveryObject;

impl Visibility for EveryObject {
    fn may_describe(&self, _registry: &str, _object: &CatalogObject) -> bool {
        true
    }

    fn decided(&self, _registry: &str, _snapshot: usize) -> Option<Decided<'_>> {
        Some(Decided::Everything)
    }
}

/// Nothing: no identity, or no visibility source (fail closed).
pub struct NoObject;

impl Visibility for NoObject {
    fn may_describe(&self, _registry: &str, _object: &CatalogObject) -> bool {
        false
    }

    fn decided(&self, _registry: &str, _snapshot: usize) -> Option<Decided<'_>> {
        Some(Decided::Nothing)
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
    /// `YYYY-MM-DD`: only objects whose registry row was updated (Feast's
    /// `last_updated_timestamp`) on or after that day, UTC.
    pub changed_since: String,
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
                "changed_since" => q.changed_since = value,
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
            ("changed_since", &self.changed_since),
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

/// A list query's filters and order, checked once.
pub struct ListFilter {
    pub kinds: Vec<ObjectKind>,
    narrow: Option<ObjectKind>,
    tag: Option<(String, Option<String>)>,
    owner: String,
    name: String,
    /// `changed_since=YYYY-MM-DD`: objects whose registry row was updated on or after that day.
    changed_since: Option<Instant>,
    /// `name`, `project`, `owner`, `updated` or `kind`.
    pub sort_field: &'static str,
    pub descending: bool,
}

impl ListFilter {
    pub fn parse(query: &ListQuery) -> Result<ListFilter, String> {
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
        let Some(sort_field) = ["name", "project", "owner", "updated", "kind"]
            .into_iter()
            .find(|f| *f == field)
        else {
            return Err(format!(
                "`{}` is not a sort order; use name, project, owner, kind or updated",
                query.sort
            ));
        };
        let changed_since =
            match query.changed_since.trim() {
                "" => None,
                d => Some(parse_date(d).ok_or_else(|| {
                    format!("`{d}` is not a date: changed_since takes YYYY-MM-DD")
                })?),
            };
        Ok(ListFilter {
            changed_since,
            kinds,
            narrow,
            tag,
            owner: query.owner.trim().to_lowercase(),
            name: query.name.trim().to_lowercase(),
            sort_field,
            descending,
        })
    }

    /// The kind filters: the list's kinds, narrowed by `kind=`.
    pub fn kind_matches(&self, kind: ObjectKind) -> bool {
        self.kinds.contains(&kind) && self.narrow.is_none_or(|k| kind == k)
    }

    /// Whether any owner, name, tag or changed-since filter is set (else every object passes
    /// [`Self::text_matches`], and a list need not read the objects to count them).
    pub fn has_text(&self) -> bool {
        !self.owner.is_empty()
            || !self.name.is_empty()
            || self.tag.is_some()
            || self.changed_since.is_some()
    }

    /// Owner, name and tag filters (what is left after kind, project, registry and visibility).
    pub fn text_matches(&self, o: &CatalogObject) -> bool {
        let (owner, name): (&str, &str) = (&o.owner, &o.name);
        (self.owner.is_empty() || owner.to_lowercase().contains(&self.owner))
            && self
                .changed_since
                .is_none_or(|day| o.updated.is_some_and(|u| u >= day))
            && (self.name.is_empty() || name.to_lowercase().contains(&self.name))
            && match &self.tag {
                None => true,
                Some((k, v)) => o
                    .tags
                    .get(k.as_str())
                    .is_some_and(|have| v.as_deref().is_none_or(|v| &**have == v)),
            }
    }

    /// Whether only kind, project and registry narrow the list and it is in name order (or its
    /// reverse): then a sequence already in that order pages without sorting.
    pub fn in_name_order(&self) -> bool {
        self.sort_field == "name"
    }

    /// The order of two objects that passed: the sort field, then (name, project, registry).
    pub fn compare(&self, a: Scoped<'_>, b: Scoped<'_>) -> std::cmp::Ordering {
        let primary = self.primary(a.object, b.object);
        let order = primary.then_with(|| name_key(a).cmp(&name_key(b)));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// The sort field alone (ties are the caller's).
    pub fn primary(&self, a: &CatalogObject, b: &CatalogObject) -> std::cmp::Ordering {
        match self.sort_field {
            "project" => str::cmp(&a.project, &b.project),
            "owner" => str::cmp(&a.owner, &b.owner),
            "updated" => a.updated.cmp(&b.updated),
            "kind" => a.kind.cmp(&b.kind),
            _ => std::cmp::Ordering::Equal,
        }
    }
}

/// The lists' default order: name, then project, then registry, then kind (a view and an
/// on-demand view may share a name), so every order is total and its reverse exact.
pub fn name_key<'a>(s: Scoped<'a>) -> (&'a str, &'a str, &'a str, ObjectKind) {
    (&s.object.name, &s.object.project, s.registry, s.object.kind)
}

/// The matching objects of `query`, sorted, every page (export uses this; lists page it).
pub fn filtered<'a>(
    objects: impl Iterator<Item = Scoped<'a>> + 'a,
    query: &ListQuery,
    visibility: &'a dyn Visibility,
) -> Result<Vec<Scoped<'a>>, String> {
    let filter = ListFilter::parse(query)?;
    // Cheapest and most selective tests first; the visibility gate (which may evaluate Feast
    // permissions) only sees what the filters kept.
    let narrowed = objects
        .filter(|s| filter.kind_matches(s.object.kind))
        .filter(|s| query.project.is_empty() || *s.object.project == *query.project)
        .filter(|s| query.registry.is_empty() || s.registry == query.registry);
    let mut rows: Vec<Scoped<'a>> = visible(narrowed, visibility)
        .filter(|s| filter.text_matches(s.object))
        .collect();
    rows.sort_by(|a, b| filter.compare(*a, *b));
    Ok(rows)
}

/// One page of `query`'s matches.
pub fn list<'a>(
    objects: impl Iterator<Item = Scoped<'a>> + 'a,
    query: &ListQuery,
    visibility: &'a dyn Visibility,
) -> Result<ListPage, String> {
    let all = filtered(objects, query, visibility)?;
    let page_size = page_size(query);
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

/// The rows a page holds: `page_size`, or the default, at most [`MAX_PAGE_SIZE`].
pub fn page_size(query: &ListQuery) -> usize {
    match query.page_size {
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    }
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
