//! How a console save that a later change outside the console undid is shown (the audit entry,
//! its CSV and the permissions page): "reverted at T, probably by feast apply".

use crate::history::model::{millis_of, ChangeType, Reversion};
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
}
