-- Followers of the commit log (see ARCHITECTURE.md, "Followers"). SQLite commits one batch at a
-- time in change-counter order, so the log is a row per batch naming the events it stored, in
-- order (an index on the events themselves would cost every message a second B-tree insert).
-- Rows older than every follower are pruned. Events also record their batch's position, as
-- on PostgreSQL, where the log is the events themselves.
ALTER TABLE events ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;

CREATE TABLE commit_log (
    pos    INTEGER PRIMARY KEY,
    -- JSON array of [conversation, seq] pairs, in the order the batch stored them.
    events TEXT    NOT NULL
);

CREATE TABLE followers (
    name        TEXT    PRIMARY KEY,
    position    TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT '',
    holder      TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0
);
