-- Every permission change the console writes to a Feast registry: who, when, where, why, and
-- the permission before and after (JSON of the console's model; NULL for a create / delete).
-- Times are Unix milliseconds.
CREATE TABLE permission_audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms          BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    registry       TEXT NOT NULL,
    project        TEXT NOT NULL,
    permission     TEXT NOT NULL,
    operation      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    before_json    TEXT,
    after_json     TEXT,
    before_version TEXT NOT NULL,
    after_version  TEXT NOT NULL
);
CREATE INDEX permission_audit_at ON permission_audit (at_ms);
