//! `feast.core.Permission`, the one message the console writes back, so it is declared in
//! full and read-modify-write keeps any field a newer Feast adds (see [`PermissionRecord`]).

use prost::Message;

use super::common::{ObjectMeta, Tags};
use super::wire::{self, declared};

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct Permission {
        #[prost(message, optional, tag = "1")]
        pub spec: Option<PermissionSpec>,
        #[prost(message, optional, tag = "2")]
        pub meta: Option<ObjectMeta>,
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all(deserialize = "camelCase"), default)]
    pub struct PermissionSpec {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(string, tag = "2")]
        pub project: String,
        #[prost(int32, repeated, tag = "3")]
        #[serde(
            deserialize_with = "crate::registry::proto::json::permission_types",
            serialize_with = "crate::registry::proto::json::permission_type_names"
        )]
        /// `PermissionSpec.Type`, packed; 0 (`FEATURE_VIEW`) is a real value.
        pub types: Vec<i32>,
        #[prost(string, repeated, tag = "4")]
        pub name_patterns: Vec<String>,
        #[prost(btree_map = "string, string", tag = "5")]
        pub required_tags: Tags,
        #[prost(int32, repeated, tag = "6")]
        #[serde(
            deserialize_with = "crate::registry::proto::json::authzed_actions",
            serialize_with = "crate::registry::proto::json::authzed_action_names"
        )]
        /// `PermissionSpec.AuthzedAction`, packed; 0 (`CREATE`) is a real value.
        pub actions: Vec<i32>,
        #[prost(message, optional, tag = "7")]
        /// Present but empty (bytes `3a 00`) means `AllowAll`.
        #[serde(serialize_with = "crate::registry::proto::json::policy_or_allow_all")]
        pub policy: Option<Policy>,
        #[prost(btree_map = "string, string", tag = "8")]
        pub tags: Tags,
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all(deserialize = "camelCase"), default)]
    pub struct Policy {
        #[prost(string, tag = "1")]
        #[serde(skip_serializing)]
        pub name: String,
        #[prost(string, tag = "2")]
        #[serde(skip_serializing)]
        pub project: String,
        #[prost(oneof = "PolicyType", tags = "3, 4, 5, 6")]
        #[serde(flatten)]
        pub policy_type: Option<PolicyType>,
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Oneof, serde::Deserialize, serde::Serialize)]
    pub enum PolicyType {
        #[prost(message, tag = "3")]
        #[serde(rename(deserialize = "roleBasedPolicy", serialize = "role_based_policy"))]
        RoleBased(RoleBasedPolicy),
        #[prost(message, tag = "4")]
        #[serde(rename(deserialize = "groupBasedPolicy", serialize = "group_based_policy"))]
        GroupBased(GroupBasedPolicy),
        #[prost(message, tag = "5")]
        #[serde(rename(deserialize = "namespaceBasedPolicy", serialize = "namespace_based_policy"))]
        NamespaceBased(NamespaceBasedPolicy),
        #[prost(message, tag = "6")]
        #[serde(rename(deserialize = "combinedGroupNamespacePolicy", serialize = "combined_group_namespace_policy"))]
        CombinedGroupNamespace(CombinedGroupNamespacePolicy),
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all(deserialize = "camelCase"), default)]
    pub struct RoleBasedPolicy {
        #[prost(string, repeated, tag = "1")]
        pub roles: Vec<String>,
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all(deserialize = "camelCase"), default)]
    pub struct GroupBasedPolicy {
        #[prost(string, repeated, tag = "1")]
        pub groups: Vec<String>,
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all(deserialize = "camelCase"), default)]
    pub struct NamespaceBasedPolicy {
        #[prost(string, repeated, tag = "1")]
        pub namespaces: Vec<String>,
    }
}

declared! {
    #[derive(Clone, PartialEq, prost::Message, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all(deserialize = "camelCase"), default)]
    pub struct CombinedGroupNamespacePolicy {
        #[prost(string, repeated, tag = "1")]
        pub groups: Vec<String>,
        #[prost(string, repeated, tag = "2")]
        pub namespaces: Vec<String>,
    }
}

/// A Permission as stored, plus its decoded form. Edit `message`, then [`encode`] writes the
/// edits while keeping every field of the original bytes the console does not know.
///
/// [`encode`]: PermissionRecord::encode
#[derive(Clone, Debug, PartialEq)]
pub struct PermissionRecord {
    original: Vec<u8>,
    pub message: Permission,
}

