//! Demo users for development mode (no identity provider): pick one in the header to see
//! what each kind of user may see. Never used when an identity provider is configured.

use super::{identity::Identity, roles::ConsoleRole};

pub struct DemoUser {
    /// Value of the picker and of the `fc_demo_user` cookie.
    pub id: &'static str,
    pub role: Option<ConsoleRole>,
    pub feast_roles: &'static [&'static str],
    pub groups: &'static [&'static str],
    pub namespaces: &'static [&'static str],
}

/// The first one is who you are until you pick another: an admin, so every area is open.
pub const DEMO_USERS: [DemoUser; 4] = [
    DemoUser {
        id: "ada-admin",
        role: Some(ConsoleRole::Admin),
        feast_roles: &["feast-admin", "catalog-reader"],
        groups: &["/platform"],
        namespaces: &[],
    },
    DemoUser {
        id: "sam-sre",
        role: Some(ConsoleRole::Sre),
        feast_roles: &["feast-reader", "catalog-reader"],
        groups: &["/sre"],
        namespaces: &["feast"],
    },
    DemoUser {
        id: "vic-viewer",
        role: Some(ConsoleRole::Viewer),
        feast_roles: &["feast-reader", "ranking-team"],
        groups: &["/team-a"],
        namespaces: &["team-a"],
    },
    DemoUser {
        id: "nora-no-role",
        role: None,
        feast_roles: &[],
        groups: &["/guests"],
        namespaces: &[],
    },
];

impl DemoUser {
    pub fn find(id: &str) -> Option<&'static DemoUser> {
        DEMO_USERS.iter().find(|u| u.id == id)
    }

    pub fn default_user() -> &'static DemoUser {
        &DEMO_USERS[0]
    }

    pub fn identity(&self) -> Identity {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Identity {
            username: self.id.to_string(),
            username_claim: "preferred_username".to_string(),
            feast_roles: list(self.feast_roles),
            groups: list(self.groups),
            namespaces: list(self.namespaces),
            realm_roles_ignored_by_feast: Vec::new(),
        }
    }

    pub fn label(&self) -> String {
        format!(
            "{} ({})",
            self.id,
            self.role
                .map(ConsoleRole::name)
                .unwrap_or("no console role")
        )
    }
}
