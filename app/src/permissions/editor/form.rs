//! The permission editor's form as submitted (plain strings and checkboxes), turned into a
//! [`PermissionSpec`] with one clear message per wrong field. Pure, so the same rules run on
//! the server and in the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::permissions::model::{python_strip, Action, PermissionSpec, Policy, ResourceType};
use crate::permissions::pyregex;

/// Field names as the HTML form posts them (`form[name]`, `form[types][FEATURE_VIEW]`, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PermissionForm {
    #[serde(default)]
    pub registry: String,
    #[serde(default)]
    pub project: String,
    /// The permission the edit started from; empty for a create.
    #[serde(default)]
    pub original_name: String,
    /// Its version when loaded (`absent` for a create).
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub name: String,
    /// Checked type names (`FEATURE_VIEW`, ...); none checked means every type, as Feast does.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// One regular expression per line.
    #[serde(default)]
    pub name_patterns: String,
    /// `key=value`, one per line.
    #[serde(default)]
    pub required_tags: String,
    /// Checked action names and shortcuts (`ALL`, `READ`, `WRITE`, `CRUD`).
    #[serde(default)]
    pub actions: BTreeMap<String, String>,
    /// `role`, `group`, `namespace`, `group_or_namespace`.
    #[serde(default)]
    pub policy_kind: String,
    /// Comma- or newline-separated.
    #[serde(default)]
    pub roles: String,
    #[serde(default)]
    pub groups: String,
    #[serde(default)]
    pub namespaces: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub reason: String,
    /// Which button: `preview`, `save` or `delete`.
    #[serde(default)]
    pub intent: String,
}

/// A field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

pub const SHORTCUTS: [(&str, &str); 4] = [
    ("ALL", "every action"),
    ("READ", "READ_ONLINE + READ_OFFLINE"),
    ("WRITE", "WRITE_ONLINE + WRITE_OFFLINE"),
    ("CRUD", "CREATE + DESCRIBE + UPDATE + DELETE"),
];

pub const POLICY_KINDS: [(&str, &str); 4] = [
    ("role", "Roles (RoleBasedPolicy)"),
    ("group", "Groups (GroupBasedPolicy)"),
    ("namespace", "Namespaces (NamespaceBasedPolicy)"),
    (
        "group_or_namespace",
        "Groups or namespaces (CombinedGroupNamespacePolicy)",
    ),
];

fn list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn pairs(field: &str, text: &str, errors: &mut Vec<FieldError>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                if out
                    .insert(k.trim().to_string(), v.trim().to_string())
                    .is_some()
                {
                    errors.push(err(
                        field,
                        format!("line {}: key `{}` given twice", n + 1, k.trim()),
                    ));
                }
            }
            _ => errors.push(err(
                field,
                format!("line {}: `{line}` is not key=value", n + 1),
            )),
        }
    }
    out
}

fn err(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_string(),
        message,
    }
}

impl PermissionForm {
    /// The form showing `spec` (as loaded), or an empty create form.
    pub fn from_spec(
        registry: &str,
        project: &str,
        stored: Option<(&PermissionSpec, &str)>,
    ) -> Self {
        let mut form = PermissionForm {
            registry: registry.to_string(),
            project: project.to_string(),
            version: "absent".to_string(),
            policy_kind: "role".to_string(),
            ..Default::default()
        };
        let Some((spec, version)) = stored else {
            form.actions.insert("DESCRIBE".into(), "on".into());
            return form;
        };
        let on = || "on".to_string();
        form.original_name = spec.name.clone();
        form.version = version.to_string();
        form.name = spec.name.clone();
        form.types = spec
            .types
            .iter()
            .map(|t| (t.name().to_string(), on()))
            .collect();
        form.name_patterns = spec.name_patterns.join("\n");
        let kv = |m: &BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        form.required_tags = kv(&spec.required_tags);
        form.tags = kv(&spec.tags);
        form.actions = spec
            .actions
            .iter()
            .map(|a| (a.name().to_string(), on()))
            .collect();
        let (kind, roles, groups, namespaces) = match &spec.policy {
            Policy::RoleBased { roles } => ("role", roles.clone(), vec![], vec![]),
            Policy::GroupBased { groups } => ("group", vec![], groups.clone(), vec![]),
            Policy::NamespaceBased { namespaces } => {
                ("namespace", vec![], vec![], namespaces.clone())
            }
            Policy::CombinedGroupNamespace { groups, namespaces } => (
                "group_or_namespace",
                vec![],
                groups.clone(),
                namespaces.clone(),
            ),
            Policy::AllowAll => ("allow_all", vec![], vec![], vec![]),
        };
        form.policy_kind = kind.to_string();
        form.roles = roles.join(", ");
        form.groups = groups.join(", ");
        form.namespaces = namespaces.join(", ");
        form
    }

