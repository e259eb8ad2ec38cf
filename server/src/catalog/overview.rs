//! The catalog overview the page shows, built from the live registry handles.

use std::time::SystemTime;

use app::catalog::overview::RegistryOverview;

use crate::registry::refresher::Registries;

pub fn overview(registries: &Registries, now: SystemTime) -> Vec<RegistryOverview> {
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
                projects: snapshot.map(|s| s.overview()).unwrap_or_default(),
            }
        })
        .collect()
}
