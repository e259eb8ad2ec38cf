//! Server-side sessions and logins in progress, in the console database (so replicas share
//! them). Rows are keyed by the SHA-256 of the cookie value. Queries use `$1..$n` in order of
//! first use, which both SQLite and PostgreSQL read as positional parameters.

use std::time::Duration;

use serde_json::Value;

use super::random::{hash_token, random_token};
use crate::clock::unix_now;
use crate::db::{on_pool, ConsoleDb, DbError};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the operating system's random generator failed: {0}")]
    Random(getrandom::Error),
}

impl From<sqlx::Error> for SessionError {
    fn from(e: sqlx::Error) -> Self {
        SessionError::Db(DbError::Query(e))
    }
}

/// Tokens as the provider issued them; kept server-side only.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    pub id_token: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub access_expires_at: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Session {
    pub id_hash: String,
    pub subject: String,
    pub username: String,
    pub claims: String,
    pub id_token: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub access_expires_at: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

impl Session {
    pub fn claims(&self) -> Value {
        serde_json::from_str(&self.claims).unwrap_or(Value::Null)
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingLogin {
    pub csrf_state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct SessionStore {
    db: ConsoleDb,
    idle: Duration,
    absolute: Duration,
}

impl SessionStore {
    pub fn new(db: ConsoleDb, idle: Duration, absolute: Duration) -> SessionStore {
        SessionStore { db, idle, absolute }
    }

    /// Creates a session and returns the cookie value (a fresh random id: a new one at every
    /// sign-in, so a fixated id is useless).
    pub async fn create(
        &self,
        subject: &str,
        username: &str,
        claims: &Value,
        tokens: &Tokens,
    ) -> Result<String, SessionError> {
        let token = random_token().map_err(SessionError::Random)?;
        let now = unix_now();
        let expires_at = now + self.absolute.as_secs() as i64;
        let sql = "INSERT INTO console_sessions (id_hash, subject, username, claims, id_token, access_token, \
                   refresh_token, access_expires_at, created_at, last_seen_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(hash_token(&token))
            .bind(subject)
            .bind(username)
            .bind(claims.to_string())
            .bind(&tokens.id_token)
            .bind(&tokens.access_token)
            .bind(&tokens.refresh_token)
            .bind(tokens.access_expires_at)
            .bind(now)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(drop))?;
        self.delete_expired(now).await?;
        Ok(token)
    }

    /// The live session for a cookie value, touching its idle clock; None when unknown, idle
    /// too long or past its absolute end (expired rows are deleted).
    pub async fn load(&self, token: &str) -> Result<Option<Session>, SessionError> {
        let id_hash = hash_token(token);
        let sql = "SELECT id_hash, subject, username, claims, id_token, access_token, refresh_token, \
                   access_expires_at, created_at, last_seen_at, expires_at FROM console_sessions WHERE id_hash = $1";
        let row: Option<Session> = on_pool!(&self.db, |pool| sqlx::query_as(sql)
            .bind(&id_hash)
            .fetch_optional(pool)
            .await)?;
        let Some(mut session) = row else {
            return Ok(None);
        };
        let now = unix_now();
        if now >= session.expires_at || now >= session.last_seen_at + self.idle.as_secs() as i64 {
            self.delete(&session.id_hash).await?;
            return Ok(None);
        }
        let touch = "UPDATE console_sessions SET last_seen_at = $1 WHERE id_hash = $2";
        on_pool!(&self.db, |pool| sqlx::query(touch)
            .bind(now)
            .bind(&id_hash)
            .execute(pool)
            .await
            .map(drop))?;
        session.last_seen_at = now;
        Ok(Some(session))
    }

    /// Stores refreshed tokens (the provider may rotate the refresh token) and claims.
    pub async fn update_tokens(
        &self,
        id_hash: &str,
        claims: &Value,
        tokens: &Tokens,
    ) -> Result<(), SessionError> {
        let sql = "UPDATE console_sessions SET claims = $1, id_token = COALESCE($2, id_token), access_token = $3, \
                   refresh_token = COALESCE($4, refresh_token), access_expires_at = $5 WHERE id_hash = $6";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(claims.to_string())
            .bind(&tokens.id_token)
            .bind(&tokens.access_token)
            .bind(&tokens.refresh_token)
            .bind(tokens.access_expires_at)
            .bind(id_hash)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    pub async fn delete(&self, id_hash: &str) -> Result<(), SessionError> {
        let sql = "DELETE FROM console_sessions WHERE id_hash = $1";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(id_hash)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    pub async fn count(&self) -> Result<i64, SessionError> {
        let sql = "SELECT COUNT(*) FROM console_sessions";
        Ok(on_pool!(&self.db, |pool| sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await)?)
    }

    /// Deletes ended sessions and expired logins in progress. Run at every sign-in and, so
    /// that anonymous `/auth/login` requests cannot pile up rows between sign-ins, by the
    /// `auth_purge` background loop.
    pub async fn delete_expired(&self, now: i64) -> Result<(), SessionError> {
        let idle_cutoff = now - self.idle.as_secs() as i64;
        let sql = "DELETE FROM console_sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(now)
            .bind(idle_cutoff)
            .execute(pool)
            .await
            .map(drop))?;
        let login_cutoff = now - super::cookie::LOGIN_MAX_AGE_SECONDS as i64;
        let sql = "DELETE FROM auth_pending_logins WHERE created_at <= $1";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(login_cutoff)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// Records a login in progress for `client` (see `auth::client`) unless it already holds
    /// `cap` unexpired ones; returns the value of the login cookie, or None over the cap.
    /// Counted and inserted in one statement; concurrent starts on PostgreSQL may overshoot
    /// the cap by the number running at once, which still bounds the table.
    pub async fn start_login(
        &self,
        login: &PendingLogin,
        client: &str,
        cap: u64,
    ) -> Result<Option<String>, SessionError> {
        let token = random_token().map_err(SessionError::Random)?;
        let live_after = login.created_at - super::cookie::LOGIN_MAX_AGE_SECONDS as i64;
        let sql = "INSERT INTO auth_pending_logins (id_hash, csrf_state, nonce, pkce_verifier, return_to, created_at, client) \
                   SELECT $1, $2, $3, $4, $5, $6, $7 \
                   WHERE (SELECT COUNT(*) FROM auth_pending_logins WHERE client = $7 AND created_at > $8) < $9";
        let inserted = on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(hash_token(&token))
            .bind(&login.csrf_state)
            .bind(&login.nonce)
            .bind(&login.pkce_verifier)
            .bind(&login.return_to)
            .bind(login.created_at)
            .bind(client)
            .bind(live_after)
            .bind(cap as i64)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok((inserted == 1).then_some(token))
    }

    /// Logins in progress, all clients (tests, figures).
    pub async fn pending_logins(&self) -> Result<i64, SessionError> {
        let sql = "SELECT COUNT(*) FROM auth_pending_logins";
        Ok(on_pool!(&self.db, |pool| sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await)?)
    }

    /// Takes (reads and deletes) the login for a login cookie: each can be completed once.
    pub async fn take_login(&self, token: &str) -> Result<Option<PendingLogin>, SessionError> {
        let id_hash = hash_token(token);
        let select = "SELECT csrf_state, nonce, pkce_verifier, return_to, created_at FROM auth_pending_logins WHERE id_hash = $1";
        let row: Option<PendingLogin> = on_pool!(&self.db, |pool| sqlx::query_as(select)
            .bind(&id_hash)
            .fetch_optional(pool)
            .await)?;
        let delete = "DELETE FROM auth_pending_logins WHERE id_hash = $1";
        let deleted = on_pool!(&self.db, |pool| sqlx::query(delete)
            .bind(&id_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        // Two callbacks racing on replicas: only the one that deleted the row proceeds.
        let fresh = |l: &PendingLogin| {
            unix_now() - l.created_at < super::cookie::LOGIN_MAX_AGE_SECONDS as i64
        };
        Ok(row.filter(|l| deleted == 1 && fresh(l)))
    }
}

/// The `auth_purge` loop (`crate::background::start`): deletes ended sessions and expired
/// logins in progress now, then every `every`, forever.
pub async fn purge_every(store: SessionStore, every: Duration) {
    loop {
        if let Err(e) = store.delete_expired(unix_now()).await {
            tracing::warn!(error = %app::backend::error_chain(&e), "cannot purge ended sessions and logins");
        }
        tokio::time::sleep(every).await;
    }
}
