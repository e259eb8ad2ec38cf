//! The change model: one object's change between two states of a registry, and the recorded
//! history entries the console keeps of them.

use serde::{Deserialize, Serialize};

use crate::catalog::model::{CatalogObject, ObjectKind};
use crate::util::time::Instant;

/// How an object differs between the state before and the state after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    Added,
    Removed,
    Changed,
}

impl ChangeType {
    pub const ALL: [ChangeType; 3] = [ChangeType::Added, ChangeType::Removed, ChangeType::Changed];

    /// The snake_case name used in URLs, exports and the console database.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "added",
            ChangeType::Removed => "removed",
            ChangeType::Changed => "changed",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeType> {
        ChangeType::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One field that differs, by the path a person reads (`owner`, `tags.team`,
/// `features[conv_rate].dtype`, `features[+acc_rate]`, `entities`). `None` is "absent"
/// (a list member or map key added or removed); values are short display strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One object that differs between two states: added, removed, or changed in `fields`
/// (empty for added and removed objects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectChange {
    pub kind: ObjectKind,
    pub project: String,
    pub name: String,
    pub change: ChangeType,
    pub fields: Vec<FieldChange>,
}

/// One recorded change of one registry, as the console database keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Increasing in recording order (keyset paging goes by it).
    pub id: i64,
    /// The configured registry name.
    pub registry: String,
    pub change: ObjectChange,
    /// The object after the change, or before it when it was removed: what visibility decides on.
    pub object: CatalogObject,
    /// When the snapshot that saw the change was read.
    pub observed_at: Instant,
    /// Set when the exact time is unknown (the first snapshot after the console was down):
    /// the change happened between `not_before` and `observed_at`.
    pub not_before: Option<Instant>,
    /// The registry row's own `last_updated_timestamp` (Feast's; absent for removals).
    pub row_updated: Option<Instant>,
    /// The console editor's audit row this change came from, if any.
    pub audit_id: Option<i64>,
    /// Who saved it in the console (from the audit row); None means "outside the console".
    pub actor: Option<String>,
    /// A change outside the console that undid this audit row's saved permission
    /// ("reverted at T, probably by feast apply").
    pub reverts_audit: Option<i64>,
}

impl HistoryEntry {
    /// Whether the change was made through the console's editor.
    pub fn from_console(&self) -> bool {
        self.audit_id.is_some()
    }
}

/// What a timeline shows: one registry, optionally narrowed. `since` is inclusive, `until`
/// exclusive, both on `observed_at`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub registry: String,
    pub project: Option<String>,
    pub kind: Option<ObjectKind>,
    pub name: Option<String>,
    pub change: Option<ChangeType>,
    pub since: Option<Instant>,
    pub until: Option<Instant>,
}

impl HistoryFilter {
    pub fn registry(registry: &str) -> HistoryFilter {
        HistoryFilter {
            registry: registry.to_string(),
            ..HistoryFilter::default()
        }
    }
}

/// One page of a timeline, newest first. `next_before_id` asks for the next (older) page:
/// pass it as `before_id`; None when this is the last page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next_before_id: Option<i64>,
}

/// A change outside the console that undid a permission saved in the console's editor: what
/// the permissions page and the audit entry show as "reverted at T, probably by feast apply".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversion {
    /// The audit row whose saved permission was undone.
    pub audit_id: i64,
    /// The history entry of the change that undid it.
    pub history_id: i64,
    /// Removed, or Changed.
    pub change: ChangeType,
    /// When the console saw it ("between `not_before` and `observed_at`" when set).
    pub observed_at: Instant,
    pub not_before: Option<Instant>,
}

/// Unix milliseconds (how the console database keeps times) as an [`Instant`].
pub fn instant_of_millis(ms: i64) -> Instant {
    Instant {
        seconds: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) as u32) * 1_000_000,
    }
}

/// An [`Instant`] as Unix milliseconds (finer parts dropped).
pub fn millis_of(at: Instant) -> i64 {
    at.seconds
        .saturating_mul(1000)
        .saturating_add(i64::from(at.nanos / 1_000_000))
}
