//! The search index: every object prepared once per set of snapshots, and the matching that
//! ranks exact > prefix > word > fuzzy.
//!
//! Names and words repeat a lot across projects (`driver_stats` in fifty projects, `feature_0`
//! in thousands of views), so the index keeps each distinct lowercased name, word and owner
//! once and an entry is a few numbers with no allocation of its own (at 100,000 views the index
//! had been 73 MiB resident, most of it per-entry vectors and words freed while building; now
//! about 20). Entries are kept in (name, project, registry) order. A term is judged once against each
//! distinct name and name word; the entries of the names and words it matches (their
//! [`Postings`]) get the term's tier, so a search reads only the entries it hits, then meets
//! them in their tie-break order: each kind keeps only its best `per_kind` hits and a count
//! (no sort of every hit), and visibility is a bit test per hit when it was decided ahead
//! ([`Visibility::decided`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::list_index::{decisions, IndexedRegistry};
use super::model::{CatalogObject, Detail, ObjectKind};
use super::postings::Postings;
use super::query::{shorten, Visibility};
use super::search::{MatchTier, SearchGroup, SearchHit, SearchQuery, SearchResults};

/// One object prepared for matching.
struct Entry {
    object: Arc<CatalogObject>,
    /// The object's kind, kept here so counting hits does not follow each object's pointer.
    kind: ObjectKind,
    registry: u32,
    /// In the registry snapshot's decision order.
    position: u32,
    /// Into `SearchIndex::names` (the lowercased name).
    name: u32,
    /// Into `SearchIndex::owners` (the lowercased owner).
    owner: u32,
}

pub struct SearchIndex {
    /// Name and snapshot id of each registry.
    registries: Vec<(String, usize)>,
    /// In (name, project, registry) order.
    entries: Vec<Entry>,
    names: Vec<Box<str>>,
    owners: Vec<Box<str>>,
    words: Vec<Box<str>>,
    /// Word numbers in the words' order, to find a word without a hash table.
    words_sorted: Vec<u32>,
    /// Per name: its entries.
    by_name: Postings,
    /// Per word: the entries with it in their name.
    by_name_word: Postings,
    /// Per word: the entries with it in their description, owner, tags or feature names.
    by_text_word: Postings,
}

/// Each lowercased word of `text`, lowercased into `scratch` (reused: no allocation per word).
fn each_word(text: &str, scratch: &mut String, mut f: impl FnMut(&str)) {
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if !w.is_empty() {
            lowercase_into(w, scratch);
            f(scratch);
        }
    }
}

fn lowercase_into(text: &str, scratch: &mut String) {
    scratch.clear();
    scratch.extend(text.chars().flat_map(char::to_lowercase));
}

/// Distinct strings, numbered in order of first sight. A string is copied only when it is new.
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    all: Vec<Box<str>>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = self.all.len() as u32;
        self.all.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }
}

