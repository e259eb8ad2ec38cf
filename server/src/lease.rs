//! Leadership for background work when several console replicas share one console database.
//!
//! Probes (registry load timing, recovery evidence) must run once per interval across all
//! replicas, not once per replica. One row per lease in `console_leases` names its holder and
//! when the claim runs out. A replica holds the lease while it keeps renewing it; when the
//! holder dies, its claim expires and the next replica to try takes it over, so a dead leader
//! is replaced within `ttl + ttl / 3`. On graceful shutdown the holder releases at once.
//!
//! Times are the replicas' own clocks in Unix milliseconds: replicas on one cluster are kept in
//! step by NTP, and the TTL is long compared with any skew that matters.

use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::clock::unix_millis;
use crate::db::ConsoleDb;

/// The lease every background probe checks before it runs.
pub const PROBES: &str = "probes";

/// Takes or renews `name` for `holder` until `now + ttl`. True when `holder` holds it
/// afterwards: the row was free, expired, or already ours. One statement, so two replicas
/// racing for an expired lease cannot both win.
pub async fn try_acquire(
    db: &ConsoleDb,
    name: &str,
    holder: &str,
    ttl: Duration,
    now: SystemTime,
) -> Result<bool, sqlx::Error> {
    let now_ms = unix_millis(now);
    let until = now_ms + ttl.as_millis() as i64;
    let rows = match db {
        ConsoleDb::Sqlite(pool) => {
            sqlx::query(
                "INSERT INTO console_leases (name, holder, expires_at_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms \
                 WHERE console_leases.holder = excluded.holder OR console_leases.expires_at_ms < ?4",
            )
            .bind(name)
            .bind(holder)
            .bind(until)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected()
        }
        ConsoleDb::Postgres(pool) => {
            sqlx::query(
                "INSERT INTO console_leases (name, holder, expires_at_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms \
                 WHERE console_leases.holder = excluded.holder OR console_leases.expires_at_ms < $4",
            )
            .bind(name)
            .bind(holder)
            .bind(until)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected()
        }
    };
    Ok(rows == 1)
}

/// Gives `name` up if `holder` has it, so another replica need not wait for the TTL.
pub async fn release(db: &ConsoleDb, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    match db {
        ConsoleDb::Sqlite(pool) => {
            sqlx::query("DELETE FROM console_leases WHERE name = ?1 AND holder = ?2")
                .bind(name)
                .bind(holder)
                .execute(pool)
                .await?;
        }
        ConsoleDb::Postgres(pool) => {
            sqlx::query("DELETE FROM console_leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder)
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

/// Who holds `name` now, if anyone's claim is still live.
pub async fn holder_of(
    db: &ConsoleDb,
    name: &str,
    now: SystemTime,
) -> Result<Option<String>, sqlx::Error> {
    let now_ms = unix_millis(now);
    let holder = match db {
        ConsoleDb::Sqlite(pool) => {
            sqlx::query_scalar(
                "SELECT holder FROM console_leases WHERE name = ?1 AND expires_at_ms >= ?2",
            )
            .bind(name)
            .bind(now_ms)
            .fetch_optional(pool)
            .await?
        }
        ConsoleDb::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT holder FROM console_leases WHERE name = $1 AND expires_at_ms >= $2",
            )
            .bind(name)
            .bind(now_ms)
            .fetch_optional(pool)
            .await?
        }
    };
    Ok(holder)
}

/// This replica's name in lease rows: the pod name (`HOSTNAME` on Kubernetes), the process id
/// and a random suffix, so a restarted pod with the same name is a new holder.
pub fn replica_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "console".into());
    let mut bytes = [0u8; 4];
    let suffix = match getrandom::fill(&mut bytes) {
        Ok(()) => u32::from_le_bytes(bytes),
        Err(_) => unix_millis(SystemTime::now()) as u32,
    };
    format!("{host}-{}-{suffix:08x}", std::process::id())
}

/// This console process's name in records it leaves behind (permission audit records), made
/// once like [`replica_id`]: records of a process that is gone are told from its own.
pub fn this_process() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(replica_id)
}

/// Whether this replica leads now. Cheap to clone and to ask; background work asks before
/// each run.
#[derive(Clone, Debug)]
pub struct Leadership {
    replica: String,
    leading: watch::Receiver<bool>,
}

impl Leadership {
    /// A replica that always leads (tests and one-off command-line runs).
    pub fn always(replica: &str) -> Leadership {
        let (_tx, rx) = watch::channel(true);
        Leadership {
            replica: replica.to_string(),
            leading: rx,
        }
    }

    pub fn is_leader(&self) -> bool {
        *self.leading.borrow()
    }

    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// Waits until this replica leads (returns at once if it does).
    pub async fn until_leader(&mut self) {
        let _ = self.leading.wait_for(|l| *l).await;
    }
}

