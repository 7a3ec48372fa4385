-- Each member's own preferences for a conversation (docs/PROTOCOL.md, the `preferences` frame):
-- how they want to hear of its messages, and since when they keep it on top of
-- their list (NULL: not on top). A change moves the member row's change_pos, so sync reports
-- it to the member's other devices.
ALTER TABLE members ADD COLUMN notify TEXT NOT NULL DEFAULT 'all' CHECK (notify IN ('all', 'mentions', 'muted'));
ALTER TABLE members ADD COLUMN top_at BIGINT;
