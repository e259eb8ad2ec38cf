//! All background work of a serving console, started in one place and supervised: a loop that
//! panics is restarted (see [`supervisor`]). The router only reads what these loops keep fresh.

pub mod supervisor;

use std::time::Duration;

use crate::state::AppState;

/// How often ended sessions and expired logins in progress are deleted.
const AUTH_PURGE_EVERY: Duration = Duration::from_secs(60);

/// Starts every background loop for `state`, each under `state.tasks`: one refresher per
/// registry, the topology refresher, the probe lease, the registry-cache probe, the purge of
/// ended sessions and logins, the reconciliation of pending audit records, the registry
/// history recorder and the recovery rounds. Called once, by `build_state`.
pub fn start(state: &AppState) {
    let tasks = &state.tasks;
    let every = Duration::from_secs(state.config.registry_refresh_seconds);
    for handle in &state.registries.handles {
        let handle = handle.clone();
        tasks.spawn(&format!("registry_refresh:{}", handle.name), move || {
            crate::registry::refresher::run(handle.clone(), every)
        });
    }

    let topology = state.topology.refresher.clone();
    tasks.spawn("topology_refresh", move || {
        let topology = topology.clone();
        async move { topology.run().await }
    });

    // Replicas on one console database elect one of them for background probes.
    let lease = state.lease.clone();
    state.lease.keep_task(tasks.spawn("probe_lease", move || {
        let lease = lease.clone();
        async move { lease.run().await }
    }));

    // Registry-cache probe: times a full read of each registry, on the leading replica.
    let (db, sources) = (state.db.clone(), state.registry_sources());
    let settings = crate::cache::probe::ProbeSettings {
        interval: Duration::from_secs(state.config.cache_probe_seconds),
        retention: state.config.cache_probe_retention,
    };
    let leadership = state.lease.leadership.clone();
    tasks.spawn("cache_probe", move || {
        let (db, sources, leadership) = (db.clone(), sources.clone(), leadership.clone());
        async move { crate::cache::probe::run(&db, &sources, &settings, Some(leadership)).await }
    });

    // Ended sessions and expired logins in progress, also when nobody signs in: anonymous
    // `/auth/login` requests add rows that only a sign-in purged before.
    let sessions = state.auth.sessions().clone();
    tasks.spawn("auth_purge", move || {
        crate::auth::session::purge_every(sessions.clone(), AUTH_PURGE_EVERY)
    });

    // Permission audit records a dead console left pending, settled by the lease holder.
    let (db, sources) = (state.db.clone(), state.registry_sources());
    let leadership = state.lease.leadership.clone();
    tasks.spawn("audit_reconcile", move || {
        let (db, sources, leadership) = (db.clone(), sources.clone(), leadership.clone());
        crate::permissions::reconcile::run(
            db,
            sources,
            leadership,
            crate::permissions::reconcile::Timing::DEFAULT,
        )
    });

    // Registry history: what each new snapshot changed, written by the lease holder.
    let (db, registries) = (state.db.clone(), state.registries.clone());
    let leadership = state.lease.leadership.clone();
    let retention = crate::history::retention::Retention {
        days: state.config.history_retention_days,
        max_entries: state.config.history_max_entries,
    };
    tasks.spawn("history_record", move || {
        let (db, registries, leadership) = (db.clone(), registries.clone(), leadership.clone());
        crate::history::recorder::run(db, registries, leadership, retention)
    });

    let console = state.clone();
    tasks.spawn("recovery_rounds", move || {
        let state = console.clone();
        async move {
            crate::recovery::runner::run(
                &state.recovery,
                &state.db,
                &state.registries,
                &state.metrics,
                state.lease.leadership.clone(),
                Duration::from_secs(state.config.registry_ready_seconds),
            )
            .await
        }
    });
}
