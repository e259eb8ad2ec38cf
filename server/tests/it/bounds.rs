//! Hostile input, load and faults (#17): request bodies have a limit, answers read from other
//! servers have a cap, and the process keeps serving after either.

use std::sync::Arc;

use axum::{body::Body, http::Request, routing::get, Router};
use futures::stream;
use server::capped_read::{read_capped, CappedReadError, PROVIDER_RESPONSE_MAX};
use server::registry::Reader;

use crate::common::{self, Backend};

fn server_fn(prefix: &str) -> String {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .find(|p| p.starts_with(prefix))
        .unwrap_or_else(|| panic!("{prefix} is a registered server function"))
}

fn post(path: &str, body: Body) -> Request<Body> {
    Request::post(path)
        .header("cookie", "fc_demo_user=ada-admin")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap()
}

#[tokio::test]
async fn a_two_mib_server_function_post_gets_413() {
    let app = common::spawn_app(Backend::Sqlite).await;
    let path = server_fn("/api/viewer/permissions_view");
    let big = vec![b'a'; 2 << 20];

    // Declared in Content-Length: refused before it is read.
    let declared = app.request(post(&path, Body::from(big.clone()))).await;
    assert_eq!(declared.status, 413, "{}", declared.body);
    assert!(
        declared.body.contains("larger than 1024 KiB")
            && declared.body.contains("request_body_kib"),
        "{}",
        declared.body
    );

    // Sent chunked, without a length: refused when it crosses the limit.
    let chunks = big
        .chunks(64 << 10)
        .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
        .collect::<Vec<_>>();
    let chunked = app
        .request(post(&path, Body::from_stream(stream::iter(chunks))))
        .await;
    assert_eq!(chunked.status, 413, "{}", chunked.body);

    // The console still answers.
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn the_largest_permission_edit_fits_the_default_limit() {
    let app = common::spawn_app(Backend::Sqlite).await;
    let path = server_fn("/api/admin/permission_editor_submit");
    // 64 name patterns of the longest length the editor accepts, every character
    // percent-encoded (three bytes each): more than any real permission edit sends.
    let pattern = "%5C".repeat(app::permissions::pyregex::MAX_PATTERN_CHARS);
    let patterns = vec![pattern; 64].join("%0A");
    let body = format!(
        "form[registry]=demo&form[project]=p&form[name]=n&form[name_patterns]={patterns}&form[reason]=r"
    );
    assert!(body.len() > 750_000, "{}", body.len());
    let r = app.request(post(&path, Body::from(body))).await;
    // Read whole and answered by the server function (which refuses the made-up project).
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A Feast registry server stand-in whose every answer starts a JSON list and never ends.
async fn endless_registry() -> String {
    let endless = || async {
        let chunks = stream::once(async { Ok::<_, std::io::Error>(b"{\"projects\": [".to_vec()) })
            .chain(stream::repeat_with(|| Ok(vec![b' '; 64 << 10])));
        Body::from_stream(chunks)
    };
    let router = Router::new().fallback(get(endless));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

use futures::StreamExt;

#[tokio::test]
async fn an_endless_registry_answer_is_a_clear_error() {
    let url = endless_registry().await;
    let source =
        server::registry::source::parse_entry(&format!("endless={url}"), std::path::Path::new("."))
            .unwrap();
    let error = match Reader::load_once(&source).await {
        Ok(_) => panic!("an endless answer loaded"),
        Err(e) => e.text(),
    };
    assert!(error.contains("response larger than 64 MiB"), "{error}");
    // Read again: the process is still up, and the cap holds each time.
    assert!(Reader::load_once(&source).await.is_err());
}

#[tokio::test]
async fn an_endless_provider_answer_is_a_clear_error() {
    let url = endless_registry().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::get(format!("{url}/.well-known/openid-configuration"))
        .await
        .unwrap();
    match read_capped(response, PROVIDER_RESPONSE_MAX).await {
        Err(e @ CappedReadError::TooLarge { .. }) => {
            assert_eq!(
                e.to_string(),
                "response larger than 1 MiB, the most the console reads"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// The demo registry's console with a CPU pool of `workers` and `queue`.
async fn demo_with_pool(
    workers: usize,
    queue: usize,
) -> (Arc<common::TestApp>, Arc<server::cpu::CpuPool>) {
    let demo = crate::catalog_support::demo_app().await;
    let mut state = demo.state.clone();
    let pool = Arc::new(server::cpu::CpuPool::new(workers, queue));
    state.cpu = pool.clone();
    let router = server::http::router(state.clone());
    (Arc::new(common::TestApp { router, state }), pool)
}

/// Waits (up to a minute, then fails) until `pool` has taken in `n` requests.
async fn until_admitted(pool: &server::cpu::CpuPool, n: usize) {
    let wait = async {
        while pool.admitted() < n {
            tokio::task::yield_now().await;
        }
    };
    if tokio::time::timeout(std::time::Duration::from_secs(60), wait)
        .await
        .is_err()
    {
        panic!("{} of {n} requests reached the CPU pool", pool.admitted());
    }
}

#[tokio::test]
async fn a_lineage_burst_waits_for_the_cpu_pool_and_past_its_queue_gets_503() {
    let (app, pool) = demo_with_pool(1, 2).await;
    let page = |tag: &str| format!("/registries/demo/projects/driver_ranking?burst={tag}");

    // Every worker busy: the burst's lineage layouts wait in the queue.
    let held = pool.hold_all().await;
    let burst: Vec<_> = (0..3)
        .map(|i| {
            let (app, path) = (app.clone(), page(&i.to_string()));
            tokio::spawn(async move { app.get(&path).await })
        })
        .collect();
    until_admitted(&pool, 3).await;

    // A cheap request is answered while the burst is outstanding.
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.body);
    let list = app.get("/catalog/feature-views").await;
    assert_eq!(list.status, 200);
    assert!(burst.iter().all(|t| !t.is_finished()));

    // Past the queue: refused at once, with a time to come back.
    let refused = app.get(&page("refused")).await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(
        refused
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    assert!(refused.body.contains("busy"), "{}", refused.body);

    // Once a worker is free, the burst is drawn.
    drop(held);
    for t in burst {
        let r = t.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("<svg"), "no diagram drawn");
    }
    assert_eq!(pool.admitted(), 0);
}

#[tokio::test]
async fn topology_diagrams_and_the_permissions_matrix_share_the_pool_and_its_503() {
    let (app, pool) = demo_with_pool(1, 0).await;

    // The one worker is held and the one request allowed in waits for it.
    let held = pool.hold_all().await;
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move { app.get("/topology").await })
    };
    until_admitted(&pool, 1).await;
    for path in ["/permissions", "/topology?again"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 503, "{path}: {}", r.body);
        assert!(r.headers.contains_key("retry-after"), "{path}");
        assert!(r.body.contains("busy"), "{path}: {}", r.body);
    }

    drop(held);
    let topology = waiting.await.unwrap();
    assert_eq!(topology.status, 200, "{}", topology.body);
    assert!(topology.body.contains("<svg"));
    let permissions = app.get("/permissions").await;
    assert_eq!(permissions.status, 200, "{}", permissions.body);
}

#[tokio::test]
async fn the_permissions_page_compiles_a_snapshots_permissions_once() {
    let app = crate::catalog_support::demo_app().await;
    let compiled = app.state.compiled_permissions.clone();
    let page = "/permissions?registry=demo&project=driver_ranking";
    for query in ["", "&who=role", "&type=FEATURE_VIEW", "&roles=a,b"] {
        let r = app.get(&format!("{page}{query}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(compiled.compiles(), 1);
    assert_eq!(compiled.len(), 1);
}
