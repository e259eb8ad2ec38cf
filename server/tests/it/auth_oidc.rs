//! Sign-in against a real OpenID Connect provider (npm oidc-provider started on a free port):
//! the full authorization code + PKCE flow through its login form, sessions, roles, refresh,
//! sign-out, and the refusals (wrong state, replayed code, no login in progress).
//! Needs `node` and scripts/oidc/node_modules (scripts/setup.sh installs them).

use crate::auth_support;
use crate::common;

use auth_support::{
    browser::{session_cookie_set, Browser},
    location, provider, query_param, CONSOLE,
};
use common::Backend;

macro_rules! provider_and_console {
    ($backend:expr) => {{
        let idp = provider::start(None);
        let app = auth_support::console_for(&idp.issuer, $backend).await;
        (idp, app)
    }};
}

async fn sessions(app: &common::TestApp) -> i64 {
    app.state.auth.sessions().count().await.unwrap()
}

async fn full_login_then_refusals(backend: Backend) {
    let (_idp, app) = provider_and_console!(backend);
    let mut browser = Browser::new();

    // Anonymous: a page redirects to sign-in, remembering where the user wanted to go.
    let r = browser.console(&app, "GET", "/recovery?x=1").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        location(&r.headers),
        "/auth/login?return_to=/recovery%3Fx%3D1"
    );

    // Sign-in through the provider's real login form, back to the page asked for.
    let done = browser.sign_in(&app, "alice", "/recovery%3Fx%3D1").await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(location(&done.headers), "/recovery?x=1");
    let cookie = session_cookie_set(&done).expect("session cookie set");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert_eq!(sessions(&app).await, 1);

    let page = browser.console(&app, "GET", "/recovery?x=1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("alice"), "the header names the user");
    assert!(
        page.body.contains("admin"),
        "the header shows the console role"
    );
    assert!(
        !page.body.contains("auth-off-banner"),
        "no development banner with a provider"
    );

    // Tokens stay on the server: neither the page nor the cookie carries them.
    let (access, id_token) = stored_tokens(&app).await;
    assert!(!page.body.contains(&access) && !page.body.contains(&id_token));
    assert!(!browser.cookie_header().contains(&access));

    // A callback with a state from elsewhere is refused and creates no session.
    let start = browser.console(&app, "GET", "/auth/login").await;
    let state = query_param(&location(&start.headers), "state").unwrap();
    let r = browser
        .console(
            &app,
            "GET",
            &format!("/auth/callback?code=abc&state={state}x"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("state mismatch"), "{}", r.body);
    assert!(session_cookie_set(&r).is_none());
    assert_eq!(sessions(&app).await, 1);

    // The same login cannot be completed twice (it was consumed by the refused attempt).
    let r = browser
        .console(
            &app,
            "GET",
            &format!("/auth/callback?code=abc&state={state}"),
        )
        .await;
    assert!(r.body.contains("no sign-in was started"), "{}", r.body);

    // A replayed authorization code: a fresh login, but the code from a finished one.
    let mut first = Browser::new();
    let start = first.console(&app, "GET", "/auth/login").await;
    let back = first
        .sign_in_at_provider(&location(&start.headers), "sam")
        .await;
    let code = query_param(&format!("{CONSOLE}{back}"), "code").unwrap();
    assert_eq!(first.console(&app, "GET", &back).await.status, 303);
    assert_eq!(sessions(&app).await, 2);
    let mut replay = Browser::new();
    let start = replay.console(&app, "GET", "/auth/login").await;
    let state = query_param(&location(&start.headers), "state").unwrap();
    let r = replay
        .console(
            &app,
            "GET",
            &format!("/auth/callback?code={code}&state={state}"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("refused the code"), "{}", r.body);
    assert!(session_cookie_set(&r).is_none());
    assert_eq!(sessions(&app).await, 2);

    // Without a login cookie (a callback forged in another browser) nothing happens.
    let r = Browser::new()
        .console(
            &app,
            "GET",
            &format!("/auth/callback?code={code}&state={state}"),
        )
        .await;
    assert!(r.body.contains("no sign-in was started"), "{}", r.body);
    assert_eq!(sessions(&app).await, 2);

    // An answer naming another issuer (RFC 9207 `iss`) is refused before the code is used.
    let mut mixup = Browser::new();
    let start = mixup.console(&app, "GET", "/auth/login").await;
    let state = query_param(&location(&start.headers), "state").unwrap();
    let r = mixup
        .console(
            &app,
            "GET",
            &format!("/auth/callback?code=abc&state={state}&iss=https%3A%2F%2Fevil.example"),
        )
        .await;
    assert!(
        r.body.contains("names another identity provider"),
        "{}",
        r.body
    );
    assert_eq!(sessions(&app).await, 2);

    // The provider's own refusal is shown.
    let mut denied = Browser::new();
    let start = denied.console(&app, "GET", "/auth/login").await;
    let state = query_param(&location(&start.headers), "state").unwrap();
    let r = denied
        .console(
            &app,
            "GET",
            &format!("/auth/callback?error=access_denied&error_description=nope&state={state}"),
        )
        .await;
    assert!(
        r.body.contains("refused the sign-in: access_denied: nope"),
        "{}",
        r.body
    );

    // A cross-site sign-out is refused; a same-origin one ends the session and continues to
    // the provider's end_session_endpoint (RP-initiated logout).
    let evil = axum::http::Request::post("/auth/logout")
        .header("cookie", browser.cookie_header())
        .header("origin", "https://evil.example")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.request(evil).await.status, 403);
    assert_eq!(sessions(&app).await, 2);
    let cookies_before = browser.cookie_header();
    let out = browser.console(&app, "POST", "/auth/logout").await;
    assert_eq!(out.status, 200, "{}", out.body);
    let refresh = out.headers["refresh"].to_str().unwrap().to_string();
    assert!(refresh.contains("/session/end"), "{refresh}");
    assert!(refresh.contains("id_token_hint="), "{refresh}");
    assert!(refresh.contains("post_logout_redirect_uri="), "{refresh}");
    assert_eq!(sessions(&app).await, 1);
    // The old cookie is dead even if a copy of it is replayed.
    let replayed = axum::http::Request::get("/catalog")
        .header("cookie", cookies_before)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.request(replayed).await.status, 303);
}

