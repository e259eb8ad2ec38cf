//! The data Feast's permission check works on: permissions, resources, users, actions and types.
//!
//! Names and enum spellings follow Feast's proto (`PermissionSpec.Type`, `AuthzedAction`) so JSON
//! written by Feast users reads naturally, and the proto numbers are kept next to each value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `proto_number` and `from_proto_number` inside the `impl` of a fieldless enum whose `ALL` lists
/// every variant in proto number order, starting at 0.
macro_rules! proto_numbers {
    () => {
        pub fn proto_number(self) -> i32 {
            self as i32
        }

        pub fn from_proto_number(n: i32) -> Option<Self> {
            Self::ALL.get(usize::try_from(n).ok()?).copied()
        }
    };
}

/// `PermissionSpec.Type`: the Python class a permission protects, named the way Feast stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResourceType {
    FeatureView,
    OnDemandFeatureView,
    BatchFeatureView,
    StreamFeatureView,
    Entity,
    FeatureService,
    DataSource,
    ValidationReference,
    SavedDataset,
    Permission,
    Project,
    LabelView,
}

impl ResourceType {
    /// Every type, in proto number order (what Feast stores when `types` is left empty).
    pub const ALL: [ResourceType; 12] = [
        ResourceType::FeatureView,
        ResourceType::OnDemandFeatureView,
        ResourceType::BatchFeatureView,
        ResourceType::StreamFeatureView,
        ResourceType::Entity,
        ResourceType::FeatureService,
        ResourceType::DataSource,
        ResourceType::ValidationReference,
        ResourceType::SavedDataset,
        ResourceType::Permission,
        ResourceType::Project,
        ResourceType::LabelView,
    ];

    proto_numbers!();

    /// The proto enum name, e.g. `BATCH_FEATURE_VIEW`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::FeatureView => "FEATURE_VIEW",
            ResourceType::OnDemandFeatureView => "ON_DEMAND_FEATURE_VIEW",
            ResourceType::BatchFeatureView => "BATCH_FEATURE_VIEW",
            ResourceType::StreamFeatureView => "STREAM_FEATURE_VIEW",
            ResourceType::Entity => "ENTITY",
            ResourceType::FeatureService => "FEATURE_SERVICE",
            ResourceType::DataSource => "DATA_SOURCE",
            ResourceType::ValidationReference => "VALIDATION_REFERENCE",
            ResourceType::SavedDataset => "SAVED_DATASET",
            ResourceType::Permission => "PERMISSION",
            ResourceType::Project => "PROJECT",
            ResourceType::LabelView => "LABEL_VIEW",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The Python class name Feast uses in messages, e.g. `BatchFeatureView`.
    pub fn class_name(self) -> &'static str {
        match self {
            ResourceType::FeatureView => "FeatureView",
            ResourceType::OnDemandFeatureView => "OnDemandFeatureView",
            ResourceType::BatchFeatureView => "BatchFeatureView",
            ResourceType::StreamFeatureView => "StreamFeatureView",
            ResourceType::Entity => "Entity",
            ResourceType::FeatureService => "FeatureService",
            ResourceType::DataSource => "DataSource",
            ResourceType::ValidationReference => "ValidationReference",
            ResourceType::SavedDataset => "SavedDataset",
            ResourceType::Permission => "Permission",
            ResourceType::Project => "Project",
            ResourceType::LabelView => "LabelView",
        }
    }

    /// Whether a permission listing `self` protects an object of class `object_type`: Feast uses
    /// `isinstance`, and only batch and stream views subclass `FeatureView` (on-demand and label
    /// views subclass `BaseFeatureView`, which is not a permission type). Every source class
    /// (`FileSource`, `KafkaSource`, ...) is a `DataSource`, so sources are one type here.
    pub fn covers(self, object_type: ResourceType) -> bool {
        self == object_type
            || (self == ResourceType::FeatureView
                && matches!(
                    object_type,
                    ResourceType::BatchFeatureView | ResourceType::StreamFeatureView
                ))
    }
}

/// `PermissionSpec.AuthzedAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    Create,
    Describe,
    Update,
    Delete,
    ReadOnline,
    ReadOffline,
    WriteOnline,
    WriteOffline,
}

