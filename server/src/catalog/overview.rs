//! The catalog overview the page shows, built from the live registry handles.

use std::time::SystemTime;

use app::catalog::overview::RegistryOverview;
use app::catalog::query::Visibility;

use crate::registry::refresher::Registries;

/// Every registry, counting only what `visibility` shows.
pub fn overview(
    registries: &Registries,
    now: SystemTime,
    visibility: &dyn Visibility,
) -> Vec<RegistryOverview> {
    registries
        .handles
        .iter()
        .map(|h| {
            let snapshot = h.snapshot();
            RegistryOverview {
                name: h.name.clone(),
                source: h.source.clone(),
                age_seconds: h.age(now).map(|a| a.as_secs()),
                error: h.status().last_error,
                projects: snapshot
                    .map(|s| s.overview(&h.name, visibility))
                    .unwrap_or_default(),
                undecided: visibility.undecided_in(&h.name),
            }
        })
        .collect()
}
