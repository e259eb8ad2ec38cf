//! Start-up before a registry's first read: `/readyz` is not ready (within
//! `registry_ready_seconds`), catalog pages and search say the registry is loading instead of
//! "nothing matches", and such a page is never kept in the page cache. A REST registry server
//! that holds every answer until the test opens its gate plays the slow registry; the same
//! server checks that `registry_token_file` is read again at each request.

use crate::common::{self, Backend, TestApp};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::{extract::Request, routing::any, Json, Router};
use serde_json::{json, Value};
use server::http::page_cache::CACHE_STATUS;
use tokio::sync::watch;

/// A registry server (`/api/v1`) with one project, `gated`, holding one entity, `driver`;
/// it answers nothing until the gate opens, and keeps the `Authorization` header of every
/// request in `seen`.
pub async fn gated_registry(gate: watch::Receiver<bool>, seen: Seen) -> String {
    let answer = move |request: Request| {
        let (mut gate, seen) = (gate.clone(), seen.clone());
        async move {
            let _ = gate.wait_for(|open| *open).await;
            let authorization = request
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            seen.lock().unwrap().push(authorization);
            let path = request.uri().path();
            let body: Value = if path.ends_with("/projects") {
                json!({ "projects": [{ "spec": { "name": "gated" } }] })
            } else if path.ends_with("/entities") {
                json!({ "entities": [{ "spec": {
                    "name": "driver", "project": "gated", "description": "held at start-up"
                } }] })
            } else {
                json!({})
            };
            Json(body)
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(any(answer));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// The `Authorization` headers a [`gated_registry`] received, in order.
pub type Seen = Arc<Mutex<Vec<String>>>;

async fn console(url: &str, ready_seconds: u64) -> TestApp {
    let mut config = common::test_config(common::fresh_database_url(Backend::Sqlite).await);
    config.registries = vec![server::registry::source::parse_entry(
        &format!("gated={url}"),
        std::path::Path::new("."),
    )
    .unwrap()];
    config.registry_ready_seconds = ready_seconds;
    config.page_cache_ms = 60_000;
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    TestApp {
        router: server::http::router(state.clone()),
        state,
    }
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn before_the_first_read_the_console_is_not_ready_and_says_loading() {
    let (open, gate) = watch::channel(false);
    let url = gated_registry(gate, Seen::default()).await;
    let app = console(&url, 600).await;

    // Not ready, on both ports; the ops port says why.
    let r = app.ops_get("/readyz").await;
    assert_eq!(r.status, 503, "{}", r.body);
    let v = json_of(&r.body);
    assert_eq!(v["checks"]["registries"][0]["loaded"], false);
    assert!(
        r.body.contains("registry gated: first read not finished"),
        "{}",
        r.body
    );
    assert_eq!(app.get("/readyz").await.body, r#"{"ready":false}"#);

    // Pages say the registry is loading, never that nothing matches, and are not cached.
    for path in ["/search?q=driver", "/catalog/feature-views"] {
        for _ in 0..2 {
            let r = app.get(path).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            assert!(
                r.body.contains("Registry “gated” is loading"),
                "{path}: {}",
                r.body
            );
            assert!(!r.body.contains("Nothing matches"), "{path}: {}", r.body);
            assert!(!r.body.contains("No object matches"), "{path}: {}", r.body);
            assert_eq!(
                r.headers.get(CACHE_STATUS),
                None,
                "{path} bypasses the cache"
            );
        }
    }
    // Its project and object pages say so too, instead of "no such object".
    for path in [
        "/registries/gated/projects/gated",
        "/registries/gated/projects/gated/entities/driver",
    ] {
        let r = app.get(path).await;
        assert!(
            r.body.contains("Registry “gated” is loading"),
            "{path}: {}",
            r.body
        );
        assert!(!r.body.contains("No such"), "{path}: {}", r.body);
        assert_eq!(
            r.headers.get(CACHE_STATUS),
            None,
            "{path} bypasses the cache"
        );
    }
    let overview = app.get("/catalog").await;
    assert!(
        overview.body.contains("Registry “gated” is loading"),
        "{}",
        overview.body
    );

    // The first read lands: ready, and the page shows the registry's content.
    open.send(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.ops_get("/readyz").await.status != 200 {
        assert!(
            Instant::now() < deadline,
            "never ready after the first read"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.get("/readyz").await.body, r#"{"ready":true}"#);
    let r = app.get("/search?q=driver").await;
    assert!(!r.body.contains("is loading"), "{}", r.body);
    assert!(r.body.contains("held at start-up"), "{}", r.body);
    let r = app
        .get("/registries/gated/projects/gated/entities/driver")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("held at start-up"), "{}", r.body);
    let again = app.get("/search?q=driver").await;
    assert_eq!(
        again
            .headers
            .get(CACHE_STATUS)
            .and_then(|v| v.to_str().ok()),
        Some("hit"),
        "a page of a read registry is cached as before"
    );
}

#[tokio::test]
async fn an_unreachable_registry_delays_readiness_only_within_the_limit() {
    let (_never, gate) = watch::channel(false);
    let url = gated_registry(gate, Seen::default()).await;
    let app = console(&url, 1).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = app.ops_get("/readyz").await;
        if r.status == 200 {
            // Ready, and still saying the registry is not loaded.
            assert_eq!(json_of(&r.body)["checks"]["registries"][0]["loaded"], false);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the limit did not end the wait: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `registry_token_file` is read at each request: a Secret rotated in place is sent from the
/// next request on, without a restart.
#[tokio::test]
async fn a_rotated_token_file_is_sent_from_the_next_read_on() {
    let (_open, gate) = watch::channel(true);
    let seen = Seen::default();
    let url = gated_registry(gate, seen.clone()).await;
    let token = std::env::temp_dir().join(format!("fc-token-file-{}", std::process::id()));
    std::fs::write(&token, "first-token\n").unwrap();
    let config = server::Config::load(
        None,
        [
            (
                "FEAST_CONSOLE_REGISTRIES".to_string(),
                format!("gated={url}"),
            ),
            (
                "FEAST_CONSOLE_REGISTRY_TOKEN_FILE".to_string(),
                token.display().to_string(),
            ),
        ],
        Vec::new(),
    )
    .unwrap();
    let source = &config.registries[0];
    let mut reader = server::registry::Reader::open(source).await.unwrap();
    reader.refresh().await.unwrap();
    std::fs::write(&token, "second-token").unwrap();
    reader.refresh().await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.first().is_some_and(|h| h == "Bearer first-token"),
        "{seen:?}"
    );
    assert!(
        seen.last().is_some_and(|h| h == "Bearer second-token"),
        "{seen:?}"
    );
    // A token file that disappears is a clear read error, not an anonymous request.
    std::fs::remove_file(&token).unwrap();
    let err = reader.refresh().await.unwrap_err().text();
    assert!(err.contains("cannot read the registry token file"), "{err}");
}

/// The first recovery round waits for the first registry read as readiness does (within
/// `registry_ready_seconds`), so it never reports "no registry loaded" for a registry that is
/// only slow. The gate stays shut longer than the round used to wait (5 s).
#[tokio::test]
async fn the_first_recovery_round_waits_for_a_slow_first_read() {
    let (open, gate) = watch::channel(false);
    let url = gated_registry(gate, Seen::default()).await;
    let app = console(&url, 600).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(
        app.state.recovery.latest().is_none(),
        "no round before the read"
    );
    open.send(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let round = loop {
        if let Some(round) = app.state.recovery.latest() {
            break serde_json::to_string(&round).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no recovery round after the read"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!round.contains("no registry loaded"), "{round}");
}