async fn stored_tokens(app: &common::TestApp) -> (String, String) {
    let sql = "SELECT access_token, id_token FROM console_sessions";
    match &app.state.db {
        server::db::ConsoleDb::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
        server::db::ConsoleDb::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    }
}

#[tokio::test]
async fn full_login_then_refusals_sqlite() {
    full_login_then_refusals(Backend::Sqlite).await;
}

#[tokio::test]
async fn full_login_then_refusals_postgres() {
    full_login_then_refusals(Backend::Postgres).await;
}

#[tokio::test]
async fn roles_decide_what_each_user_may_open() {
    let (_idp, app) = provider_and_console!(Backend::Sqlite);
    for (user, allowed, refused) in [
        (
            "vic",
            &["/catalog", "/topology", "/permissions"][..],
            &[
                "/cache",
                "/recovery",
                "/permissions/edit",
                "/permissions/audit",
            ][..],
        ),
        (
            "sam",
            &["/catalog", "/cache", "/recovery", "/permissions"][..],
            &["/permissions/edit", "/permissions/audit"][..],
        ),
        (
            "alice",
            &["/catalog", "/cache", "/permissions", "/permissions/audit"][..],
            &[][..],
        ),
        ("nobody", &[][..], &["/catalog", "/cache"][..]),
    ] {
        let mut browser = Browser::new();
        browser.sign_in(&app, user, "/").await;
        for path in allowed {
            let r = browser.console(&app, "GET", path).await;
            assert_eq!(r.status, 200, "{user} {path}");
        }
        for path in refused {
            let r = browser.console(&app, "GET", path).await;
            assert_eq!(r.status, 403, "{user} {path}");
            assert!(r.body.contains(user), "the 403 page says who is signed in");
        }
        // Navigation only shows reachable areas.
        let home = browser.console(&app, "GET", "/").await;
        if user == "vic" {
            assert!(
                home.body.contains("href=\"/topology\"") && !home.body.contains("href=\"/cache\""),
                "{}",
                home.body
            );
        }
    }
}

