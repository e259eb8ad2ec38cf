//! Registries read as the signed-in user sees them.
//!
//! A Feast REST registry server applies Feast's own permission checks to the token it is
//! given: listings leave out what that user may not DESCRIBE. The shared snapshot of such a
//! registry is read with the console's own token (`registry_token`), so showing it to
//! everyone would show each user what the console may see, not what Feast would show them.
//! For REST registries, signed-in users therefore get their own read, made with their own
//! access token and kept for one refresh interval. SQL and file registries have no server
//! between the console and the data, so there is nothing to forward to; their objects go
//! through the console's own visibility filter instead.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::catalog::model::{CatalogObject, Detail};
use sha2::{Digest, Sha256};

use super::{
    load_error::{LoadError, LoadProblem},
    rest::{listing_kind_of, RestReader},
    snapshot::RegistrySnapshot,
    source::{RegistrySource, SourceKind},
};

/// How many user reads are kept at most; the oldest goes first.
const MAX_ENTRIES: usize = 512;

struct Entry {
    at: Instant,
    result: Result<Arc<RegistrySnapshot>, LoadError>,
}

/// Per-user reads of REST registries, each kept for `ttl`.
pub struct UserRegistryViews {
    ttl: Duration,
    // Keyed by registry name and a hash of the token: the token itself is never kept here.
    entries: Mutex<HashMap<(String, [u8; 32]), Entry>>,
    // One read at a time per key, so a page with several server calls reads once.
    loading: tokio::sync::Mutex<()>,
    // Bumped by every `forget`, so caches built on users' reads (rendered pages) can tell.
    generation: std::sync::atomic::AtomicU64,
}

