-- Registry-cache probe: one row per timed full read of a registry source. A failed probe is
-- kept with its error (load_ms, bytes, objects NULL). Times are Unix milliseconds.
CREATE TABLE cache_probe_samples (
    id          BIGSERIAL PRIMARY KEY,
    registry    TEXT NOT NULL,
    source      TEXT NOT NULL,
    probed_at   BIGINT NOT NULL,
    load_ms     DOUBLE PRECISION,
    bytes       BIGINT,
    objects     BIGINT,
    projects    BIGINT,
    error       TEXT
);
CREATE INDEX cache_probe_samples_registry_time ON cache_probe_samples (registry, probed_at);
