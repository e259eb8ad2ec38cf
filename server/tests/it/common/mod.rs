//! Test support: a fresh console database per test (SQLite file or a new PostgreSQL database
//! on the test server that scripts/test.sh starts), and the real router driven in-process.
#![allow(dead_code)]

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

/// The superuser URL of the test PostgreSQL, or None when the tests run without one.
/// scripts/test.sh sets FC_REQUIRE_PG=1, which turns a missing server into a failure.
pub fn pg_admin_url() -> Option<String> {
    match std::env::var("FC_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("FC_REQUIRE_PG").is_err(),
                "FC_REQUIRE_PG is set but FC_TEST_PG_URL is not: the test PostgreSQL did not start"
            );
            eprintln!("note: FC_TEST_PG_URL not set; PostgreSQL tests are skipped (scripts/test.sh sets it)");
            None
        }
    }
}

/// Creates an empty database and returns its URL: a temp SQLite file, or a new PostgreSQL
/// database. None when PostgreSQL was asked for but is not available.
pub async fn fresh_database_url(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique("fc_test"));
            Some(format!("sqlite://{}", dir.join("console.db").display()))
        }
        Backend::Postgres => {
            let admin = pg_admin_url()?;
            let name = unique("fc_test");
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            Some(format!("{base}/{name}"))
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

/// Builds the real state (migrating the database) and router. None when the backend is
/// unavailable (PostgreSQL without FC_TEST_PG_URL).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let url = fresh_database_url(backend).await?;
    let state = build_state(test_config(url)).await.expect("build state");
    state.lifecycle.mark_started();
    let router = server::http::router(state.clone());
    Some(TestApp { state, router })
}

pub struct TestResponse {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
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

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
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
                let app = common::spawn_app(common::Backend::Sqlite)
                    .await
                    .expect("sqlite always available");
                ($body)(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(app) = common::spawn_app(common::Backend::Postgres).await {
                    ($body)(app).await;
                }
            }
        }
    };
}
