//! What a detail page and a project page show, computed from one registry's visible objects:
//! freshness against TTL, who uses an object, and a "how to use" snippet. Pure.

use serde::{Deserialize, Serialize};

use super::lineage::LineageView;
use super::model::{CatalogObject, Detail, ObjectKind, ViewVersion};
use super::overview::ProjectOverview;
use super::query::VIEW_KINDS;
use crate::util::shared_str::SharedStr;
use crate::util::time::Instant;

/// The registry state every catalog page shows in its banner.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistryState {
    pub name: String,
    pub age_seconds: Option<u64>,
    pub error: Option<String>,
}

/// Data older than this gets a warning banner (the refresher re-reads every few seconds).
pub const STALE_AFTER_SECONDS: u64 = 600;

impl RegistryState {
    pub fn is_stale(&self) -> bool {
        self.error.is_some() || self.age_seconds.is_none_or(|a| a > STALE_AFTER_SECONDS)
    }
}

/// A feature view's freshness: its last materialization against its TTL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staleness {
    /// End of the latest materialization interval.
    pub last_materialized: Option<Instant>,
    /// 0 means the view never expires.
    pub ttl_seconds: i64,
    /// Seconds since the last materialization, None when never materialized.
    pub age_seconds: Option<i64>,
    /// Older than its TTL, or online and never materialized.
    pub stale: bool,
}

pub fn staleness(object: &CatalogObject, now_seconds: i64) -> Option<Staleness> {
    let Detail::View(v) = &object.detail else {
        return None;
    };
    let last = v
        .materialization_intervals
        .iter()
        .filter_map(|i| i.end)
        .max();
    let age = last.map(|t| (now_seconds - t.seconds).max(0));
    let stale = match age {
        None => v.online,
        Some(a) => v.ttl_seconds > 0 && a > v.ttl_seconds,
    };
    Some(Staleness {
        last_materialized: last,
        ttl_seconds: v.ttl_seconds,
        age_seconds: age,
        stale,
    })
}

/// Another object a detail page links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub kind: ObjectKind,
    pub name: String,
}

/// Objects that use `object`: services using a view, views using an entity or a source,
/// on-demand views built on a view.
pub fn used_by(object: &CatalogObject, project_objects: &[&CatalogObject]) -> Vec<Link> {
    let name = object.name.as_str();
    let mut out: Vec<Link> = project_objects
        .iter()
        .filter(|o| match (&o.detail, object.kind) {
            (Detail::FeatureService { projections }, k) if VIEW_KINDS.contains(&k) => {
                projections.iter().any(|p| p.view == name)
            }
            (Detail::OnDemandView(v), k)
                if VIEW_KINDS.contains(&k) || k == ObjectKind::DataSource =>
            {
                v.sources.iter().any(|s| s == name)
            }
            (Detail::View(v), ObjectKind::Entity) => v.entities.iter().any(|e| e == name),
            (Detail::View(v), ObjectKind::DataSource) => {
                v.batch_source.as_deref() == Some(name) || v.stream_source.as_deref() == Some(name)
            }
            (Detail::SavedDataset { .. }, _) | (Detail::Permission(_), _) => false,
            _ => false,
        })
        .map(|o| Link {
            kind: o.kind,
            name: o.name.to_string(),
        })
        .collect();
    out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    out
}

/// The Python to read a view's or service's features online. Names are written as Python
/// string literals (escaped), so the snippet is valid whatever the names hold.
pub fn online_snippet(
    object: &CatalogObject,
    project_objects: &[&CatalogObject],
) -> Option<String> {
    let (refs, entity_keys): (Vec<String>, Vec<String>) = match &object.detail {
        Detail::View(v) => (
            v.features
                .iter()
                .map(|f| format!("{}:{}", object.name, f.name))
                .collect(),
            join_keys(&v.entities, project_objects),
        ),
        Detail::OnDemandView(v) => (
            v.features
                .iter()
                .map(|f| format!("{}:{}", object.name, f.name))
                .collect(),
            Vec::new(),
        ),
        Detail::FeatureService { projections } => {
            let mut keys = Vec::new();
            for p in projections {
                if let Some(Detail::View(v)) = project_objects
                    .iter()
                    .find(|o| o.name == p.view && VIEW_KINDS.contains(&o.kind))
                    .map(|o| &o.detail)
                {
                    keys.extend(join_keys(&v.entities, project_objects));
                }
            }
            keys.sort();
            keys.dedup();
            let features = format!("store.get_feature_service({})", py(&object.name));
            return Some(snippet(&features, &keys));
        }
        _ => return None,
    };
    let features = format!(
        "[\n        {},\n    ]",
        refs.iter()
            .map(|r| py(r))
            .collect::<Vec<_>>()
            .join(",\n        ")
    );
    Some(snippet(&features, &entity_keys))
}

fn snippet(features: &str, keys: &[String]) -> String {
    let rows = if keys.is_empty() {
        "{}".to_string()
    } else {
        format!(
            "{{{}}}",
            keys.iter()
                .map(|k| format!("{}: ...", py(k)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "from feast import FeatureStore\n\nstore = FeatureStore(repo_path=\".\")\nresponse = store.get_online_features(\n    features={features},\n    entity_rows=[{rows}],\n).to_dict()\n"
    )
}

fn join_keys(entities: &[SharedStr], project_objects: &[&CatalogObject]) -> Vec<String> {
    entities
        .iter()
        .filter_map(|e| {
            project_objects.iter().find_map(|o| match &o.detail {
                Detail::Entity { join_key, .. } if &o.name == e && !o.is_internal() => {
                    Some(join_key.clone())
                }
                _ => None,
            })
        })
        .collect()
}

/// A Python string literal.
fn py(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Everything a detail page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailView {
    pub registry: RegistryState,
    pub object: CatalogObject,
    pub staleness: Option<Staleness>,
    pub used_by: Vec<Link>,
    pub versions: Vec<ViewVersion>,
    pub snippet: Option<String>,
    pub lineage: LineageView,
}

/// Everything a project page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    pub registry: RegistryState,
    pub project: CatalogObject,
    pub overview: ProjectOverview,
    /// Feature views older than their TTL.
    pub stale_views: Vec<String>,
    pub lineage: LineageView,
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