impl UserRegistryViews {
    pub fn new(ttl: Duration) -> UserRegistryViews {
        UserRegistryViews {
            ttl,
            entries: Mutex::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Whether reads of `source` are made with the user's own token.
    pub fn forwards(source: &RegistrySource) -> bool {
        matches!(source.kind, SourceKind::Rest(_))
    }

    /// `source` as the holder of `token` sees it: None when the source is not a REST registry
    /// (the shared snapshot applies), else that user's read or the reason it failed (for
    /// instance Feast's 401 for an expired token or 403 for a user with no permission).
    ///
    /// `shared` is the console's own read of the same registry: it names the objects to ask
    /// for one by one when Feast refuses a whole listing.
    pub async fn snapshot_for(
        &self,
        source: &RegistrySource,
        token: &str,
        shared: Option<&RegistrySnapshot>,
    ) -> Option<Result<Arc<RegistrySnapshot>, LoadError>> {
        let SourceKind::Rest(url) = &source.kind else {
            return None;
        };
        let key = (source.name.clone(), Sha256::digest(token.as_bytes()).into());
        if let Some(hit) = self.cached(&key) {
            return Some(hit);
        }
        let _one_at_a_time = self.loading.lock().await;
        if let Some(hit) = self.cached(&key) {
            return Some(hit);
        }
        let result = match RestReader::new(url, Some(token.to_string()), source.display()) {
            Ok(mut reader) => match reader.refresh().await {
                Ok(Some(snapshot)) => Ok(Arc::new(fill_refused(&reader, snapshot, shared).await)),
                Ok(None) => Err(LoadError::new(&source.display(), LoadProblem::Empty)),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let oldest = entries
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            key,
            Entry {
                at: Instant::now(),
                result: result.clone(),
            },
        );
        Some(result)
    }

    /// Drops every user's read of `registry`, so the next page shows a write just made.
    pub fn forget(&self, registry: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(name, _), _| name != registry);
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Changes whenever users' reads are dropped (after a permission save, for instance).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn cached(&self, key: &(String, [u8; 32])) -> Option<Result<Arc<RegistrySnapshot>, LoadError>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| e.result.clone())
    }
}

/// Replaces each listing Feast refused with a 403 by the objects of that listing the user may
/// see, asked for one by one (names from the console's own read).
async fn fill_refused(
    reader: &RestReader,
    snapshot: RegistrySnapshot,
    shared: Option<&RegistrySnapshot>,
) -> RegistrySnapshot {
    let refused = |o: &CatalogObject| {
        matches!(&o.detail, Detail::Unreadable { error } if error.contains(" 403 "))
            && o.name.starts_with('(')
    };
    let (Some(shared), true) = (shared, snapshot.objects.iter().any(|o| refused(o))) else {
        return snapshot;
    };
    let mut objects: Vec<CatalogObject> = snapshot.projects.iter().map(|p| (**p).clone()).collect();
    for o in &snapshot.objects {
        if !refused(o) {
            objects.push((**o).clone());
            continue;
        }
        let names: Vec<String> = shared
            .objects
            .iter()
            .filter(|s| {
                s.project == o.project
                    && !s.is_unreadable()
                    && listing_kind_of(s.kind) == Some(o.kind)
            })
            .map(|s| s.name.clone())
            .collect();
        objects.extend(reader.read_each(o.kind, &o.project, &names).await);
    }
    objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    RegistrySnapshot::build(
        objects,
        Vec::new(),
        snapshot.loaded_at,
        snapshot.load_duration,
    )
}

/// What one user may see of each registry: REST registries as Feast showed them to the user's
/// token; every other registry in full (nothing stands between the console and its data).
pub struct ForwardedVisibility {
    /// Per REST registry: the (kind, project, name) Feast listed for this user. A registry
    /// whose read as the user failed maps to an empty set: Feast refused, so nothing shows.
    allowed: HashMap<
        String,
        std::collections::HashSet<(app::catalog::model::ObjectKind, String, String)>,
    >,
}

impl ForwardedVisibility {
    /// Reads every REST registry among `registries` as the holder of `token` (cached).
    pub async fn for_token(
        views: &UserRegistryViews,
        registries: &super::refresher::Registries,
        token: &str,
    ) -> ForwardedVisibility {
        let mut allowed = HashMap::new();
        for handle in &registries.handles {
            let source = handle.source_config();
            let shared = handle.snapshot();
            let Some(result) = views.snapshot_for(source, token, shared.as_deref()).await else {
                continue;
            };
            let set = match result {
                Ok(snapshot) => snapshot
                    .projects
                    .iter()
                    .chain(snapshot.objects.iter())
                    .filter(|o| !o.is_unreadable())
                    .map(|o| (o.kind, o.project.clone(), o.name.clone()))
                    .collect(),
                Err(e) => {
                    tracing::info!(registry = %handle.name, error = %e.text(), "the registry refused this user's token");
                    Default::default()
                }
            };
            allowed.insert(handle.name.clone(), set);
        }
        ForwardedVisibility { allowed }
    }
}

impl app::catalog::query::Visibility for ForwardedVisibility {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool {
        match self.allowed.get(registry) {
            None => true,
            Some(set) => set.contains(&(object.kind, object.project.clone(), object.name.clone())),
        }
    }
}

/// The catalog's visibility for a request: Feast's own answer to the user's token for REST
/// registries, everything elsewhere; everything when the request carries no token
/// (development mode, or a registry read with the console's own token only).
pub fn visibility_for_request(
    views: Arc<UserRegistryViews>,
    registries: super::refresher::Registries,
    extensions: &http::Extensions,
) -> app::catalog::api::VisibilityFuture {
    let token = extensions
        .get::<crate::auth::FeastBearer>()
        .map(|b| b.0.expose().to_string());
    Box::pin(async move {
        let forwarded = registries
            .handles
            .iter()
            .any(|h| UserRegistryViews::forwards(h.source_config()));
        match token {
            Some(token) if forwarded => {
                Box::new(ForwardedVisibility::for_token(&views, &registries, &token).await)
                    as Box<dyn app::catalog::query::Visibility>
            }
            _ => Box::new(app::catalog::query::EveryObject),
        }
    })
}
