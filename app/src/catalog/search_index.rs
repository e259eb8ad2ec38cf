//! The search index: every object prepared once per set of snapshots, and the matching that
//! ranks exact > prefix > word > fuzzy.
//!
//! Names and words repeat a lot across projects (`driver_stats` in fifty projects, `feature_0`
//! in thousands of views), so the index keeps each distinct lowercased name and word once and
//! entries point at them. A query judges each distinct string at most once per term, lazily,
//! and sorts hits by a precomputed position instead of comparing names.

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{CatalogObject, Detail};
use super::query::{shorten, Scoped, Visibility};
use super::search::{MatchTier, SearchGroup, SearchHit, SearchQuery, SearchResults};

/// One object prepared for matching.
struct Entry {
    registry: usize,
    object: Arc<CatalogObject>,
    /// Into `SearchIndex::names` (the lowercased name).
    name: u32,
    /// Into `SearchIndex::words`: the name's words.
    name_words: Vec<u32>,
    /// Into `SearchIndex::words`, sorted: description, owner, tag and feature-name words.
    text_words: Vec<u32>,
    owner: String,
    /// Position in (name, project, registry) order: hits sort on it without comparing strings.
    order: u32,
}

pub struct SearchIndex {
    registries: Vec<String>,
    entries: Vec<Entry>,
    names: Vec<String>,
    words: Vec<String>,
    word_ids: HashMap<String, u32>,
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Distinct strings, numbered in order of first sight.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    all: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: String) -> u32 {
        if let Some(id) = self.ids.get(&s) {
            return *id;
        }
        let id = self.all.len() as u32;
        self.all.push(s.clone());
        self.ids.insert(s, id);
        id
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

impl SearchIndex {
    /// Builds from each registry's objects; internal `__dummy` entities are left out.
    pub fn build(registries: Vec<(String, Vec<Arc<CatalogObject>>)>) -> SearchIndex {
        let mut registry_names = Vec::new();
        let mut entries = Vec::new();
        let mut names = Interner::default();
        let mut vocabulary = Interner::default();
        for (i, (registry, objects)) in registries.into_iter().enumerate() {
            registry_names.push(registry);
            for object in objects.into_iter().filter(|o| !o.is_internal()) {
                let mut text: Vec<String> = words(&object.description)
                    .chain(words(&object.owner))
                    .collect();
                for (k, v) in &object.tags {
                    text.extend(words(k).chain(words(v)));
                }
                text.extend(feature_names(&object).flat_map(|f| {
                    std::iter::once(f.to_lowercase()).chain(words(f).collect::<Vec<_>>())
                }));
                let mut text_words: Vec<u32> = text.into_iter().map(|w| vocabulary.id(w)).collect();
                text_words.sort_unstable();
                text_words.dedup();
                entries.push(Entry {
                    registry: i,
                    name: names.id(object.name.to_lowercase()),
                    name_words: words(&object.name).map(|w| vocabulary.id(w)).collect(),
                    text_words,
                    owner: object.owner.to_lowercase(),
                    object,
                    order: 0,
                });
            }
        }
        let mut by_name: Vec<usize> = (0..entries.len()).collect();
        by_name.sort_by(|&a, &b| {
            let (a, b) = (&entries[a], &entries[b]);
            (&a.object.name, &a.object.project, a.registry).cmp(&(
                &b.object.name,
                &b.object.project,
                b.registry,
            ))
        });
        for (position, i) in by_name.into_iter().enumerate() {
            entries[i].order = position as u32;
        }
        SearchIndex {
            registries: registry_names,
            entries,
            names: names.all,
            words: vocabulary.all,
            word_ids: vocabulary.ids,
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
            let mut terms: Vec<TermMatcher> = query
                .terms
                .iter()
                .map(|t| TermMatcher::new(self, t))
                .collect();
            for e in &self.entries {
                if !passes_filters(e, query, &self.registries) {
                    continue;
                }
                let Some((score, tier)) = rank(self, e, &mut terms) else {
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
        hits.sort_unstable_by_key(|(score, _, e)| (std::cmp::Reverse(*score), e.order));
        let mut groups: Vec<SearchGroup> = Vec::new();
        for (_, tier, e) in &hits {
            let group = match groups.iter().position(|g| g.kind == e.object.kind) {
                Some(i) => &mut groups[i],
                None => {
                    groups.push(SearchGroup {
                        kind: e.object.kind,
                        total: 0,
                        hits: Vec::new(),
                    });
                    let last = groups.len() - 1;
                    &mut groups[last]
                }
            };
            group.total += 1;
            if group.hits.len() < per_kind {
                group.hits.push(SearchHit {
                    registry: self.registries[e.registry].clone(),
                    project: e.object.project.to_string(),
                    kind: e.object.kind,
                    name: e.object.name.to_string(),
                    description: shorten(&e.object.description, 120),
                    tier: *tier,
                });
            }
        }
        // Groups in the order of their best hit, so the best match leads the page.
        SearchResults {
            total: hits.len(),
            undecided: visibility.undecided(),
            groups,
            loading: Vec::new(),
        }
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
fn rank(index: &SearchIndex, e: &Entry, terms: &mut [TermMatcher]) -> Option<(u32, MatchTier)> {
    if terms.is_empty() {
        return Some((0, MatchTier::Filter));
    }
    let mut score = 0;
    let mut worst = MatchTier::Exact;
    for term in terms.iter_mut() {
        let tier = term.tier_of(index, e)?;
        score += tier.score();
        worst = worst.max(tier);
    }
    Some((score, worst))
}

// How a distinct name relates to a term (judged once, then remembered).
const UNKNOWN: u8 = 0;
const NAME_EXACT: u8 = 1;
const NAME_PREFIX: u8 = 2;
const NAME_CONTAINS: u8 = 3;
const NAME_NEAR: u8 = 4;
const NAME_NONE: u8 = 5;
// Bits for a distinct word: KNOWN once judged.
const WORD_KNOWN: u8 = 1;
const WORD_HIT: u8 = 2;
const WORD_NEAR: u8 = 4;

/// One search term with what it has learnt about the index's distinct names and words.
struct TermMatcher {
    term: String,
    /// Levenshtein budget for fuzzy matches; 0: the term is too short to match fuzzily.
    budget: usize,
    /// The word equal to the term, if any object has it (a text-word match).
    exact_word: Option<u32>,
    names: Vec<u8>,
    words: Vec<u8>,
}

impl TermMatcher {
    fn new(index: &SearchIndex, term: &str) -> TermMatcher {
        TermMatcher {
            term: term.to_string(),
            budget: match term.chars().count() {
                0..=3 => 0,
                4..=6 => 1,
                _ => 2,
            },
            exact_word: index.word_ids.get(term).copied(),
            names: vec![UNKNOWN; index.names.len()],
            words: vec![0; index.words.len()],
        }
    }

    fn name(&mut self, index: &SearchIndex, id: u32) -> u8 {
        let slot = &mut self.names[id as usize];
        if *slot == UNKNOWN {
            let (name, term) = (&index.names[id as usize], self.term.as_str());
            *slot = if name == term {
                NAME_EXACT
            } else if name.starts_with(term) {
                NAME_PREFIX
            } else if term.len() >= 3 && name.contains(term) {
                NAME_CONTAINS
            } else if self.budget > 0 && within_distance(name, term, self.budget) {
                NAME_NEAR
            } else {
                NAME_NONE
            };
        }
        *slot
    }

    fn word(&mut self, index: &SearchIndex, id: u32) -> u8 {
        let slot = &mut self.words[id as usize];
        if *slot == 0 {
            let (w, term) = (&index.words[id as usize], self.term.as_str());
            let mut bits = WORD_KNOWN;
            if w == term || (term.len() >= 3 && w.starts_with(term)) {
                bits |= WORD_HIT;
            }
            if self.budget > 0 && within_distance(w, term, self.budget) {
                bits |= WORD_NEAR;
            }
            *slot = bits;
        }
        *slot
    }

    fn tier_of(&mut self, index: &SearchIndex, e: &Entry) -> Option<MatchTier> {
        let name = self.name(index, e.name);
        match name {
            NAME_EXACT => return Some(MatchTier::Exact),
            NAME_PREFIX => return Some(MatchTier::Prefix),
            _ => {}
        }
        if name == NAME_CONTAINS
            || e.name_words
                .iter()
                .any(|&w| self.word(index, w) & WORD_HIT != 0)
            || self
                .exact_word
                .is_some_and(|w| e.text_words.binary_search(&w).is_ok())
        {
            return Some(MatchTier::Word);
        }
        if self.budget == 0 {
            return None;
        }
        (name == NAME_NEAR
            || e.name_words
                .iter()
                .any(|&w| self.word(index, w) & WORD_NEAR != 0))
        .then_some(MatchTier::Fuzzy)
    }
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
