-- Contacts (好友), the requests that make them, blocks, and who may reach a user
-- (docs/PROTOCOL.md, "Contacts, blocks and privacy").
--
-- A contact is kept as two rows, one per direction, so "my contacts" is one index range.
CREATE TABLE contacts (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    contact_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, contact_id)
);

-- One request per ordered pair: asked again after a decline, the row is asked anew. Kept after
-- its answer, so the hourly limit on requests counts what was asked, not what is pending.
CREATE TABLE contact_requests (
    from_id    BIGINT NOT NULL REFERENCES users (id),
    to_id      BIGINT NOT NULL REFERENCES users (id),
    note       TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (from_id, to_id)
);
CREATE INDEX contact_requests_to ON contact_requests (to_id, status);
CREATE INDEX contact_requests_sent ON contact_requests (from_id, created_at);

-- `user_id` blocked `blocked_id`.
CREATE TABLE blocks (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    blocked_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);

-- Who may open a direct conversation with a user, and add them to groups.
ALTER TABLE users ADD COLUMN direct_from TEXT NOT NULL DEFAULT 'everyone'
    CHECK (direct_from IN ('everyone', 'contacts'));
ALTER TABLE users ADD COLUMN groups_from TEXT NOT NULL DEFAULT 'everyone'
    CHECK (groups_from IN ('everyone', 'contacts'));

-- A direct conversation between two users one of whom blocked the other: nobody posts in it
-- while the block stands (the append statement reads this flag on the row it already reads).
ALTER TABLE conversations ADD COLUMN blocked BOOLEAN NOT NULL DEFAULT false;
