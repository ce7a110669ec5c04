-- Conversations, members (with their read cursors) and messages.
-- Read diffusion (design invariant 5): a message is stored once per
-- conversation; per member there is only a cursor.

CREATE TABLE conversations (
    id           TEXT    PRIMARY KEY NOT NULL,
    kind         TEXT    NOT NULL,            -- single | group | world
    -- single conversations: the two users, user_lo < user_hi
    user_lo      TEXT,
    user_hi      TEXT,
    group_id     TEXT,
    last_seq     INTEGER NOT NULL DEFAULT 0,
    member_count INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- Same pair, same conversation.
CREATE UNIQUE INDEX conversations_pair ON conversations(user_lo, user_hi) WHERE kind = 'single';

-- The one room every user is in.
INSERT INTO conversations (id, kind, created_at, updated_at) VALUES ('world', 'world', 0, 0);

CREATE TABLE conversation_members (
    conversation_id TEXT    NOT NULL REFERENCES conversations(id),
    user_id         TEXT    NOT NULL REFERENCES users(id),
    role            TEXT    NOT NULL DEFAULT 'member',   -- owner | admin | member
    read_seq        INTEGER NOT NULL DEFAULT 0,
    muted           INTEGER NOT NULL DEFAULT 0,          -- notifications off (member's choice)
    pinned          INTEGER NOT NULL DEFAULT 0,
    muted_until     INTEGER,                             -- may not send until (group admins)
    joined_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON conversation_members(user_id);

-- Clustered by (conversation, seq): history pages are range scans, and
-- the key itself forbids two messages with one seq.
CREATE TABLE messages (
    conversation_id TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    id              TEXT    NOT NULL,
    from_user_id    TEXT    NOT NULL,
    client_msg_id   TEXT    NOT NULL,
    message_type    TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
-- A resend stores nothing new (design invariant 3).
CREATE UNIQUE INDEX messages_dedup ON messages(from_user_id, client_msg_id);

-- "groups" is reserved in MySQL 8; one name for every backend.
CREATE TABLE chat_groups (
    id              TEXT    PRIMARY KEY NOT NULL,
    conversation_id TEXT    NOT NULL UNIQUE REFERENCES conversations(id),
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    owner_id        TEXT    NOT NULL REFERENCES users(id),
    max_members     INTEGER NOT NULL,
    join_policy     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);

-- Existing users join the world room with nothing unread.
INSERT INTO conversation_members (conversation_id, user_id, joined_at)
    SELECT 'world', id, created_at FROM users;
UPDATE conversations SET member_count = (SELECT COUNT(*) FROM users) WHERE id = 'world';