    pub fn is_create(&self) -> bool {
        self.original_name.trim().is_empty()
    }

    /// The permission this form describes, or every problem with it.
    pub fn to_spec(&self) -> Result<PermissionSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.push(err("name", "a permission needs a name".into()));
        } else if name.len() > 255 {
            errors.push(err(
                "name",
                "at most 255 characters (the registry's column size)".into(),
            ));
        }
        let mut types = Vec::new();
        for t in self.types.keys() {
            match ResourceType::from_name(t) {
                Some(t) => types.push(t),
                None => errors.push(err("types", format!("unknown type `{t}`"))),
            }
        }
        // Feast stores "no types" as the explicit list of all of them.
        if types.is_empty() {
            types = ResourceType::ALL.to_vec();
        }
        types.sort_by_key(|t| t.proto_number());
        let name_patterns: Vec<String> = self
            .name_patterns
            .lines()
            .map(|l| python_strip(l).to_string())
            .filter(|l| !l.is_empty())
            .collect();
        for p in &name_patterns {
            // Feast does not check patterns on apply; a broken one fails every request later.
            let compiled = pyregex::NamePattern::compile(p);
            if let Some(e) = compiled.python_error() {
                errors.push(err(
                    "name_patterns",
                    format!("`{p}`: Python cannot compile it ({})", e.message),
                ));
            } else if let Some(limit) = compiled.beyond_limits() {
                // The pattern itself may be huge: the message shows its start only.
                let start: String = p.chars().take(40).collect();
                errors.push(err(
                    "name_patterns",
                    format!("`{start}…` {limit}: the console could not tell whom it concerns"),
                ));
            }
        }
        let required_tags = pairs("required_tags", &self.required_tags, &mut errors);
        let tags = pairs("tags", &self.tags, &mut errors);
        let mut actions: Vec<Action> = Vec::new();
        for a in self.actions.keys() {
            match Action::parse_with_aliases(a) {
                Some(v) => actions.extend(v),
                None => errors.push(err("actions", format!("unknown action `{a}`"))),
            }
        }
        actions.sort_by_key(|a| a.proto_number());
        actions.dedup();
        if actions.is_empty() {
            errors.push(err(
                "actions",
                "choose at least one action (Feast refuses an empty list)".into(),
            ));
        }
        let (roles, groups, namespaces) = (
            list(&self.roles),
            list(&self.groups),
            list(&self.namespaces),
        );
        let policy = match self.policy_kind.as_str() {
            "role" => Policy::RoleBased { roles },
            "group" => Policy::GroupBased { groups },
            "namespace" => Policy::NamespaceBased { namespaces },
            "group_or_namespace" => Policy::CombinedGroupNamespace { groups, namespaces },
            "allow_all" => {
                errors.push(err(
                    "policy_kind",
                    "AllowAll cannot be saved: Feast 0.67 cannot read it back, which breaks listing permissions for the whole project".into(),
                ));
                Policy::AllowAll
            }
            other => {
                errors.push(err("policy_kind", format!("unknown policy kind `{other}`")));
                Policy::AllowAll
            }
        };
        if policy.never_grants() && !matches!(policy, Policy::AllowAll) {
            errors.push(err(
                "policy_kind",
                format!(
                    "{}: an empty list never grants anyone; name at least one value",
                    policy.describe()
                ),
            ));
        }
        if errors.is_empty() {
            Ok(PermissionSpec {
                name,
                types,
                name_patterns,
                required_tags,
                actions,
                policy,
                tags,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests;
