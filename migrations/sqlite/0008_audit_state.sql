-- Audit records are written before the registry write they describe (state 'pending') and
-- settled afterwards: 'committed', 'failed', or 'unknown' (nobody can tell). Records from
-- before this migration were written after their change was committed.
-- replica: the console process that wrote it (pending records of a process that is gone are
-- reconciled against the registry at start-up); original_name: the permission the change
-- started from; detail: why it failed or could not be told; reconciled_ms: when start-up
-- reconciliation settled it (NULL: settled by its writer).
ALTER TABLE permission_audit ADD COLUMN state TEXT NOT NULL DEFAULT 'committed';
ALTER TABLE permission_audit ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE permission_audit ADD COLUMN replica TEXT NOT NULL DEFAULT '';
ALTER TABLE permission_audit ADD COLUMN original_name TEXT;
ALTER TABLE permission_audit ADD COLUMN reconciled_ms BIGINT;
CREATE INDEX permission_audit_state ON permission_audit (state);
