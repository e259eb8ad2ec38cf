//! Catalog page and search latency over 10,000 synthetic feature views in 50 projects (not a
//! timed test): `cargo bench -p server --bench catalog_pages`; ten times that with
//! `FC_BENCH_VIEWS_PER_PROJECT=2000`.
//!
//! Writes the synthetic `registry.db` (each project with a permission, so the demo admin's
//! DESCRIBE decision hides some views), starts the real server (router, guard, SSR) on a
//! loopback port in development mode with the rendered-page cache off, so every request renders
//! and decides visibility as it does for a signed-in user. It prints each page at one connection
//! (list page 1, page 150 of all, a project's list, search), then p50 / p99 / throughput with 64
//! concurrent keep-alive connections (reqwest; no load tool is installed here), the first page's
//! size, the search index's bytes per view, and the same operations in-process (query layer and
//! search index only, no HTTP or HTML). Sizes: FC_BENCH_PROJECTS, FC_BENCH_VIEWS_PER_PROJECT,
//! FC_BENCH_REQUESTS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::catalog::query::{list, EveryObject, ListQuery};
use app::catalog::search::parse_query;
use prost::Message;
use server::catalog::backend::CatalogService;
use server::registry::{proto, RegistrySource, SourceKind};

// Only part of the generator is used here.
#[allow(dead_code)]
#[path = "../dev/synthetic_registry.rs"]
mod synthetic;
use synthetic::{project_name, synthetic_registry};

const CONCURRENCY: usize = 64;

#[path = "../dev/bench_figures.rs"]
mod figures;
use figures::{env_usize, percentile};

/// The synthetic registry with one permission per project: feature views whose name ends in
/// 0-6 may be described by `catalog-reader` (the demo admin's Feast role), so about 70% of the
/// views and every other object are visible and the evaluator decides each one.
fn registry_with_permissions(projects: usize, views: usize, now: i64) -> Vec<u8> {
    use app::permissions::{Action, PermissionSpec, Policy, ResourceType};
    let Ok(mut registry) =
        proto::Registry::decode(synthetic_registry(projects, views, now).as_slice())
    else {
        panic!("the synthetic registry decodes");
    };
    for p in 0..projects {
        for (name, types, patterns) in [
            (
                "describe_views",
                vec![ResourceType::FeatureView],
                vec![".*[0-6]$".to_string()],
            ),
            (
                "describe_rest",
                vec![
                    ResourceType::Entity,
                    ResourceType::DataSource,
                    ResourceType::FeatureService,
                    ResourceType::Project,
                ],
                vec![],
            ),
        ] {
            let mut spec = server::permissions::store::to_proto(&PermissionSpec {
                name: name.into(),
                types,
                name_patterns: patterns,
                required_tags: Default::default(),
                actions: vec![Action::Describe],
                policy: Policy::RoleBased {
                    roles: vec!["catalog-reader".into()],
                },
                tags: Default::default(),
            });
            spec.project = project_name(p);
            registry.permissions.push(
                proto::permission::Permission {
                    spec: Some(spec),
                    meta: None,
                }
                .encode_to_vec(),
            );
        }
    }
    registry.encode_to_vec()
}

/// `paths` `n` times in a row, one request at a time.
async fn sequential(
    client: &reqwest::Client,
    base: &str,
    paths: &[String],
    n: usize,
) -> (Vec<Duration>, f64, usize) {
    load_with(client, base, paths, n, 1).await
}

/// `total` requests over `CONCURRENCY` connections.
async fn load(
    client: &reqwest::Client,
    base: &str,
    paths: &[String],
    total: usize,
) -> (Vec<Duration>, f64, usize) {
    load_with(client, base, paths, total, CONCURRENCY).await
}

async fn load_with(
    client: &reqwest::Client,
    base: &str,
    paths: &[String],
    total: usize,
    connections: usize,
) -> (Vec<Duration>, f64, usize) {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, next, base, paths) = (
            client.clone(),
            next.clone(),
            base.to_string(),
            paths.to_vec(),
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut bytes = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let url = format!("{base}{}", paths[i % paths.len()]);
                let t = Instant::now();
                let response = client.get(&url).send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "{url}: {}",
                    response.status()
                );
                bytes = response.bytes().await.expect("body").len();
                times.push(t.elapsed());
            }
            (times, bytes)
        }));
    }
    let mut all = Vec::new();
    let mut bytes = 0;
    for t in tasks {
        let (times, b) = t.await.expect("task");
        all.extend(times);
        bytes = bytes.max(b);
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let rate = all.len() as f64 / secs;
    (all, rate, bytes)
}

fn report(name: &str, (times, rate, bytes): &(Vec<Duration>, f64, usize)) {
    println!(
        "{name:<34} n={:<6} p50 {:>7.2} ms  p99 {:>7.2} ms  {:>7.0} req/s  body {} B",
        times.len(),
        percentile(times, 0.50),
        percentile(times, 0.99),
        rate,
        bytes
    );
}

