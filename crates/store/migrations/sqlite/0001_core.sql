-- Core schema: accounts, sessions, conversations, members, events.
-- Times are Unix milliseconds. seq and change_pos are described in ARCHITECTURE.md.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash BLOB    NOT NULL UNIQUE,
    device     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
    name       TEXT,
    -- "<lower user id>:<higher user id>" for direct conversations: one per pair.
    direct_key TEXT    UNIQUE,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    last_ts    INTEGER NOT NULL,
    change_pos INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE members (
    conv_id    INTEGER NOT NULL REFERENCES conversations (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('owner', 'member')),
    read_seq   INTEGER NOT NULL DEFAULT 0,
    -- seq of the event that removed the member; NULL while a member.
    left_seq   INTEGER,
    change_pos INTEGER NOT NULL,
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (conv_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members (user_id, conv_id);

CREATE TABLE events (
    conv_id       INTEGER NOT NULL REFERENCES conversations (id),
    seq           INTEGER NOT NULL,
    id            TEXT    NOT NULL,
    sender_id     INTEGER NOT NULL REFERENCES users (id),
    cmid          TEXT,
    content       TEXT    NOT NULL,
    counts_unread INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    PRIMARY KEY (conv_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX events_by_id ON events (id);
CREATE UNIQUE INDEX events_by_cmid ON events (sender_id, cmid) WHERE cmid IS NOT NULL;

-- Global change counter behind sync tokens; bumped once per committed write batch.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_pos', 0);
