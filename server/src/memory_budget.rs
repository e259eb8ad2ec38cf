//! What the console's in-memory caches may hold at most, from the configuration: the README's
//! memory budget table, and the deploy manifests test checks the sum fits the container's
//! memory limit beside [`BASE_BYTES`].

use crate::config::Config;

/// What the console needs besides its caches, as measured on the demo and the synthetic
/// 10,000-view registry: the runtime and binary, the registry snapshots, the search index and
/// name order of each set of snapshots, requests in flight (bodies up to `request_body_kib`).
pub const BASE_BYTES: usize = 192 << 20;

/// One bounded cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub cache: &'static str,
    /// The configuration key that sets it, or how the bound is fixed.
    pub key: &'static str,
    pub bytes: usize,
}

const MIB: usize = 1 << 20;

/// Every cache with a bound of its own. Caches held per registry snapshot (search index,
/// name order, compiled permissions) live and go with their snapshot and are in
/// [`BASE_BYTES`].
pub fn bounds(config: &Config) -> Vec<Bound> {
    let bound = |cache, key, bytes| Bound { cache, key, bytes };
    let diagrams = config.diagram_cache_mib as usize * MIB;
    vec![
        bound(
            "visibility decisions",
            "visibility_cache_mib",
            config.visibility_cache_mib as usize * MIB,
        ),
        bound(
            "rendered pages",
            "page_cache_mib",
            config.page_cache_mib as usize * MIB,
        ),
        // One renderer each.
        bound("topology diagrams", "diagram_cache_mib", diagrams),
        bound("catalog lineage diagrams", "diagram_cache_mib", diagrams),
        // 10 method labels × 257 route labels, a few hundred bytes each.
        bound("request metrics", "fixed (MAX_ROUTES)", MIB),
        // 4,096 (snapshot, identity) pairs of 40 bytes, plus the set's slots.
        bound("visibility cross-check", "fixed (4,096 pairs)", MIB / 4),
        bound(
            "permissions page lints",
            "fixed (64 lists)",
            crate::permissions::lint_cache::BYTES,
        ),
    ]
}

/// The sum of [`bounds`].
pub fn total(config: &Config) -> usize {
    bounds(config).iter().map(|b| b.bytes).sum()
}