impl Action {
    /// Feast's `ALL_ACTIONS`, in proto number order.
    pub const ALL: [Action; 8] = [
        Action::Create,
        Action::Describe,
        Action::Update,
        Action::Delete,
        Action::ReadOnline,
        Action::ReadOffline,
        Action::WriteOnline,
        Action::WriteOffline,
    ];

    /// What Feast's registry server requests to update an existing object: both together.
    pub const UPDATE_REQUEST: [Action; 2] = [Action::Describe, Action::Update];

    proto_numbers!();

    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "CREATE",
            Action::Describe => "DESCRIBE",
            Action::Update => "UPDATE",
            Action::Delete => "DELETE",
            Action::ReadOnline => "READ_ONLINE",
            Action::ReadOffline => "READ_OFFLINE",
            Action::WriteOnline => "WRITE_ONLINE",
            Action::WriteOffline => "WRITE_OFFLINE",
        }
    }

    /// A single action name, or one of Feast's aliases (`ALL`, `READ`, `WRITE`, `CRUD`), which
    /// Feast stores expanded.
    pub fn parse_with_aliases(name: &str) -> Option<Vec<Action>> {
        use Action::*;
        match name {
            "ALL" | "ALL_ACTIONS" => Some(Action::ALL.to_vec()),
            "READ" => Some(vec![ReadOffline, ReadOnline]),
            "WRITE" => Some(vec![WriteOffline, WriteOnline]),
            "CRUD" => Some(vec![Create, Describe, Update, Delete]),
            _ => Action::ALL
                .into_iter()
                .find(|a| a.name() == name)
                .map(|a| vec![a]),
        }
    }

    /// Position in a bit set of actions.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Who a permission grants to (`feast.core.Policy`, oneof `policy_type`). Membership tests are
/// exact, case-sensitive string comparisons, as in `feast.permissions.user.User`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Policy {
    RoleBased {
        roles: Vec<String>,
    },
    GroupBased {
        groups: Vec<String>,
    },
    NamespaceBased {
        namespaces: Vec<String>,
    },
    /// Grants on a group match OR a namespace match.
    CombinedGroupNamespace {
        groups: Vec<String>,
        namespaces: Vec<String>,
    },
    /// Feast's default policy. Stored as an empty `Policy{}`, which Feast 0.67 cannot read back.
    AllowAll,
}

impl Policy {
    /// Feast's `Policy.validate_user`: whether this policy grants to `user`.
    pub fn grants(&self, user: &User) -> bool {
        let any_in = |wanted: &[String], have: &[String]| wanted.iter().any(|w| have.contains(w));
        match self {
            Policy::RoleBased { roles } => any_in(roles, &user.roles),
            Policy::GroupBased { groups } => any_in(groups, &user.groups),
            Policy::NamespaceBased { namespaces } => any_in(namespaces, &user.namespaces),
            Policy::CombinedGroupNamespace { groups, namespaces } => {
                any_in(groups, &user.groups) || any_in(namespaces, &user.namespaces)
            }
            Policy::AllowAll => true,
        }
    }

    /// True when the policy's value lists are all empty, so it can never grant.
    pub fn never_grants(&self) -> bool {
        match self {
            Policy::RoleBased { roles } => roles.is_empty(),
            Policy::GroupBased { groups } => groups.is_empty(),
            Policy::NamespaceBased { namespaces } => namespaces.is_empty(),
            Policy::CombinedGroupNamespace { groups, namespaces } => {
                groups.is_empty() && namespaces.is_empty()
            }
            Policy::AllowAll => false,
        }
    }

    /// A short human description, e.g. `roles [admin, ops]`.
    pub fn describe(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        match self {
            Policy::RoleBased { roles } => format!("roles [{}]", list(roles)),
            Policy::GroupBased { groups } => format!("groups [{}]", list(groups)),
            Policy::NamespaceBased { namespaces } => format!("namespaces [{}]", list(namespaces)),
            Policy::CombinedGroupNamespace { groups, namespaces } => {
                format!(
                    "groups [{}] or namespaces [{}]",
                    list(groups),
                    list(namespaces)
                )
            }
            Policy::AllowAll => "everyone (AllowAll)".to_string(),
        }
    }
}

