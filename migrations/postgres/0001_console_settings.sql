-- Console-wide settings (key/value). The schema version itself is sqlx's _sqlx_migrations table.
CREATE TABLE console_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO console_settings (key, value) VALUES ('created_by', 'feast-console');
