//! Mermaid to SVG with mermaid-rs-renderer, cached by a hash of the source.
//!
//! Rendering takes 10-140 ms (and the first one loads system fonts), while the same topology is
//! drawn again on every page view: the cache makes repeats a lookup. The cache holds at most
//! `diagram_cache_mib` of SVG text; the least recently used go first. A request draws on the
//! CPU pool (`crate::cpu`), off the async workers. Every SVG uses the same element ids
//! (`arrow-0`, ...), so each gets a per-diagram prefix before it shares a page.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use mermaid_rs_renderer::{render_with_options, RenderOptions};
use sha2::{Digest, Sha256};

use crate::cpu::{CpuError, CpuPool};

/// Drawn with the server's fonts but shown with the browser's: DejaVu Sans is on the server,
/// and Verdana (its metric twin on other systems) keeps label boxes the right width.
const FONT_FAMILY: &str = "\"DejaVu Sans\", Verdana, sans-serif";

/// What an entry costs besides its text: the key, the `Arc` header, the map slot.
const ENTRY_OVERHEAD: usize = 32 + 16 + 64;

#[derive(Debug, thiserror::Error)]
pub enum SvgError {
    /// The renderer's own error (an `anyhow` chain, kept as its causes).
    #[error("the diagram could not be laid out")]
    Render(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the diagram could not be laid out: the renderer panicked")]
    Panicked,
    #[error("the diagram was not drawn")]
    Cpu(#[from] CpuError),
}

#[derive(Default)]
struct Cache {
    entries: HashMap<[u8; 32], (Arc<str>, u64)>,
    bytes: usize,
    clock: u64,
}

impl Cache {
    fn get(&mut self, key: &[u8; 32]) -> Option<Arc<str>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(svg, used)| {
            *used = clock;
            svg.clone()
        })
    }

    /// Keeps `svg`, then drops the least recently used until under `limit` (an SVG larger than
    /// the whole limit is not kept).
    fn put(&mut self, key: [u8; 32], svg: Arc<str>, limit: usize) {
        let size = svg.len() + ENTRY_OVERHEAD;
        if size > limit {
            return;
        }
        self.clock += 1;
        if let Some((old, _)) = self.entries.insert(key, (svg, self.clock)) {
            self.bytes -= old.len() + ENTRY_OVERHEAD;
        }
        self.bytes += size;
        while self.bytes > limit {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((old, _)) = self.entries.remove(&oldest) {
                self.bytes -= old.len() + ENTRY_OVERHEAD;
            }
        }
    }
}

pub struct SvgRenderer {
    cache: Mutex<Cache>,
    limit_bytes: usize,
}

impl Default for SvgRenderer {
    fn default() -> Self {
        // The configured size's default, for the command line and benches.
        SvgRenderer::with_limit(crate::config::default_mib_bytes("diagram_cache_mib"))
    }
}

impl SvgRenderer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A renderer whose cache holds at most `limit_bytes`.
    pub fn with_limit(limit_bytes: usize) -> Self {
        SvgRenderer {
            cache: Mutex::new(Cache::default()),
            limit_bytes,
        }
    }

    /// Like [`render`](Self::render), with the layout on the CPU pool: a cached SVG is
    /// returned at once, a new one waits for a worker (or is refused when the pool is full).
    pub async fn render_on(
        self: &Arc<Self>,
        pool: &CpuPool,
        source: String,
        id_prefix: String,
    ) -> Result<Arc<str>, SvgError> {
        if let Some(hit) = self.cached(&source, &id_prefix) {
            return Ok(hit);
        }
        let renderer = self.clone();
        pool.run(move || renderer.render(&source, &id_prefix))
            .await?
    }

    fn cached(&self, source: &str, id_prefix: &str) -> Option<Arc<str>> {
        let key = cache_key(source, &clean_prefix(id_prefix));
        self.cache.lock().ok()?.get(&key)
    }

    /// The SVG of a Mermaid source, its ids prefixed with `id_prefix` (letters, digits, `-`, `_`
    /// only; anything else is dropped).
    pub fn render(&self, source: &str, id_prefix: &str) -> Result<Arc<str>, SvgError> {
        let prefix = clean_prefix(id_prefix);
        let key = cache_key(source, &prefix);
        if let Some(hit) = self.cache.lock().ok().and_then(|mut c| c.get(&key)) {
            return Ok(hit);
        }
        let svg: Arc<str> = prefix_ids(&render_uncached(source)?, &prefix).into();
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(key, svg.clone(), self.limit_bytes);
        }
        Ok(svg)
    }

    pub fn cached_len(&self) -> usize {
        self.cache.lock().map(|c| c.entries.len()).unwrap_or(0)
    }

    /// Bytes the cache holds (SVG text plus a fixed cost per entry).
    pub fn cached_bytes(&self) -> usize {
        self.cache.lock().map(|c| c.bytes).unwrap_or(0)
    }
}

