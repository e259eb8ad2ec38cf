//! The permissions page at scale (#20; not a timed test): `cargo bench -p server --bench
//! permissions_page`.
//!
//! Writes one project of 1,000 objects with 20 principals and 50 permissions as a real
//! `registry.db`, builds the real server state and router (development mode, page cache off),
//! and renders `/permissions` for it as an admin through the router in-process: prints the
//! page's bytes and p50 / p99 time (target ≤ 200 KB, ≤ 20 ms), then the same for opening one
//! cell (`permission_cell_explanation`) and for the bundled demo's `/permissions`; and in
//! process what the page's data costs when its lints are not kept yet (a new snapshot).
//! Sizes: FC_BENCH_OBJECTS, FC_BENCH_PRINCIPALS, FC_BENCH_PERMISSIONS, FC_BENCH_REQUESTS.

use std::time::{Duration, Instant};

use app::catalog::query::EveryObject;
use app::permissions::access::single_action_requests;
use app::permissions::api::PermissionsBackend;
use app::permissions::lints::{lint_project_with, LintContext};
use app::permissions::matrix::principals_from_policies;
use app::permissions::page_model::{cell_explanation, project_view_with, ViewQuery};
use app::permissions::{effective_access, PermissionEvaluator, Resource};
use axum::{body::Body, http::Request, Router};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use server::permissions::backend::ServerPermissions;
use server::registry::{RegistrySource, SourceKind};
use tower::ServiceExt;

// Only part of the generator is used here.
#[allow(dead_code)]
#[path = "../dev/synthetic_registry.rs"]
mod synthetic;
use synthetic::permissions_registry;

#[path = "../dev/bench_figures.rs"]
mod figures;
use figures::{env_usize, percentile};

/// Sends `make()` `runs` times (after one warm-up); prints p50 / p99 and the last body's size.
async fn measure(name: &str, router: &Router, runs: usize, make: impl Fn() -> Request<Body>) {
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for i in 0..=runs {
        let started = Instant::now();
        let response = router
            .clone()
            .oneshot(make())
            .await
            .expect("router answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert!(status.is_success(), "{name}: {status}");
        if i > 0 {
            times.push(started.elapsed());
        }
        bytes = body.len();
    }
    times.sort();
    println!(
        "{name:<40} n={runs:<4} p50 {:>8.2} ms  p99 {:>8.2} ms  body {bytes} B ({:.1} KiB)",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        bytes as f64 / 1024.0
    );
}

fn in_process(name: &str, runs: usize, mut work: impl FnMut()) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<40} n={runs:<4} p50 {:>8.2} ms  p99 {:>8.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let objects = env_usize("FC_BENCH_OBJECTS", 1_000);
    let principals = env_usize("FC_BENCH_PRINCIPALS", 20);
    let permissions = env_usize("FC_BENCH_PERMISSIONS", 50);
    let runs = env_usize("FC_BENCH_REQUESTS", 30);
    let dir = std::env::temp_dir().join(format!("fc_permissions_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let registry = dir.join("registry.db");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    std::fs::write(
        &registry,
        permissions_registry(objects, principals, permissions, now),
    )?;
    println!("one project: {objects} objects, {principals} principals, {permissions} permissions");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut config = server::Config::defaults();
    config.listen = listener.local_addr()?;
    config.database_url = format!("sqlite://{}", dir.join("console.db").display());
    config.data_dir = dir.clone();
    config.page_cache_ms = 0;
    config.registries = vec![RegistrySource {
        name: "big".into(),
        kind: SourceKind::File(registry),
        token: None,
    }];
    let demo = server::registry::demo::demo_source();
    config.registries.extend(demo.clone());
    let state = server::http::serve::build_state(config).await?;
    state.lifecycle.mark_started();
    let started = Instant::now();
    while state
        .registries
        .handles
        .iter()
        .any(|h| h.snapshot().is_none())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "registry did not load"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let router = server::http::router(state.clone());
    let origin = format!("http://{}", state.config.listen);

    measure("/permissions (big project, admin)", &router, runs, || {
        Request::get("/permissions?registry=big&project=project_00")
            .body(Body::empty())
            .expect("request")
    })
    .await;
    measure("open one cell (server function)", &router, runs, || {
        Request::post(app::permissions::api::PermissionCellExplanation::PATH)
            .header("origin", &origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(
                "query%5Bregistry%5D=big&query%5Bproject%5D=project_00&query%5Bprincipals%5D=\
                 &query%5Bwho%5D=&query%5Btype%5D=&query%5Baction%5D=&query%5Bobject%5D=\
                 &query%5Broles%5D=&query%5Bgroups%5D=&query%5Bnamespaces%5D=&query%5Bpage%5D=\
                 &query%5Bexplain%5D=&key=7.13",
            ))
            .expect("request")
    })
    .await;
    measure(
        "/permissions?explain= (no JavaScript)",
        &router,
        runs,
        || {
            Request::get("/permissions?registry=big&project=project_00&explain=7.13")
                .body(Body::empty())
                .expect("request")
        },
    )
    .await;
    // In-process, no HTML: what computing the page's data costs, and its parts.
    let data = ServerPermissions::new(state.registries.clone(), state.db.clone())
        .project("big", "project_00", &EveryObject)
        .await
        .expect("the generated project");
    let evaluator = PermissionEvaluator::new(&data.permissions);
    let query = ViewQuery {
        registry: "big".into(),
        project: "project_00".into(),
        ..ViewQuery::default()
    };
    in_process("page data, lints not kept (no HTML)", runs, || {
        std::hint::black_box(project_view_with(&data, &query, &evaluator));
    });
    in_process("  of which lints", runs, || {
        std::hint::black_box(lint_project_with(
            &LintContext {
                project: &data.project,
                permissions: &data.permissions,
                objects: &data.objects,
                extra_principals: &[],
                registry_server_project: None,
            },
            &evaluator,
        ));
    });
    in_process("  of which effective access", runs, || {
        let mut objects = data.objects.clone();
        objects.extend(data.permissions.iter().map(Resource::of_permission));
        let principals = principals_from_policies(&data.permissions, &[]);
        std::hint::black_box(effective_access(
            &evaluator,
            &principals,
            &objects,
            &single_action_requests(),
            false,
        ));
    });
    in_process("one cell's explanation (pure)", runs, || {
        std::hint::black_box(cell_explanation(&data, &query, "7.13", &evaluator));
    });
    if let Some(demo) = demo {
        let path = format!("/permissions?registry={}", demo.name);
        measure("/permissions (bundled demo, admin)", &router, runs, || {
            Request::get(&path).body(Body::empty()).expect("request")
        })
        .await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
