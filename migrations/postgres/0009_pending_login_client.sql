-- Logins in progress are counted per client (its IPv4 address or IPv6 /64, see
-- server/src/auth/client.rs), so one client cannot fill this table. Rows from before this
-- column count as an unknown client until they expire (10 minutes).
ALTER TABLE auth_pending_logins ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX auth_pending_logins_client ON auth_pending_logins (client, created_at);
-- The timed purge deletes by age.
CREATE INDEX auth_pending_logins_created_at ON auth_pending_logins (created_at);
