//! The state of a permission audit record, and how a record whose outcome was not seen is
//! settled from what the registry holds now. Pure: the server reads the registry and the
//! console database, this decides.
//!
//! A record is written `pending` before the registry write, so a crash, a timeout or a dropped
//! request between the two cannot lose it; afterwards it becomes `committed` or `failed`, or
//! `unknown` when nobody can tell (the registry changed again since, or cannot be read).

use serde::{Deserialize, Serialize};

use super::model::PermissionSpec;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditState {
    /// Written before the registry write; its outcome is not known yet.
    Pending,
    /// The change is in the registry.
    Committed,
    /// The change was not made.
    Failed,
    /// The change may or may not have been made.
    Unknown,
}

impl AuditState {
    pub const ALL: [AuditState; 4] = [
        AuditState::Pending,
        AuditState::Committed,
        AuditState::Failed,
        AuditState::Unknown,
    ];

    /// The word stored in the database and shown on the page and in the export.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditState::Pending => "pending",
            AuditState::Committed => "committed",
            AuditState::Failed => "failed",
            AuditState::Unknown => "unknown",
        }
    }

    /// The state a stored word names; an unknown word is `Unknown` (never a guess).
    pub fn parse(word: &str) -> AuditState {
        AuditState::ALL
            .into_iter()
            .find(|s| s.as_str() == word)
            .unwrap_or(AuditState::Unknown)
    }
}

/// One permission as the registry holds it now: its version and, when the console can read
/// it, its spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Current {
    pub version: String,
    pub spec: Option<PermissionSpec>,
}

/// What a change wanted and what the registry holds now, by name.
pub struct Observed<'a> {
    /// The version the change started from (`absent` for a create).
    pub before_version: &'a str,
    /// The spec it wrote; None for a delete.
    pub after: Option<&'a PermissionSpec>,
    /// The permission the change started from (None for a create), as stored now.
    pub original_now: Option<Option<Current>>,
    /// The permission the change wrote (its new name), as stored now; for a delete the same
    /// as `original_now`.
    pub target_now: Option<Current>,
    /// Whether the change renamed the permission (`original` and target differ).
    pub renamed: bool,
}

/// Settles a change whose outcome was not seen. Every registry write moves the stored bytes
/// (Feast's update timestamp is in them), so the permission still at the version the change
/// started from means the change was not made; the permission holding the change's spec
/// means it was. Anything else (another write since, an undecodable row) is `Unknown`.
pub fn settle(o: &Observed<'_>, absent: &str) -> AuditState {
    fn version<'c>(c: &'c Option<Current>, absent: &'c str) -> &'c str {
        c.as_ref().map_or(absent, |c| c.version.as_str())
    }
    let holds_after = |c: &Option<Current>| match (c, o.after) {
        (Some(c), Some(after)) => c.spec.as_ref() == Some(after),
        (None, None) => true,
        _ => false,
    };
    let original_untouched = match &o.original_now {
        Some(orig) => version(orig, absent) == o.before_version,
        None => o.before_version == absent,
    };
    match (o.after, o.renamed) {
        // A delete: gone is done, still at the old version is not.
        (None, _) => {
            if o.target_now.is_none() {
                AuditState::Committed
            } else if original_untouched {
                AuditState::Failed
            } else {
                AuditState::Unknown
            }
        }
        // A create or an update under the same name.
        (Some(_), false) => {
            let target_untouched = version(&o.target_now, absent) == o.before_version;
            if target_untouched {
                AuditState::Failed
            } else if holds_after(&o.target_now) {
                AuditState::Committed
            } else {
                AuditState::Unknown
            }
        }
        // A rename: the new name holds the spec and the old one is gone, or nothing moved.
        (Some(_), true) => {
            let original_gone = matches!(o.original_now, Some(None));
            if o.target_now.is_none() && original_untouched {
                AuditState::Failed
            } else if holds_after(&o.target_now) && original_gone {
                AuditState::Committed
            } else {
                AuditState::Unknown
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::model::Policy;

    const ABSENT: &str = "absent";

    fn spec(role: &str) -> PermissionSpec {
        PermissionSpec {
            name: "p".into(),
            types: vec![],
            name_patterns: vec![],
            required_tags: Default::default(),
            actions: vec![],
            policy: Policy::RoleBased {
                roles: vec![role.into()],
            },
            tags: Default::default(),
        }
    }

    fn at(version: &str, role: &str) -> Option<Current> {
        Some(Current {
            version: version.into(),
            spec: Some(spec(role)),
        })
    }

    fn update(before: &str, now: Option<Current>, after: &PermissionSpec) -> AuditState {
        settle(
            &Observed {
                before_version: before,
                after: Some(after),
                original_now: Some(now.clone()),
                target_now: now,
                renamed: false,
            },
            ABSENT,
        )
    }

    #[test]
    fn words_round_trip_and_a_strange_word_is_unknown() {
        for s in AuditState::ALL {
            assert_eq!(AuditState::parse(s.as_str()), s);
        }
        assert_eq!(AuditState::parse("committed?"), AuditState::Unknown);
    }

    #[test]
    fn an_update_is_committed_failed_or_unknown_by_what_is_stored() {
        let after = spec("new");
        assert_eq!(update("v1", at("v2", "new"), &after), AuditState::Committed);
        assert_eq!(update("v1", at("v1", "old"), &after), AuditState::Failed);
        // Even a save that changed nothing but the timestamp is told apart by the version.
        assert_eq!(update("v1", at("v1", "new"), &after), AuditState::Failed);
        assert_eq!(update("v1", at("v3", "other"), &after), AuditState::Unknown);
        assert_eq!(update("v1", None, &after), AuditState::Unknown);
        let undecodable = Some(Current {
            version: "v4".into(),
            spec: None,
        });
        assert_eq!(update("v1", undecodable, &after), AuditState::Unknown);
    }

    #[test]
    fn a_create_is_failed_while_the_name_is_free() {
        let after = spec("new");
        let create = |now: Option<Current>| {
            settle(
                &Observed {
                    before_version: ABSENT,
                    after: Some(&after),
                    original_now: None,
                    target_now: now,
                    renamed: false,
                },
                ABSENT,
            )
        };
        assert_eq!(create(None), AuditState::Failed);
        assert_eq!(create(at("v1", "new")), AuditState::Committed);
        assert_eq!(create(at("v1", "someone else")), AuditState::Unknown);
    }

    #[test]
    fn a_delete_is_committed_once_gone() {
        let delete = |now: Option<Current>| {
            settle(
                &Observed {
                    before_version: "v1",
                    after: None,
                    original_now: Some(now.clone()),
                    target_now: now,
                    renamed: false,
                },
                ABSENT,
            )
        };
        assert_eq!(delete(None), AuditState::Committed);
        assert_eq!(delete(at("v1", "old")), AuditState::Failed);
        assert_eq!(delete(at("v2", "other")), AuditState::Unknown);
    }

    #[test]
    fn a_rename_moves_both_names_or_neither() {
        let after = spec("new");
        let rename = |original: Option<Current>, target: Option<Current>| {
            settle(
                &Observed {
                    before_version: "v1",
                    after: Some(&after),
                    original_now: Some(original),
                    target_now: target,
                    renamed: true,
                },
                ABSENT,
            )
        };
        assert_eq!(rename(None, at("v2", "new")), AuditState::Committed);
        assert_eq!(rename(at("v1", "old"), None), AuditState::Failed);
        assert_eq!(
            rename(at("v1", "old"), at("v2", "new")),
            AuditState::Unknown
        );
        assert_eq!(rename(None, None), AuditState::Unknown);
    }
}
