//! Logins in progress cannot pile up: each client may hold `pending_logins_per_client` of them
//! (more get a 429 page), the address behind a trusted proxy is the client, and expired ones
//! are purged on a timer even when nobody signs in. Against the real test identity provider.

use crate::auth_support;
use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::{body::Body, extract::ConnectInfo, http::Request};
use common::{Backend, TestApp};
use server::auth::session::{purge_every, PendingLogin, SessionStore};
use server::clock::unix_now;

/// `GET /auth/login` from `peer`, with an `X-Forwarded-For` if given.
async fn login_from(app: &TestApp, peer: &str, forwarded_for: Option<&str>) -> u16 {
    let mut request = Request::get("/auth/login");
    if let Some(xff) = forwarded_for {
        request = request.header("x-forwarded-for", xff);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let r = app.request(request).await;
    if r.status == 429 {
        assert!(r.body.contains("Too many sign-ins"), "{}", r.body);
        assert_eq!(r.headers["retry-after"], "600");
    }
    r.status
}

async fn pending(app: &TestApp) -> i64 {
    app.state.auth.sessions().pending_logins().await.unwrap()
}

async fn capped_per_client(backend: Backend) {
    let idp = auth_support::provider::start(None);
    let url = common::fresh_database_url(backend).await;
    let app = auth_support::console_with(&idp.issuer, url, |c| {
        c.auth.pending_logins_per_client = 3;
        c.auth.trusted_proxies = vec![server::auth::client::IpRange::parse("10.0.0.0/8").unwrap()];
    })
    .await;

    for _ in 0..3 {
        assert_eq!(login_from(&app, "203.0.113.9", None).await, 303);
    }
    // Over the cap: a page saying so, and no new row.
    assert_eq!(login_from(&app, "203.0.113.9", None).await, 429);
    assert_eq!(pending(&app).await, 3);
    // A header the client writes itself does not make it someone else.
    assert_eq!(
        login_from(&app, "203.0.113.9", Some("198.51.100.1")).await,
        429
    );
    // Other clients are not affected.
    assert_eq!(login_from(&app, "198.51.100.7", None).await, 303);
    // Through the trusted proxy, the address it appended is the client.
    for _ in 0..3 {
        assert_eq!(login_from(&app, "10.0.0.5", Some("192.0.2.44")).await, 303);
    }
    assert_eq!(login_from(&app, "10.0.0.5", Some("192.0.2.44")).await, 429);
    // What the client wrote left of the proxy's entry does not make it someone else either.
    assert_eq!(
        login_from(&app, "10.0.0.5", Some("198.51.100.99, 192.0.2.44")).await,
        429
    );
    assert_eq!(login_from(&app, "10.0.0.6", Some("192.0.2.45")).await, 303);
    assert_eq!(pending(&app).await, 8);
}

#[tokio::test]
async fn pending_logins_are_capped_per_client_sqlite() {
    capped_per_client(Backend::Sqlite).await;
}

#[tokio::test]
async fn pending_logins_are_capped_per_client_postgres() {
    capped_per_client(Backend::Postgres).await;
}

/// The purge loop on a console database of its own (the console's own loop purges once at its
/// start, which would race with the rows added here).
async fn purged_without_a_sign_in(backend: Backend) {
    let url = common::fresh_database_url(backend).await;
    let db = server::db::ConsoleDb::open(&url, 2).await.unwrap();
    let sessions = SessionStore::new(db, Duration::from_secs(600), Duration::from_secs(3600));
    let login = |created_at: i64| PendingLogin {
        csrf_state: "s".into(),
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        return_to: "/".into(),
        created_at,
    };
    let expired = unix_now() - 3600;
    for created_at in [expired, expired, expired, expired, expired, unix_now()] {
        sessions
            .start_login(&login(created_at), "203.0.113.9", 100)
            .await
            .unwrap()
            .expect("under the cap");
    }
    assert_eq!(sessions.pending_logins().await.unwrap(), 6);
    // The loop, at a test's pace: the expired rows go, the live one stays.
    let purge = tokio::spawn(purge_every(sessions.clone(), Duration::from_millis(50)));
    let mut left = 6;
    for _ in 0..200 {
        left = sessions.pending_logins().await.unwrap();
        if left == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    purge.abort();
    assert_eq!(left, 1, "only the live login is left");
}

#[tokio::test]
async fn expired_logins_are_purged_without_a_sign_in_sqlite() {
    purged_without_a_sign_in(Backend::Sqlite).await;
}

#[tokio::test]
async fn expired_logins_are_purged_without_a_sign_in_postgres() {
    purged_without_a_sign_in(Backend::Postgres).await;
}

/// A serving console runs that loop, supervised like the other background loops.
#[tokio::test]
async fn the_console_runs_the_purge_loop() {
    let app = common::spawn_app(Backend::Sqlite).await;
    let restarts = app.state.tasks.restarts();
    assert!(restarts.get("auth_purge").is_some(), "{restarts:?}");
}
