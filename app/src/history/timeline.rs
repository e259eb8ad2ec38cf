//! What a timeline page shows: its query (exactly as the GET form and shareable links carry
//! it), the store filter it stands for, and each entry as people read it (when, what, who).
//!
//! Pure: the server fills a [`TimelinePage`] from the store; the pages, feeds and exports
//! render it.

use serde::{Deserialize, Serialize};

use super::model::{ChangeType, FieldChange, HistoryEntry, HistoryFilter};
use crate::catalog::model::ObjectKind;
use crate::catalog::query::detail_href;
use crate::util::percent::{path_segment, query_value};
use crate::util::time::{parse_date, utc_from_millis, Instant};

/// Entries on one timeline page.
pub const PAGE_SIZE: usize = 50;

/// A timeline request as the GET form sends it (empty means "any").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineQuery {
    pub registry: String,
    pub project: String,
    /// An [`ObjectKind`] name (`feature_view`, ...).
    pub kind: String,
    /// The object's exact name (with `kind` and `project`: one object's history).
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    /// `YYYY-MM-DD` (that day's start, UTC) or an RFC 3339 time; inclusive.
    pub since: String,
    /// `YYYY-MM-DD` (through the end of that day, UTC) or an RFC 3339 time; exclusive.
    pub until: String,
    /// Keyset paging: entries older than this id.
    pub before: String,
}

/// The query-string keys of a timeline, in link order.
pub const QUERY_KEYS: [&str; 8] = [
    "registry", "project", "kind", "name", "change", "since", "until", "before",
];

impl TimelineQuery {
    /// From query-string pairs; unknown keys are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> TimelineQuery {
        let mut q = TimelineQuery::default();
        for (key, value) in pairs {
            let field = match key {
                "registry" => &mut q.registry,
                "project" => &mut q.project,
                "kind" => &mut q.kind,
                "name" => &mut q.name,
                "change" => &mut q.change,
                "since" => &mut q.since,
                "until" => &mut q.until,
                "before" => &mut q.before,
                _ => continue,
            };
            *field = value.trim().to_string();
        }
        q
    }

    fn values(&self) -> [(&'static str, &str); 8] {
        [
            ("registry", &self.registry),
            ("project", &self.project),
            ("kind", &self.kind),
            ("name", &self.name),
            ("change", &self.change),
            ("since", &self.since),
            ("until", &self.until),
            ("before", &self.before),
        ]
    }

    /// The store's filter and the keyset cursor; an error names the value it cannot read.
    pub fn filter(&self) -> Result<(HistoryFilter, Option<i64>), String> {
        if self.registry.is_empty() {
            return Err("choose a registry".into());
        }
        let kind = match self.kind.as_str() {
            "" => None,
            k => Some(ObjectKind::parse(k).ok_or_else(|| format!("`{k}` is not an object kind"))?),
        };
        let change = match self.change.as_str() {
            "" => None,
            c => Some(ChangeType::parse(c).ok_or_else(|| {
                format!("`{c}` is not a change type; use added, removed or changed")
            })?),
        };
        let before = match self.before.as_str() {
            "" => None,
            b => Some(
                b.parse::<i64>()
                    .map_err(|_| format!("`{b}` is not an entry number"))?,
            ),
        };
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let filter = HistoryFilter {
            registry: self.registry.clone(),
            project: nonempty(&self.project),
            kind,
            name: nonempty(&self.name),
            change,
            since: parse_time(&self.since, false)?,
            until: parse_time(&self.until, true)?,
        };
        Ok((filter, before))
    }

    /// `?registry=..&...` with `before` replaced (None: the newest page); empty values left out.
    pub fn query_string(&self, before: Option<i64>) -> String {
        let before = before.map(|b| b.to_string()).unwrap_or_default();
        let pairs: Vec<String> = self
            .values()
            .into_iter()
            .map(|(k, v)| {
                if k == "before" {
                    (k, before.as_str())
                } else {
                    (k, v)
                }
            })
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", query_value(v)))
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// This timeline's page link, at `before` (None: the newest entries).
    pub fn page_href(&self, before: Option<i64>) -> String {
        format!("/history{}", self.query_string(before))
    }

    /// This filter's export (`csv` or `json`), every page from the newest.
    pub fn export_href(&self, format: &str) -> String {
        format!("/history.{format}{}", self.query_string(None))
    }

    /// The registry's or the project's Atom feed (feeds have no other filters).
    pub fn feed_href(&self) -> Option<String> {
        match (self.registry.as_str(), self.project.as_str()) {
            ("", _) => None,
            (r, "") => Some(feed_href(r, None)),
            (r, p) => Some(feed_href(r, Some(p))),
        }
    }
}

/// `/history/{registry}.atom` or `/history/{registry}/{project}.atom`.
pub fn feed_href(registry: &str, project: Option<&str>) -> String {
    match project {
        None => format!("/history/{}.atom", path_segment(registry)),
        Some(p) => format!(
            "/history/{}/{}.atom",
            path_segment(registry),
            path_segment(p)
        ),
    }
}

/// The timeline of one object.
pub fn object_history_href(registry: &str, project: &str, kind: ObjectKind, name: &str) -> String {
    TimelineQuery {
        registry: registry.to_string(),
        project: project.to_string(),
        kind: kind.as_str().to_string(),
        name: name.to_string(),
        ..TimelineQuery::default()
    }
    .page_href(None)
}

/// `YYYY-MM-DD` or RFC 3339 to an instant; a bare date is the start of that day, or with
/// `end_of_day` the start of the next (for an exclusive `until` that includes the day).
pub fn parse_time(text: &str, end_of_day: bool) -> Result<Option<Instant>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(start) = parse_date(text) {
        let seconds = if end_of_day {
            start.seconds + 86_400
        } else {
            start.seconds
        };
        return Ok(Some(Instant { seconds, nanos: 0 }));
    }
    Instant::parse_rfc3339(text)
        .map(Some)
        .ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

/// An instant as the pages say it: `2026-11-26 16:30:05 UTC`.
pub fn when_text(at: Instant) -> String {
    utc_from_millis(at.seconds.saturating_mul(1000))
}

/// One entry as the timeline, feed and exports show it (the object itself stays on the server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub registry: String,
    pub project: String,
    pub kind: ObjectKind,
    pub name: String,
    pub change: ChangeType,
    pub fields: Vec<FieldChange>,
    pub observed_at: Instant,
    pub not_before: Option<Instant>,
    pub row_updated: Option<Instant>,
    pub audit_id: Option<i64>,
    pub actor: Option<String>,
    pub reverts_audit: Option<i64>,
}

