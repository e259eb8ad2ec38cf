//! Sign-in test support: the real test identity provider (scripts/oidc, npm oidc-provider) on a
//! free loopback port, a console configured against it, and a browser-like client that walks
//! the provider's login form with plain HTTP requests.
#![allow(dead_code)]

pub mod browser;
pub mod provider;

use app::auth::roles::RoleMapping;
use server::{
    config::auth::{OidcConfig, Secret},
    http::serve::build_state,
};

use crate::common::{self, Backend, TestApp};

pub const CLIENT_SECRET: &str = "test-only-console-secret";
/// The console's origin in these tests. It is never dialled: the in-process router answers,
/// the provider only puts it in redirects.
pub const CONSOLE: &str = "http://127.0.0.1:39999";

pub fn oidc_config(issuer: &str) -> OidcConfig {
    OidcConfig {
        issuer_url: issuer.to_string(),
        client_id: "feast-console".into(),
        client_secret: Secret::new(CLIENT_SECRET),
        feast_client_id: Some("feast".into()),
        scopes: vec!["openid".into(), "profile".into(), "email".into()],
    }
}

pub fn default_roles() -> RoleMapping {
    server::Config::defaults().auth.role_mapping
}

/// A console (real state and router) that signs users in at `issuer`.
pub async fn console_for(issuer: &str, backend: Backend) -> TestApp {
    let url = common::fresh_database_url(backend).await;
    console_on(issuer, url).await
}

/// A console that signs users in at `issuer`, on the console database at `url`: two of them
/// on one URL are two replicas sharing their state through the database.
pub async fn console_on(issuer: &str, url: String) -> TestApp {
    console_with(issuer, url, |_| {}).await
}

/// [`console_on`], with the configuration adjusted by `adjust` before the console starts.
pub async fn console_with(
    issuer: &str,
    url: String,
    adjust: impl FnOnce(&mut server::Config),
) -> TestApp {
    let mut config = common::test_config(url);
    config.listen = "127.0.0.1:39999".parse().unwrap();
    config.auth.public_url = CONSOLE.into();
    config.auth.cookie_secure = false;
    config.auth.oidc = Some(oidc_config(issuer));
    adjust(&mut config);
    let state = build_state(config).await.expect("build state");
    state.lifecycle.mark_started();
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

/// The `name=value` of a Set-Cookie header for `name`, if the response sets it.
pub fn set_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// The cookie pair (`name=value`) from a Set-Cookie line.
pub fn pair(set_cookie_line: &str) -> String {
    set_cookie_line
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string()
}

pub fn location(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
