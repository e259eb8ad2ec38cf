//! The history pages' backend: timelines from the console database (`store::query`), filtered
//! by what the viewer may describe, and comparisons of the registries' current snapshots.

use std::sync::Arc;

use app::auth::SessionView;
use app::backend::BackendError;
use app::catalog::model::CatalogObject;
use app::catalog::query::Visibility;
use app::history::api::HistoryBackend;
use app::history::compare::{compare, CompareChoice, ComparePage, CompareQuery, Side};
use app::history::diff::ignored_note;
use app::history::model::{instant_of_millis, HistoryEntry, HistoryFilter};
use app::history::timeline::{TimelineEntry, TimelinePage, TimelineQuery};

use super::feed_key::FeedKeys;
use super::store;
use super::visibility::HistoryVisibility;
use crate::catalog::visibility::CatalogVisibility;
use crate::db::ConsoleDb;
use crate::registry::refresher::Registries;
use crate::registry::RegistrySnapshot;

/// Entries read from the store per visible entry wanted, at most: a viewer who may see little
/// of a long history gets a short page with an "Older" link rather than a scan of all of it.
const SCAN_FACTOR: usize = 10;
/// Rows one store query returns.
const STORE_PAGE: u32 = 500;

pub struct HistoryService {
    db: ConsoleDb,
    registries: Registries,
    visibility: Arc<CatalogVisibility>,
    /// With an identity provider: feed links for feed readers, which cannot sign in.
    feed_keys: Option<FeedKeys>,
}

impl HistoryService {
    /// `feed_keys`: with an identity provider, each timeline gets a feed link with a key.
    pub fn new(
        db: ConsoleDb,
        registries: Registries,
        visibility: Arc<CatalogVisibility>,
        feed_keys: Option<FeedKeys>,
    ) -> Arc<HistoryService> {
        Arc::new(HistoryService {
            db,
            registries,
            visibility,
            feed_keys,
        })
    }

    pub fn feed_keys(&self) -> Option<&FeedKeys> {
        self.feed_keys.as_ref()
    }

    fn names(&self) -> Vec<String> {
        self.registries
            .handles
            .iter()
            .map(|h| h.name.clone())
            .collect()
    }

    /// Up to `limit` entries of `filter` that `viewer` may see, newest first, from `before`;
    /// and the cursor of the next (older) page, None when the store has no more.
    pub async fn visible_entries(
        &self,
        filter: &HistoryFilter,
        mut before: Option<i64>,
        limit: usize,
        viewer: &dyn Visibility,
    ) -> Result<(Vec<HistoryEntry>, Option<i64>), BackendError> {
        let mut shown = Vec::new();
        let mut scanned = 0usize;
        let budget = limit.saturating_mul(SCAN_FACTOR).max(STORE_PAGE as usize);
        loop {
            let want = (limit - shown.len() + 1).clamp(50, STORE_PAGE as usize) as u32;
            let page = store::query(&self.db, filter, before, want)
                .await
                .map_err(|e| BackendError::unavailable(&e))?;
            let count = page.entries.len();
            for (i, entry) in page.entries.into_iter().enumerate() {
                scanned += 1;
                before = Some(entry.id);
                if viewer.may_describe(&entry.registry, &entry.object) {
                    shown.push(entry);
                    if shown.len() == limit {
                        let last = i + 1 == count && page.next_before_id.is_none();
                        return Ok((shown, if last { None } else { before }));
                    }
                }
            }
            match page.next_before_id {
                None => return Ok((shown, None)),
                Some(next) if scanned >= budget => return Ok((shown, Some(next))),
                Some(next) => before = Some(next),
            }
        }
    }

    /// `session`'s view of `registry`'s history.
    pub fn viewer(&self, registry: &str, session: &SessionView) -> HistoryVisibility {
        HistoryVisibility::for_session(&self.visibility, &self.registries, registry, session)
    }

    fn snapshot(&self, name: &str) -> Result<Arc<RegistrySnapshot>, BackendError> {
        let handle = self
            .registries
            .handles
            .iter()
            .find(|h| h.name == name)
            .ok_or_else(|| BackendError::Invalid(format!("no registry is named `{name}`")))?;
        handle.snapshot().ok_or_else(|| {
            BackendError::Unavailable(format!("registry `{name}` has not been read yet"))
        })
    }
}

fn objects_of(snapshot: &RegistrySnapshot) -> Vec<&Arc<CatalogObject>> {
    snapshot
        .projects
        .iter()
        .chain(snapshot.objects.iter())
        .collect()
}

#[app::backend::async_trait]
impl HistoryBackend for HistoryService {
    async fn timeline(
        &self,
        query: &TimelineQuery,
        limit: usize,
        session: &SessionView,
    ) -> Result<TimelinePage, BackendError> {
        let registries = self.names();
        if query.registry.is_empty() {
            return Ok(TimelinePage {
                registries,
                ..TimelinePage::default()
            });
        }
        if !registries.contains(&query.registry) {
            return Err(BackendError::Invalid(format!(
                "no registry is named `{}`",
                query.registry
            )));
        }
        let (filter, before) = query.filter().map_err(BackendError::Invalid)?;
        let viewer = self.viewer(&filter.registry, session);
        let (entries, next_before) = self
            .visible_entries(&filter, before, limit, &viewer)
            .await?;
        let head = store::head(&self.db, &filter.registry)
            .await
            .map_err(|e| BackendError::unavailable(&e))?;
        let project = (!query.project.is_empty()).then_some(query.project.as_str());
        let feed_key = self.feed_keys.as_ref().and_then(|keys| {
            keys.issue(
                session,
                &query.registry,
                project,
                std::time::SystemTime::now(),
            )
        });
        Ok(TimelinePage {
            entries: entries.iter().map(TimelineEntry::of).collect(),
            next_before,
            last_checked: head.map(|h| instant_of_millis(h.recorded_ms)),
            registries,
            feed_key,
        })
    }

    async fn compare(
        &self,
        query: &CompareQuery,
        visibility: &dyn Visibility,
    ) -> Result<ComparePage, BackendError> {
        let choices = self
            .registries
            .handles
            .iter()
            .map(|h| CompareChoice {
                registry: h.name.clone(),
                projects: h
                    .snapshot()
                    .map(|s| {
                        s.projects
                            .iter()
                            .filter(|p| visibility.may_describe(&h.name, p))
                            .map(|p| p.name.to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let mut page = ComparePage {
            choices,
            comparison: None,
            ignored: ignored_note(),
        };
        if !query.is_ready() {
            return Ok(page);
        }
        let (left, right) = (self.snapshot(&query.left)?, self.snapshot(&query.right)?);
        let (left_project, right_project) = query.projects();
        let sides = (
            Side {
                registry: &query.left,
                project: left_project,
                objects: objects_of(&left),
            },
            Side {
                registry: &query.right,
                project: right_project,
                objects: objects_of(&right),
            },
        );
        page.comparison =
            Some(compare(&sides.0, &sides.1, query, visibility).map_err(BackendError::Invalid)?);
        Ok(page)
    }
}
