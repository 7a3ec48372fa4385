-- Core schema: accounts, sessions, conversations, members, events.
-- Times are Unix milliseconds. seq and change_pos are described in ARCHITECTURE.md; here
-- change_pos holds the id (xid8) of the transaction that last changed the row.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    display_name  TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    token_hash BYTEA  NOT NULL UNIQUE,
    device     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE conversations (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT   NOT NULL CHECK (kind IN ('direct', 'group')),
    name       TEXT,
    -- "<lower user id>:<higher user id>" for direct conversations: one per pair.
    direct_key TEXT   UNIQUE,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    last_ts    BIGINT NOT NULL,
    change_pos BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE members (
    conv_id    BIGINT NOT NULL REFERENCES conversations (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    role       TEXT   NOT NULL CHECK (role IN ('owner', 'member')),
    read_seq   BIGINT NOT NULL DEFAULT 0,
    -- seq of the event that removed the member; NULL while a member.
    left_seq   BIGINT,
    change_pos BIGINT NOT NULL,
    joined_at  BIGINT NOT NULL,
    PRIMARY KEY (conv_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id, conv_id);

CREATE TABLE events (
    conv_id       BIGINT  NOT NULL REFERENCES conversations (id),
    seq           BIGINT  NOT NULL,
    id            TEXT    NOT NULL,
    sender_id     BIGINT  NOT NULL REFERENCES users (id),
    cmid          TEXT,
    content       TEXT    NOT NULL,
    counts_unread BOOLEAN NOT NULL,
    ts            BIGINT  NOT NULL,
    PRIMARY KEY (conv_id, seq)
);
CREATE UNIQUE INDEX events_by_id ON events (id);
CREATE UNIQUE INDEX events_by_cmid ON events (sender_id, cmid) WHERE cmid IS NOT NULL;
