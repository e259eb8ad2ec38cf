//! The topology diagrams as the pages serve them: Mermaid source (to copy) and SVG, drawn by
//! `SnapshotTopology` on the CPU pool.

use std::sync::Arc;

use sha2::{Digest, Sha256};

#[derive(Clone, Debug)]
pub struct RenderedDiagram {
    pub mermaid: String,
    pub svg: Arc<str>,
}

/// Ids in an SVG start with this, unique per diagram, so several SVGs can share a page.
/// Derived from a hash: namespace and name are user text and never reach an attribute.
pub fn id_prefix(kind: &str, namespace: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\0{namespace}\0{name}").as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("{kind}-{hex}-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_safe_and_distinct() {
        let a = id_prefix("fs", "ns", "x\" onload=\"y");
        let b = id_prefix("fs", "ns", "other");
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