/// A Feast `Permission` as stored (`PermissionSpec`). Values are taken as given; the evaluator
/// applies the normalisation Feast's constructor applies (stripping patterns and tags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSpec {
    pub name: String,
    /// Empty means every type, as Feast's constructor does.
    #[serde(default)]
    pub types: Vec<ResourceType>,
    #[serde(default)]
    pub name_patterns: Vec<String>,
    #[serde(default)]
    pub required_tags: BTreeMap<String, String>,
    /// Also accepts Feast's aliases (`ALL`, `READ`, `WRITE`, `CRUD`) when read, stored expanded.
    #[serde(deserialize_with = "actions_with_aliases")]
    pub actions: Vec<Action>,
    pub policy: Policy,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl PermissionSpec {
    /// The types this permission protects, with Feast's "empty means all" rule applied.
    pub fn effective_types(&self) -> &[ResourceType] {
        if self.types.is_empty() {
            &ResourceType::ALL
        } else {
            &self.types
        }
    }

    pub fn covers_type(&self, object_type: ResourceType) -> bool {
        self.effective_types().iter().any(|t| t.covers(object_type))
    }

    pub fn lists_all(&self, actions: &[Action]) -> bool {
        actions.iter().all(|a| self.actions.contains(a))
    }
}

fn actions_with_aliases<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Action>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    let mut out = Vec::new();
    for name in names {
        let expanded = Action::parse_with_aliases(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown action {name:?} (expected one of CREATE, DESCRIBE, UPDATE, DELETE, READ_ONLINE, \
                 READ_OFFLINE, WRITE_ONLINE, WRITE_OFFLINE, or ALL, READ, WRITE, CRUD)"
            ))
        })?;
        out.extend(expanded);
    }
    Ok(out)
}

/// A registry object as Feast's check sees it: its class, its name and, for Permission objects
/// only, their own `required_tags` (the one place Feast's tag filter looks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    pub name: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Only meaningful when `resource_type` is `PERMISSION`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub required_tags: BTreeMap<String, String>,
}

impl Resource {
    pub fn new(resource_type: ResourceType, name: impl Into<String>) -> Self {
        Resource {
            resource_type,
            name: name.into(),
            tags: BTreeMap::new(),
            required_tags: BTreeMap::new(),
        }
    }

    pub fn with_tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.to_string(), value.to_string());
        self
    }

    /// The object a permission is, when permissions themselves are protected.
    pub fn of_permission(p: &PermissionSpec) -> Self {
        Resource {
            resource_type: ResourceType::Permission,
            name: p.name.clone(),
            tags: p.tags.clone(),
            required_tags: p.required_tags.clone(),
        }
    }
}

/// The caller as Feast's token parsers build it (`feast.permissions.user.User`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
}

impl User {
    pub fn named(username: &str) -> Self {
        User {
            username: username.to_string(),
            ..User::default()
        }
    }
    pub fn with_roles(mut self, roles: &[&str]) -> Self {
        self.roles = roles.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn with_groups(mut self, groups: &[&str]) -> Self {
        self.groups = groups.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn with_namespaces(mut self, namespaces: &[&str]) -> Self {
        self.namespaces = namespaces.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// Python's `str.strip()` with no argument: it strips what `str.isspace` accepts, which is
/// Unicode `White_Space` plus the ASCII separators U+001C..U+001F.
pub fn python_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Feast's `_normalize_tags`: keys and values stripped (later keys win on a clash, as in the
/// Python dict comprehension over an insertion-ordered dict).
pub fn normalize_tags(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter()
        .map(|(k, v)| (python_strip(k).to_string(), python_strip(v).to_string()))
        .collect()
}

/// One project of one registry, as the views evaluate it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectData {
    pub registry: String,
    pub project: String,
    /// In the order the registry returned them.
    pub permissions: Vec<PermissionSpec>,
    /// Every object of the project except the permissions, the project itself included.
    pub objects: Vec<Resource>,
    /// Permissions that could not be read, unknown names dropped.
    pub notes: Vec<String>,
}
