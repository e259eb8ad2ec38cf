-- Registry-cache probe: one row per timed full read of a registry source. A failed probe is
-- kept with its error (load_ms, bytes, objects NULL). Times are Unix milliseconds.
CREATE TABLE cache_probe_samples (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    registry    TEXT NOT NULL,
    source      TEXT NOT NULL,
    probed_at   INTEGER NOT NULL,
    load_ms     REAL,
    bytes       INTEGER,
    objects     INTEGER,
    projects    INTEGER,
    error       TEXT
);
CREATE INDEX cache_probe_samples_registry_time ON cache_probe_samples (registry, probed_at);
