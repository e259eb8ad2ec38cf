-- Sign-in state. Cookies carry random ids; only their SHA-256 is stored, so a copy of this
-- database cannot be replayed as live cookies. Times are Unix seconds (same type on both
-- backends, compared in SQL and in Rust alike).

-- A signed-in browser. Tokens stay here: they never reach the browser.
CREATE TABLE console_sessions (
    id_hash           TEXT PRIMARY KEY NOT NULL,
    subject           TEXT NOT NULL,
    username          TEXT NOT NULL,
    -- Claims the identity is computed from (JSON object), kept so a role mapping change
    -- applies at the next request without a new login.
    claims            TEXT NOT NULL,
    id_token          TEXT,
    access_token      TEXT,
    refresh_token     TEXT,
    access_expires_at INTEGER,
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    -- Absolute end of the session, whatever the activity.
    expires_at        INTEGER NOT NULL
);
CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);

-- A login in progress: what the callback must match (state, nonce, PKCE verifier) and where
-- to return. Single use: the callback deletes the row before exchanging the code.
CREATE TABLE auth_pending_logins (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    csrf_state    TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to     TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
