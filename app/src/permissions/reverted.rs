//! How a console save that a later change outside the console undid is shown (the audit entry,
//! its CSV and the permissions page): "reverted at T, probably by feast apply".

use crate::history::model::{millis_of, ChangeType, Reversion};
use crate::permissions::api::AuditRecord;
use crate::permissions::audit_state::AuditState;
use crate::util::time::utc_from_millis;

/// When it was seen: the time, or "between T1 and T2" when the console was not reading then.
pub fn reverted_when(r: &Reversion) -> String {
    let at = utc_from_millis(millis_of(r.observed_at));
    match r.not_before {
        Some(from) => format!("between {} and {at}", utc_from_millis(millis_of(from))),
        None => format!("at {at}"),
    }
}

/// One line, e.g. "reverted at 2026-12-03 11:00:00 UTC, probably by feast apply (deleted)".
pub fn reverted_text(r: &Reversion) -> String {
    let how = match r.change {
        ChangeType::Removed => "deleted",
        _ => "changed",
    };
    format!(
        "reverted {}, probably by feast apply ({how} outside the console)",
        reverted_when(r)
    )
}

/// The console saves that stand reverted now: per permission, its newest committed audit row
/// (`records` newest first, as the audit log lists them), when that row saved it (create or
/// update) and a later change outside the console undid it. A later console save of the same
/// permission supersedes an older reversion.
pub fn standing_reversions(records: &[AuditRecord]) -> Vec<&AuditRecord> {
    let mut seen = std::collections::BTreeSet::new();
    records
        .iter()
        .filter(|r| r.state == AuditState::Committed)
        .filter(|r| {
            seen.insert((
                r.registry.as_str(),
                r.project.as_str(),
                r.permission.as_str(),
            ))
        })
        .filter(|r| r.operation != "delete" && r.reverted.is_some())
        .collect()
}

/// The console saves of `registry`/`project` that a later change outside the console undid
/// (see [`standing_reversions`]); chosen here so a page receives only those,
/// not the audit log. Admins only, as the audit log is.
#[leptos::server(prefix = "/api/admin")]
pub async fn permission_reverted_edits(
    registry: String,
    project: String,
) -> Result<Vec<AuditRecord>, leptos::prelude::ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let backend = crate::backend::from_context::<dyn crate::permissions::api::PermissionsBackend>(
        "the audit log is not available on this server",
    )?;
    let filter = crate::permissions::api::AuditFilter {
        registry,
        project,
        limit: 500,
        ..crate::permissions::api::AuditFilter::default()
    };
    let list = match backend.audit(filter).await {
        Ok(list) => list,
        Err(e) => return Err(leptos::prelude::ServerFnError::from(e)),
    };
    Ok(standing_reversions(&list).into_iter().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::model::instant_of_millis;

    #[test]
    fn a_reversion_says_when_and_what() {
        let mut r = Reversion {
            audit_id: 7,
            history_id: 9,
            change: ChangeType::Removed,
            observed_at: instant_of_millis(1_764_759_600_000),
            not_before: None,
        };
        let text = reverted_text(&r);
        assert!(text.starts_with("reverted at 2025-12-03"), "{text}");
        assert!(text.ends_with("probably by feast apply (deleted outside the console)"));
        r.not_before = Some(instant_of_millis(1_764_756_000_000));
        r.change = ChangeType::Changed;
        let text = reverted_text(&r);
        assert!(text.starts_with("reverted between 2025-12-03"), "{text}");
        assert!(text.contains(" and 2025-12-03"), "{text}");
        assert!(text.contains("(changed outside"), "{text}");
    }

    fn record(id: i64, permission: &str, operation: &str, reverted: bool) -> AuditRecord {
        AuditRecord {
            id,
            at_ms: id,
            actor: "ada".into(),
            registry: "r".into(),
            project: "p".into(),
            permission: permission.into(),
            operation: operation.into(),
            reason: String::new(),
            before: None,
            after: None,
            before_version: String::new(),
            after_version: String::new(),
            state: AuditState::Committed,
            detail: String::new(),
            reverted: reverted.then(|| Reversion {
                audit_id: id,
                history_id: 1,
                change: ChangeType::Removed,
                observed_at: instant_of_millis(id + 1),
                not_before: None,
            }),
        }
    }

    #[test]
    fn only_the_newest_save_of_each_permission_counts() {
        let mut failed = record(6, "a", "update", true);
        failed.state = AuditState::Failed;
        let records = vec![
            failed,                          // not committed: ignored
            record(5, "a", "update", false), // saved again since: not reverted now
            record(4, "a", "create", true),
            record(3, "b", "create", true),  // reverted
            record(2, "c", "delete", false), // deleted in the console
            record(1, "c", "create", true),
        ];
        let ids: Vec<i64> = standing_reversions(&records).iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![3]);
    }
}
