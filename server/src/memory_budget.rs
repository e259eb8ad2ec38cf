//! What the console's in-memory caches may hold at most, from the configuration, and how much
//! memory a pod needs for a registry of a given size ([`pod_bytes`]): the README's memory budget
//! and "Sizing the pod" tables, and the deploy manifests test checks the manifests' request and
//! limit follow from [`pod_bytes`] for [`SIZED_FOR_VIEWS`].

use crate::config::Config;

/// What the console needs besides its caches and its registries: the runtime and binary, the
/// console database pool, requests in flight (bodies up to `request_body_kib`). Measured as the
/// RSS on an empty SQL registry after a mixed page run (`scripts/bench-scale.sh`: 42 MiB on the
/// release build of `09318d2`), with room for 64 connections rendering at once.
pub const BASE_BYTES: usize = 64 << 20;

/// Resident bytes per feature view beyond [`BASE_BYTES`]: its snapshot object, its share of the
/// search index and name order, visibility and page data (`scripts/bench-scale.sh` prints it as
/// "bytes per view"). Measured on the release build of `a906cce` at 100,000 views: 205 MiB after
/// a page run, 38 MiB empty: 1,751 B (`bb02825` needed 3,051 B before the search index was
/// compacted, `440ffc7` 5,200 B before freed heap was given back); issue #20's target is
/// 1,536 B. Update it from the benchmark (the README's "Sizing the pod" and `deploy/` follow).
pub const BYTES_PER_VIEW: usize = 1800;

/// The registry size `deploy/` is sized for: up to 100,000 feature views (all registries of
/// the console together).
pub const SIZED_FOR_VIEWS: usize = 100_000;

/// The memory a console needs for `views` feature views with the caches `config` bounds:
/// [`BASE_BYTES`] + [`BYTES_PER_VIEW`] × `views` + [`total`]. The limit must hold it; the request
/// is the same without the caches, which fill only under use.
pub fn pod_bytes(config: &Config, views: usize) -> usize {
    BASE_BYTES + BYTES_PER_VIEW * views + total(config)
}

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