/// Keeps trying to hold `name` and renews it while held, every `ttl / 3`. Losing the database
/// means losing the lease: a replica that cannot renew stops leading before its claim runs out.
/// The loop is [`LeaseKeeper::run`], started by `crate::background::start`.
pub struct LeaseKeeper {
    pub leadership: Leadership,
    db: ConsoleDb,
    name: &'static str,
    ttl: Duration,
    leading: watch::Sender<bool>,
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl LeaseKeeper {
    pub fn new(db: ConsoleDb, name: &'static str, ttl: Duration) -> LeaseKeeper {
        let (leading, leading_rx) = watch::channel(false);
        LeaseKeeper {
            leadership: Leadership {
                replica: replica_id(),
                leading: leading_rx,
            },
            db,
            name,
            ttl,
            leading,
            stop: watch::channel(false).0,
            task: std::sync::Mutex::new(None),
        }
    }

    /// Tries to hold the lease and renews it until [`LeaseKeeper::stop`], then releases it.
    /// Run again after a panic, it goes on (or, once stopped, releases at once).
    pub async fn run(&self) {
        let (name, holder) = (self.name, self.leadership.replica());
        let mut stop = self.stop.subscribe();
        let period = (self.ttl / 3).max(Duration::from_millis(100));
        while !*stop.borrow_and_update() {
            let held = match try_acquire(&self.db, name, holder, self.ttl, SystemTime::now()).await
            {
                Ok(held) => held,
                Err(e) => {
                    tracing::warn!(lease = name, error = %e, "cannot renew the lease; not leading");
                    false
                }
            };
            if held != *self.leading.borrow() {
                if held {
                    tracing::info!(lease = name, replica = %holder, "this replica now leads background work");
                } else {
                    tracing::info!(lease = name, replica = %holder, "another replica leads background work");
                }
                self.leading.send_replace(held);
            }
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = stop.changed() => {}
            }
        }
        self.leading.send_replace(false);
        if let Err(e) = release(&self.db, name, holder).await {
            tracing::warn!(lease = name, error = %e, "cannot release the lease; it expires on its own");
        }
    }

    /// The task running [`LeaseKeeper::run`], which [`LeaseKeeper::stop`] waits for.
    pub fn keep_task(&self, task: tokio::task::JoinHandle<()>) {
        if let Ok(mut slot) = self.task.lock() {
            *slot = Some(task);
        }
    }

    /// Stops renewing and releases the lease (graceful shutdown). Later calls do nothing.
    pub async fn stop(&self) {
        self.stop.send_replace(true);
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite() -> (ConsoleDb, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("fc-lease-{}", replica_id()));
        let url = format!("sqlite://{}/console.db", dir.display());
        (ConsoleDb::open(&url, 2).await.expect("open"), dir)
    }

    #[tokio::test]
    async fn one_holder_at_a_time_and_takeover_after_expiry() {
        let (db, dir) = sqlite().await;
        let t0 = SystemTime::now();
        let ttl = Duration::from_secs(10);
        assert!(try_acquire(&db, PROBES, "a", ttl, t0).await.unwrap());
        // Renewal by the holder succeeds; a rival is refused while the claim is live.
        assert!(
            try_acquire(&db, PROBES, "a", ttl, t0 + Duration::from_secs(5))
                .await
                .unwrap()
        );
        assert!(
            !try_acquire(&db, PROBES, "b", ttl, t0 + Duration::from_secs(14))
                .await
                .unwrap()
        );
        assert_eq!(
            holder_of(&db, PROBES, t0).await.unwrap().as_deref(),
            Some("a")
        );
        // a stopped renewing at t0+5: from t0+15 its claim has run out and b takes over.
        assert!(
            try_acquire(&db, PROBES, "b", ttl, t0 + Duration::from_secs(16))
                .await
                .unwrap()
        );
        assert!(
            !try_acquire(&db, PROBES, "a", ttl, t0 + Duration::from_secs(17))
                .await
                .unwrap()
        );
        // Release by a non-holder does nothing; by the holder frees it at once.
        release(&db, PROBES, "a").await.unwrap();
        assert!(
            !try_acquire(&db, PROBES, "a", ttl, t0 + Duration::from_secs(18))
                .await
                .unwrap()
        );
        release(&db, PROBES, "b").await.unwrap();
        assert!(
            try_acquire(&db, PROBES, "a", ttl, t0 + Duration::from_secs(18))
                .await
                .unwrap()
        );
        // Leases are independent by name.
        assert!(
            try_acquire(&db, "other", "b", ttl, t0 + Duration::from_secs(18))
                .await
                .unwrap()
        );
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn keepers_elect_one_leader_and_hand_over_on_stop() {
        let spawn = |db: ConsoleDb, name, ttl| {
            let keeper = std::sync::Arc::new(LeaseKeeper::new(db, name, ttl));
            let running = keeper.clone();
            keeper.keep_task(tokio::spawn(async move { running.run().await }));
            keeper
        };
        let (db, dir) = sqlite().await;
        let ttl = Duration::from_millis(600);
        let first = spawn(db.clone(), PROBES, ttl);
        let mut lead = first.leadership.clone();
        tokio::time::timeout(Duration::from_secs(5), lead.until_leader())
            .await
            .expect("first keeper leads");
        let second = spawn(db.clone(), PROBES, ttl);
        tokio::time::sleep(ttl).await;
        assert!(first.leadership.is_leader());
        assert!(!second.leadership.is_leader());
        first.stop().await;
        let mut lead = second.leadership.clone();
        tokio::time::timeout(Duration::from_secs(5), lead.until_leader())
            .await
            .expect("second keeper takes over");
        second.stop().await;
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
