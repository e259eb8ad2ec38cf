//! Which console edit a recorded permission change came from, and which console edit a change
//! from outside the console undid (`feast apply` of a repository without the permission).

use serde::{Deserialize, Serialize};

use crate::catalog::model::ObjectKind;
use crate::history::model::{ChangeType, ObjectChange};

/// A committed row of the permission editor's audit log, as the recorder matches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSave {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub project: String,
    /// The permission written (its new name for a rename).
    pub permission: String,
    /// The permission the edit started from (None for a create).
    pub original: Option<String>,
    /// `create`, `update` or `delete`.
    pub operation: String,
}

impl AuditSave {
    /// Whether this edit makes `change`: same project, and a create adds (or changes) the
    /// permission, an update changes it (or, renaming, adds the new name and removes the old
    /// one), a delete removes it.
    pub fn explains(&self, change: &ObjectChange) -> bool {
        if change.kind != ObjectKind::Permission || change.project != self.project {
            return false;
        }
        let written = change.name == self.permission;
        let renamed_from = self
            .original
            .as_deref()
            .is_some_and(|o| o != self.permission && o == change.name);
        match (self.operation.as_str(), change.change) {
            ("create", ChangeType::Added | ChangeType::Changed) => written,
            ("update", ChangeType::Added | ChangeType::Changed) => written,
            ("update", ChangeType::Removed) => renamed_from,
            ("delete", ChangeType::Removed) => written,
            _ => false,
        }
    }
}

/// The audit row `change` came from: the newest of `saves` that explains it.
pub fn audit_of<'a>(change: &ObjectChange, saves: &'a [AuditSave]) -> Option<&'a AuditSave> {
    saves
        .iter()
        .filter(|s| s.explains(change))
        .max_by_key(|s| s.id)
}

/// The object's previous recorded change, as revert detection needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreviousChange {
    pub change: ChangeType,
    pub audit_id: Option<i64>,
}

/// The console edit a change from outside the console undid: the permission's previous
/// recorded change was that edit saving it (added or changed in the console), and this change,
/// not from the console, removes or changes it.
pub fn reverted_audit(
    change: &ObjectChange,
    from_console: bool,
    previous: Option<PreviousChange>,
) -> Option<i64> {
    if from_console || change.kind != ObjectKind::Permission || change.change == ChangeType::Added {
        return None;
    }
    let previous = previous?;
    match previous.change {
        ChangeType::Added | ChangeType::Changed => previous.audit_id,
        ChangeType::Removed => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(name: &str, change: ChangeType) -> ObjectChange {
        ObjectChange {
            kind: ObjectKind::Permission,
            project: "p".into(),
            name: name.into(),
            change,
            fields: vec![],
        }
    }

    fn save(id: i64, operation: &str, permission: &str, original: Option<&str>) -> AuditSave {
        AuditSave {
            id,
            at_ms: id * 1000,
            actor: format!("user{id}"),
            project: "p".into(),
            permission: permission.into(),
            original: original.map(str::to_string),
            operation: operation.into(),
        }
    }

    #[test]
    fn edits_explain_the_changes_they_make() {
        let saves = vec![
            save(1, "create", "a", None),
            save(2, "update", "b2", Some("b")),
            save(3, "delete", "c", Some("c")),
            save(4, "update", "a", Some("a")),
        ];
        let id = |c: &ObjectChange| audit_of(c, &saves).map(|s| s.id);
        // The newest edit of `a` wins.
        assert_eq!(id(&change("a", ChangeType::Changed)), Some(4));
        assert_eq!(id(&change("a", ChangeType::Added)), Some(4));
        // A rename adds the new name and removes the old one.
        assert_eq!(id(&change("b2", ChangeType::Added)), Some(2));
        assert_eq!(id(&change("b", ChangeType::Removed)), Some(2));
        assert_eq!(id(&change("b", ChangeType::Added)), None);
        assert_eq!(id(&change("c", ChangeType::Removed)), Some(3));
        assert_eq!(id(&change("c", ChangeType::Changed)), None);
        assert_eq!(id(&change("other", ChangeType::Changed)), None);
        let mut elsewhere = change("a", ChangeType::Changed);
        elsewhere.project = "q".into();
        assert_eq!(id(&elsewhere), None);
        elsewhere.project = "p".into();
        elsewhere.kind = ObjectKind::FeatureView;
        assert_eq!(id(&elsewhere), None);
    }

    #[test]
    fn outside_changes_after_a_console_save_revert_it() {
        let saved = Some(PreviousChange {
            change: ChangeType::Added,
            audit_id: Some(7),
        });
        let removed = change("a", ChangeType::Removed);
        assert_eq!(reverted_audit(&removed, false, saved), Some(7));
        assert_eq!(
            reverted_audit(&change("a", ChangeType::Changed), false, saved),
            Some(7)
        );
        // From the console itself, or after a change from outside: no revert.
        assert_eq!(reverted_audit(&removed, true, saved), None);
        let outside = Some(PreviousChange {
            change: ChangeType::Changed,
            audit_id: None,
        });
        assert_eq!(reverted_audit(&removed, false, outside), None);
        assert_eq!(reverted_audit(&removed, false, None), None);
        // Deleted in the console, then re-added outside: an addition reverts nothing.
        let deleted = Some(PreviousChange {
            change: ChangeType::Removed,
            audit_id: Some(8),
        });
        assert_eq!(
            reverted_audit(&change("a", ChangeType::Added), false, deleted),
            None
        );
        assert_eq!(reverted_audit(&removed, false, deleted), None);
    }
}
