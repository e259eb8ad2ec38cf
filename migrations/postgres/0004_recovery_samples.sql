-- Recovery probe history: one row per component per probe round, for the achieved-RPO plot.
-- Times and durations are seconds (Unix time for sampled_at); NULL means "no figure".
CREATE TABLE recovery_samples (
    component    TEXT NOT NULL,
    sampled_at   BIGINT NOT NULL,
    rpo_seconds  BIGINT,
    rto_seconds  BIGINT,
    -- met, at_risk, unknown or breached
    status       TEXT NOT NULL,
    PRIMARY KEY (component, sampled_at)
);
CREATE INDEX recovery_samples_sampled_at ON recovery_samples (sampled_at);
