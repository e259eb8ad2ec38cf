//! Mermaid to SVG with mermaid-rs-renderer, cached by a hash of the source.
//!
//! Rendering takes 10-140 ms (and the first one loads system fonts), while the same topology is
//! drawn again on every page view: the cache makes repeats a lookup. Every SVG uses the same
//! element ids (`arrow-0`, ...), so each gets a per-diagram prefix before it shares a page.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use mermaid_rs_renderer::{render_with_options, RenderOptions};
use sha2::{Digest, Sha256};

/// Drawn with the server's fonts but shown with the browser's: DejaVu Sans is on the server,
/// and Verdana (its metric twin on other systems) keeps label boxes the right width.
const FONT_FAMILY: &str = "\"DejaVu Sans\", Verdana, sans-serif";

/// Kept SVGs; past this the cache starts over (topologies change rarely, pages are few).
const MAX_CACHED: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SvgError {
    /// The renderer's own error (an `anyhow` chain, kept as its causes).
    #[error("the diagram could not be laid out")]
    Render(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the diagram could not be laid out: the renderer panicked")]
    Panicked,
}

#[derive(Default)]
pub struct SvgRenderer {
    cache: Mutex<HashMap<[u8; 32], Arc<str>>>,
}

impl SvgRenderer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The SVG of a Mermaid source, its ids prefixed with `id_prefix` (letters, digits, `-`, `_`
    /// only; anything else is dropped).
    pub fn render(&self, source: &str, id_prefix: &str) -> Result<Arc<str>, SvgError> {
        let prefix: String = id_prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let key = cache_key(source, &prefix);
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let svg: Arc<str> = prefix_ids(&render_uncached(source)?, &prefix).into();
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(key, svg.clone());
        }
        Ok(svg)
    }

    pub fn cached_len(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }
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
