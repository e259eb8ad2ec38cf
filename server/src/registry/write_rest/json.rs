//! Feast's REST JSON of a permission to and from the console's stored form: a GET's
//! `{spec, meta}` (protobuf JSON, lowerCamelCase) into a [`StoredRow`], and a spec into the
//! snake_case body of `POST /permissions`.

use app::permissions::{Action, ResourceType};
use prost::Message;
use serde_json::{json, Map, Value};

use crate::registry::proto::permission::{
    CombinedGroupNamespacePolicy, GroupBasedPolicy, NamespaceBasedPolicy, Permission,
    PermissionSpec, Policy, PolicyType, RoleBasedPolicy,
};
use crate::registry::write::model::{version_of, StoredRow, WriteError};

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn tags(v: &Value, key: &str) -> std::collections::BTreeMap<String, String> {
    v.get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Feast's JSON of one permission (`{spec, meta}`) as the stored row the editor works on.
/// Unknown type or action names are refused rather than dropped, as for SQL registries.
pub fn row_from_json(v: &Value) -> Result<StoredRow, WriteError> {
    let bad = |m: String| WriteError::Invalid(format!("the registry server's permission: {m}"));
    let spec = v.get("spec").ok_or_else(|| bad("no spec".into()))?;
    let mut types = Vec::new();
    for t in strings(spec, "types") {
        let known = ResourceType::from_name(&t).ok_or_else(|| bad(format!("unknown type {t}")))?;
        types.push(known.proto_number());
    }
    let mut actions = Vec::new();
    for a in strings(spec, "actions") {
        let known = Action::ALL
            .into_iter()
            .find(|k| k.name() == a)
            .ok_or_else(|| bad(format!("unknown action {a}")))?;
        actions.push(known.proto_number());
    }
    let policy = spec.get("policy").map(|p| {
        let policy_type = if let Some(r) = p.get("roleBasedPolicy") {
            Some(PolicyType::RoleBased(RoleBasedPolicy {
                roles: strings(r, "roles"),
            }))
        } else if let Some(g) = p.get("groupBasedPolicy") {
            Some(PolicyType::GroupBased(GroupBasedPolicy {
                groups: strings(g, "groups"),
            }))
        } else if let Some(n) = p.get("namespaceBasedPolicy") {
            Some(PolicyType::NamespaceBased(NamespaceBasedPolicy {
                namespaces: strings(n, "namespaces"),
            }))
        } else {
            p.get("combinedGroupNamespacePolicy").map(|c| {
                PolicyType::CombinedGroupNamespace(CombinedGroupNamespacePolicy {
                    groups: strings(c, "groups"),
                    namespaces: strings(c, "namespaces"),
                })
            })
        };
        Policy {
            policy_type,
            ..Policy::default()
        }
    });
    let bytes = Permission {
        spec: Some(PermissionSpec {
            name: spec["name"].as_str().unwrap_or_default().to_string(),
            project: String::new(),
            types,
            name_patterns: strings(spec, "namePatterns"),
            required_tags: tags(spec, "requiredTags"),
            actions,
            policy,
            tags: tags(spec, "tags"),
        }),
        meta: None,
    }
    .encode_to_vec();
    let stamp = |k: &str| v["meta"][k].as_str().unwrap_or_default().to_string();
    let mut versioned = bytes.clone();
    for s in [stamp("createdTimestamp"), stamp("lastUpdatedTimestamp")] {
        versioned.push(0);
        versioned.extend_from_slice(s.as_bytes());
    }
    Ok(StoredRow {
        version: version_of(&versioned),
        bytes,
        last_updated: 0,
    })
}

/// The body Feast's `POST /permissions` takes (`ApplyPermissionRequestBody`, snake_case).
pub fn apply_body(project: &str, spec: &PermissionSpec) -> Value {
    let names = |ns: &[i32], name: fn(i32) -> Option<&'static str>| -> Vec<&'static str> {
        ns.iter().filter_map(|n| name(*n)).collect()
    };
    let policy = match spec.policy.as_ref().and_then(|p| p.policy_type.as_ref()) {
        Some(PolicyType::RoleBased(p)) => json!({"role_based_policy": {"roles": p.roles}}),
        Some(PolicyType::GroupBased(p)) => json!({"group_based_policy": {"groups": p.groups}}),
        Some(PolicyType::NamespaceBased(p)) => {
            json!({"namespace_based_policy": {"namespaces": p.namespaces}})
        }
        Some(PolicyType::CombinedGroupNamespace(p)) => json!({
            "combined_group_namespace_policy": {"groups": p.groups, "namespaces": p.namespaces}
        }),
        None => Value::Object(Map::new()),
    };
    json!({
        "name": spec.name,
        "project": project,
        "types": names(&spec.types, |n| ResourceType::from_proto_number(n).map(|t| t.name())),
        "name_patterns": spec.name_patterns,
        "actions": names(&spec.actions, |n| Action::from_proto_number(n).map(|a| a.name())),
        "policy": policy,
        "tags": spec.tags,
        "required_tags": spec.required_tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_every_field() {
        let v = json!({"spec": {"name": "p", "types": ["FEATURE_VIEW", "PROJECT"],
            "namePatterns": ["driver_.*"], "requiredTags": {"team": "a"},
            "actions": ["CREATE", "DESCRIBE"], "policy": {"roleBasedPolicy": {"roles": ["r"]}},
            "tags": {"owner": "x"}},
            "meta": {"createdTimestamp": "2026-01-01T00:00:00Z", "lastUpdatedTimestamp": "2026-01-02T00:00:00Z"}});
        let row = row_from_json(&v).unwrap();
        let spec = Permission::decode(row.bytes.as_slice())
            .unwrap()
            .spec
            .unwrap();
        let body = apply_body("proj", &spec);
        assert_eq!(body["types"], json!(["FEATURE_VIEW", "PROJECT"]));
        assert_eq!(body["actions"], json!(["CREATE", "DESCRIBE"]));
        assert_eq!(
            body["policy"],
            json!({"role_based_policy": {"roles": ["r"]}})
        );
        assert_eq!(body["required_tags"], json!({"team": "a"}));
        assert_eq!(body["name_patterns"], json!(["driver_.*"]));
        // A new lastUpdatedTimestamp is a new version.
        let mut later = v.clone();
        later["meta"]["lastUpdatedTimestamp"] = json!("2026-01-03T00:00:00Z");
        assert_ne!(row_from_json(&later).unwrap().version, row.version);
    }

    #[test]
    fn unknown_names_are_refused() {
        let v = json!({"spec": {"name": "p", "types": ["NEW_THING"]}});
        assert!(row_from_json(&v).is_err());
    }
}
