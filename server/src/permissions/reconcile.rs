//! Settles permission audit records a console process left `pending` when it died between
//! writing the record and settling it (killed, out of memory, its machine gone). The lease
//! holder runs it ([`run`], task `audit_reconcile`): at once when it starts leading, for every
//! record another process wrote before this one started, and then every minute for records
//! another process has left pending longer than any save takes ([`Timing::stale`]), so a
//! replica that dies while another leads is reconciled too. Each such record is compared with
//! what its registry holds now (`super::store::state_now`) and marked committed, failed or
//! unknown.
//!
//! Should a record belong to a writer that is only slow, not gone, that writer's own settling
//! comes later and overwrites this one (`super::audit::settle`), so the record still ends with
//! its writer's answer.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use app::backend::error_chain;
use app::permissions::audit_state::AuditState;

use super::audit::{self, Pending, Settled};
use crate::db::ConsoleDb;
use crate::lease::Leadership;
use crate::registry::write::PermissionWriter;
use crate::registry::RegistrySource;

/// Records settled per pass, at most (the rest wait for the next pass).
const BATCH: i64 = 10_000;

/// When a pending record counts as left behind, and how often the lease holder looks.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// A record another process has left pending this long is taken as left behind even if
    /// it was written after this console started: far longer than a save takes (the registry
    /// writers give up within 30 s).
    pub stale: Duration,
    /// Between passes.
    pub every: Duration,
    /// A record whose registry cannot be read is marked unknown once it is this old.
    pub give_up: Duration,
}

impl Timing {
    pub const DEFAULT: Timing = Timing {
        stale: Duration::from_secs(600),
        every: Duration::from_secs(60),
        give_up: Duration::from_secs(1800),
    };
}

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

/// One pass over the records other processes than `me` left pending, written before
/// `before_ms`. A record whose registry cannot be read is left for a later pass, or marked
/// unknown when it was written before `give_up_ms`.
pub async fn pass(
    db: &ConsoleDb,
    sources: &[RegistrySource],
    me: &str,
    before_ms: i64,
    give_up_ms: i64,
) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    let mut writers = Writers {
        sources,
        open: HashMap::new(),
    };
    for p in audit::pending(db, me, before_ms, BATCH).await? {
        let (state, version, detail) = match state_of(&mut writers, &p).await {
            Ok((state, version)) => {
                let what = match state {
                    AuditState::Committed => "the registry holds the change",
                    AuditState::Failed => "the registry does not hold the change",
                    _ => "the registry changed since, so whether this change was made cannot be told",
                };
                let detail = format!(
                    "left pending by console process {}; reconciled by console process {me}: {what}",
                    p.replica
                );
                (state, (state == AuditState::Committed).then_some(version), detail)
            }
            Err(why) if p.at_ms < give_up_ms => (
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

/// While this replica leads: a pass at once, then one every [`Timing::every`] (see the module
/// comment for which records each takes).
pub async fn run(
    db: ConsoleDb,
    sources: Vec<RegistrySource>,
    mut leadership: Leadership,
    timing: Timing,
) {
    let ms = |d: Duration| d.as_millis() as i64;
    let started_ms = crate::clock::unix_millis(SystemTime::now());
    let me = crate::lease::this_process();
    loop {
        leadership.until_leader().await;
        let now = crate::clock::unix_millis(SystemTime::now());
        let before = started_ms.max(now - ms(timing.stale));
        match pass(&db, &sources, me, before, now - ms(timing.give_up)).await {
            Ok(r) if r != Report::default() => tracing::info!(
                committed = r.committed,
                failed = r.failed,
                unknown = r.unknown,
                left = r.left,
                "reconciled permission audit records left pending"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %error_chain(&e), "cannot reconcile pending permission audit records")
            }
        }
        tokio::time::sleep(timing.every).await;
    }
}
