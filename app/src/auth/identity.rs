//! Who a token says the user is, computed exactly as Feast's OIDC parser does
//! (`feast/permissions/auth/oidc_token_parser.py`), so the console shows the identity Feast's
//! own permission checks will use.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Claims Feast tries for the username, in its order; the first *string* claim wins.
pub const USERNAME_CLAIMS: [&str; 5] = ["preferred_username", "upn", "azp", "appid", "sub"];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The name Feast matches `RoleBasedPolicy`/`GroupBasedPolicy` users by.
    pub username: String,
    /// Which claim the username came from (e.g. `preferred_username`).
    pub username_claim: String,
    /// `resource_access.<feast client id>.roles` followed by top-level `roles`, de-duplicated
    /// in first-seen order: what Feast's `RoleBasedPolicy` sees.
    pub feast_roles: Vec<String>,
    /// Top-level `groups`, verbatim (a Keycloak full path keeps its leading slash).
    pub groups: Vec<String>,
    /// Always empty for OIDC users; only Kubernetes service-account tokens carry namespaces.
    /// Demo users in development mode may set some to explore `NamespaceBasedPolicy`.
    pub namespaces: Vec<String>,
    /// `realm_access.roles`: shown because people expect them to count, but Feast ignores them.
    pub realm_roles_ignored_by_feast: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the token has none of the claims Feast takes a username from ({})", USERNAME_CLAIMS.join(", "))]
    NoUsername,
}

impl Identity {
    /// Reads the identity from a token's claims. `feast_client_id` is the `client_id` of
    /// Feast's `auth: {type: oidc}` block; without it Feast ignores `resource_access`.
    pub fn from_claims(
        claims: &Value,
        feast_client_id: Option<&str>,
    ) -> Result<Identity, IdentityError> {
        let (username_claim, username) = USERNAME_CLAIMS
            .iter()
            .find_map(|name| {
                claims
                    .get(*name)
                    .and_then(Value::as_str)
                    .map(|v| (*name, v))
            })
            .ok_or(IdentityError::NoUsername)?;

        let mut feast_roles: Vec<String> = Vec::new();
        let client_roles = feast_client_id
            .map(|id| {
                strings(claims.pointer(&format!("/resource_access/{}/roles", escape_pointer(id))))
            })
            .unwrap_or_default();
        for role in client_roles.into_iter().chain(strings(claims.get("roles"))) {
            if !feast_roles.contains(&role) {
                feast_roles.push(role);
            }
        }

        Ok(Identity {
            username: username.to_string(),
            username_claim: username_claim.to_string(),
            feast_roles,
            groups: strings(claims.get("groups")),
            namespaces: Vec::new(),
            realm_roles_ignored_by_feast: strings(claims.pointer("/realm_access/roles")),
        })
    }
}

/// The string elements of a JSON array; anything else is an empty list (Feast treats a
/// missing or non-list claim as empty).
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// JSON pointer escaping for a client id used as a path segment.
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keycloak_claims() -> Value {
        json!({
            "sub": "f1c2-uuid",
            "azp": "feast-console",
            "preferred_username": "alice",
            "realm_access": { "roles": ["offline_access", "uma_authorization"] },
            "resource_access": {
                "feast": { "roles": ["feast-reader", "feast-writer"] },
                "feast-console": { "roles": ["console-admin"] }
            },
            "roles": ["feast-writer", "extra"],
            "groups": ["/dev-team", "ops"]
        })
    }

    #[test]
    fn keycloak_token_reads_as_feast_reads_it() {
        let id = Identity::from_claims(&keycloak_claims(), Some("feast")).unwrap();
        assert_eq!(id.username, "alice");
        assert_eq!(id.username_claim, "preferred_username");
        assert_eq!(id.feast_roles, ["feast-reader", "feast-writer", "extra"]);
        assert_eq!(id.groups, ["/dev-team", "ops"]);
        assert!(id.namespaces.is_empty());
        assert_eq!(
            id.realm_roles_ignored_by_feast,
            ["offline_access", "uma_authorization"]
        );
    }

    #[test]
    fn without_feast_client_id_resource_access_is_ignored() {
        let id = Identity::from_claims(&keycloak_claims(), None).unwrap();
        assert_eq!(id.feast_roles, ["feast-writer", "extra"]);
    }

    #[test]
    fn username_falls_back_in_feasts_order_and_skips_non_strings() {
        let cases = [
            (
                json!({"upn": "u@corp", "azp": "a", "sub": "s"}),
                "u@corp",
                "upn",
            ),
            (
                json!({"preferred_username": 7, "azp": "svc", "sub": "s"}),
                "svc",
                "azp",
            ),
            (json!({"appid": "app", "sub": "s"}), "app", "appid"),
            (json!({"sub": "s"}), "s", "sub"),
        ];
        for (claims, name, claim) in cases {
            let id = Identity::from_claims(&claims, Some("feast")).unwrap();
            assert_eq!(
                (id.username.as_str(), id.username_claim.as_str()),
                (name, claim),
                "{claims}"
            );
        }
        assert_eq!(
            Identity::from_claims(&json!({"email": "x@y"}), None),
            Err(IdentityError::NoUsername)
        );
    }

    #[test]
    fn malformed_lists_are_empty() {
        let claims = json!({"sub": "s", "groups": "admins", "roles": {"a": 1},
                            "resource_access": {"feast": {"roles": "r"}}, "realm_access": []});
        let id = Identity::from_claims(&claims, Some("feast")).unwrap();
        assert!(
            id.groups.is_empty()
                && id.feast_roles.is_empty()
                && id.realm_roles_ignored_by_feast.is_empty()
        );
    }

    #[test]
    fn client_ids_with_slashes_are_looked_up_literally() {
        let claims = json!({"sub": "s", "resource_access": {"a/b": {"roles": ["r"]}}});
        assert_eq!(
            Identity::from_claims(&claims, Some("a/b"))
                .unwrap()
                .feast_roles,
            ["r"]
        );
    }
}
