//! Which requests need what. Deny by default: a path that is not listed as public needs a
//! session, and a server function that is not classified needs the admin role.

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
}

/// Prefix of Leptos server functions (and of any JSON endpoint).
pub const API_PREFIX: &str = "/api/";

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
        Some(name) => Rule::Api(role_for_api(name)),
        None => Rule::Page(role_for_page(path)),
    }
}

/// Server functions name their area (`catalog_overview`, `load_topology_overview`,
/// `cache_report`, ...); the path is the name plus a hash suffix. The most restrictive area
/// named wins, and a name that names no area needs an admin.
pub fn role_for_api(name: &str) -> ConsoleRole {
    let name = name.to_ascii_lowercase();
    let names = |areas: &[&str]| areas.iter().any(|a| name.contains(a));
    if name.starts_with("permissions_view") {
        // The read-only matrix, as the /permissions page.
        ConsoleRole::Viewer
    } else if names(&["permission", "audit"]) {
        ConsoleRole::Admin
    } else if names(&["cache", "recovery"]) {
        ConsoleRole::Sre
    } else if names(&["catalog", "topology", "registr", "overview", "whoami"]) {
        ConsoleRole::Viewer
    } else {
        ConsoleRole::Admin
    }
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
        assert_eq!(
            rule_for("/api/permissions_view12"),
            Rule::Api(ConsoleRole::Viewer)
        );
        assert_eq!(
            rule_for("/api/permission_editor_submit3"),
            Rule::Api(ConsoleRole::Admin)
        );
        assert_eq!(rule_for("/pkgx"), Rule::Page(ConsoleRole::Viewer));
        assert_eq!(rule_for("/healthz/x"), Rule::Page(ConsoleRole::Viewer));
        assert_eq!(
            rule_for("/api/catalog_overview123"),
            Rule::Api(ConsoleRole::Viewer)
        );
        assert_eq!(rule_for("/api/cache_report9"), Rule::Api(ConsoleRole::Sre));
        assert_eq!(
            rule_for("/api/permissions_save1"),
            Rule::Api(ConsoleRole::Admin)
        );
        assert_eq!(
            rule_for("/api/something_new"),
            Rule::Api(ConsoleRole::Admin)
        );
        assert_eq!(
            rule_for("/api/v1/catalog/projects"),
            Rule::Api(ConsoleRole::Viewer)
        );
        assert_eq!(
            rule_for("/api/load_topology_overview42"),
            Rule::Api(ConsoleRole::Viewer)
        );
        assert_eq!(
            rule_for("/api/catalog_cache_stats1"),
            Rule::Api(ConsoleRole::Sre)
        );
        assert_eq!(
            rule_for("/api/topology_permissions_check1"),
            Rule::Api(ConsoleRole::Admin)
        );
    }
}
