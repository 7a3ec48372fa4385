-- Replies, mentions, edits, recalls, reactions and pins (docs/PROTOCOL.md, "Changes to
-- messages"). A change to a message is an event of its own, in the conversation's seq order,
-- with `target` set to the seq of the message it changes; the message's row is kept as it stands
-- now (current text, `edited_at`, `rev`: the seq of the latest change), so a page of history
-- needs no replay.
ALTER TABLE events ADD COLUMN target INTEGER;
ALTER TABLE events ADD COLUMN edited_at INTEGER;
ALTER TABLE events ADD COLUMN rev INTEGER;
-- The content before the first edit, for the list of versions; erased by a recall.
ALTER TABLE events ADD COLUMN original TEXT;
CREATE INDEX events_by_target ON events (conv_id, target) WHERE target IS NOT NULL;

-- The event shown as the conversation's preview: the latest message or system event, never a
-- change to a message. `last_ts` likewise moves only with those (it orders the list).
ALTER TABLE conversations ADD COLUMN preview_seq INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET preview_seq = last_seq;

CREATE TABLE reactions (
    conv_id INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    emoji   TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    PRIMARY KEY (conv_id, seq, emoji, user_id)
) WITHOUT ROWID;

CREATE TABLE pins (
    conv_id INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    by_id   INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    PRIMARY KEY (conv_id, seq)
) WITHOUT ROWID;

-- Who a message mentions, for the exact count of unread mentions: user 0 stands for @all.
CREATE TABLE mentions (
    conv_id   INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    sender_id INTEGER NOT NULL,
    PRIMARY KEY (conv_id, user_id, seq)
) WITHOUT ROWID;

DROP TRIGGER events_advance_conversation;
CREATE TRIGGER events_advance_conversation AFTER INSERT ON events
BEGIN
    UPDATE conversations
       SET last_seq = NEW.seq,
           last_ts = CASE WHEN NEW.target IS NULL THEN NEW.ts ELSE last_ts END,
           preview_seq = CASE WHEN NEW.target IS NULL THEN NEW.seq ELSE preview_seq END,
           change_pos = (SELECT value FROM counters WHERE name = 'change_pos')
     WHERE id = NEW.conv_id;
    UPDATE members
       SET read_seq = NEW.seq,
           change_pos = (SELECT value FROM counters WHERE name = 'change_pos')
     WHERE NEW.cmid IS NOT NULL AND conv_id = NEW.conv_id AND user_id = NEW.sender_id;
END;