impl TimelineEntry {
    pub fn of(entry: &HistoryEntry) -> TimelineEntry {
        let c = &entry.change;
        TimelineEntry {
            id: entry.id,
            registry: entry.registry.clone(),
            project: c.project.clone(),
            kind: c.kind,
            name: c.name.clone(),
            change: c.change,
            fields: c.fields.clone(),
            observed_at: entry.observed_at,
            not_before: entry.not_before,
            row_updated: entry.row_updated,
            audit_id: entry.audit_id,
            actor: entry.actor.clone(),
            reverts_audit: entry.reverts_audit,
        }
    }

    /// "2026-11-26 16:30:05 UTC", or "between T1 and T2" when the console was not watching.
    pub fn when(&self) -> String {
        match self.not_before {
            Some(from) => format!(
                "between {} and {}",
                when_text(from),
                when_text(self.observed_at)
            ),
            None => when_text(self.observed_at),
        }
    }

    /// "feature_view driver_stats changed".
    pub fn title(&self) -> String {
        format!(
            "{} {} {}",
            self.kind.as_str(),
            self.name,
            self.change.as_str()
        )
    }

    /// The audit actor, or "outside the console".
    pub fn who(&self) -> String {
        match (&self.actor, self.audit_id) {
            (Some(actor), _) => actor.clone(),
            (None, Some(_)) => "the console's editor".into(),
            (None, None) => "outside the console".into(),
        }
    }

    /// The object's page (a removed object's page answers "not found": the timeline is kept).
    pub fn object_href(&self) -> String {
        if self.kind == ObjectKind::Project {
            crate::catalog::query::project_href(&self.registry, &self.name)
        } else {
            detail_href(&self.registry, &self.project, self.kind, &self.name)
        }
    }

    /// The object's own timeline.
    pub fn history_href(&self) -> String {
        object_history_href(&self.registry, &self.project, self.kind, &self.name)
    }
}

/// The audit log's entry for an audit row (its row carries `id="audit-N"`).
pub fn audit_href(entry: &TimelineEntry, audit_id: i64) -> String {
    format!(
        "/permissions/audit?registry={}&project={}&permission={}#audit-{audit_id}",
        query_value(&entry.registry),
        query_value(&entry.project),
        query_value(&entry.name)
    )
}

/// One timeline page, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    /// The "older" link's cursor; None on the last page.
    pub next_before: Option<i64>,
    /// When the console last compared the registry with its recorded state; None when it
    /// has recorded nothing of it yet.
    pub last_checked: Option<Instant>,
    /// Every registry the console reads, for the chooser.
    pub registries: Vec<String>,
    /// With an identity provider: the key that lets a feed reader (which cannot sign in) read
    /// this timeline's feed as the viewer (`?key=`). None in development mode.
    pub feed_key: Option<String>,
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