fn in_process(name: &str, runs: usize, mut f: impl FnMut()) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<34} n={runs:<6} p50 {:>7.3} ms  p99 {:>7.3} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let projects = env_usize("FC_BENCH_PROJECTS", 50);
    let views = env_usize("FC_BENCH_VIEWS_PER_PROJECT", 200);
    let requests = env_usize("FC_BENCH_REQUESTS", 3000);
    let dir = std::env::temp_dir().join(format!("fc_catalog_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let registry = dir.join("registry.db");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    std::fs::write(&registry, registry_with_permissions(projects, views, now))?;
    println!(
        "synthetic registry: {projects} projects × {views} feature views = {} views",
        projects * views
    );

    // Bound first: development mode answers only the host names it listens on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut config = server::Config::defaults();
    config.listen = addr;
    // Every request renders, as for signed-in users (whose cookies differ).
    config.page_cache_ms = 0;
    config.database_url = format!("sqlite://{}", dir.join("console.db").display());
    config.data_dir = dir.clone();
    config.registries = vec![RegistrySource {
        name: "synthetic".into(),
        kind: SourceKind::File(registry.clone()),
        token: None,
    }];
    let state = server::http::serve::build_state(config).await?;
    state.lifecycle.mark_started();
    let started = Instant::now();
    while state.registries.handles[0].snapshot().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "registry did not load"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "registry loaded in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    // In-process: the query layer and the search index, no HTTP and no HTML.
    let catalog = CatalogService::new(state.registries.clone());
    let snapshots = catalog.snapshots();
    let q = ListQuery::from_pairs("feature-views", [("page", "100")]);
    in_process("query layer: list page 100", 200, || {
        let _ = list(snapshots.objects(), &q, &EveryObject);
    });
    let tq = ListQuery::from_pairs(
        "feature-views",
        [("tag", "team=team-3"), ("sort", "-updated")],
    );
    in_process("query layer: tag filter, sorted", 200, || {
        let _ = list(snapshots.objects(), &tq, &EveryObject);
    });
    let lists = catalog.lists(&snapshots);
    println!(
        "list index: {} entries, {} bytes, {:.0} bytes per object",
        lists.len(),
        lists.heap_bytes(),
        lists.heap_bytes() as f64 / lists.len().max(1) as f64
    );
    for page in ["1", "150"] {
        let q = ListQuery::from_pairs("feature-views", [("page", page)]);
        in_process(&format!("list index: page {page} of all"), 200, || {
            let _ = lists.list(&q, &EveryObject);
        });
    }
    let t = Instant::now();
    let index = catalog.index(&snapshots);
    println!(
        "search index build: {:.1} ms ({} entries, {} bytes, {:.0} bytes per object)",
        t.elapsed().as_secs_f64() * 1000.0,
        index.len(),
        index.heap_bytes(),
        index.heap_bytes() as f64 / index.len().max(1) as f64
    );
    for text in [
        "view_0042",
        "statistics",
        "tag:team=team-1 view_01",
        "viwe_0042",
    ] {
        let parsed = parse_query(text);
        in_process(&format!("search index: {text}"), 200, || {
            let _ = index.search(&parsed, &EveryObject, 10);
        });
    }

    let router = server::http::router(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    let base = format!("http://{addr}");
    // reqwest is built without a default TLS provider in this workspace (plain HTTP here anyway).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()?;
    let first = client
        .get(format!("{base}/catalog/feature-views"))
        .send()
        .await?;
    let status = first.status();
    let first = first.bytes().await?;
    assert!(status.is_success(), "first page: {status}");
    println!(
        "first list page: {} bytes ({:.1} KB)",
        first.len(),
        first.len() as f64 / 1024.0
    );

    let one = |path: &str| vec![path.to_string()];
    let seq = requests.min(300);
    let project = format!(
        "/catalog/feature-views?project={}",
        project_name(projects / 2)
    );
    let catalog_pages = [
        ("1 conn: list page 1 of all", one("/catalog/feature-views")),
        (
            "1 conn: list page 150 of all",
            one("/catalog/feature-views?page=150"),
        ),
        ("1 conn: a project's list page", one(&project)),
        ("1 conn: search view_0042", one("/search?q=view_0042")),
        ("1 conn: search statistics", one("/search?q=statistics")),
        (
            "1 conn: search viwe_0042 (fuzzy)",
            one("/search?q=viwe_0042"),
        ),
        ("1 conn: overview", one("/catalog")),
    ];
    for (name, path) in &catalog_pages {
        let _ = sequential(&client, &base, path, 5).await;
        report(name, &sequential(&client, &base, path, seq).await);
    }

    let pages: Vec<String> = (1..=200)
        .map(|p| format!("/catalog/feature-views?page={p}"))
        .collect();
    let warm = load(&client, &base, &pages, 200).await;
    let _ = warm;
    report(
        "GET list page (pages 1-200)",
        &load(&client, &base, &pages, requests).await,
    );
    let filtered: Vec<String> = (0..5)
        .map(|t| format!("/catalog/feature-views?tag=team%3Dteam-{t}&sort=-updated&page=3"))
        .collect();
    report(
        "GET list, tag filter + sort",
        &load(&client, &base, &filtered, requests).await,
    );
    let searches: Vec<String> = [
        "view_0042",
        "statistics",
        "tag%3Ateam%3Dteam-1+view_01",
        "viwe_0042",
        "project%3Aproject_07+feature_3",
    ]
    .iter()
    .map(|q| format!("/search?q={q}"))
    .collect();
    report(
        "GET /search page",
        &load(&client, &base, &searches, requests).await,
    );
    let export = vec!["/catalog/export.csv?list=feature-views&tag=team%3Dteam-2".to_string()];
    report(
        "GET export.csv (2,000 rows)",
        &load(&client, &base, &export, 200).await,
    );
    Ok(())
}
