//! Recovery probes against real servers started by scripts/lib/recovery-servers.sh: a
//! PostgreSQL 15 with WAL archiving (and a streaming standby), and Debian redis-server. The
//! tests break things on purpose and restore them before they finish.
//! Without the servers (and the standby) the tests fail; scripts/test.sh starts them.

use std::time::{Duration, Instant};

use app::recovery::assess::{assess_online, Inputs};
use app::recovery::assess_registry::assess_registry;
use app::recovery::evidence::{RedisEvidence, RegistryEvidence};
use app::recovery::model::{Objectives, Status};
use server::clock::unix_now;
use server::config::recovery::RecoveryConfig;
use server::recovery::gather::gather;
use server::recovery::sources::Sources;
use sqlx::{Connection, PgConnection};

use crate::common;

/// The URL in `var`, which scripts/lib/recovery-servers.sh exports; the test fails without it.
#[track_caller]
fn server_url(var: &str) -> String {
    common::required_env(
        var,
        "the recovery test servers",
        "scripts/test.sh starts them (scripts/lib/recovery-servers.sh; its log says what failed)",
    )
}

/// A loopback port nothing listens on.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn inputs(config: RecoveryConfig) -> Inputs {
    let sources = Sources {
        config,
        ..Default::default()
    };
    gather(&sources, None, unix_now()).await
}

fn pg_config(url: &str, rpo_seconds: u64) -> RecoveryConfig {
    RecoveryConfig {
        registry_pg_url: Some(url.to_string()),
        objectives: Objectives::new(rpo_seconds, 900, 14_400, 900),
        ..Default::default()
    }
}

