//! A short-lived cache of rendered catalog pages (a "microcache"), so a page many people open at
//! once (a team's project list after a release, a search shared in chat) is rendered once per
//! `page_cache_ms` rather than once per request.
//!
//! What makes a hit safe:
//! - only `GET`s of catalog pages, without an `Authorization` header, and only `200 text/html`
//!   responses that set no cookie are kept;
//! - the key holds the whole `Cookie` header, so one user's page (their visibility, their session)
//!   is never served to another;
//! - an entry also holds the registry snapshots it was rendered from (what each user may see is
//!   decided from them): a refresh, a failed read, or a permission save (which reloads the
//!   registry) makes it a miss at once, not after the lifetime;
//! - each hit gets a fresh CSP nonce (in the header and in the page's script tags), so a nonce is
//!   never sent twice.
//!
//! When an entry ends under load, one request renders the page again and the requests that
//! miss meanwhile wait for its result instead of rendering the same page themselves.
//!
//! What a hit can get wrong: relative times on the page ("refreshed 4 s ago") are up to
//! `page_cache_ms` old. That lifetime is 1 s by default and 0 turns the cache off.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};

use tokio::sync::watch;

use crate::registry::{refresher::Registries, snapshot::RegistrySnapshot};

/// `hit` or `miss` on a cacheable page's response, for operators and tests.
pub const CACHE_STATUS: header::HeaderName = header::HeaderName::from_static("x-page-cache");
/// Pages larger than this are served but not kept (a page of the catalog is ~50 KB).
const MAX_BODY: usize = 1 << 20;
/// Entries kept at most, whatever their size.
const MAX_ENTRIES: usize = 512;
/// What an entry costs besides its key, page and headers: the map slot, the snapshot list.
const ENTRY_OVERHEAD: usize = 256;

/// The cached pages of one console process, at most `limit_bytes` of them (keys, pages and
/// headers); when full, expired entries go first, then the oldest.
pub struct PageCache {
    ttl: Duration,
    limit_bytes: usize,
    entries: Mutex<Entries>,
    // Renders in progress, by key. A request that misses while the same page is being rendered
    // waits for that render rather than starting its own: when an entry expires under load, one
    // request renders and the others get its result (no stampede of identical renders).
    rendering: Mutex<HashMap<Key, watch::Receiver<()>>>,
}

/// Marks a key as being rendered; the mark goes when the render ends, however it ends (a
/// client that hangs up drops the request's future, and this with it), waking the waiters.
struct RenderingMark<'a> {
    cache: &'a PageCache,
    key: Key,
    _done: watch::Sender<()>,
}

impl Drop for RenderingMark<'_> {
    fn drop(&mut self) {
        let mut rendering = self
            .cache
            .rendering
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        rendering.remove(&self.key);
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    cookie: Vec<u8>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    bytes: usize,
}

impl Entries {
    fn remove(&mut self, key: &Key) {
        if let Some(old) = self.map.remove(key) {
            self.bytes -= old.bytes;
        }
    }
}

struct Entry {
    at: Instant,
    /// What this entry holds, counted against the cache's byte bound.
    bytes: usize,
    // The snapshots the page was rendered from, held (not just their addresses) so a new
    // snapshot can never pass for the old one.
    snapshots: Vec<Option<Arc<RegistrySnapshot>>>,
    // Failed reads since the last good one, per registry: a failing registry shows a warning.
    failures: Vec<u32>,
    headers: HeaderMap,
    page: NoncedPage,
}

/// A page cut at every occurrence of its CSP nonce, so a hit splices a new one in with one copy.
#[derive(Clone)]
pub struct NoncedPage {
    nonce: Option<String>,
    parts: Vec<Bytes>,
}

impl NoncedPage {
    /// `body` with `nonce` marked; `None` (a page without a nonce) is kept whole.
    pub fn new(body: Bytes, nonce: Option<String>) -> NoncedPage {
        let Some(n) = nonce.as_deref().filter(|n| !n.is_empty()) else {
            return NoncedPage {
                nonce: None,
                parts: vec![body],
            };
        };
        let mut parts = Vec::new();
        let mut start = 0;
        let mut i = 0;
        let needle = n.as_bytes();
        while i + needle.len() <= body.len() {
            if &body[i..i + needle.len()] == needle {
                parts.push(body.slice(start..i));
                i += needle.len();
                start = i;
            } else {
                i += 1;
            }
        }
        parts.push(body.slice(start..));
        NoncedPage { nonce, parts }
    }

    /// Bytes of the page as kept.
    pub fn held_bytes(&self) -> usize {
        self.parts.iter().map(Bytes::len).sum::<usize>()
            + self.nonce.as_ref().map_or(0, String::len)
    }

    /// The page with `new` wherever the old nonce was.
    pub fn with_nonce(&self, new: &str) -> Bytes {
        if self.parts.len() == 1 {
            return self.parts[0].clone();
        }
        let len =
            self.parts.iter().map(Bytes::len).sum::<usize>() + new.len() * (self.parts.len() - 1);
        let mut out = Vec::with_capacity(len);
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(new.as_bytes());
            }
            out.extend_from_slice(part);
        }
        Bytes::from(out)
    }
}

