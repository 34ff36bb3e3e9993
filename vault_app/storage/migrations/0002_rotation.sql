-- Vault schema, version 2: staged rotation runs.
-- One row per rotation attempt. state moves through
--   started -> creating -> created -> applied -> tested -> finished -> revoking -> done
-- and ends in done, failed, rolled_back or lost. A run whose ended_at is NULL was interrupted
-- (or is running); at most one such run exists per record.
CREATE TABLE rotation_runs (
    id           TEXT PRIMARY KEY,
    token_id     TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    adapter      TEXT NOT NULL,
    state        TEXT NOT NULL,
    from_version INTEGER NOT NULL,
    to_version   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    -- non-secret data from the adapter (token ids, accessors), JSON
    data         TEXT NOT NULL DEFAULT '{}',
    message      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX rotation_one_open_run ON rotation_runs (token_id) WHERE ended_at IS NULL;
CREATE INDEX rotation_runs_token ON rotation_runs (token_id, started_at);

-- Every step of every run, for the history view and the progress of a resumed run.
CREATE TABLE rotation_steps (
    run_id TEXT NOT NULL REFERENCES rotation_runs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    state  TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
