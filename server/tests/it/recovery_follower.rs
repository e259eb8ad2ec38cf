//! A replica that does not hold the probes lease probes nothing: it shows the round the probing
//! replica stored in the console DB (`recovery_latest`), says who probed it, and waits with a
//! clear message when there is none or it is older than three intervals. On PostgreSQL (the
//! only backend replicas share); fails without the test PostgreSQL (FC_TEST_PG_URL).

use std::time::{Duration, Instant, SystemTime};

use server::db::ConsoleDb;
use server::recovery::{latest, runner::RecoveryRunner, sources::Sources};

use crate::common::{self, Backend, TestApp};

async fn wait_for(app: &TestApp, path: &str, text: &str) -> String {
    let start = Instant::now();
    loop {
        let r = app.get(path).await;
        if r.body.contains(text) {
            return r.body;
        }
        assert!(
            // Several probe intervals (5 s each), with room for a loaded test machine.
            start.elapsed() < Duration::from_secs(45),
            "{path} never showed `{text}`: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_follower_shows_the_probing_replicas_round_or_waits_for_it() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    // Another replica holds the probes lease for the whole test.
    let db = ConsoleDb::open(&url, 2).await.expect("open");
    let lease = Duration::from_secs(3600);
    assert!(server::lease::try_acquire(
        &db,
        server::lease::PROBES,
        "other",
        lease,
        SystemTime::now()
    )
    .await
    .unwrap());
    let mut config = common::test_config(url);
    config.recovery.probe_seconds = 5;
    let state = server::http::serve::build_state(config)
        .await
        .expect("build state");
    state.lifecycle.mark_started();
    let app = TestApp {
        router: server::http::router(state.clone()),
        state,
    };

    // Nothing stored yet: a clear waiting state, and the exports say the same.
    wait_for(&app, "/recovery", "Waiting for the probing replica").await;
    let export = app.get("/recovery/export.json").await;
    assert_eq!(export.status, 503);
    assert!(export.body.contains("Waiting for the probing replica"));
    assert!(!app.state.lease.leadership.is_leader());

    // The probing replica stores a round: the follower shows it within an interval.
    let prober = RecoveryRunner::for_replica(Sources::default(), "other-replica");
    let s = &app.state;
    let data = prober.round(&db, &s.registries, &s.metrics, true).await;
    let page = wait_for(&app, "/recovery", "probed by replica other-replica,").await;
    assert!(page.contains("data-component=\"registry_db\""));
    let export = app.get("/recovery/export.json").await;
    assert_eq!(export.status, 200);
    let v: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(v["probed_by"], "other-replica");

    // The prober stops: a round older than three intervals is not passed off as current.
    let mut old = data.clone();
    old.report.generated_at -= 60;
    latest::store(&db, &old).await.unwrap();
    wait_for(
        &app,
        "/recovery",
        "the last report, by replica other-replica, is",
    )
    .await;
    db.close().await;
}
