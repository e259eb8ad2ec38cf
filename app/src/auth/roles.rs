//! Console roles and what each may open. The role comes from token claims through a
//! configurable mapping (defaults fit the Keycloak realm in `deploy/keycloak/`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::identity::{escape_pointer, strings};

/// Ordered: each role may do everything the previous one may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConsoleRole {
    /// Catalog and topology.
    Viewer,
    /// Plus registry cache and recovery.
    Sre,
    /// Plus permission editing and the audit log.
    Admin,
}

impl ConsoleRole {
    pub const ALL: [ConsoleRole; 3] = [ConsoleRole::Viewer, ConsoleRole::Sre, ConsoleRole::Admin];

    pub fn name(self) -> &'static str {
        match self {
            ConsoleRole::Viewer => "viewer",
            ConsoleRole::Sre => "sre",
            ConsoleRole::Admin => "admin",
        }
    }
}

/// The role a page path needs. Unknown paths need a viewer (they answer 404 once signed in),
/// so nothing is readable anonymously by accident.
pub fn role_for_page(path: &str) -> ConsoleRole {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/cache") || under("/recovery") {
        ConsoleRole::Sre
    } else if path == "/permissions" {
        // Seeing who may do what is for everyone; editing and the audit log are for admins.
        ConsoleRole::Viewer
    } else if under("/permissions") || under("/audit") {
        ConsoleRole::Admin
    } else {
        ConsoleRole::Viewer
    }
}

/// One claim value that grants a console role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimMatch {
    /// `client_role:NAME`: in `resource_access.<console client id>.roles`.
    ClientRole(String),
    /// `realm_role:NAME`: in `realm_access.roles`.
    RealmRole(String),
    /// `group:NAME`: in `groups` (compared verbatim, so `/admins` and `admins` differ).
    Group(String),
    /// `role:NAME`: in the Feast roles (`resource_access.<feast client id>.roles` + `roles`).
    Role(String),
}

impl ClaimMatch {
    pub fn parse(text: &str) -> Result<ClaimMatch, String> {
        let (kind, value) = text.trim().split_once(':').ok_or_else(|| {
            format!("`{text}` is not KIND:VALUE (KIND is client_role, realm_role, group or role)")
        })?;
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("`{text}` has an empty value"));
        }
        let value = value.to_string();
        match kind.trim() {
            "client_role" => Ok(ClaimMatch::ClientRole(value)),
            "realm_role" => Ok(ClaimMatch::RealmRole(value)),
            "group" => Ok(ClaimMatch::Group(value)),
            "role" => Ok(ClaimMatch::Role(value)),
            other => Err(format!(
                "`{other}` is not one of client_role, realm_role, group, role"
            )),
        }
    }

    /// Parses a comma- or newline-separated list.
    pub fn parse_list(text: &str) -> Result<Vec<ClaimMatch>, String> {
        text.split([',', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(ClaimMatch::parse)
            .collect()
    }
}

/// Which claim values grant which console role. The highest matching role wins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleMapping {
    pub viewer: Vec<ClaimMatch>,
    pub sre: Vec<ClaimMatch>,
    pub admin: Vec<ClaimMatch>,
}

impl RoleMapping {
    /// The role for these claims; None when nothing matches (signed in, but no access).
    pub fn role_for(
        &self,
        claims: &Value,
        console_client_id: &str,
        feast_roles: &[String],
    ) -> Option<ConsoleRole> {
        let client_roles = strings(claims.pointer(&format!(
            "/resource_access/{}/roles",
            escape_pointer(console_client_id)
        )));
        let realm_roles = strings(claims.pointer("/realm_access/roles"));
        let groups = strings(claims.get("groups"));
        let matches = |m: &ClaimMatch| match m {
            ClaimMatch::ClientRole(v) => client_roles.contains(v),
            ClaimMatch::RealmRole(v) => realm_roles.contains(v),
            ClaimMatch::Group(v) => groups.contains(v),
            ClaimMatch::Role(v) => feast_roles.contains(v),
        };
        [
            (ConsoleRole::Admin, &self.admin),
            (ConsoleRole::Sre, &self.sre),
            (ConsoleRole::Viewer, &self.viewer),
        ]
        .into_iter()
        .find(|(_, list)| list.iter().any(matches))
        .map(|(role, _)| role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping() -> RoleMapping {
        RoleMapping {
            viewer: ClaimMatch::parse_list("client_role:console-viewer, group:/everyone").unwrap(),
            sre: ClaimMatch::parse_list("client_role:console-sre\nrealm_role:ops").unwrap(),
            admin: ClaimMatch::parse_list("client_role:console-admin,role:feast-admin").unwrap(),
        }
    }

    #[test]
    fn highest_matching_role_wins() {
        let claims =
            json!({"resource_access": {"console": {"roles": ["console-viewer", "console-sre"]}}});
        assert_eq!(
            mapping().role_for(&claims, "console", &[]),
            Some(ConsoleRole::Sre)
        );
        let admin_by_feast_role =
            mapping().role_for(&json!({}), "console", &["feast-admin".to_string()]);
        assert_eq!(admin_by_feast_role, Some(ConsoleRole::Admin));
        assert_eq!(
            mapping().role_for(&json!({"realm_access": {"roles": ["ops"]}}), "console", &[]),
            Some(ConsoleRole::Sre)
        );
        assert_eq!(
            mapping().role_for(&json!({"groups": ["/everyone"]}), "console", &[]),
            Some(ConsoleRole::Viewer)
        );
    }

    #[test]
    fn no_match_means_no_role() {
        let claims = json!({"groups": ["everyone"], "resource_access": {"other": {"roles": ["console-admin"]}}});
        assert_eq!(mapping().role_for(&claims, "console", &[]), None);
    }

    #[test]
    fn bad_entries_are_explained() {
        assert!(ClaimMatch::parse("admins")
            .unwrap_err()
            .contains("KIND:VALUE"));
        assert!(ClaimMatch::parse("team:x").unwrap_err().contains("`team`"));
        assert!(ClaimMatch::parse("group: ").unwrap_err().contains("empty"));
    }

    #[test]
    fn pages_need_the_documented_roles() {
        for (path, role) in [
            ("/", ConsoleRole::Viewer),
            ("/catalog", ConsoleRole::Viewer),
            ("/topology/x", ConsoleRole::Viewer),
            ("/cache", ConsoleRole::Sre),
            ("/recovery", ConsoleRole::Sre),
            ("/permissions", ConsoleRole::Viewer),
            ("/permissions/edit", ConsoleRole::Admin),
            ("/permissions/audit", ConsoleRole::Admin),
            ("/audit", ConsoleRole::Admin),
            ("/cachexyz", ConsoleRole::Viewer),
        ] {
            assert_eq!(role_for_page(path), role, "{path}");
        }
    }
}
