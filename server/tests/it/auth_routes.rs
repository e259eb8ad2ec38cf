//! The route sweep: every page of the Leptos route list, every server function and every other
//! route is tried anonymously, with each console role, and cross-origin; the guard must answer
//! as the rules say (redirect to sign-in or 401, 403 below the needed role, same-origin POST
//! for changes). Also development mode: demo users, the loopback-only rule, DNS rebinding.

use crate::auth_support;
use crate::common;

use app::auth::{role_for_page, ConsoleRole};
use axum::{body::Body, http::Request};
use serde_json::json;
use server::auth::{
    policy::{role_for_api, rule_for, Rule},
    session::Tokens,
};

use auth_support::{location, CONSOLE};
use common::{Backend, TestApp};

/// Every page path the app renders, with parameters filled in.
fn page_paths() -> Vec<String> {
    let mut paths: Vec<String> = leptos_axum::generate_route_list(app::App)
        .into_iter()
        .map(|r| {
            r.path()
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') || seg.starts_with(':') || seg.starts_with('*') {
                        "x"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .map(|p| if p.is_empty() { "/".to_string() } else { p })
        .collect();
    paths.extend(["/no/such/page".to_string(), "/audit".to_string()]);
    paths.sort();
    paths.dedup();
    paths
}

fn server_fn_paths() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    paths.sort();
    paths
}

/// A signed-in session (inserted directly) holding `role`; None means signed in without one.
pub(crate) async fn session_for(app: &TestApp, role: Option<ConsoleRole>) -> String {
    let roles: Vec<String> = role
        .map(|r| vec![format!("console-{}", r.name())])
        .unwrap_or_default();
    let claims = json!({"sub": "u", "preferred_username": "sweeper", "resource_access": {"feast-console": {"roles": roles}}});
    let token = app
        .state
        .auth
        .sessions()
        .create("u", "sweeper", &claims, &Tokens::default())
        .await
        .unwrap();
    format!("fc_session={token}")
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> common::TestResponse {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    if let Some(o) = origin {
        request = request.header("origin", o);
    }
    if method == "POST" {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn every_route_checks_the_session_and_the_role() {
    let app = auth_support::console_for("http://127.0.0.1:9", Backend::Sqlite).await;
    let pages = page_paths();
    let fns = server_fn_paths();
    assert!(
        pages.contains(&"/catalog".to_string()) && pages.len() >= 6,
        "route list: {pages:?}"
    );
    assert!(!fns.is_empty(), "server functions are registered");
    let mut sessions = Vec::new();
    for role in [
        None,
        Some(ConsoleRole::Viewer),
        Some(ConsoleRole::Sre),
        Some(ConsoleRole::Admin),
    ] {
        sessions.push((role, session_for(&app, role).await));
    }

    for path in &pages {
        assert!(
            matches!(rule_for(path), Rule::Page(_)),
            "{path} is a guarded page"
        );
        let needed = role_for_page(path);
        let r = send(&app, "GET", path, None, None).await;
        assert_eq!(r.status, 303, "anonymous {path}");
        assert!(
            location(&r.headers).starts_with("/auth/login?return_to="),
            "{path}"
        );
        for (role, cookie) in &sessions {
            let r = send(&app, "GET", path, Some(cookie), None).await;
            if role.is_some_and(|r| r >= needed) {
                assert!(
                    r.status == 200 || r.status == 404,
                    "{role:?} {path}: {}",
                    r.status
                );
            } else {
                assert_eq!(r.status, 403, "{role:?} {path}");
            }
        }
        // Pages are GET only: a cross-site POST is refused before anything runs.
        let admin = &sessions[3].1;
        assert_eq!(
            send(
                &app,
                "POST",
                path,
                Some(admin),
                Some("https://evil.example")
            )
            .await
            .status,
            403,
            "{path}"
        );
        assert_eq!(
            send(&app, "PUT", path, Some(admin), Some(CONSOLE))
                .await
                .status,
            405,
            "{path}"
        );
    }

    for path in &fns {
        let needed = role_for_api(path.trim_start_matches("/api/"))
            .unwrap_or_else(|| panic!("{path} declares no role"));
        let r = send(&app, "POST", path, None, Some(CONSOLE)).await;
        assert_eq!(r.status, 401, "anonymous {path}");
        for (role, cookie) in &sessions {
            let r = send(&app, "POST", path, Some(cookie), Some(CONSOLE)).await;
            if role.is_some_and(|r| r >= needed) {
                assert!(
                    r.status != 401 && r.status != 403,
                    "{role:?} {path}: {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(r.status, 403, "{role:?} {path}");
            }
        }
        let admin = &sessions[3].1;
        for origin in [Some("https://evil.example"), Some("null"), None] {
            assert_eq!(
                send(&app, "POST", path, Some(admin), origin).await.status,
                403,
                "{path} from {origin:?}"
            );
        }
        let cross_site = Request::post(path.as_str())
            .header("cookie", admin.as_str())
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.request(cross_site).await.status,
            403,
            "{path} cross-site"
        );
    }

    // Public: probes and static files answer without a session.
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/favicon.ico",
        "/pkg/feast-console.css",
        "/auth/signed-out",
    ] {
        let r = send(&app, "GET", path, None, None).await;
        assert!(
            ![301, 302, 303, 401, 403].contains(&r.status),
            "{path}: {}",
            r.status
        );
    }
    // Sign-out needs a same-origin POST, nothing else.
    assert_eq!(
        send(&app, "GET", "/auth/logout", None, None).await.status,
        405
    );
    assert_eq!(
        send(
            &app,
            "POST",
            "/auth/logout",
            None,
            Some("https://evil.example")
        )
        .await
        .status,
        403
    );
    // Unknown JSON endpoints are denied by default.
    assert_eq!(
        send(
            &app,
            "GET",
            "/api/v1/anything_new",
            Some(&sessions[2].1),
            None
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn login_return_paths_never_leave_the_console() {
    // Development mode has no provider: /auth/login goes straight to the (sanitized) page.
    let app = common::spawn_app(Backend::Sqlite).await;
    for (asked, landed) in [
        ("/cache", "/cache"),
        ("https://evil.example", "/"),
        ("//evil.example/x", "/"),
        ("/%5Cevil", "/"),
    ] {
        let r = send(
            &app,
            "GET",
            &format!("/auth/login?return_to={asked}"),
            None,
            None,
        )
        .await;
        assert_eq!(r.status, 303);
        assert_eq!(location(&r.headers), landed, "{asked}");
    }
}

#[tokio::test]
async fn development_mode_demo_users_and_loopback_only() {
    let app = common::spawn_app(Backend::Sqlite).await;
    let get = |cookie: Option<&'static str>, host: Option<&'static str>, path: &'static str| {
        let mut request = Request::get(path);
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        if let Some(h) = host {
            request = request.header("host", h);
        }
        request.body(Body::empty()).unwrap()
    };
    // No cookie: the default demo user (an admin), with the banner and the picker.
    let r = app
        .request(get(None, Some("127.0.0.1:3000"), "/permissions"))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Authentication off."), "banner");
    assert!(r.body.contains("name=\"user\""), "identity picker");
    // Demo users see what their role allows.
    assert_eq!(
        app.request(get(Some("fc_demo_user=vic-viewer"), None, "/cache"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.request(get(Some("fc_demo_user=vic-viewer"), None, "/topology"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.request(get(Some("fc_demo_user=nora-no-role"), None, "/catalog"))
            .await
            .status,
        403
    );
    // A page reached through a DNS-rebinding host name is refused.
    assert_eq!(
        app.request(get(None, Some("rebind.evil.example:3000"), "/catalog"))
            .await
            .status,
        403
    );

    // The picker is a same-origin POST.
    let switch = |origin: &'static str| {
        Request::post("/auth/dev/identity")
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("user=sam-sre"))
            .unwrap()
    };
    let r = app.request(switch("https://evil.example")).await;
    assert_eq!(r.status, 403);
    let own_origin = format!("http://{}", app.state.config.listen);
    let r = app
        .request(switch(Box::leak(own_origin.into_boxed_str())))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(auth_support::set_cookie(&r.headers, "fc_demo_user")
        .unwrap()
        .starts_with("fc_demo_user=sam-sre"));
}

#[tokio::test]
async fn without_a_provider_the_console_refuses_a_public_address() {
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.listen = "0.0.0.0:0".parse().unwrap();
    let err = server::http::serve::build_state(config.clone())
        .await
        .err()
        .expect("refused");
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("--insecure-no-auth"), "{err}");
    config.auth.insecure_no_auth = true;
    assert!(server::http::serve::build_state(config).await.is_ok());
}

/// Development mode behind a proxy or Ingress: whoever reaches it would be the demo admin. A
/// public Host, or a proxy header naming the outside, is refused even with `insecure_no_auth`.
#[tokio::test]
async fn development_mode_refuses_a_public_or_forwarded_host() {
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.listen = "0.0.0.0:0".parse().unwrap();
    config.auth.insecure_no_auth = true;
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    let app = TestApp {
        router: server::http::router(state.clone()),
        state,
    };
    let get = |headers: &[(&'static str, &'static str)]| {
        let mut request = Request::get("/permissions");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::empty()).unwrap()
    };
    // A port-forward: loopback Host, any port.
    let r = app.request(get(&[("host", "localhost:8080")])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Authentication off."));
    for headers in [
        &[("host", "console.example.com")][..],
        &[
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "console.example.com"),
        ],
        &[
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-for", "203.0.113.9"),
        ],
        &[
            ("host", "localhost"),
            ("forwarded", "for=203.0.113.9;host=console.example.com"),
        ],
    ] {
        let r = app.request(get(headers)).await;
        assert_eq!(r.status, 403, "{headers:?}: {}", r.body);
        assert!(
            r.body.contains("development mode answers loopback only"),
            "{}",
            r.body
        );
        assert!(
            !r.body.contains("Authentication off."),
            "not served as a demo user"
        );
    }
}

#[tokio::test]
async fn whoami_answers_through_the_require_helper() {
    let app = auth_support::console_for("http://127.0.0.1:9", Backend::Sqlite).await;
    let path = server_fn_paths()
        .into_iter()
        .find(|p| p.starts_with("/api/viewer/whoami"))
        .expect("whoami registered");
    let cookie = session_for(&app, Some(ConsoleRole::Sre)).await;
    let r = send(&app, "POST", &path, Some(&cookie), Some(CONSOLE)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let view: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(view["role"], "Sre");
    assert_eq!(view["identity"]["username"], "sweeper");
    assert!(
        !r.body.contains("token"),
        "no tokens in the answer: {}",
        r.body
    );
}

#[tokio::test]
async fn hsts_only_when_served_over_https() {
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.auth.public_url = "https://console.example.com".into();
    // Development mode behind a public URL must be asked for.
    config.auth.insecure_no_auth = true;
    let state = server::http::serve::build_state(config).await.unwrap();
    let app = TestApp {
        router: server::http::router(state.clone()),
        state,
    };
    let r = app.get("/healthz").await;
    assert!(r.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let plain = common::spawn_app(Backend::Sqlite).await;
    assert!(!plain
        .get("/healthz")
        .await
        .headers
        .contains_key("strict-transport-security"));
}
