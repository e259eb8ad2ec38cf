//! What Feast-based visibility (issue #16) costs a catalog page (not a timed test):
//! `cargo bench -p server --bench visibility`.
//!
//! One registry of 10,000 feature views in 50 projects (200 each) with 200 permissions, 4 per
//! project (a role-based reader on some view names, a group-based describe of every type on
//! other names, a namespace-based one on views, projects and entities with required tags, and
//! a writers' permission without DESCRIBE), and 100 distinct identities. Prints the time to a
//! new identity's first decision and first list page, what a cached decision adds to a page,
//! and the cache's memory per identity. Targets: first page for a new identity < 50 ms, cached
//! < 1 ms added.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use app::auth::identity::Identity;
use app::auth::{ConsoleRole, SessionView};
use app::catalog::api::CatalogBackend;
use app::catalog::model::{CatalogObject, Detail, ObjectKind, PermissionDetail, ViewDetail};
use app::catalog::query::{EveryObject, ListQuery, Visibility};
use app::catalog::visibility::{feast_user, VisibilityRule};
use app::permissions::model::Policy;
use server::catalog::backend::CatalogService;
use server::catalog::cross_check::CrossCheck;
use server::catalog::visibility::{CatalogVisibility, VisibilityCache};
use server::registry::refresher::{Registries, RegistryHandle};
use server::registry::{RegistrySnapshot, RegistrySource, SourceKind};

const PROJECTS: usize = 50;
const VIEWS_PER_PROJECT: usize = 200;
const IDENTITIES: usize = 100;

/// Asks the cached decision about every object but keeps them all.
struct LookupOnly(server::catalog::visibility::RequestVisibility);

impl Visibility for LookupOnly {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool {
        std::hint::black_box(self.0.may_describe(registry, object));
        true
    }
}

fn object(kind: ObjectKind, project: &str, name: &str, detail: Detail) -> CatalogObject {
    let mut o = CatalogObject::unreadable(kind, project, name, String::new());
    o.detail = detail;
    o
}

fn permission(
    project: &str,
    name: &str,
    types: &[&str],
    patterns: &[&str],
    required_tags: &[(&str, &str)],
    actions: &[&str],
    policy: Policy,
) -> CatalogObject {
    object(
        ObjectKind::Permission,
        project,
        name,
        Detail::Permission(PermissionDetail {
            types: types.iter().map(|s| s.to_string()).collect(),
            name_patterns: patterns.iter().map(|s| s.to_string()).collect(),
            required_tags: required_tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            actions: actions.iter().map(|s| s.to_string()).collect(),
            policy: Some(policy),
        }),
    )
}

fn snapshot() -> RegistrySnapshot {
    let mut objects = Vec::new();
    for p in 0..PROJECTS {
        let project = format!("project_{p:02}");
        objects.push(object(
            ObjectKind::Project,
            &project,
            &project,
            Detail::Project,
        ));
        objects.push(object(
            ObjectKind::Entity,
            &project,
            "driver",
            Detail::Entity {
                join_key: "driver_id".into(),
                value_type: "INT64".into(),
            },
        ));
        for v in 0..VIEWS_PER_PROJECT {
            let mut view = object(
                ObjectKind::FeatureView,
                &project,
                &format!("view_{v:04}"),
                Detail::View(ViewDetail {
                    entities: vec!["driver".into()],
                    features: vec![],
                    entity_columns: vec![],
                    ttl_seconds: 86_400,
                    online: true,
                    batch_source: None,
                    stream_source: None,
                    materialization_intervals: vec![],
                    mode: Default::default(),
                }),
            );
            view.tags = [("team".to_string(), format!("team-{}", v % 5))].into();
            objects.push(view);
        }
        objects.push(permission(
            &project,
            "readers",
            &["FEATURE_VIEW"],
            &["view_00[0-4].*", "view_01.*"],
            &[],
            &["DESCRIBE", "READ_ONLINE"],
            Policy::RoleBased {
                roles: vec![format!("team-{}-reader", p % 10)],
            },
        ));
        objects.push(permission(
            &project,
            "group_describe",
            &[],
            &["view_0[2-5].*"],
            &[],
            &["DESCRIBE"],
            Policy::GroupBased {
                groups: vec![format!("group-{}", p % 7)],
            },
        ));
        objects.push(permission(
            &project,
            "namespace_views",
            &["FEATURE_VIEW", "PROJECT", "ENTITY"],
            &[],
            &[("team", "team-1")],
            &["DESCRIBE"],
            Policy::NamespaceBased {
                namespaces: vec![format!("ns-{}", p % 5)],
            },
        ));
        objects.push(permission(
            &project,
            "writers",
            &[],
            &[],
            &[],
            &["CREATE", "UPDATE", "DELETE"],
            Policy::RoleBased {
                roles: vec!["writer".into()],
            },
        ));
    }
    RegistrySnapshot::build(objects, vec![], SystemTime::now(), Duration::ZERO)
}

fn identity(i: usize) -> Identity {
    let mut roles = vec![format!("team-{}-reader", i % 10)];
    if i % 4 == 0 {
        roles.push("writer".into());
    }
    Identity {
        username: format!("user{i:03}"),
        feast_roles: roles,
        groups: if i % 2 == 0 {
            vec![format!("group-{}", i % 7)]
        } else {
            vec![]
        },
        namespaces: if i % 3 == 0 {
            vec![format!("ns-{}", i % 5)]
        } else {
            vec![]
        },
        ..Identity::default()
    }
}

