-- Registry history (server/src/history/store.rs, docs/history.md). Times are Unix milliseconds.
-- catalog_history: one row per recorded change of one object: what changed (kind, project,
-- name, change: added, removed or changed; fields_json: the field-level diff), the object after
-- the change or before it when removed (object_json: the console's model, what visibility
-- decides on), when the snapshot that saw it was read (observed_ms) and, when the exact time
-- is unknown, since when it could have happened (not_before_ms), the row's own
-- last_updated_timestamp (row_updated_ms), and the console audit row it came from or reverted.
CREATE TABLE catalog_history (
    id             BIGSERIAL PRIMARY KEY,
    registry       TEXT NOT NULL,
    project        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    change         TEXT NOT NULL,
    fields_json    TEXT NOT NULL,
    object_json    TEXT NOT NULL,
    observed_ms    BIGINT NOT NULL,
    not_before_ms  BIGINT,
    row_updated_ms BIGINT,
    audit_id       BIGINT,
    actor          TEXT,
    reverts_audit  BIGINT
);
-- A registry's timeline (newest first, keyset paging by id) and one object's.
CREATE INDEX catalog_history_timeline ON catalog_history (registry, id);
CREATE INDEX catalog_history_object ON catalog_history (registry, project, kind, name, id);
-- Retention by age.
CREATE INDEX catalog_history_observed ON catalog_history (registry, observed_ms);
-- "Reverted at T" for the permissions page and the audit entry.
CREATE INDEX catalog_history_reverts ON catalog_history (reverts_audit) WHERE reverts_audit IS NOT NULL;
-- Console edits already linked to a change.
CREATE INDEX catalog_history_audit ON catalog_history (audit_id) WHERE audit_id IS NOT NULL;

-- The catalog as last recorded, one row per object (the console's model as JSON): what the
-- first snapshot after a restart, or after another replica recorded, is compared with.
CREATE TABLE catalog_history_objects (
    registry    TEXT NOT NULL,
    project     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    object_json TEXT NOT NULL,
    PRIMARY KEY (registry, project, kind, name)
);

-- Per registry: the generation every recording bumps in the same transaction as its rows (a
-- recorder that read another generation writes nothing, so no change is recorded twice), when
-- the recorded state was last compared with a snapshot (recorded_ms), and by which replica.
CREATE TABLE catalog_history_heads (
    registry    TEXT PRIMARY KEY NOT NULL,
    generation  BIGINT NOT NULL,
    recorded_ms BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
