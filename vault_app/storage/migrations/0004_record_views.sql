-- The listing form of each record, kept so that `list` does not rebuild 10,000 of them per call
-- and reads this table alone, in list order (through the (name, env) index). A rowid table: its
-- ~1 KB rows fit in their pages, where a WITHOUT ROWID table spills many to overflow pages.
-- `key` names what a view was built with (view format, code, policy); a view under another key
-- is stale. expires_at .. rotate_every_days: copies of the token's columns that the
-- clock-dependent parts need. head/mid/tail: the record's JSON members that change with neither
-- the clock nor other records; findings: the JSON array of its findings that depend on neither.
-- Metadata only, never a value, inside the encrypted database like the tokens it mirrors.
CREATE TABLE record_views (
    name              TEXT NOT NULL,
    env               TEXT NOT NULL,
    token_id          TEXT NOT NULL,
    key               TEXT NOT NULL,
    expires_at        INTEGER,
    issued_at         INTEGER NOT NULL,
    rotated           INTEGER NOT NULL,
    rotate_every_days INTEGER,
    head              TEXT NOT NULL,
    mid               TEXT NOT NULL,
    tail              TEXT NOT NULL,
    findings          TEXT NOT NULL,
    UNIQUE (name, env)
);
-- Counting the views under a key, and finding the records without one, read this small index.
CREATE INDEX record_views_key ON record_views (key, token_id);

-- Any change to a record drops its view, whoever makes it, so a view is never older than its row
-- and exists only for a record that exists.
CREATE TRIGGER record_views_on_insert AFTER INSERT ON tokens
BEGIN
    DELETE FROM record_views WHERE name = NEW.name AND env = NEW.env;
END;

CREATE TRIGGER record_views_on_update AFTER UPDATE ON tokens
BEGIN
    DELETE FROM record_views WHERE name = OLD.name AND env = OLD.env;
END;

CREATE TRIGGER record_views_on_delete AFTER DELETE ON tokens
BEGIN
    DELETE FROM record_views WHERE name = OLD.name AND env = OLD.env;
END;
