-- Replies, mentions, edits, recalls, reactions and pins (docs/PROTOCOL.md, "Changes to
-- messages"). A change to a message is an event of its own, in the conversation's seq order,
-- with `target` set to the seq of the message it changes; the message's row is kept as it stands
-- now (current text, `edited_at`, `rev`: the seq of the latest change), so a page of history
-- needs no replay.
ALTER TABLE events ADD COLUMN target BIGINT;
ALTER TABLE events ADD COLUMN edited_at BIGINT;
ALTER TABLE events ADD COLUMN rev BIGINT;
-- The content before the first edit, for the list of versions; erased by a recall.
ALTER TABLE events ADD COLUMN original TEXT;
CREATE INDEX events_by_target ON events (conv_id, target) WHERE target IS NOT NULL;

-- The event shown as the conversation's preview: the latest message or system event, never a
-- change to a message. `last_ts` likewise moves only with those (it orders the list). The
-- append statements keep both (write/apply.rs).
ALTER TABLE conversations ADD COLUMN preview_seq BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET preview_seq = last_seq;

CREATE TABLE reactions (
    conv_id BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    emoji   TEXT   NOT NULL,
    user_id BIGINT NOT NULL,
    ts      BIGINT NOT NULL,
    PRIMARY KEY (conv_id, seq, emoji, user_id)
);

CREATE TABLE pins (
    conv_id BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    by_id   BIGINT NOT NULL,
    ts      BIGINT NOT NULL,
    PRIMARY KEY (conv_id, seq)
);

-- Who a message mentions, for the exact count of unread mentions: user 0 stands for @all.
CREATE TABLE mentions (
    conv_id   BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    sender_id BIGINT NOT NULL,
    PRIMARY KEY (conv_id, user_id, seq)
);
