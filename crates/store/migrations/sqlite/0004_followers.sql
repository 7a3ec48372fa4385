-- Followers of the commit log (see ARCHITECTURE.md, "Followers"): each event records the change
-- position of the batch that stored it, and each follower its cursor, its state and who holds
-- its lease. Events stored before this migration have position 0: followers start after them.
ALTER TABLE events ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_by_pos ON events (pos, conv_id, seq);

CREATE TABLE followers (
    name        TEXT    PRIMARY KEY,
    position    TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT '',
    holder      TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0
);