impl PageCache {
    /// A cache whose entries live `ttl` (`Duration::ZERO` keeps nothing), as large as
    /// `page_cache_mib`'s default.
    pub fn new(ttl: Duration) -> PageCache {
        PageCache::with_limit(ttl, crate::config::default_mib_bytes("page_cache_mib"))
    }

    /// A cache whose entries live `ttl` and hold at most `limit_bytes` together.
    pub fn with_limit(ttl: Duration, limit_bytes: usize) -> PageCache {
        PageCache {
            ttl,
            limit_bytes,
            entries: Mutex::new(Entries::default()),
            rendering: Mutex::new(HashMap::new()),
        }
    }

    /// Entries and the bytes they hold.
    pub fn held(&self) -> (usize, usize) {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        (entries.map.len(), entries.bytes)
    }

    /// The right to render `key`, or (when another request is rendering it) a receiver that
    /// wakes when that render ends.
    fn claim(&self, key: &Key) -> Result<RenderingMark<'_>, watch::Receiver<()>> {
        let mut rendering = self.rendering.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(waiting) = rendering.get(key) {
            return Err(waiting.clone());
        }
        let (done, waiting) = watch::channel(());
        rendering.insert(key.clone(), waiting);
        Ok(RenderingMark {
            cache: self,
            key: key.clone(),
            _done: done,
        })
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn lookup(
        &self,
        key: &Key,
        snapshots: &[Option<Arc<RegistrySnapshot>>],
        failures: &[u32],
    ) -> Option<(HeaderMap, NoncedPage)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.map.get(key)?;
        let fresh = entry.at.elapsed() < self.ttl
            && entry.failures == failures
            && same_snapshots(&entry.snapshots, snapshots);
        fresh.then(|| (entry.headers.clone(), entry.page.clone()))
    }

    fn store(&self, key: Key, mut entry: Entry) {
        entry.bytes = key.path_and_query.len()
            + key.cookie.len()
            + entry.page.held_bytes()
            + entry
                .headers
                .iter()
                .map(|(n, v)| n.as_str().len() + v.len())
                .sum::<usize>()
            + ENTRY_OVERHEAD;
        if entry.bytes > self.limit_bytes {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&key);
        let full =
            |e: &Entries| e.map.len() >= MAX_ENTRIES || e.bytes + entry.bytes > self.limit_bytes;
        if full(&entries) {
            let ttl = self.ttl;
            let expired: Vec<Key> = entries
                .map
                .iter()
                .filter(|(_, e)| e.at.elapsed() >= ttl)
                .map(|(k, _)| k.clone())
                .collect();
            for k in &expired {
                entries.remove(k);
            }
        }
        while full(&entries) {
            let Some(oldest) = entries
                .map
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            entries.remove(&oldest);
        }
        entries.bytes += entry.bytes;
        entries.map.insert(key, entry);
    }
}

fn same_snapshots(
    a: &[Option<Arc<RegistrySnapshot>>],
    b: &[Option<Arc<RegistrySnapshot>>],
) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => Arc::ptr_eq(x, y),
            (None, None) => true,
            _ => false,
        })
}

/// Whether `path` is a catalog page (the pages everyone reads; editors, audit and operations
/// pages always render fresh).
pub fn is_catalog_page(path: &str) -> bool {
    path == "/"
        || path == "/catalog"
        || path.starts_with("/catalog/")
        || path == "/search"
        || path.starts_with("/registries/")
}

/// What the middleware reads: the cache, and what tells whether an entry is still current.
#[derive(Clone)]
pub struct PageCacheLayer {
    pub cache: Arc<PageCache>,
    pub registries: Registries,
}

/// Middleware: serves a fresh cached copy of a catalog page, or renders it and keeps the result.
pub async fn serve(State(state): State<PageCacheLayer>, request: Request, next: Next) -> Response {
    let cache = state.cache.clone();
    if !cache.enabled()
        || request.method() != Method::GET
        || request.headers().contains_key(header::AUTHORIZATION)
        || !is_catalog_page(request.uri().path())
        // A page rendered before a registry's first read says "loading": never kept.
        || state.registries.handles.iter().any(|h| !h.first_read_done())
    {
        return next.run(request).await;
    }
    let key = Key {
        path_and_query: request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        cookie: request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .flat_map(|v| v.as_bytes().iter().copied().chain([b';']))
            .collect(),
    };
    let snapshots: Vec<_> = state
        .registries
        .handles
        .iter()
        .map(|h| h.snapshot())
        .collect();
    let failures: Vec<u32> = state
        .registries
        .handles
        .iter()
        .map(|h| h.consecutive_failures())
        .collect();
    if let Some((headers, page)) = cache.lookup(&key, &snapshots, &failures) {
        return hit(headers, &page);
    }
    let mark = match cache.claim(&key) {
        Ok(mark) => {
            // A render may have ended between the lookup above and the claim.
            if let Some((headers, page)) = cache.lookup(&key, &snapshots, &failures) {
                return hit(headers, &page);
            }
            Some(mark)
        }
        Err(mut waiting) => {
            // Returns when the other render ends (its mark drops the sender).
            let _ = waiting.changed().await;
            if let Some((headers, page)) = cache.lookup(&key, &snapshots, &failures) {
                return hit(headers, &page);
            }
            // Not kept (not a 200 page, or rendered from newer registries): render it here,
            // without waiting in line again.
            None
        }
    };

    let response = next.run(request).await;
    let cacheable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !cacheable {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        // Larger than MAX_BODY, or the stream failed: the bytes already read are gone, so the
        // client gets a clear error rather than a truncated page.
        Err(e) => {
            tracing::warn!(error = %e, "page not cached: its body could not be read");
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from(
                    "the page could not be rendered; reload to try again",
                ))
                .unwrap_or_default();
        }
    };
    let nonce = parts
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(nonce_of);
    cache.store(
        key,
        Entry {
            at: Instant::now(),
            bytes: 0,
            snapshots,
            failures,
            headers: parts.headers.clone(),
            page: NoncedPage::new(body.clone(), nonce),
        },
    );
    drop(mark);
    let mut response = Response::from_parts(parts, Body::from(body));
    response
        .headers_mut()
        .insert(CACHE_STATUS, HeaderValue::from_static("miss"));
    response
}