async fn archiver(conn: &mut PgConnection) -> (i64, i64) {
    sqlx::query_as("SELECT archived_count, failed_count FROM pg_stat_archiver")
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Writes something and closes the WAL segment, so the archiver has a file to act on.
async fn write_and_switch(conn: &mut PgConnection) {
    sqlx::query("CREATE TABLE IF NOT EXISTS fc_recovery_probe (v int)")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO fc_recovery_probe VALUES (1)")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("SELECT pg_switch_wal()")
        .execute(&mut *conn)
        .await
        .unwrap();
}

async fn wait_for(conn: &mut PgConnection, what: &str, ok: impl Fn((i64, i64)) -> bool) {
    let start = Instant::now();
    loop {
        let a = archiver(conn).await;
        if ok(a) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "archiver never {what}: {a:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn set_archive_command(conn: &mut PgConnection, command: Option<&str>) {
    let sql = match command {
        Some(c) => format!("ALTER SYSTEM SET archive_command = '{c}'"),
        None => "ALTER SYSTEM RESET archive_command".to_string(),
    };
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("SELECT pg_reload_conf()")
        .execute(&mut *conn)
        .await
        .unwrap();
    // The archiver picks the new setting up at its next cycle.
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// Detaches (`""`) or re-attaches the streaming standby by editing its primary_conninfo.
async fn set_standby_conninfo(standby: &str, conninfo: &str) {
    let mut conn = PgConnection::connect(standby).await.unwrap();
    let sql = format!(
        "ALTER SYSTEM SET primary_conninfo = '{}'",
        conninfo.replace('\'', "''")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("SELECT pg_reload_conf()")
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn wait_standbys(conn: &mut PgConnection, streaming: i64) {
    let start = Instant::now();
    loop {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        if n == streaming {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{n} standbys streaming, wanted {streaming}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One test for the whole story (standby, archiving working, archiving failing), so nothing
/// else races on the archiver or the standby.
#[tokio::test]
async fn archiving_met_then_failing_breaches_the_rpo() {
    let url = server_url("FC_TEST_ARCHIVE_PG_URL");
    let standby = common::required_env(
        "FC_TEST_STANDBY_PG_URL",
        "the streaming standby of the recovery test servers",
        "scripts/lib/recovery-servers.sh starts it with pg_basebackup (scripts/test.sh; its log says why it did not start)",
    );
    let mut conn = PgConnection::connect(&url).await.unwrap();
    set_archive_command(&mut conn, None).await;

    // With a streaming standby: failover RTO, and the standby knows it is one.
    let i = inputs(pg_config(&url, 900)).await;
    let RegistryEvidence::Postgres(pg) = &i.registry else {
        panic!("{:?}", i.registry)
    };
    assert!(pg.standbys.iter().any(|s| s.state == "streaming"), "{pg:?}");
    assert_eq!(assess_registry(&i).rto_estimate_seconds, Some(60));
    let i = inputs(pg_config(&standby, 900)).await;
    let RegistryEvidence::Postgres(pg) = &i.registry else {
        panic!("{:?}", i.registry)
    };
    assert!(pg.in_recovery);
    assert!(assess_registry(&i).evidence[0].contains("standby (in recovery)"));
    let mut sc = PgConnection::connect(&standby).await.unwrap();
    let standby_conninfo: String = sqlx::query_scalar("SHOW primary_conninfo")
        .fetch_one(&mut sc)
        .await
        .unwrap();

    // Archiving works: a fresh segment is archived, the RPO is seconds, the objective is met.
    let (archived, _) = archiver(&mut conn).await;
    write_and_switch(&mut conn).await;
    wait_for(&mut conn, "archived", |(a, _)| a > archived).await;
    let i = inputs(pg_config(&url, 5)).await;
    let a = assess_registry(&i);
    let RegistryEvidence::Postgres(pg) = &i.registry else {
        panic!("{:?}", i.registry)
    };
    assert!(
        pg.archive_mode && !pg.in_recovery && pg.database_bytes > 0,
        "{pg:?}"
    );
    assert!(a.achieved_rpo_seconds.is_some_and(|s| s <= 3), "{a:?}");
    assert_ne!(a.status, Status::Breached, "{a:?}");
    assert!(
        a.evidence.iter().any(|e| e.starts_with("WAL archiving on")),
        "{:?}",
        a.evidence
    );

    // The standby would bound the RPO by its lag: detach it so only the archive protects.
    set_standby_conninfo(&standby, "").await;
    wait_standbys(&mut conn, 0).await;
    // Archiving fails: failures rise, the RPO grows past the 5 s objective: breached.
    set_archive_command(&mut conn, Some("false")).await;
    let (_, failed) = archiver(&mut conn).await;
    write_and_switch(&mut conn).await;
    wait_for(&mut conn, "failed", |(_, f)| f > failed).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let i = inputs(pg_config(&url, 5)).await;
    let a = assess_registry(&i);
    // Restore before asserting, so a failure leaves the servers healthy for other tests.
    set_archive_command(&mut conn, None).await;
    set_standby_conninfo(&standby, &standby_conninfo).await;
    assert_eq!(a.status, Status::Breached, "{a:?}");
    assert!(a.achieved_rpo_seconds.is_some_and(|s| s > 5), "{a:?}");
    assert!(
        a.evidence
            .iter()
            .any(|e| e.contains("WAL archiving failures")),
        "{:?}",
        a.evidence
    );
    assert!(
        a.evidence.iter().any(|e| e == "no standby attached"),
        "{:?}",
        a.evidence
    );

    // Restored: the pending segment is archived again and the standby streams again.
    // After failures the archiver naps up to a minute; a new segment wakes it.
    let (archived, _) = archiver(&mut conn).await;
    write_and_switch(&mut conn).await;
    wait_for(&mut conn, "recovered", |(a, _)| a > archived).await;
    wait_standbys(&mut conn, 1).await;
}

#[tokio::test]
async fn postgres_down_is_unknown_with_the_reason() {
    let url = format!(
        "postgres://postgres:secret@127.0.0.1:{}/postgres",
        dead_port()
    );
    let i = inputs(pg_config(&url, 900)).await;
    let a = assess_registry(&i);
    assert_eq!(a.status, Status::Unknown);
    assert!(
        a.reason.contains("unreachable") && a.reason.contains("127.0.0.1"),
        "{}",
        a.reason
    );
    assert!(
        !a.reason.contains("secret"),
        "password leaked: {}",
        a.reason
    );
}

fn redis_cli(url: &str, args: &[&str]) -> String {
    // redis://:PASSWORD@HOST:PORT, as the script exports it.
    let rest = url.trim_start_matches("redis://");
    let (auth, hostport) = rest.rsplit_once('@').unwrap();
    let (host, port) = hostport.rsplit_once(':').unwrap();
    let out = std::process::Command::new("redis-cli")
        .args([
            "-h",
            host,
            "-p",
            port,
            "-a",
            auth.trim_start_matches(':'),
            "--no-auth-warning",
        ])
        .args(args)
        .output()
        .expect("run redis-cli");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn redis_persistence_off_is_in_the_evidence() {
    let url = server_url("FC_TEST_REDIS_URL");
    let config = |u: &str| RecoveryConfig {
        redis_url: Some(u.to_string()),
        ..Default::default()
    };
    redis_cli(&url, &["CONFIG", "SET", "save", "3600 1"]);
    redis_cli(&url, &["CONFIG", "SET", "appendonly", "no"]);
    assert_eq!(redis_cli(&url, &["SAVE"]), "OK");
    let i = inputs(config(&url)).await;
    let RedisEvidence::Info(info) = &i.online.redis else {
        panic!("{:?}", i.online.redis)
    };
    assert!(
        info.persistent() && info.rdb_last_save_at.is_some() && info.role == "master",
        "{info:?}"
    );
    assert_eq!(assess_online(&i).rto_estimate_seconds, Some(120));

    redis_cli(&url, &["CONFIG", "SET", "save", ""]);
    let i = inputs(config(&url)).await;
    redis_cli(&url, &["CONFIG", "SET", "save", "3600 1"]);
    let a = assess_online(&i);
    let RedisEvidence::Info(info) = &i.online.redis else {
        panic!("{:?}", i.online.redis)
    };
    assert_eq!(
        (info.rdb_save_points, info.aof_enabled),
        (Some(false), false)
    );
    assert!(
        a.evidence.iter().any(|e| e.contains("persistence is off")),
        "{:?}",
        a.evidence
    );
    // Nothing to reload and no registry to estimate re-materialization from.
    assert_eq!(a.rto_estimate_seconds, None);
    assert_eq!(a.status, Status::Unknown);

    // A wrong password is a clear reason, not a crash.
    let (_, hostport) = url.rsplit_once('@').unwrap();
    let i = inputs(config(&format!("redis://:wrong@{hostport}"))).await;
    let RedisEvidence::Unreachable { reason, .. } = &i.online.redis else {
        panic!("{:?}", i.online.redis)
    };
    assert!(reason.contains("AUTH refused"), "{reason}");
}

#[tokio::test]
async fn redis_down_is_unknown_with_the_reason() {
    let url = format!("redis://:pw@127.0.0.1:{}", dead_port());
    let i = inputs(RecoveryConfig {
        redis_url: Some(url),
        ..Default::default()
    })
    .await;
    let a = assess_online(&i);
    assert_eq!(a.status, Status::Unknown);
    assert!(
        a.reason.contains("Redis unreachable") && a.reason.contains("cannot connect"),
        "{}",
        a.reason
    );
}
