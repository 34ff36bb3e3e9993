-- Vault schema, version 1.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE tokens (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    env               TEXT NOT NULL,
    provider          TEXT,
    kind              TEXT,
    fingerprint       TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    expires_at        INTEGER,
    not_before        INTEGER,
    last_rotated_at   INTEGER,
    rotate_every_days INTEGER,
    scopes            TEXT NOT NULL DEFAULT '[]',
    cidrs             TEXT NOT NULL DEFAULT '[]',
    countries         TEXT NOT NULL DEFAULT '[]',
    endpoints         TEXT NOT NULL DEFAULT '[]',
    resources         TEXT NOT NULL DEFAULT '[]',
    tags              TEXT NOT NULL DEFAULT '[]',
    notes             TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    sources           TEXT NOT NULL DEFAULT '{}',
    token_info        TEXT NOT NULL DEFAULT '{}',
    provider_options  TEXT NOT NULL DEFAULT '{}',
    UNIQUE (name, env)
);
CREATE INDEX tokens_fingerprint ON tokens (fingerprint);
CREATE INDEX tokens_env ON tokens (env);

-- Secret values live apart from the metadata so that listing never reads a ciphertext.
-- slot: 'current', and later 'pending' / 'previous' for staged rotation.
CREATE TABLE secret_values (
    token_id   TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    slot       TEXT NOT NULL CHECK (slot IN ('current', 'pending', 'previous')),
    version    INTEGER NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (token_id, slot)
) WITHOUT ROWID;

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    action    TEXT NOT NULL,
    name      TEXT,
    env       TEXT,
    detail    TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
