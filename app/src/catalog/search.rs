//! Catalog search: a query language (`tag:team=a owner:x kind:feature_view project:p words`),
//! an index built once per set of snapshots, and ranking exact > prefix > word > fuzzy.
//!
//! Pure: the server builds the index when a snapshot changes and asks it per request.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::model::{CatalogObject, Detail, ObjectKind};
use super::query::{kind_from_slug, shorten, Scoped, Visibility, VIEW_KINDS};

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
    fn score(self) -> u32 {
        match self {
            MatchTier::Exact => 1000,
            MatchTier::Prefix => 500,
            MatchTier::Word => 100,
            MatchTier::Fuzzy => 10,
            MatchTier::Filter => 0,
        }
    }
}

/// One object prepared for matching: lowercased once, when the snapshot arrives.
struct Entry {
    registry: usize,
    object: Arc<CatalogObject>,
    name: String,
    name_words: Vec<String>,
    /// Words of the description, owner, tags and feature names.
    text_words: Vec<String>,
    owner: String,
}

pub struct SearchIndex {
    registries: Vec<String>,
    entries: Vec<Entry>,
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl SearchIndex {
    /// Builds from each registry's objects; internal `__dummy` entities are left out.
    pub fn build(registries: Vec<(String, Vec<Arc<CatalogObject>>)>) -> SearchIndex {
        let mut names = Vec::new();
        let mut entries = Vec::new();
        for (i, (registry, objects)) in registries.into_iter().enumerate() {
            names.push(registry);
            for object in objects.into_iter().filter(|o| !o.is_internal()) {
                let mut text_words: Vec<String> = words(&object.description)
                    .chain(words(&object.owner))
                    .collect();
                for (k, v) in &object.tags {
                    text_words.extend(words(k).chain(words(v)));
                }
                text_words.extend(feature_names(&object).flat_map(|f| {
                    std::iter::once(f.to_lowercase()).chain(words(f).collect::<Vec<_>>())
                }));
                text_words.sort();
                text_words.dedup();
                entries.push(Entry {
                    registry: i,
                    name: object.name.to_lowercase(),
                    name_words: words(&object.name).collect(),
                    text_words,
                    owner: object.owner.to_lowercase(),
                    object,
                });
            }
        }
        SearchIndex {
            registries: names,
            entries,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Ranked hits grouped by kind, at most `per_kind` shown per group (counts are complete).
    pub fn search(
        &self,
        query: &SearchQuery,
        visibility: &dyn Visibility,
        per_kind: usize,
    ) -> SearchResults {
        let mut hits: Vec<(u32, MatchTier, &Entry)> = Vec::new();
        if !query.is_empty() {
            for e in &self.entries {
                if !passes_filters(e, query, &self.registries) {
                    continue;
                }
                let Some((score, tier)) = rank(e, &query.terms) else {
                    continue;
                };
                let scoped = Scoped {
                    registry: &self.registries[e.registry],
                    object: &e.object,
                };
                if visibility.may_describe(scoped.registry, scoped.object) {
                    hits.push((score, tier, e));
                }
            }
        }
        hits.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| a.2.object.name.cmp(&b.2.object.name))
                .then_with(|| a.2.object.project.cmp(&b.2.object.project))
        });
        let mut groups: Vec<SearchGroup> = Vec::new();
        for (_, tier, e) in &hits {
            let group = match groups.iter_mut().find(|g| g.kind == e.object.kind) {
                Some(g) => g,
                None => {
                    groups.push(SearchGroup {
                        kind: e.object.kind,
                        total: 0,
                        hits: Vec::new(),
                    });
                    groups.last_mut().expect("just pushed")
                }
            };
            group.total += 1;
            if group.hits.len() < per_kind {
                group.hits.push(SearchHit {
                    registry: self.registries[e.registry].clone(),
                    project: e.object.project.clone(),
                    kind: e.object.kind,
                    name: e.object.name.clone(),
                    description: shorten(&e.object.description, 120),
                    tier: *tier,
                });
            }
        }
        // Groups in the order of their best hit, so the best match leads the page.
        SearchResults {
            total: hits.len(),
            groups,
        }
    }
}

