use std::cmp::Reverse;

use super::*;
use crate::catalog::list_index::tests::{indexed, random_registries, Cases, RandomVisibility};
use crate::catalog::search::parse_query;

/// The scan this index replaced: every hit collected, all sorted, then grouped.
fn full_sort_search(
    index: &SearchIndex,
    query: &SearchQuery,
    visibility: &dyn Visibility,
    per_kind: usize,
) -> SearchResults {
    let mut hits: Vec<(u32, MatchTier, usize)> = Vec::new();
    if !query.is_empty() {
        let mut terms: Vec<TermMatcher> = query
            .terms
            .iter()
            .map(|t| TermMatcher::new(index, t))
            .collect();
        for (at, e) in index.entries.iter().enumerate() {
            if !passes_filters(e, query, index) {
                continue;
            }
            let Some((score, tier)) = rank(index, at, &mut terms) else {
                continue;
            };
            if visibility.may_describe(&index.registries[e.registry as usize].0, &e.object) {
                hits.push((score, tier, at));
            }
        }
    }
    hits.sort_unstable_by_key(|(score, _, at)| (Reverse(*score), *at));
    let mut groups: Vec<SearchGroup> = Vec::new();
    for (_, tier, at) in &hits {
        let e = &index.entries[*at];
        let i = match groups.iter().position(|g| g.kind == e.object.kind) {
            Some(i) => i,
            None => {
                groups.push(SearchGroup {
                    kind: e.object.kind,
                    total: 0,
                    hits: Vec::new(),
                });
                groups.len() - 1
            }
        };
        groups[i].total += 1;
        if groups[i].hits.len() < per_kind {
            groups[i].hits.push(SearchHit {
                registry: index.registries[e.registry as usize].0.clone(),
                project: e.object.project.to_string(),
                kind: e.object.kind,
                name: e.object.name.to_string(),
                description: shorten(&e.object.description, 120),
                tier: *tier,
            });
        }
    }
    SearchResults {
        total: hits.len(),
        undecided: visibility.undecided(),
        groups,
        loading: Vec::new(),
    }
}

#[test]
fn results_equal_the_full_sort_scan_over_random_objects_queries_and_visibility() {
    let mut cases = Cases::new(42);
    for round in 0..30 {
        let registries = random_registries(&mut cases, 80);
        let index = SearchIndex::build_indexed(indexed(&registries));
        for ahead in [true, false] {
            let visibility = RandomVisibility {
                registries: registries.clone(),
                ahead,
            };
            for _ in 0..40 {
                let words = [
                    "driver",
                    "n1",
                    "drivr",
                    "stats",
                    "rides",
                    "n",
                    "o1",
                    "t1",
                    "dirver_stats",
                    "zzz",
                ];
                let filters = [
                    "",
                    "",
                    "kind:entity",
                    "kind:views",
                    "project:p1",
                    "tag:team=t1",
                    "owner:o1",
                    "registry:reg-a",
                ];
                let text = format!(
                    "{} {} {}",
                    cases.pick(&words),
                    cases.pick(&["", "", "n1", "stats", "rides"]),
                    cases.pick(&filters)
                );
                let query = parse_query(&text);
                let per_kind = [0, 1, 3, 100][cases.below(4)];
                assert_eq!(
                    index.search(&query, &visibility, per_kind),
                    full_sort_search(&index, &query, &visibility, per_kind),
                    "round {round}, ahead {ahead}, `{text}`, {per_kind} per kind"
                );
            }
        }
    }
}
