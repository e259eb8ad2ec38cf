//! An optional check of the console's visibility against Feast's own answers, for REST
//! registries (`visibility_cross_check`): when a signed-in user whose request carries a Feast
//! token reads the catalog, a few of the console's decisions for them (some shown, some
//! hidden) are asked of Feast's registry server with their token, in the background, once per
//! registry snapshot and identity. `/readyz` shows "agrees with Feast: N of N" per registry,
//! `/metrics` the counts; each disagreement is logged with its case.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use app::catalog::model::CatalogObject;
use serde::Serialize;

use crate::registry::rest::RestReader;
use crate::registry::source::RegistrySource;

/// How the comparisons of one registry came out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Agreement {
    /// Decisions Feast answered, and how many of them the console made the same way.
    pub compared: u64,
    pub agreed: u64,
    /// Calls Feast did not answer with a decision (unreachable, refused token, 5xx).
    pub errors: u64,
}

/// At most this many (snapshot, identity) pairs are remembered as checked; then it starts over.
const REMEMBERED: usize = 4096;

pub struct CrossCheck {
    /// Decisions asked per (snapshot, identity); 0 turns the check off.
    pub sample: usize,
    checked: Mutex<HashSet<(usize, [u8; 32])>>,
    per_registry: Mutex<HashMap<String, Agreement>>,
}

impl CrossCheck {
    pub fn new(sample: usize) -> CrossCheck {
        CrossCheck {
            sample,
            checked: Mutex::new(HashSet::new()),
            per_registry: Mutex::new(HashMap::new()),
        }
    }

    pub fn figures(&self) -> HashMap<String, Agreement> {
        self.per_registry
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// True the first time this (snapshot, identity) is seen: the caller then runs a check.
    pub fn claim(&self, snapshot: usize, identity: [u8; 32]) -> bool {
        if self.sample == 0 {
            return false;
        }
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.len() >= REMEMBERED {
            checked.clear();
        }
        checked.insert((snapshot, identity))
    }

    /// Asks Feast, with `token`, for each `(object, console shows it)` of `sample`.
    pub async fn compare(
        &self,
        source: &RegistrySource,
        token: &str,
        sample: Vec<(Arc<CatalogObject>, bool)>,
    ) {
        let crate::registry::source::SourceKind::Rest(url) = &source.kind else {
            return;
        };
        let reader = match RestReader::new(url, Some(token.into()), source.display()) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e.text(), "visibility cross-check: no HTTP client");
                return;
            }
        };
        let mut outcome = Agreement::default();
        for (object, console) in sample {
            match reader.describes(&object).await {
                Ok(feast) => {
                    outcome.compared += 1;
                    if feast == console {
                        outcome.agreed += 1;
                    } else {
                        tracing::warn!(
                            registry = %source.name,
                            kind = ?object.kind,
                            project = %object.project,
                            name = %object.name,
                            console_shows = console,
                            feast_describes = feast,
                            "the console's visibility disagrees with Feast's registry server"
                        );
                    }
                }
                Err(e) => {
                    outcome.errors += 1;
                    tracing::info!(registry = %source.name, error = %app::backend::error_chain(&e), "visibility cross-check: Feast gave no decision");
                }
            }
        }
        let mut all = self.per_registry.lock().unwrap_or_else(|p| p.into_inner());
        let total = all.entry(source.name.clone()).or_default();
        total.compared += outcome.compared;
        total.agreed += outcome.agreed;
        total.errors += outcome.errors;
    }
}

/// Up to `n` objects, half of them shown and half hidden where there are enough of each,
/// spread evenly over the registry.
pub fn pick(decided: &[(Arc<CatalogObject>, bool)], n: usize) -> Vec<(Arc<CatalogObject>, bool)> {
    let (shown, hidden): (Vec<_>, Vec<_>) = decided.iter().partition(|(_, s)| *s);
    let from_shown = (n / 2).max(n.saturating_sub(hidden.len())).min(shown.len());
    let from_hidden = (n - from_shown).min(hidden.len());
    let spread =
        |items: &[&(Arc<CatalogObject>, bool)], k: usize| -> Vec<(Arc<CatalogObject>, bool)> {
            (0..k)
                .map(|i| items[i * items.len() / k.max(1)].clone())
                .collect()
        };
    let mut out = spread(&shown, from_shown);
    out.extend(spread(&hidden, from_hidden));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::model::ObjectKind;

    fn decided(shown: usize, hidden: usize) -> Vec<(Arc<CatalogObject>, bool)> {
        (0..shown + hidden)
            .map(|i| {
                let o = CatalogObject::unreadable(
                    ObjectKind::Entity,
                    "p",
                    &format!("e{i}"),
                    String::new(),
                );
                (Arc::new(o), i < shown)
            })
            .collect()
    }

    #[test]
    fn the_sample_mixes_shown_and_hidden() {
        let s = pick(&decided(10, 10), 8);
        assert_eq!(s.iter().filter(|(_, v)| *v).count(), 4);
        assert_eq!(s.len(), 8);
        // Too few hidden objects: the rest come from the shown ones.
        let s = pick(&decided(10, 1), 8);
        assert_eq!((s.len(), s.iter().filter(|(_, v)| !*v).count()), (8, 1));
        assert!(pick(&decided(0, 0), 8).is_empty());
    }

    #[test]
    fn each_snapshot_and_identity_is_checked_once() {
        let check = CrossCheck::new(4);
        assert!(check.claim(1, [0; 32]));
        assert!(!check.claim(1, [0; 32]));
        assert!(check.claim(2, [0; 32]));
        assert!(!CrossCheck::new(0).claim(1, [0; 32]), "0 turns it off");
    }
}
