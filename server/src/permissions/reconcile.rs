//! Settles permission audit records a console process left `pending` when it died between
//! writing the record and settling it (killed, out of memory, its machine gone). Run once at
//! start-up by the lease holder ([`run`], task `audit_reconcile`): each such record is compared
//! with what its registry holds now (`super::store::state_now`) and marked committed, failed or
//! unknown.
//!
//! Only records written before this process started by another process are taken. Should one
//! belong to a replica that is still writing it, that replica's own settling comes later and
//! overwrites this one (`super::audit::settle`), so the record still ends with its writer's
//! answer.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use app::backend::error_chain;
use app::permissions::audit_state::AuditState;

use super::audit::{self, Pending, Settled};
use crate::backoff::Backoff;
use crate::db::ConsoleDb;
use crate::lease::Leadership;
use crate::registry::write::PermissionWriter;
use crate::registry::RegistrySource;

/// Records settled per pass, at most (the rest wait for the next pass).
const BATCH: i64 = 10_000;
/// Passes before records whose registry cannot be read are marked unknown.
const ATTEMPTS: u32 = 6;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub committed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Left pending: their registry could not be read (tried again on a later pass).
    pub left: usize,
}

impl Report {
    fn count(&mut self, state: AuditState) {
        match state {
            AuditState::Committed => self.committed += 1,
            AuditState::Failed => self.failed += 1,
            AuditState::Unknown | AuditState::Pending => self.unknown += 1,
        }
    }
}

/// A writer per registry, opened on first use with the console's own token (REST).
struct Writers<'a> {
    sources: &'a [RegistrySource],
    open: HashMap<String, PermissionWriter>,
}

impl Writers<'_> {
    async fn get(&mut self, registry: &str) -> Result<PermissionWriter, String> {
        if let Some(w) = self.open.get(registry) {
            return Ok(w.clone());
        }
        let source = self
            .sources
            .iter()
            .find(|s| s.name == registry)
            .ok_or_else(|| format!("the console no longer reads a registry named `{registry}`"))?;
        // The console's own token (a value, or the file's current content).
        let token = source
            .token
            .as_ref()
            .map(|t| t.read())
            .transpose()
            .map_err(|e| error_chain(&e))?;
        let writer = PermissionWriter::open(source)
            .await
            .map_err(|e| error_chain(&e))?
            .with_token(token);
        self.open.insert(registry.to_string(), writer.clone());
        Ok(writer)
    }
}

/// What the registry shows for `p` now; Err: it cannot be read (why).
async fn state_of(writers: &mut Writers<'_>, p: &Pending) -> Result<(AuditState, String), String> {
    let writer = writers.get(&p.registry).await?;
    super::store::state_now(
        &writer,
        &p.project,
        &p.permission,
        p.original.as_deref(),
        &p.before_version,
        p.after.as_ref(),
    )
    .await
    .map_err(|e| error_chain(&e))
}

/// One pass over the records other processes left pending before `started_ms`. With
/// `last_try`, a record whose registry cannot be read is marked unknown instead of left.
pub async fn pass(
    db: &ConsoleDb,
    sources: &[RegistrySource],
    me: &str,
    started_ms: i64,
    last_try: bool,
) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    let mut writers = Writers {
        sources,
        open: HashMap::new(),
    };
    for p in audit::pending(db, me, started_ms, BATCH).await? {
        let (state, version, detail) = match state_of(&mut writers, &p).await {
            Ok((state, version)) => {
                let what = match state {
                    AuditState::Committed => "the registry holds the change",
                    AuditState::Failed => "the registry does not hold the change",
                    _ => "the registry changed since, so whether this change was made cannot be told",
                };
                let detail = format!(
                    "left pending by console process {}; reconciled at start-up: {what}",
                    p.replica
                );
                (state, (state == AuditState::Committed).then_some(version), detail)
            }
            Err(why) if last_try => (
                AuditState::Unknown,
                None,
                format!("left pending by console process {}; the registry could not be read to reconcile it: {why}", p.replica),
            ),
            Err(why) => {
                tracing::info!(record = p.id, registry = %p.registry, reason = %why, "cannot reconcile a pending audit record yet");
                report.left += 1;
                continue;
            }
        };
        audit::settle(
            db,
            p.id,
            Settled {
                state,
                after_version: version.as_deref(),
                detail: &detail,
                reconciled: true,
            },
        )
        .await?;
        report.count(state);
    }
    Ok(report)
}

/// Waits until this replica leads, then settles what other processes left pending, trying
/// again (1 s, doubling to 60 s) while registries cannot be read, [`ATTEMPTS`] times in all.
pub async fn run(db: ConsoleDb, sources: Vec<RegistrySource>, mut leadership: Leadership) {
    let started_ms = crate::clock::unix_millis(SystemTime::now());
    leadership.until_leader().await;
    let me = crate::lease::this_process();
    let backoff = Backoff::new(Duration::from_secs(60));
    for attempt in 1..=ATTEMPTS {
        match pass(&db, &sources, me, started_ms, attempt == ATTEMPTS).await {
            Ok(r) => {
                if r != Report::default() {
                    tracing::info!(
                        committed = r.committed,
                        failed = r.failed,
                        unknown = r.unknown,
                        left = r.left,
                        "reconciled permission audit records left pending"
                    );
                }
                if r.left == 0 {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %error_chain(&e), "cannot reconcile pending permission audit records")
            }
        }
        tokio::time::sleep(backoff.delay(attempt)).await;
    }
}
