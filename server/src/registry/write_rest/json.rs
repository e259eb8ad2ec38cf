//! Feast's REST JSON of a permission to and from the console's stored form: a GET's
//! `{spec, meta}` (protobuf JSON, lowerCamelCase) into a [`StoredRow`], and a spec into the
//! snake_case body of `POST /permissions`.

use app::permissions::{Action, ResourceType};
use prost::Message;
use serde::Deserialize;
use serde_json::Value;

use crate::registry::proto::{
    names,
    permission::{Permission, PermissionSpec},
};
use crate::registry::write::model::{version_of, StoredRow, WriteError};

/// Feast's JSON of one permission (`{spec, meta}`) as the stored row the editor works on.
/// Unknown type or action names are refused rather than dropped, as for SQL registries.
pub fn row_from_json(v: &Value) -> Result<StoredRow, WriteError> {
    let bad = |m: String| WriteError::Invalid(format!("the registry server's permission: {m}"));
    let permission = Permission::deserialize(v).map_err(|e| bad(e.to_string()))?;
    let mut spec = permission.spec.ok_or_else(|| bad("no spec".into()))?;
    if let Some(t) = spec
        .types
        .iter()
        .find(|t| ResourceType::from_proto_number(**t).is_none())
    {
        return Err(bad(format!("unknown type {}", names::permission_type(*t))));
    }
    if let Some(a) = spec
        .actions
        .iter()
        .find(|a| Action::from_proto_number(**a).is_none())
    {
        return Err(bad(format!("unknown action {}", names::authzed_action(*a))));
    }
    // The SQL registry's form: the project is the row's, not the spec's.
    spec.project.clear();
    let bytes = Permission {
        spec: Some(spec.clone()),
        meta: None,
    }
    .encode_to_vec();
    // Feast moves lastUpdatedTimestamp on every change, so the meta is part of the version.
    let versioned = Permission {
        spec: Some(spec),
        meta: permission.meta,
    }
    .encode_to_vec();
    Ok(StoredRow {
        version: version_of(&versioned),
        bytes,
        last_updated: 0,
    })
}

/// The body Feast's `POST /permissions` takes (`ApplyPermissionRequestBody`): the spec's own
/// field names (snake_case), types and actions by name, and `{}` for no policy.
pub fn apply_body(project: &str, spec: &PermissionSpec) -> Value {
    let spec = PermissionSpec {
        project: project.to_string(),
        ..spec.clone()
    };
    // Cannot fail: every map in a spec has string keys.
    serde_json::to_value(spec).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