#[derive(Debug, thiserror::Error)]
pub enum PermissionCodecError {
    #[error("not a Permission: {0}")]
    Decode(#[from] prost::DecodeError),
    #[error("not a Permission: {0}")]
    Wire(#[from] wire::WireError),
}

impl PermissionRecord {
    pub fn decode(bytes: &[u8]) -> Result<PermissionRecord, PermissionCodecError> {
        let message = Permission::decode(bytes)?;
        // Validate the framing now so encode cannot fail on the original later.
        wire::fields(bytes)?;
        Ok(PermissionRecord {
            original: bytes.to_vec(),
            message,
        })
    }

    pub fn encode(&self) -> Result<Vec<u8>, PermissionCodecError> {
        let known = self.message.encode_to_vec();
        Ok(wire::merge_preserving_unknown(
            &self.original,
            &known,
            Permission::schema(),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(number: u32, wire_type: u8) -> u8 {
        (number << 3) as u8 | wire_type
    }

    /// Appends an unknown length-delimited field `number` = `text` to an encoded message.
    fn with_unknown(mut bytes: Vec<u8>, number: u32, text: &str) -> Vec<u8> {
        bytes.push(key(number, 2));
        bytes.push(text.len() as u8);
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }

    fn sample() -> Permission {
        Permission {
            spec: Some(PermissionSpec {
                name: "readers".into(),
                types: vec![0, 5],
                actions: vec![1, 4],
                name_patterns: vec!["driver_.*".into()],
                policy: Some(Policy {
                    policy_type: Some(PolicyType::RoleBased(RoleBasedPolicy {
                        roles: vec!["reader".into()],
                    })),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            meta: Some(ObjectMeta {
                created_timestamp: Some(super::super::Timestamp {
                    seconds: 1_735_689_600,
                    nanos: 5,
                }),
                last_updated_timestamp: None,
            }),
        }
    }

    #[test]
    fn unknown_fields_survive_decode_modify_encode() {
        // Unknown fields at three levels: Permission (15), PermissionSpec (12), RoleBasedPolicy (3).
        let mut p = sample();
        let role = RoleBasedPolicy {
            roles: vec!["reader".into()],
        }
        .encode_to_vec();
        let role_with_unknown = with_unknown(role, 3, "future-role-field");
        let mut policy = vec![key(3, 2), role_with_unknown.len() as u8];
        policy.extend_from_slice(&role_with_unknown);
        let spec_plain = PermissionSpec {
            policy: None,
            ..p.spec.clone().unwrap()
        }
        .encode_to_vec();
        let mut spec = spec_plain;
        spec.push(key(7, 2));
        spec.push(policy.len() as u8);
        spec.extend_from_slice(&policy);
        let spec = with_unknown(spec, 12, "future-spec-field");
        let mut original = vec![key(1, 2), spec.len() as u8];
        original.extend_from_slice(&spec);
        original.extend_from_slice(
            &Permission {
                spec: None,
                meta: p.meta.take(),
            }
            .encode_to_vec(),
        );
        let original = with_unknown(original, 15, "future-top-field");

        let mut record = PermissionRecord::decode(&original).unwrap();
        assert_eq!(record.message.spec.as_ref().unwrap().name, "readers");
        let spec = record.message.spec.as_mut().unwrap();
        spec.actions.push(0); // CREATE, value 0, must still be written
        spec.name_patterns.clear();
        let written = record.encode().unwrap();

        let again = Permission::decode(written.as_slice()).unwrap();
        assert_eq!(again.spec.as_ref().unwrap().actions, vec![1, 4, 0]);
        assert!(again.spec.as_ref().unwrap().name_patterns.is_empty());
        assert_eq!(again.meta, sample().meta);
        for needle in ["future-top-field", "future-spec-field", "future-role-field"] {
            assert!(
                written
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes()),
                "{needle} lost"
            );
        }
        // The unknown fields sit inside the right messages: decode them back level by level.
        let top = wire::fields(&written).unwrap();
        assert!(top.iter().any(|f| f.number == 15));
        let spec_bytes = top.iter().find(|f| f.number == 1).unwrap().payload.unwrap();
        let spec_fields = wire::fields(spec_bytes).unwrap();
        assert!(spec_fields.iter().any(|f| f.number == 12));
        let policy_bytes = spec_fields
            .iter()
            .find(|f| f.number == 7)
            .unwrap()
            .payload
            .unwrap();
        let role_bytes = wire::fields(policy_bytes).unwrap()[0].payload.unwrap();
        assert!(wire::fields(role_bytes)
            .unwrap()
            .iter()
            .any(|f| f.number == 3));
    }

    #[test]
    fn unmodified_record_encodes_to_equal_message() {
        let bytes = with_unknown(sample().encode_to_vec(), 15, "x");
        let record = PermissionRecord::decode(&bytes).unwrap();
        let written = record.encode().unwrap();
        assert_eq!(written.len(), bytes.len());
        assert_eq!(Permission::decode(written.as_slice()).unwrap(), sample());
    }

    #[test]
    fn allow_all_is_an_empty_policy_and_round_trips() {
        // spec { name: "open", policy: {} } as Feast writes AllowAll.
        let bytes = [0x0a, 0x08, 0x0a, 0x04, b'o', b'p', b'e', b'n', 0x3a, 0x00];
        let record = PermissionRecord::decode(&bytes).unwrap();
        let policy = record
            .message
            .spec
            .as_ref()
            .unwrap()
            .policy
            .as_ref()
            .unwrap();
        assert_eq!(policy.policy_type, None);
        assert_eq!(record.encode().unwrap(), bytes.to_vec());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(PermissionRecord::decode(&[0x0a, 0x7f, 0x01]).is_err());
        assert!(PermissionRecord::decode(&[0xff]).is_err());
    }
}

/// The console's policy for a stored `policy_type`; an empty policy is Feast's `AllowAll`.
pub fn console_policy(policy_type: Option<PolicyType>) -> app::permissions::Policy {
    use app::permissions::Policy as P;
    match policy_type {
        None => P::AllowAll,
        Some(PolicyType::RoleBased(p)) => P::RoleBased { roles: p.roles },
        Some(PolicyType::GroupBased(p)) => P::GroupBased { groups: p.groups },
        Some(PolicyType::NamespaceBased(p)) => P::NamespaceBased {
            namespaces: p.namespaces,
        },
        Some(PolicyType::CombinedGroupNamespace(p)) => P::CombinedGroupNamespace {
            groups: p.groups,
            namespaces: p.namespaces,
        },
    }
}
