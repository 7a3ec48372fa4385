-- Files (docs/PROTOCOL.md, "Files"). Uploaded bytes are stored once per content: a blob is what
-- storage holds under blobs/<id>, with what tern learnt of it; a file is one upload of a blob by
-- one user, under the name they gave it. A blob's bytes are what is served: metadata removed
-- from pictures, so a photo's GPS position is never kept.
CREATE TABLE blobs (
    id         TEXT    PRIMARY KEY,
    sha256     TEXT    NOT NULL UNIQUE,
    size       BIGINT  NOT NULL,
    mime       TEXT    NOT NULL,
    -- A picture tern can show: its size as shown, placeholder colour, whether it moves, and the
    -- smaller renditions stored beside it ("thumb:image/jpeg preview:image/jpeg").
    width      BIGINT,
    height     BIGINT,
    color      TEXT,
    animated   BOOLEAN NOT NULL DEFAULT FALSE,
    variants   TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL
);

CREATE TABLE files (
    id         TEXT    PRIMARY KEY,
    owner_id   BIGINT  NOT NULL REFERENCES users (id),
    blob_id    TEXT    NOT NULL REFERENCES blobs (id),
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    -- Set once a message showed it; a file never shown is removed after a grace period.
    referenced BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX files_by_owner ON files (owner_id);
CREATE INDEX files_by_blob ON files (blob_id);

-- Which messages show which files: a file may be downloaded by its owner and by the members
-- who can see one of these messages.
CREATE TABLE file_refs (
    file_id TEXT    NOT NULL,
    conv_id BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    PRIMARY KEY (file_id, conv_id, seq)
);
CREATE INDEX file_refs_by_message ON file_refs (conv_id, seq);

-- Resumable uploads (tus): the state lives here so that any node may take the next chunk.
-- A finished one names its file (so a client that lost the last answer still learns it) until
-- it is swept.
CREATE TABLE uploads (
    id         TEXT    PRIMARY KEY,
    owner_id   BIGINT  NOT NULL REFERENCES users (id),
    length     BIGINT  NOT NULL,
    received   BIGINT  NOT NULL DEFAULT 0,
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    file_id    TEXT
);
CREATE INDEX uploads_by_owner ON uploads (owner_id);

-- Secrets every node must share, made on first start (e.g. the key that signs download links).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A user's profile picture: one of their uploaded pictures, readable by every user.
ALTER TABLE users ADD COLUMN avatar TEXT;
CREATE INDEX users_by_avatar ON users (avatar) WHERE avatar IS NOT NULL;

-- A group's picture: one of its owner's uploaded pictures, readable by its members.
ALTER TABLE conversations ADD COLUMN avatar TEXT;
CREATE INDEX conversations_by_avatar ON conversations (avatar) WHERE avatar IS NOT NULL;
