//! Several console replicas on one PostgreSQL console database behave as one console:
//! - a session made through one replica is valid on the other, and ends on both at sign-out
//!   (two console instances with their own state in this process, sharing only the database);
//! - background probes are led by exactly one replica, and when it is killed another takes
//!   over within one lease period (real `feast-console serve` processes);
//! - SIGTERM turns `/readyz` false while still serving, hands the lease over at once, and exits
//!   cleanly (real processes);
//! - a permission saved through one is seen by the other at its next registry refresh, and the
//!   audit record written by one is listed by the other.
//!
//! Needs the test PostgreSQL (FC_TEST_PG_URL, which scripts/test.sh sets); fails without it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::auth_support::{self, browser::Browser, provider};
use crate::common::{self, Backend};

/// One `feast-console serve` process on a free loopback port.
struct Replica {
    child: Child,
    base: String,
    /// The ops port (`ops_listen`): full `/readyz`, `/metrics`.
    ops: String,
    http: reqwest::Client,
}

impl Replica {
    fn start(database_url: &str, lease_seconds: u32, drain_delay_seconds: u32) -> Replica {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = provider::free_port();
        let ops_port = provider::free_port();
        let data = std::env::temp_dir().join(format!("fc-replica-{}-{port}", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_feast-console"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--ops-listen", &format!("127.0.0.1:{ops_port}")])
            .arg("--data-dir")
            .arg(&data)
            .env_remove("FEAST_CONSOLE_CONFIG")
            .env("FEAST_CONSOLE_DATABASE_URL", database_url)
            .env(
                "FEAST_CONSOLE_LEADER_LEASE_SECONDS",
                lease_seconds.to_string(),
            )
            .env(
                "FEAST_CONSOLE_DRAIN_DELAY_SECONDS",
                drain_delay_seconds.to_string(),
            )
            .env("FEAST_CONSOLE_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start feast-console");
        Replica {
            child,
            base: format!("http://127.0.0.1:{port}"),
            ops: format!("http://127.0.0.1:{ops_port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Option<(u16, String)> {
        self.get_at(&self.base, path).await
    }

    async fn get_at(&self, base: &str, path: &str) -> Option<(u16, String)> {
        let r = self.http.get(format!("{base}{path}")).send().await.ok()?;
        let status = r.status().as_u16();
        Some((status, r.text().await.unwrap_or_default()))
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some((200, _)) = self.get("/readyz").await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("replica at {} never became ready", self.base);
    }

    /// The `feast_console_probe_leader` gauge; None when the replica does not answer.
    async fn leads(&self) -> Option<bool> {
        let (_, body) = self.get_at(&self.ops, "/metrics").await?;
        body.lines()
            .find_map(|l| l.strip_prefix("feast_console_probe_leader "))
            .map(|v| v.trim() == "1")
    }

    fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {signal}");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `check` holds, or fails after `limit`; returns how long it took.
async fn within<F, Fut>(limit: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {limit:?}");
}

#[tokio::test]
async fn exactly_one_replica_leads_probes_and_another_takes_over_when_it_dies() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    let lease = 2;
    let a = Replica::start(&url, lease, 0);
    a.wait_ready().await;
    within(
        Duration::from_secs(10),
        "the first replica leads",
        || async { a.leads().await == Some(true) },
    )
    .await;
    let b = Replica::start(&url, lease, 0);
    b.wait_ready().await;
    // Over several renewals, never two leaders.
    for _ in 0..10 {
        let (la, lb) = (a.leads().await, b.leads().await);
        assert_eq!((la, lb), (Some(true), Some(false)), "one leader at a time");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // The leader dies without a word (no lease release): b takes over once the claim runs out.
    a.signal("-KILL");
    let took = within(
        Duration::from_secs(u64::from(lease) * 2 + 5),
        "the surviving replica takes over",
        || async { b.leads().await == Some(true) },
    )
    .await;
    assert!(
        took <= Duration::from_millis(u64::from(lease) * 1000 * 4 / 3 + 1500),
        "takeover within lease + lease/3 (+ polling slack); took {took:?}"
    );
}

#[tokio::test]
async fn sigterm_reports_draining_hands_the_lease_over_and_exits_cleanly() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    // A long lease: the other replica can only lead quickly if the lease is released.
    let lease = 30;
    let mut a = Replica::start(&url, lease, 3);
    a.wait_ready().await;
    within(
        Duration::from_secs(10),
        "the first replica leads",
        || async { a.leads().await == Some(true) },
    )
    .await;
    let b = Replica::start(&url, lease, 0);
    b.wait_ready().await;
    assert_eq!(b.leads().await, Some(false));

    a.signal("-TERM");
    // During the drain delay a still answers, but /readyz says it is draining.
    within(
        Duration::from_secs(2),
        "readyz false while draining",
        || async {
            matches!(a.get_at(&a.ops, "/readyz").await, Some((503, body)) if body.contains("draining"))
        },
    )
    .await;
    assert_eq!(
        a.get("/healthz").await.map(|r| r.0),
        Some(200),
        "still serving"
    );
    // b leads well before a's 30 s claim could have run out: a released it.
    let took = within(
        Duration::from_secs(15),
        "the other replica takes over",
        || async { b.leads().await == Some(true) },
    )
    .await;
    assert!(took < Duration::from_secs(lease.into()), "{took:?}");
    // a exits by itself, successfully, after the drain delay.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = a.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn a_session_made_through_one_replica_is_valid_on_the_other() {
    let idp = provider::start(None);
    let url = common::fresh_database_url(Backend::Postgres).await;
    let one = auth_support::console_on(&idp.issuer, url.clone()).await;
    let two = auth_support::console_on(&idp.issuer, url).await;
    let mut browser = Browser::new();

    let done = browser.sign_in(&one, "alice", "/catalog").await;
    assert_eq!(done.status, 303, "{}", done.body);
    // The same cookie on the other replica: signed in there too.
    let page = browser.console(&two, "GET", "/catalog").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("alice"),
        "the other replica knows the user"
    );

    // Signing out through the second ends the session on the first as well.
    let out = browser.console(&two, "POST", "/auth/logout").await;
    assert!(out.status == 303 || out.status == 200, "{}", out.status);
    let after = browser.console(&one, "GET", "/catalog").await;
    assert_eq!(after.status, 303, "signed out everywhere: {}", after.body);
}

/// Two console instances sharing one PostgreSQL console database and one Feast registry.
async fn replica_on(database_url: &str, registry: &std::path::Path) -> crate::common::TestApp {
    let mut config = common::test_config(database_url.to_string());
    config.registries = vec![server::registry::RegistrySource {
        name: "demo".into(),
        kind: server::registry::SourceKind::Sqlite(registry.to_path_buf()),
        token: None,
    }];
    config.registry_refresh_seconds = 1;
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    for _ in 0..200 {
        if state.registries.handles[0].snapshot().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let router = server::http::router(state.clone());
    crate::common::TestApp { state, router }
}

#[tokio::test]
async fn a_permission_saved_through_one_replica_is_seen_and_audited_on_the_other() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    let registry = crate::permissions_editing::sqlite_copy("replicas").await;
    let one = replica_on(&url, &registry).await;
    let two = replica_on(&url, &registry).await;

    let saved = one
        .request(crate::permissions_pages::submit(
            &one,
            None,
            crate::permissions_pages::CREATE,
        ))
        .await;
    assert!(
        saved.body.contains("Saved `http_created`"),
        "{}",
        saved.body
    );

    // The audit record written by one is listed by the other (same console database).
    let audit = two.get("/permissions/audit").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("http_created"), "{}", audit.body);