fn feature_names(o: &CatalogObject) -> Box<dyn Iterator<Item = &str> + '_> {
    match &o.detail {
        Detail::View(v) => Box::new(v.features.iter().map(|f| f.name.as_str())),
        Detail::OnDemandView(v) => Box::new(v.features.iter().map(|f| f.name.as_str())),
        Detail::FeatureService { projections } => Box::new(
            projections
                .iter()
                .flat_map(|p| p.features.iter().map(String::as_str)),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

fn passes_filters(e: &Entry, q: &SearchQuery, registries: &[String]) -> bool {
    (q.kinds.is_empty() || q.kinds.contains(&e.object.kind))
        && q.project.as_ref().is_none_or(|p| &e.object.project == p)
        && q.registry
            .as_ref()
            .is_none_or(|r| &registries[e.registry] == r)
        && q.owner
            .as_ref()
            .is_none_or(|o| e.owner.contains(o.as_str()))
        && q.tags.iter().all(|(k, v)| {
            e.object
                .tags
                .get(k)
                .is_some_and(|have| v.as_ref().is_none_or(|v| have == v))
        })
}

/// The score of an entry for every term (all must match), and its weakest tier.
fn rank(e: &Entry, terms: &[String]) -> Option<(u32, MatchTier)> {
    if terms.is_empty() {
        return Some((0, MatchTier::Filter));
    }
    let mut score = 0;
    let mut worst = MatchTier::Exact;
    for term in terms {
        let tier = tier_of(e, term)?;
        score += tier.score();
        worst = worst.max(tier);
    }
    Some((score, worst))
}

fn tier_of(e: &Entry, term: &str) -> Option<MatchTier> {
    if e.name == term {
        return Some(MatchTier::Exact);
    }
    if e.name.starts_with(term) {
        return Some(MatchTier::Prefix);
    }
    let word_hit = |w: &String| w == term || (term.len() >= 3 && w.starts_with(term));
    if e.name_words.iter().any(word_hit)
        || e.text_words
            .binary_search_by(|w| w.as_str().cmp(term))
            .is_ok()
        || (term.len() >= 3 && e.name.contains(term))
    {
        return Some(MatchTier::Word);
    }
    let budget = match term.chars().count() {
        0..=3 => return None,
        4..=6 => 1,
        _ => 2,
    };
    let near = |w: &String| within_distance(w, term, budget);
    (near(&e.name) || e.name_words.iter().any(near)).then_some(MatchTier::Fuzzy)
}

/// Levenshtein distance at most `budget`, with early exits for long or far-apart words.
/// Runs on bytes for ASCII text (catalog names nearly always are) without allocating.
pub fn within_distance(a: &str, b: &str, budget: usize) -> bool {
    if a.len().abs_diff(b.len()) > budget && a.is_ascii() && b.is_ascii() {
        return false;
    }
    if a.is_ascii() && b.is_ascii() && b.len() < 64 {
        return bounded(a.as_bytes(), b.as_bytes(), budget);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    bounded(&a, &b, budget)
}

fn bounded<T: PartialEq>(a: &[T], b: &[T], budget: usize) -> bool {
    if a.len().abs_diff(b.len()) > budget {
        return false;
    }
    let mut prev_buf = [0usize; 64];
    let mut cur_buf = [0usize; 64];
    let mut prev_heap;
    let mut cur_heap;
    let (mut prev, mut cur): (&mut [usize], &mut [usize]) = if b.len() < 64 {
        (&mut prev_buf[..=b.len()], &mut cur_buf[..=b.len()])
    } else {
        prev_heap = vec![0; b.len() + 1];
        cur_heap = vec![0; b.len() + 1];
        (&mut prev_heap[..], &mut cur_heap[..])
    };
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > budget {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= budget
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
    pub groups: Vec<SearchGroup>,
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
