//! Catalog search: a query language (`tag:team=a owner:x kind:feature_view project:p words`),
//! an index built once per set of snapshots, and ranking exact > prefix > word > fuzzy.
//!
//! Pure: the server builds the index when a snapshot changes and asks it per request.

use serde::{Deserialize, Serialize};

use super::model::ObjectKind;
use super::query::{kind_from_slug, VIEW_KINDS};

/// A parsed search box.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Free words, lowercased; every one must match.
    pub terms: Vec<String>,
    /// `tag:key=value` (value None for `tag:key`).
    pub tags: Vec<(String, Option<String>)>,
    pub owner: Option<String>,
    pub kinds: Vec<ObjectKind>,
    pub project: Option<String>,
    pub registry: Option<String>,
}

impl SearchQuery {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.tags.is_empty()
            && self.owner.is_none()
            && self.kinds.is_empty()
            && self.project.is_none()
            && self.registry.is_none()
    }
}

/// Parses the field syntax. Unknown `field:` prefixes are searched as plain words.
pub fn parse_query(text: &str) -> SearchQuery {
    let mut q = SearchQuery::default();
    for token in text.split_whitespace() {
        let (field, value) = match token.split_once(':') {
            Some((f, v)) if !v.is_empty() => (f.to_ascii_lowercase(), v),
            _ => (String::new(), token),
        };
        match field.as_str() {
            "tag" => q.tags.push(match value.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (value.to_string(), None),
            }),
            "owner" => q.owner = Some(value.to_lowercase()),
            "project" => q.project = Some(value.to_string()),
            "registry" => q.registry = Some(value.to_string()),
            "kind" => q.kinds.extend(parse_kind(value)),
            _ => q.terms.push(token.to_lowercase()),
        }
    }
    q
}

/// `feature_view`, `feature-views`, `feature-view`, `fv`, `view` (every view kind), ...
fn parse_kind(text: &str) -> Vec<ObjectKind> {
    let t = text.to_ascii_lowercase().replace('-', "_");
    match t.as_str() {
        "view" | "views" | "fv" | "feature_views" => return VIEW_KINDS.to_vec(),
        "odfv" => return vec![ObjectKind::OnDemandFeatureView],
        "fs" | "service" => return vec![ObjectKind::FeatureService],
        _ => {}
    }
    if let Some(k) = ObjectKind::parse(&t) {
        return vec![k];
    }
    let plural = t.replace('_', "-");
    kind_from_slug(&plural)
        .or_else(|| kind_from_slug(&format!("{plural}s")))
        .into_iter()
        .collect()
}

/// How a term matched, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchTier {
    Exact,
    Prefix,
    Word,
    Fuzzy,
    /// Only field filters, no words.
    Filter,
}

impl MatchTier {
    pub(crate) fn score(self) -> u32 {
        match self {
            MatchTier::Exact => 1000,
            MatchTier::Prefix => 500,
            MatchTier::Word => 100,
            MatchTier::Fuzzy => 10,
            MatchTier::Filter => 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub registry: String,
    pub project: String,
    pub kind: ObjectKind,
    pub name: String,
    pub description: String,
    pub tier: MatchTier,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchGroup {
    pub kind: ObjectKind,
    /// Every match of this kind, shown or not.
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: usize,
    /// Objects hidden because the console could not decide whether Feast would show them.
    #[serde(default)]
    pub undecided: usize,
    pub groups: Vec<SearchGroup>,
    /// Registries whose first read has not finished: nothing of theirs is searched yet.
    #[serde(default)]
    pub loading: Vec<String>,
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