    // The other replica sees the new permission at its next registry refresh.
    within(
        Duration::from_secs(15),
        "the other replica sees the permission",
        || async {
            two.get("/permissions?registry=demo&project=driver_ranking")
                .await
                .body
                .contains("http_created")
        },
    )
    .await;
}

/// The replica that ran the recovery round `replica` serves, from its JSON export.
async fn recovery_prober(replica: &Replica) -> Option<String> {
    let (status, body) = replica.get("/recovery/export.json").await?;
    if status != 200 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&body).ok()?;
    v["probed_by"].as_str().map(str::to_string)
}

#[tokio::test]
async fn only_the_leader_probes_recovery_and_the_other_shows_its_round() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    // The default 60 s probe interval: the follower's first load must find the leader's round,
    // and after the leader dies the survivor must probe on taking over, not a minute later.
    let lease = 2;
    let a = Replica::start(&url, lease, 0);
    a.wait_ready().await;
    within(
        Duration::from_secs(10),
        "the first replica leads",
        || async { a.leads().await == Some(true) },
    )
    .await;
    within(
        Duration::from_secs(20),
        "the leader's first recovery round",
        || async { recovery_prober(&a).await.is_some() },
    )
    .await;
    let leader_id = recovery_prober(&a).await.expect("the leader's round");

    let b = Replica::start(&url, lease, 0);
    b.wait_ready().await;
    assert_eq!(b.leads().await, Some(false));
    // The follower serves the leader's stored round and says who probed it.
    within(
        Duration::from_secs(10),
        "the follower shows the leader's round",
        || async { recovery_prober(&b).await.as_deref() == Some(leader_id.as_str()) },
    )
    .await;
    let (status, page) = b.get("/recovery").await.expect("page");
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("probed by replica {leader_id},")),
        "{page}"
    );
    // Still the leader's round a few renewals later: the follower does not probe.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        recovery_prober(&b).await.as_deref(),
        Some(leader_id.as_str())
    );

    // The leader dies: the survivor takes the lease over and probes itself.
    a.signal("-KILL");
    within(
        Duration::from_secs(u64::from(lease) * 2 + 10),
        "the survivor probes after taking over",
        || async { recovery_prober(&b).await.is_some_and(|p| p != leader_id) },
    )
    .await;
    assert_eq!(b.leads().await, Some(true));
    let (_, page) = b.get("/recovery").await.expect("page");
    assert!(page.contains("(this one)"), "{page}");
}