fn session(i: usize) -> SessionView {
    SessionView {
        identity: Some(identity(i)),
        role: Some(ConsoleRole::Viewer),
        auth_off: true,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    ms(sorted[((sorted.len() as f64 - 1.0) * p).round() as usize])
}

fn report(name: &str, mut times: Vec<Duration>) -> f64 {
    times.sort();
    let p50 = percentile(&times, 0.5);
    println!(
        "{name:<52} n={:<5} p50 {p50:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms",
        times.len(),
        percentile(&times, 0.99),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
    );
    p50
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let handle = RegistryHandle::new(&RegistrySource {
        name: "synthetic".into(),
        kind: SourceKind::File("/nonexistent/registry.db".into()),
        token: None,
    });
    handle.record(Ok(Some(snapshot())));
    let registries = Registries {
        handles: vec![Arc::new(handle)],
    };
    let snapshot = registries.handles[0].snapshot().expect("recorded");
    println!(
        "registry: {PROJECTS} projects × {VIEWS_PER_PROJECT} feature views = {} views, {} \
         objects, 200 permissions (4 per project), {IDENTITIES} identities",
        PROJECTS * VIEWS_PER_PROJECT,
        snapshot.objects.len() + snapshot.projects.len()
    );
    let first_page = ListQuery::from_pairs("feature-views", []);

    // Cold: a fresh cache; identity 0 also builds the snapshot's shared index.
    let cache = Arc::new(VisibilityCache::new(256 << 20));
    let t = Instant::now();
    let d = cache.decision(&snapshot, Some(&feast_user(&identity(0))));
    println!(
        "first decision on a snapshot (index + decision)      {:>8.3} ms  ({} of {} visible)",
        ms(t.elapsed()),
        d.visible(),
        snapshot.objects.len() + snapshot.projects.len()
    );
    let after_one = cache.figures();
    let cold: Vec<Duration> = (1..50)
        .map(|i| {
            let user = feast_user(&identity(i));
            let t = Instant::now();
            let _ = cache.decision(&snapshot, Some(&user));
            t.elapsed()
        })
        .collect();
    report("cold: VisibilityCache::decision, new identity", cold);

    // A whole first list page for a new identity, through CatalogService::list. The name order
    // is built once per snapshot, so it is built before timing.
    let catalog = CatalogService::new(registries.clone());
    let everything = catalog.list(&first_page, &EveryObject).await.expect("list");
    let visibility = CatalogVisibility::new(
        VisibilityRule::Feast,
        VisibilityRule::Feast,
        registries.clone(),
        cache.clone(),
        Arc::new(CrossCheck::new(0)),
    );
    let mut first_pages = Vec::new();
    let mut rows = 0;
    for i in 50..IDENTITIES {
        let t = Instant::now();
        let request = visibility.for_session(&session(i));
        let page = catalog.list(&first_page, &request).await.expect("list");
        first_pages.push(t.elapsed());
        rows += page.total;
    }
    let first_p50 = report("cold: for_session + list page 1, new identity", first_pages);
    println!(
        "  (visible views per identity: {} on average of {})",
        rows / (IDENTITIES - 50),
        everything.total
    );

    // Warm: the same page with a cached decision, against the same page showing everything.
    const RUNS: usize = 300;
    let warm_session = session(60);
    let baseline: Vec<Duration> = {
        let mut out = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let _ = catalog.list(&first_page, &EveryObject).await.expect("list");
            out.push(t.elapsed());
        }
        out
    };
    let mut warm = Vec::new();
    let mut sessions_only = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let request = visibility.for_session(&warm_session);
        sessions_only.push(t.elapsed());
        let _ = catalog.list(&first_page, &request).await.expect("list");
        warm.push(t.elapsed());
    }
    // The same rows as EveryObject, but every object is looked up in the cached decision: the
    // lookup's own cost, without the smaller page a narrower view makes.
    let mut lookups = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let request = LookupOnly(visibility.for_session(&warm_session));
        let _ = catalog.list(&first_page, &request).await.expect("list");
        lookups.push(t.elapsed());
    }
    let base_p50 = report("warm: list page 1, EveryObject", baseline);
    report("warm: for_session alone (cached decision)", sessions_only);
    let warm_p50 = report("warm: for_session + list page 1 (cached)", warm);
    let lookup_p50 = report("warm: same, every row kept (lookup cost only)", lookups);

    let figures = cache.figures();
    let per_identity = (figures.bytes - after_one.bytes) as f64 / (figures.decisions - 1) as f64;
    let index = after_one.bytes as f64 - per_identity;
    println!(
        "cache: {} decisions, {} bytes ({:.1} KiB)",
        figures.decisions,
        figures.bytes,
        figures.bytes as f64 / 1024.0
    );
    println!(
        "memory per cached identity: {per_identity:.0} bytes ({:.2} bits per object); shared \
         per-snapshot index: {index:.0} bytes ({:.1} KiB)",
        per_identity * 8.0 / (snapshot.objects.len() + snapshot.projects.len()) as f64,
        index / 1024.0
    );
    let added = (warm_p50 - base_p50).max(lookup_p50 - base_p50);
    println!(
        "targets: first page for a new identity {first_p50:.2} ms (< 50 ms: {}); a cached \
         decision adds {:.3} ms to the page, {:.3} ms with every row kept (< 1 ms: {})",
        if first_p50 < 50.0 { "met" } else { "MISSED" },
        warm_p50 - base_p50,
        lookup_p50 - base_p50,
        if added < 1.0 { "met" } else { "MISSED" }
    );
}
