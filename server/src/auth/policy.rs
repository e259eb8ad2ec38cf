//! Which requests need what. Deny by default: a path that is not listed as public needs a
//! session, and an `/api/` path under no role's prefix is refused to everyone.

use app::auth::{role_for_page, ConsoleRole};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Probes, static files and the sign-in endpoints themselves.
    Public,
    /// Sign-out and the demo-user switch: no role needed, but POST from this origin only.
    SignInAction,
    /// A page: anonymous visitors are sent to sign in.
    Page(ConsoleRole),
    /// A server function or JSON endpoint: anonymous callers get 401.
    Api(ConsoleRole),
    /// An `/api/` path that declares no role: no server function serves it. 401 anonymous,
    /// 403 signed in, whatever the role.
    ApiDenied,
}

/// Prefix of Leptos server functions (and of any JSON endpoint).
pub const API_PREFIX: &str = "/api/";

/// A history feed read with a feed key (`/history/....atom?key=...`): feed readers cannot
/// sign in, so the key is their credential and the feed's handler checks it
/// (`history::feed_key`) instead of a session.
pub fn is_keyed_feed(path: &str, query: Option<&str>) -> bool {
    path.starts_with("/history/")
        && path.ends_with(".atom")
        && query.is_some_and(|q| q.split('&').any(|pair| pair.starts_with("key=")))
}

pub fn rule_for(path: &str) -> Rule {
    match path {
        "/healthz" | "/readyz" | "/metrics" | "/favicon.ico" => return Rule::Public,
        "/auth/login" | "/auth/callback" | "/auth/signed-out" => return Rule::Public,
        "/auth/logout" | "/auth/dev/identity" => return Rule::SignInAction,
        _ => {}
    }
    if path.starts_with("/pkg/") {
        return Rule::Public;
    }
    match path.strip_prefix(API_PREFIX) {
        Some(name) => role_for_api(name).map_or(Rule::ApiDenied, Rule::Api),
        None => Rule::Page(role_for_page(path)),
    }
}

/// Each server function declares the role it needs in its URL prefix, where it is declared:
/// `#[server(prefix = "/api/sre")]` serves at `/api/sre/<name><hash>`. `name` is the path
/// after [`API_PREFIX`]; None when it is under no role's prefix (denied). Renaming a function
/// cannot change who may call it.
pub fn role_for_api(name: &str) -> Option<ConsoleRole> {
    let (role, rest) = name.split_once('/')?;
    if rest.is_empty() {
        return None;
    }
    ConsoleRole::ALL.into_iter().find(|r| r.name() == role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_protected_paths() {
        for p in [
            "/healthz",
            "/readyz",
            "/metrics",
            "/favicon.ico",
            "/pkg/feast-console.wasm",
            "/auth/callback",
        ] {
            assert_eq!(rule_for(p), Rule::Public, "{p}");
        }
        assert_eq!(rule_for("/auth/logout"), Rule::SignInAction);
        assert!(is_keyed_feed("/history/prod.atom", Some("key=abc")));
        assert!(is_keyed_feed(
            "/history/prod/shop.atom",
            Some("x=1&key=abc")
        ));
        for (path, query) in [
            ("/history/prod.atom", None),
            ("/history/prod.atom", Some("monkey=abc")),
            ("/history.csv", Some("key=abc")),
            ("/history", Some("key=abc")),
            ("/catalog/x.atom", Some("key=abc")),
        ] {
            assert!(!is_keyed_feed(path, query), "{path} {query:?}");
        }
        assert_eq!(rule_for("/"), Rule::Page(ConsoleRole::Viewer));
        assert_eq!(rule_for("/recovery"), Rule::Page(ConsoleRole::Sre));
        assert_eq!(rule_for("/permissions"), Rule::Page(ConsoleRole::Viewer));
        assert_eq!(
            rule_for("/permissions/edit"),
            Rule::Page(ConsoleRole::Admin)
        );
        assert_eq!(
            rule_for("/permissions/audit"),
            Rule::Page(ConsoleRole::Admin)
        );
        assert_eq!(rule_for("/pkgx"), Rule::Page(ConsoleRole::Viewer));
        assert_eq!(rule_for("/healthz/x"), Rule::Page(ConsoleRole::Viewer));
    }

    #[test]
    fn server_functions_are_classified_by_their_declared_prefix() {
        assert_eq!(
            rule_for("/api/viewer/permissions_view12"),
            Rule::Api(ConsoleRole::Viewer)
        );
        assert_eq!(
            rule_for("/api/sre/load_cache_overview9"),
            Rule::Api(ConsoleRole::Sre)
        );
        assert_eq!(
            rule_for("/api/admin/permission_editor_submit3"),
            Rule::Api(ConsoleRole::Admin)
        );
        // The name no longer matters: an area word in it gives no role.
        assert_eq!(
            rule_for("/api/viewer/permissions_save1"),
            Rule::Api(ConsoleRole::Viewer)
        );
        for denied in [
            "/api/cache_report9",
            "/api/catalog_overview123",
            "/api/something_new",
            "/api/v1/catalog/projects",
            "/api/viewer",
            "/api/viewer/",
            "/api/root/x",
            "/api/",
        ] {
            assert_eq!(rule_for(denied), Rule::ApiDenied, "{denied}");
        }
    }

    /// Every server function the app registers sits under a role's prefix: a new one without
    /// `prefix = "/api/<role>"` fails here (and would be refused to everyone).
    #[test]
    fn every_registered_server_function_declares_its_role() {
        let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(p, _)| p.to_string())
            .collect();
        assert!(paths.len() >= 17, "server functions registered: {paths:?}");
        for path in &paths {
            assert!(
                matches!(rule_for(path), Rule::Api(_)),
                "{path} declares no role: add `prefix = \"/api/<viewer|sre|admin>\"` to its #[server]"
            );
        }
    }
}
