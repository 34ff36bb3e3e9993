-- Reminders already sent, so that a restart does not repeat them. threshold: seconds before
-- expiry, or -1 for "rotation overdue". A new version of a token starts with none sent.
CREATE TABLE reminders_sent (
    token_id  TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL,
    PRIMARY KEY (token_id, version, threshold)
) WITHOUT ROWID;

-- Per-token lead times for expiry reminders (JSON list of seconds); NULL: the policy's.
ALTER TABLE tokens ADD COLUMN notify_before TEXT;