/// Letters, digits, `-` and `_` of an id prefix; anything else is dropped.
fn clean_prefix(id_prefix: &str) -> String {
    id_prefix
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub fn cache_key(source: &str, prefix: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prefix.as_bytes());
    h.update([0]);
    h.update(source.as_bytes());
    h.finalize().into()
}

fn render_uncached(source: &str) -> Result<String, SvgError> {
    let mut options = RenderOptions::modern();
    options.theme.font_family = FONT_FAMILY.to_string();
    // The layout engine is third-party code on a hot path: a panic in it must not take the
    // request (or the CLI) down with it.
    match catch_unwind(AssertUnwindSafe(|| render_with_options(source, options))) {
        Ok(Ok(svg)) => Ok(svg),
        Ok(Err(e)) => Err(SvgError::Render(e.into())),
        Err(_) => Err(SvgError::Panicked),
    }
}

/// Prefixes every `id` and every reference to one (`url(#..)`, `href="#.."`).
pub fn prefix_ids(svg: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return svg.to_string();
    }
    svg.replace(" id=\"", &format!(" id=\"{prefix}"))
        .replace("url(#", &format!("url(#{prefix}"))
        .replace("href=\"#", &format!("href=\"#{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_references_are_prefixed() {
        let svg = r##"<svg><marker id="arrow-0"/><path marker-end="url(#arrow-0)"/><use href="#arrow-0"/></svg>"##;
        let out = prefix_ids(svg, "d1-");
        assert_eq!(
            out,
            r##"<svg><marker id="d1-arrow-0"/><path marker-end="url(#d1-arrow-0)"/><use href="#d1-arrow-0"/></svg>"##
        );
    }

    #[test]
    fn the_cache_keeps_to_its_byte_bound() {
        let limit = 4 * (1000 + ENTRY_OVERHEAD);
        let mut cache = Cache::default();
        for i in 0..100u8 {
            cache.put([i; 32], "x".repeat(1000).into(), limit);
            assert!(cache.bytes <= limit, "{} > {limit}", cache.bytes);
        }
        assert_eq!(cache.entries.len(), 4);
        // The most recently used stay: 96..100, and a read keeps one longer.
        assert!(cache.get(&[96; 32]).is_some());
        cache.put([200; 32], "y".repeat(1000).into(), limit);
        assert!(cache.get(&[96; 32]).is_some());
        assert!(cache.get(&[97; 32]).is_none());
        // Larger than the whole bound: served, not kept.
        cache.put([201; 32], "z".repeat(limit).into(), limit);
        assert!(cache.get(&[201; 32]).is_none());
        assert_eq!(
            cache.bytes,
            cache
                .entries
                .values()
                .map(|(s, _)| s.len() + ENTRY_OVERHEAD)
                .sum::<usize>()
        );
    }

    #[test]
    fn renders_and_caches() {
        let r = SvgRenderer::new();
        let a = r.render("flowchart LR\n  n0[\"a\"] --> n1[\"b\"]\n", "t-");
        let b = r.render("flowchart LR\n  n0[\"a\"] --> n1[\"b\"]\n", "t-");
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(r.cached_len(), 1);
        if let (Ok(a), Ok(b)) = (a, b) {
            assert!(Arc::ptr_eq(&a, &b));
            assert!(a.starts_with("<svg") || a.contains("<svg"));
        }
    }
}
