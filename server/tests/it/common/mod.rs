//! Test support: a fresh console database per test (SQLite file or a new PostgreSQL database
//! on the test server that scripts/test.sh starts), and the real router driven in-process.
//! Whatever a test needs and does not find (a server, a fixture, a tool) fails it with a
//! message naming what is missing and how to get it ([`missing`], [`required_env`]): no test
//! passes by skipping its work.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::{body::Body, http::Request, Router};
use http_body_util::BodyExt;
use server::{config::Config, http::serve::build_state, AppState};
use tower::ServiceExt;

/// Which console database backend a test runs against.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// An HTTP client for tests that talk to real servers (the console, Feast, the identity
/// provider): reqwest is built without a TLS provider of its own, so install ring's first.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Fails the test because something it needs is missing: `what` it needs, the `problem`
/// found, and `how` to get it. A test never passes by skipping its work: scripts/test.sh
/// provides every server, fixture and tool, and a missing one is a failure that says so.
#[track_caller]
pub fn missing(what: &str, problem: impl std::fmt::Display, how: &str) -> ! {
    panic!("needs {what}: {problem}; {how}")
}

/// The value of the environment variable `var`, which the test needs for `what` (`how` says
/// where it comes from). Unset or empty: the test fails, naming both.
#[track_caller]
pub fn required_env(var: &str, what: &str, how: &str) -> String {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => value,
        _ => missing(what, format_args!("{var} is not set"), how),
    }
}

/// `path`, which the test needs for `what`; fails the test when it does not exist.
#[track_caller]
pub fn required_path(path: PathBuf, what: &str, how: &str) -> PathBuf {
    if !path.exists() {
        missing(what, format_args!("{} does not exist", path.display()), how);
    }
    path
}

/// Checks that `program` runs (`program --version`); fails the test, naming it, otherwise.
#[track_caller]
pub fn required_program(program: &str, how: &str) {
    match std::process::Command::new(program)
        .arg("--version")
        .output()
    {
        Ok(out) if out.status.success() => {}
        Ok(out) => missing(
            program,
            format_args!("`{program} --version` failed ({})", out.status),
            how,
        ),
        Err(e) => missing(
            program,
            format_args!("`{program}` could not be run ({e})"),
            how,
        ),
    }
}

/// The superuser URL of the test PostgreSQL (FC_TEST_PG_URL, which scripts/test.sh sets).
#[track_caller]
pub fn pg_admin_url() -> String {
    required_env(
        "FC_TEST_PG_URL",
        "PostgreSQL",
        "scripts/test.sh starts one (scripts/lib/postgres.sh) and sets it",
    )
}

/// Creates an empty database and returns its URL: a temp SQLite file, or a new PostgreSQL
/// database on the test server (the test fails without one).
pub async fn fresh_database_url(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique("fc_test"));
            format!("sqlite://{}", dir.join("console.db").display())
        }
        Backend::Postgres => {
            let admin = pg_admin_url();
            let name = unique("fc_test");
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        }
    }
}

/// A configuration for tests: fresh database, port 0, a site root that need not exist.
pub fn test_config(database_url: String) -> Config {
    let mut config = Config::defaults();
    config.database_url = database_url;
    config.data_dir = std::env::temp_dir().join(unique("fc_data"));
    config.listen = "127.0.0.1:0".parse().unwrap();
    config
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
}

/// Builds the real state (migrating the database) and router.
pub async fn spawn_app(backend: Backend) -> TestApp {
    let url = fresh_database_url(backend).await;
    let state = build_state(test_config(url)).await.expect("build state");
    state.lifecycle.mark_started();
    // As a load balancer would (readiness waits for them): tests start after the first reads.
    state
        .registries
        .first_reads(std::time::Duration::from_secs(30))
        .await;
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

pub struct TestResponse {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        answer(self.router.clone(), request).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// `GET path` on the ops port's router (`ops_listen`: full `/readyz`, `/metrics`).
    pub async fn ops_get(&self, path: &str) -> TestResponse {
        let ops = server::http::ops_router(self.state.clone());
        answer(ops, Request::get(path).body(Body::empty()).unwrap()).await
    }
}

/// `router`'s answer to `request`, body read whole.
async fn answer(router: Router, request: Request<Body>) -> TestResponse {
    let response = router.oneshot(request).await.expect("router answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Runs a test body on both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let app = common::spawn_app(common::Backend::Sqlite).await;
                ($body)(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                let app = common::spawn_app(common::Backend::Postgres).await;
                ($body)(app).await;
            }
        }
    };
}
