-- The latest recovery round of the replica that runs the recovery probes (server/src/recovery/
-- latest.rs): one row per console, holding the page data as JSON, when it was probed and by
-- which replica, so the other replicas show it instead of probing themselves.
CREATE TABLE recovery_latest (
    console    TEXT PRIMARY KEY NOT NULL,
    probed_by  TEXT NOT NULL,
    probed_at  BIGINT NOT NULL,
    page_json  TEXT NOT NULL
);