#[tokio::test]
async fn identity_is_shown_as_feast_sees_it() {
    let (_idp, app) = provider_and_console!(Backend::Sqlite);
    let mut browser = Browser::new();
    browser.sign_in(&app, "sam", "/").await;
    let page = browser.console(&app, "GET", "/catalog").await;
    let html = page.body.replace("<!>", "");
    // Feast roles: resource_access.feast.roles (+ roles); realm roles listed as ignored.
    assert!(html.contains("feast-reader"), "{html}");
    assert!(html.contains("Realm roles (ignored by Feast)"), "{html}");
    assert!(html.contains("default-roles-feast"), "{html}");
    assert!(html.contains(">sre<"), "console role sre: {html}");
}

#[tokio::test]
async fn expired_access_tokens_are_refreshed_and_rotated() {
    // Access tokens live 20 s; the console refreshes those expiring within 30 s.
    let idp = provider::start(Some(20));
    let app = auth_support::console_for(&idp.issuer, Backend::Sqlite).await;
    let mut browser = Browser::new();
    browser.sign_in(&app, "alice", "/").await;
    let before = refresh_token(&app).await;
    let r = browser.console(&app, "GET", "/catalog").await;
    assert_eq!(r.status, 200);
    let after = refresh_token(&app).await;
    assert_ne!(
        before, after,
        "the provider rotated the refresh token and the console kept the new one"
    );
    assert_eq!(app.state.auth.sessions().count().await.unwrap(), 1);

    // Parallel requests (a page and its server function calls) refresh once, not each with
    // the same rotating token, which the provider would treat as a replay and revoke.
    let request = || {
        axum::http::Request::get("/catalog")
            .header("cookie", browser.cookie_header())
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let (a, b, c, d) = tokio::join!(
        app.request(request()),
        app.request(request()),
        app.request(request()),
        app.request(request())
    );
    for r in [a, b, c, d] {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(
        app.state.auth.sessions().count().await.unwrap(),
        1,
        "the session survived"
    );
    assert_eq!(browser.console(&app, "GET", "/catalog").await.status, 200);
}

async fn refresh_token(app: &common::TestApp) -> String {
    let sql = "SELECT refresh_token FROM console_sessions";
    let token: Option<String> = match &app.state.db {
        server::db::ConsoleDb::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        server::db::ConsoleDb::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    token.expect("a refresh token was issued")
}

/// Moves every session's access-token expiry to `secs_ago` seconds in the past.
async fn expire_access_tokens(app: &common::TestApp, secs_ago: i64) {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - secs_ago;
    let sql = "UPDATE console_sessions SET access_expires_at = $1";
    match &app.state.db {
        server::db::ConsoleDb::Sqlite(p) => {
            drop(sqlx::query(sql).bind(at).execute(p).await.unwrap())
        }
        server::db::ConsoleDb::Postgres(p) => {
            drop(sqlx::query(sql).bind(at).execute(p).await.unwrap())
        }
    }
}

#[tokio::test]
async fn an_unreachable_provider_keeps_a_session_only_within_the_outage_grace() {
    // Access tokens live 20 s, so every request is due a refresh.
    let idp = provider::start(Some(20));
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let grace = |secs: u64| {
        move |c: &mut server::Config| c.auth.idp_outage_grace = std::time::Duration::from_secs(secs)
    };
    // Two replicas on one database, with a 300 s and a 600 s grace.
    let short = auth_support::console_with(&idp.issuer, url.clone(), grace(300)).await;
    let long = auth_support::console_with(&idp.issuer, url, grace(600)).await;
    let mut browser = Browser::new();
    browser.sign_in(&short, "alice", "/").await;
    assert_eq!(browser.console(&short, "GET", "/catalog").await.status, 200);

    // The provider goes away while the access token is (nearly) expired: the refresh cannot
    // reach it, and within the grace the session is kept.
    drop(idp);
    let kept = browser.console(&short, "GET", "/catalog").await;
    assert_eq!(kept.status, 200, "{}", kept.body);

    // 400 s past the token's expiry: within the long grace, past the short one.
    expire_access_tokens(&short, 400).await;
    let kept = browser.console(&long, "GET", "/catalog").await;
    assert_eq!(kept.status, 200, "within a 600 s grace: {}", kept.body);
    let ended = browser.console(&short, "GET", "/catalog").await;
    assert_eq!(ended.status, 303, "past a 300 s grace: {}", ended.body);
    assert_eq!(
        short.state.auth.sessions().count().await.unwrap(),
        0,
        "the session ended"
    );
    let again = browser.console(&long, "GET", "/catalog").await;
    assert_eq!(again.status, 303, "ended on every replica");
}
