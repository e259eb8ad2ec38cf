-- Leases for background work shared by replicas (server/src/lease.rs): one row per lease,
-- naming the replica that holds it and when its claim runs out (Unix milliseconds).
CREATE TABLE console_leases (
    name          TEXT PRIMARY KEY NOT NULL,
    holder        TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