/// A cached page with a new nonce in place of the one it was rendered with.
fn hit(mut headers: HeaderMap, page: &NoncedPage) -> Response {
    let body = match page.nonce.as_deref() {
        Some(old) => {
            let new = leptos::nonce::Nonce::new().to_string();
            if let Some(policy) = headers
                .get(header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .map(|p| p.replace(old, &new))
                .and_then(|p| HeaderValue::from_str(&p).ok())
            {
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            page.with_nonce(&new)
        }
        None => page.with_nonce(""),
    };
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(CACHE_STATUS, HeaderValue::from_static("hit"));
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = headers;
    response
}

/// The nonce in a CSP header's `'nonce-…'` source, if any.
pub fn nonce_of(policy: &str) -> Option<String> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    (len >= 16).then(|| policy[start..start + len].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_read_from_the_policy() {
        let p = "default-src 'self'; script-src 'self' 'nonce-AbCdEfGhIjKlMnOpQrStUv' 'wasm-unsafe-eval'";
        assert_eq!(nonce_of(p).as_deref(), Some("AbCdEfGhIjKlMnOpQrStUv"));
        assert_eq!(nonce_of("default-src 'self'"), None);
        // A short value is not a nonce Leptos makes; better not to rewrite it.
        assert_eq!(nonce_of("script-src 'nonce-abc'"), None);
    }

    #[test]
    fn every_occurrence_of_the_nonce_is_replaced() {
        let body = Bytes::from_static(
            b"N1<script nonce=\"N1\">a</script><script nonce=\"N1\">b</script>N",
        );
        let page = NoncedPage::new(body.clone(), Some("N1".into()));
        assert_eq!(
            page.with_nonce("XYZ"),
            Bytes::from_static(
                b"XYZ<script nonce=\"XYZ\">a</script><script nonce=\"XYZ\">b</script>N"
            )
        );
        assert_eq!(NoncedPage::new(body.clone(), None).with_nonce("XYZ"), body);
        assert_eq!(
            NoncedPage::new(body.clone(), Some(String::new())).with_nonce("XYZ"),
            body
        );
    }

    #[test]
    fn the_cache_keeps_to_its_byte_bound() {
        let limit = 20_000;
        let cache = PageCache::with_limit(Duration::from_secs(60), limit);
        let entry = |n: usize| Entry {
            at: Instant::now(),
            bytes: 0,
            snapshots: Vec::new(),
            failures: Vec::new(),
            headers: HeaderMap::new(),
            page: NoncedPage::new(Bytes::from(vec![b'x'; n]), None),
        };
        let key = |i: usize| Key {
            path_and_query: format!("/catalog?page={i}"),
            cookie: Vec::new(),
        };
        for i in 0..200 {
            cache.store(key(i), entry(1000));
            let (_, bytes) = cache.held();
            assert!(bytes <= limit, "{bytes} > {limit}");
        }
        let (len, bytes) = cache.held();
        assert!(len > 10 && len < 20, "{len}");
        // The newest are kept, the oldest went.
        assert!(cache.lookup(&key(199), &[], &[]).is_some());
        assert!(cache.lookup(&key(0), &[], &[]).is_none());
        // A page larger than the whole bound is served but not kept.
        cache.store(key(1000), entry(limit));
        assert!(cache.lookup(&key(1000), &[], &[]).is_none());
        assert_eq!(cache.held().1, bytes);
    }

    #[test]
    fn only_catalog_pages_are_cached() {
        for p in [
            "/",
            "/catalog",
            "/catalog/feature-views",
            "/search",
            "/registries/r/projects/p",
        ] {
            assert!(is_catalog_page(p), "{p}");
        }
        for p in [
            "/permissions",
            "/permissions/edit",
            "/recovery",
            "/api/x",
            "/catalogue",
            "/healthz",
        ] {
            assert!(!is_catalog_page(p), "{p}");
        }
    }
}