/// A position or count in the index's arrays, which a registry's size bounds far below
/// `u32::MAX`.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
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
    /// Builds from each registry's objects; internal `__dummy` entities are left out. No
    /// decision is made ahead for these registries: visibility is asked object by object.
    pub fn build(registries: Vec<(String, Vec<Arc<CatalogObject>>)>) -> SearchIndex {
        SearchIndex::build_indexed(
            registries
                .into_iter()
                .map(|(name, objects)| IndexedRegistry::undecided(&name, objects))
                .collect(),
        )
    }

    /// Builds from each registry snapshot's objects with their positions, so a decision made
    /// ahead answers by position.
    pub fn build_indexed(registries: Vec<IndexedRegistry>) -> SearchIndex {
        let mut registry_names = Vec::new();
        let mut entries = Vec::new();
        let mut names = Interner::default();
        let mut owners = Interner::default();
        let mut vocabulary = Interner::default();
        let mut word_lists: Vec<u32> = Vec::new();
        let mut scratch = String::new();
        let mut text: Vec<u32> = Vec::new();
        // Each entry's name words start, text words start and end in `word_lists`.
        let mut word_ranges: Vec<[u32; 3]> = Vec::new();
        for (i, registry) in registries.into_iter().enumerate() {
            registry_names.push((registry.name, registry.snapshot));
            let first = registry.first_position;
            for (at, object) in registry.objects.into_iter().enumerate() {
                if object.is_internal() {
                    continue;
                }
                let words = offset(word_lists.len());
                each_word(&object.name, &mut scratch, |w| {
                    word_lists.push(vocabulary.id(w))
                });
                let words_end = offset(word_lists.len());
                text.clear();
                let tags = object.tags.iter().flat_map(|(k, v)| [&**k, &**v]);
                for t in [&*object.description, &*object.owner]
                    .into_iter()
                    .chain(tags)
                {
                    each_word(t, &mut scratch, |w| text.push(vocabulary.id(w)));
                }
                for f in feature_names(&object) {
                    each_word(f, &mut scratch, |w| text.push(vocabulary.id(w)));
                    lowercase_into(f, &mut scratch);
                    text.push(vocabulary.id(&scratch));
                }
                text.sort_unstable();
                text.dedup();
                word_lists.extend_from_slice(&text);
                word_ranges.push([words, words_end, offset(word_lists.len())]);
                lowercase_into(&object.name, &mut scratch);
                let name = names.id(&scratch);
                lowercase_into(&object.owner, &mut scratch);
                let owner = owners.id(&scratch);
                entries.push(Entry {
                    kind: object.kind,
                    registry: i as u32,
                    position: (first + at) as u32,
                    name,
                    owner,
                    object,
                });
            }
        }
        let words = &vocabulary.all;
        let mut words_sorted: Vec<u32> = (0..offset(words.len())).collect();
        words_sorted.sort_unstable_by(|&a, &b| words[a as usize].cmp(&words[b as usize]));
        // Word ranges travel with their entries through the sort: `word_lists[start..middle]`
        // are the name's words, `[middle..end]` the text words.
        let mut sorted: Vec<(Entry, [u32; 3])> = entries.into_iter().zip(word_ranges).collect();
        sorted.sort_by(|(a, _), (b, _)| {
            let (a_name, a_project): (&str, &str) = (&a.object.name, &a.object.project);
            let (b_name, b_project): (&str, &str) = (&b.object.name, &b.object.project);
            (a_name, a_project, a.registry).cmp(&(b_name, b_project, b.registry))
        });
        let postings = |part: fn([u32; 3]) -> (u32, u32)| {
            Postings::build(vocabulary.all.len(), || {
                sorted.iter().enumerate().flat_map(|(at, (_, range))| {
                    let (from, to) = part(*range);
                    word_lists[from as usize..to as usize]
                        .iter()
                        .map(move |&w| (w, at as u32))
                })
            })
        };
        let by_name_word = postings(|[start, middle, _]| (start, middle));
        let by_text_word = postings(|[_, middle, end]| (middle, end));
        let by_name = Postings::build(names.all.len(), || {
            sorted
                .iter()
                .enumerate()
                .map(|(at, (e, _))| (e.name, at as u32))
        });
        drop(word_lists);
        let entries: Vec<Entry> = sorted.into_iter().map(|(e, _)| e).collect();
        SearchIndex {
            registries: registry_names,
            entries,
            names: names.all,
            owners: owners.all,
            words: vocabulary.all,
            words_sorted,
            by_name,
            by_name_word,
            by_text_word,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Memory the index holds beyond the objects it shares with the snapshots (an estimate:
    /// vectors by capacity, strings by length, hash tables by buckets).
    pub fn heap_bytes(&self) -> usize {
        let strings = |v: &[Box<str>]| {
            v.iter()
                .map(|s| s.len() + std::mem::size_of::<Box<str>>())
                .sum::<usize>()
        };
        self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.words_sorted.capacity() * 4
            + self.by_name.heap_bytes()
            + self.by_name_word.heap_bytes()
            + self.by_text_word.heap_bytes()
            + self
                .registries
                .iter()
                .map(|(n, _)| n.capacity() + std::mem::size_of::<(String, usize)>())
                .sum::<usize>()
            + strings(&self.names)
            + strings(&self.owners)
            + strings(&self.words)
    }

    /// The number of `word`, if an object has it.
    fn word_id(&self, word: &str) -> Option<u32> {
        self.words_sorted
            .binary_search_by(|&w| (*self.words[w as usize]).cmp(word))
            .ok()
            .map(|at| self.words_sorted[at])
    }

    /// The numbers of `text`'s words (for the tests' entry-by-entry ranking).
    #[cfg(test)]
    fn word_ids_of(&self, text: &str) -> Vec<u32> {
        let mut scratch = String::new();
        let mut out = Vec::new();
        each_word(text, &mut scratch, |w| out.extend(self.word_id(w)));
        out
    }

    /// Ranked hits grouped by kind, at most `per_kind` shown per group (counts are complete).
    pub fn search(
        &self,
        query: &SearchQuery,
        visibility: &dyn Visibility,
        per_kind: usize,
    ) -> SearchResults {
        let mut groups: Vec<KindHits> = Vec::new();
        let mut slots = [usize::MAX; ObjectKind::ALL.len()];
        if !query.is_empty() {
            let decided = decisions(&self.registries, visibility);
            // Each term's tier per entry (0: no match), from the entries of what it matches.
            let tiers: Vec<Vec<u8>> = query
                .terms
                .iter()
                .map(|t| TermMatcher::new(self, t).tiers(self))
                .collect();
            let candidates: Box<dyn Iterator<Item = usize> + '_> = match tiers.first() {
                // Field filters only: every entry is a candidate.
                None => Box::new(0..self.entries.len()),
                Some(first) => Box::new(
                    first
                        .iter()
                        .enumerate()
                        .filter(|(_, tier)| **tier != NO_MATCH)
                        .map(|(at, _)| at),
                ),
            };
            for at in candidates {
                let Some((score, tier)) = combined(&tiers, at) else {
                    continue;
                };
                let e = &self.entries[at];
                if !passes_filters(e, query, self) {
                    continue;
                }
                let registry = e.registry as usize;
                let may = match decided[registry] {
                    Some(d) => d.allows(e.position as usize),
                    None => visibility.may_describe(&self.registries[registry].0, &e.object),
                };
                if !may {
                    continue;
                }
                let kind = ObjectKind::ALL
                    .iter()
                    .position(|k| *k == e.kind)
                    .unwrap_or(0);
                if slots[kind] == usize::MAX {
                    slots[kind] = groups.len();
                    groups.push(KindHits {
                        kind: e.kind,
                        total: 0,
                        lead: (std::cmp::Reverse(score), at),
                        best: Vec::new(),
                    });
                }
                groups[slots[kind]].add(score, tier, at, per_kind);
            }
        }
        // Groups in the order of their best hit, so the best match leads the page.
        groups.sort_by_key(|g| g.lead);
        let total = groups.iter().map(|g| g.total).sum();
        let groups = groups
            .into_iter()
            .map(|g| SearchGroup {
                kind: g.kind,
                total: g.total,
                hits: g
                    .best
                    .into_iter()
                    .map(|(_, at, tier)| {
                        let e = &self.entries[at];
                        SearchHit {
                            registry: self.registries[e.registry as usize].0.clone(),
                            project: e.object.project.to_string(),
                            kind: e.object.kind,
                            name: e.object.name.to_string(),
                            description: shorten(&e.object.description, 120),
                            tier,
                        }
                    })
                    .collect(),
            })
            .collect();
        SearchResults {
            total,
            undecided: visibility.undecided(),
            groups,
            loading: Vec::new(),
        }
    }
}

/// One kind's hits during a search: the count, and the best `per_kind` by (score, order).
struct KindHits {
    kind: ObjectKind,
    total: usize,
    /// The best hit's (score, entry): groups are shown in this order.
    lead: (std::cmp::Reverse<u32>, usize),
    /// (score, entry, tier), best first.
    best: Vec<(u32, usize, MatchTier)>,
}

impl KindHits {
    /// Entries come in ascending order, so a later hit beats a kept one only on score.
    fn add(&mut self, score: u32, tier: MatchTier, at: usize, per_kind: usize) {
        self.total += 1;
        self.lead = self.lead.min((std::cmp::Reverse(score), at));
        if per_kind == 0 {
            return;
        }
        if self.best.len() == per_kind && self.best.last().is_none_or(|l| l.0 >= score) {
            return;
        }
        // After every kept hit of the same or a higher score.
        let slot = self.best.partition_point(|b| b.0 >= score);
        self.best.insert(slot, (score, at, tier));
        self.best.truncate(per_kind);
    }
}

fn passes_filters(e: &Entry, q: &SearchQuery, index: &SearchIndex) -> bool {
    (q.kinds.is_empty() || q.kinds.contains(&e.kind))
        && q.project.as_ref().is_none_or(|p| *e.object.project == **p)
        && q.registry
            .as_ref()
            .is_none_or(|r| &index.registries[e.registry as usize].0 == r)
        && q.owner
            .as_ref()
            .is_none_or(|o| index.owners[e.owner as usize].contains(o.as_str()))
        && q.tags.iter().all(|(k, v)| {
            e.object
                .tags
                .get(k.as_str())
                .is_some_and(|have| v.as_ref().is_none_or(|v| **have == **v))
        })
}

// A term's tier for an entry, as one byte: higher is better, so the best of several ways a
// term matches an entry is their maximum.
const NO_MATCH: u8 = 0;
const TIER_FUZZY: u8 = 1;
const TIER_WORD: u8 = 2;
const TIER_PREFIX: u8 = 3;
const TIER_EXACT: u8 = 4;

fn tier_of_byte(tier: u8) -> MatchTier {
    match tier {
        TIER_EXACT => MatchTier::Exact,
        TIER_PREFIX => MatchTier::Prefix,
        TIER_WORD => MatchTier::Word,
        _ => MatchTier::Fuzzy,
    }
}

/// The score of entry `at` for every term's tiers (all must match), and its weakest tier.
fn combined(tiers: &[Vec<u8>], at: usize) -> Option<(u32, MatchTier)> {
    if tiers.is_empty() {
        return Some((0, MatchTier::Filter));
    }
    let mut score = 0;
    let mut worst = MatchTier::Exact;
    for term in tiers {
        let tier = match term[at] {
            NO_MATCH => return None,
            t => tier_of_byte(t),
        };
        score += tier.score();
        worst = worst.max(tier);
    }
    Some((score, worst))
}

/// The score of an entry for every term (all must match), and its weakest tier, entry by
/// entry: the definition [`TermMatcher::tiers`] computes from postings (the tests compare).
#[cfg(test)]
fn rank(index: &SearchIndex, at: usize, terms: &mut [TermMatcher]) -> Option<(u32, MatchTier)> {
    if terms.is_empty() {
        return Some((0, MatchTier::Filter));
    }
    let mut score = 0;
    let mut worst = MatchTier::Exact;
    for term in terms.iter_mut() {
        let tier = term.tier_of(index, at)?;
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
            exact_word: index.word_id(term),
            names: vec![UNKNOWN; index.names.len()],
            words: vec![0; index.words.len()],
        }
    }

    fn name(&mut self, index: &SearchIndex, id: u32) -> u8 {
        let slot = &mut self.names[id as usize];
        if *slot == UNKNOWN {
            let (name, term) = (&*index.names[id as usize], self.term.as_str());
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
            let (w, term) = (&*index.words[id as usize], self.term.as_str());
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

    /// The term's tier for every entry (`NO_MATCH` where it does not match): each distinct
    /// name and name word is judged once, and the entries having the matching ones (their
    /// postings) are raised to that tier.
    fn tiers(&mut self, index: &SearchIndex) -> Vec<u8> {
        fn raise(tiers: &mut [u8], entries: &[u32], tier: u8) {
            for &at in entries {
                let t = &mut tiers[at as usize];
                *t = (*t).max(tier);
            }
        }
        let mut tiers = vec![NO_MATCH; index.entries.len()];
        for id in 0..offset(index.names.len()) {
            let tier = match self.name(index, id) {
                NAME_EXACT => TIER_EXACT,
                NAME_PREFIX => TIER_PREFIX,
                NAME_CONTAINS => TIER_WORD,
                NAME_NEAR => TIER_FUZZY,
                _ => continue,
            };
            raise(&mut tiers, index.by_name.get(id), tier);
        }
        for id in 0..offset(index.words.len()) {
            let entries = index.by_name_word.get(id);
            if entries.is_empty() {
                continue;
            }
            let bits = self.word(index, id);
            let tier = if bits & WORD_HIT != 0 {
                TIER_WORD
            } else if bits & WORD_NEAR != 0 {
                TIER_FUZZY
            } else {
                continue;
            };
            raise(&mut tiers, entries, tier);
        }
        if let Some(w) = self.exact_word {
            raise(&mut tiers, index.by_text_word.get(w), TIER_WORD);
        }
        tiers
    }

    #[cfg(test)]
    fn tier_of(&mut self, index: &SearchIndex, at: usize) -> Option<MatchTier> {
        let e = &index.entries[at];
        let name = self.name(index, e.name);
        match name {
            NAME_EXACT => return Some(MatchTier::Exact),
            NAME_PREFIX => return Some(MatchTier::Prefix),
            _ => {}
        }
        let name_words = index.word_ids_of(&e.object.name);
        if name == NAME_CONTAINS
            || name_words
                .iter()
                .any(|&w| self.word(index, w) & WORD_HIT != 0)
            || self.exact_word.is_some_and(|w| {
                index
                    .by_text_word
                    .get(w)
                    .binary_search(&(at as u32))
                    .is_ok()
            })
        {
            return Some(MatchTier::Word);
        }
        if self.budget == 0 {
            return None;
        }
        (name == NAME_NEAR
            || name_words
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

#[cfg(test)]
#[path = "search_index_tests.rs"]
mod tests;
