//! Registry database probes: PostgreSQL statistics (reachability, recovery mode, standbys,
//! WAL archiver, size), registry file age, and the last backup from a file or a command.

use std::{path::Path, str::FromStr, time::Duration};

use app::recovery::evidence::{
    archived_segment_end, BackupEvidence, FileRegistry, PgRegistry, RegistryEvidence, Standby,
};
use app::util::time::Instant;
use sqlx::{postgres::PgConnectOptions, ConnectOptions, Connection, Row};

const TIMEOUT: Duration = Duration::from_secs(5);
const COMMAND_LIMIT_SECONDS: u32 = 10;

/// Reads the PostgreSQL statistics; any failure becomes `Unreachable` with the reason.
pub async fn probe_postgres(
    url: &str,
    backup: Option<BackupEvidence>,
    now: i64,
) -> RegistryEvidence {
    let shown = crate::db::redact_url(url);
    match tokio::time::timeout(TIMEOUT, read_postgres(url, now)).await {
        Ok(Ok(mut pg)) => {
            pg.last_backup = backup;
            RegistryEvidence::Postgres(pg)
        }
        Ok(Err(e)) => RegistryEvidence::Unreachable {
            observed_at: now,
            reason: format!("{shown}: {}", app::backend::error_chain(&e)),
        },
        Err(_) => RegistryEvidence::Unreachable {
            observed_at: now,
            reason: format!("{shown}: no answer within {} s", TIMEOUT.as_secs()),
        },
    }
}

/// Why the statistics could not be read, in the words the recovery page shows.
#[derive(Debug, thiserror::Error)]
enum PgProbeError {
    #[error("cannot connect")]
    Connect(#[source] std::io::Error),
    #[error("query refused")]
    Refused(#[source] Box<dyn sqlx::error::DatabaseError>),
    #[error(transparent)]
    Other(sqlx::Error),
}

impl From<sqlx::Error> for PgProbeError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(io) => PgProbeError::Connect(io),
            sqlx::Error::Database(d) => PgProbeError::Refused(d),
            other => PgProbeError::Other(other),
        }
    }
}

async fn read_postgres(url: &str, now: i64) -> Result<PgRegistry, PgProbeError> {
    let options = PgConnectOptions::from_str(url)?.application_name("feast-console-recovery");
    let mut conn = options.connect().await?;
    let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut conn)
        .await?;
    let archive_mode: String = sqlx::query_scalar("SELECT current_setting('archive_mode')")
        .fetch_one(&mut conn)
        .await?;
    let archiver = sqlx::query(
        "SELECT archived_count, EXTRACT(EPOCH FROM last_archived_time)::bigint, last_archived_wal, \
                failed_count, EXTRACT(EPOCH FROM last_failed_time)::bigint, last_failed_wal \
         FROM pg_stat_archiver",
    )
    .fetch_one(&mut conn)
    .await
    ?;
    // Without pg_monitor the columns other than the name come back NULL: shown as unknown lag.
    let standbys = sqlx::query(
        "SELECT COALESCE(application_name, ''), COALESCE(client_addr::text, ''), COALESCE(state, ''), \
                EXTRACT(EPOCH FROM replay_lag)::float8 \
         FROM pg_stat_replication ORDER BY application_name",
    )
    .fetch_all(&mut conn)
    .await
    ?
    .into_iter()
    .map(|r| {
        let name: String = r.get(0);
        let addr: String = r.get(1);
        Standby {
            name: if addr.is_empty() { name } else { format!("{name}@{addr}") },
            state: r.get(2),
            replay_lag_seconds: r.get(3),
        }
    })
    .collect();
    // pg_current_wal_lsn() is refused during recovery: a standby has no pending WAL of its own.
    let pending_wal_bytes = if in_recovery {
        None
    } else {
        let (current, segment): (f64, i64) = sqlx::query_as(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8, \
                    (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')",
        )
        .fetch_one(&mut conn)
        .await?;
        let last: Option<String> = archiver.get(2);
        last.and_then(|w| archived_segment_end(&w, segment))
            .map(|end| (current as i64 - end).max(0))
    };
    let database_bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&mut conn)
        .await?;
    let _ = conn.close().await;
    Ok(PgRegistry {
        observed_at: now,
        in_recovery,
        standbys,
        archive_mode: archive_mode == "on" || archive_mode == "always",
        archived_count: archiver.get(0),
        last_archived_at: archiver.get(1),
        last_archived_wal: archiver.get(2),
        failed_count: archiver.get(3),
        last_failed_at: archiver.get(4),
        last_failed_wal: archiver.get(5),
        pending_wal_bytes,
        database_bytes,
        last_backup: None,
    })
}

/// A SQLite or registry.db file: its age and size.
pub fn probe_file(path: &Path, backup: Option<BackupEvidence>, now: i64) -> RegistryEvidence {
    match std::fs::metadata(path) {
        Ok(m) => RegistryEvidence::File(FileRegistry {
            observed_at: now,
            path: path.display().to_string(),
            modified_at: m.modified().map(crate::clock::unix_seconds).unwrap_or(0),
            bytes: m.len(),
            last_backup: backup,
        }),
        Err(e) => RegistryEvidence::Unreachable {
            observed_at: now,
            reason: format!("{}: {e}", path.display()),
        },
    }
}

/// Unix seconds or RFC 3339.
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| Instant::parse_rfc3339(t).map(|i| i.seconds))
}

/// The backup marker file: a time written in it, else its modification time.
pub fn backup_from_file(path: &Path) -> BackupEvidence {
    let source = format!("file {}", path.display());
    match std::fs::read_to_string(path) {
        Ok(text) => match parse_time(&text) {
            Some(at) => BackupEvidence::At { at, source },
            None => match std::fs::metadata(path).and_then(|m| m.modified()) {
                Ok(t) => BackupEvidence::At {
                    at: crate::clock::unix_seconds(t),
                    source: format!("{source} (modification time)"),
                },
                Err(e) => BackupEvidence::Failed {
                    source,
                    reason: e.to_string(),
                },
            },
        },
        Err(e) => BackupEvidence::Failed {
            source,
            reason: e.to_string(),
        },
    }
}

/// Runs the configured command (`sh -c`, limited by coreutils `timeout`); its output is the time.
pub async fn backup_from_command(command: &str) -> BackupEvidence {
    let source = "backup command".to_string();
    let cmd = command.to_string();
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new("timeout")
            .arg(COMMAND_LIMIT_SECONDS.to_string())
            .args(["sh", "-c", &cmd])
            .stdin(std::process::Stdio::null())
            .output()
    })
    .await;
    match run {
        Ok(Ok(out)) if out.status.success() => {
            match parse_time(&String::from_utf8_lossy(&out.stdout)) {
                Some(at) => BackupEvidence::At { at, source },
                None => BackupEvidence::Failed {
                    source,
                    reason: "printed no Unix time or RFC 3339 time".into(),
                },
            }
        }
        Ok(Ok(out)) => BackupEvidence::Failed {
            source,
            reason: format!(
                "exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
                    .trim()
                    .chars()
                    .take(200)
                    .collect::<String>()
            ),
        },
        Ok(Err(e)) => BackupEvidence::Failed {
            source,
            reason: format!("cannot run: {e}"),
        },
        Err(e) => BackupEvidence::Failed {
            source,
            reason: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time(" 1700000000\n"), Some(1_700_000_000));
        assert_eq!(parse_time("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(parse_time("yesterday"), None);
    }
}
