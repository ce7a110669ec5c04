-- Conversations, members (with their read cursors) and messages
-- (PostgreSQL). Mirrors store-sqlite's 0002_messaging.sql.
-- Read diffusion (design invariant 5): a message is stored once per
-- conversation; per member there is only a cursor.

CREATE TABLE conversations (
    id           TEXT COLLATE "C" PRIMARY KEY,
    kind         TEXT   NOT NULL,            -- single | group | world
    -- single conversations: the two users, user_lo < user_hi
    user_lo      TEXT COLLATE "C",
    user_hi      TEXT COLLATE "C",
    group_id     TEXT COLLATE "C",
    -- Commits read this with SELECT ... FOR UPDATE: the row lock orders
    -- concurrent writers to one conversation.
    last_seq     BIGINT NOT NULL DEFAULT 0,
    member_count BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
-- Same pair, same conversation.
CREATE UNIQUE INDEX conversations_pair ON conversations (user_lo, user_hi) WHERE kind = 'single';

-- The one room every user is in.
INSERT INTO conversations (id, kind, created_at, updated_at) VALUES ('world', 'world', 0, 0);

CREATE TABLE conversation_members (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    role            TEXT    NOT NULL DEFAULT 'member',   -- owner | admin | member
    read_seq        BIGINT  NOT NULL DEFAULT 0,
    muted           BOOLEAN NOT NULL DEFAULT FALSE,      -- notifications off (member's choice)
    pinned          BOOLEAN NOT NULL DEFAULT FALSE,
    muted_until     BIGINT,                              -- may not send until (group admins)
    joined_at       BIGINT  NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_by_user ON conversation_members (user_id);

-- History pages are range scans of the primary key (conversation, seq),
-- and the key forbids two messages with one seq.
CREATE TABLE messages (
    conversation_id TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    id              TEXT   NOT NULL,
    from_user_id    TEXT COLLATE "C" NOT NULL,
    client_msg_id   TEXT COLLATE "C" NOT NULL,
    message_type    TEXT   NOT NULL,
    content         TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
-- A resend stores nothing new (design invariant 3).
CREATE UNIQUE INDEX messages_dedup ON messages (from_user_id, client_msg_id);

-- "groups" is reserved in MySQL 8; one name for every backend.
CREATE TABLE chat_groups (
    id              TEXT COLLATE "C" PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES conversations (id),
    name            TEXT   NOT NULL,
    description     TEXT   NOT NULL DEFAULT '',
    owner_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    max_members     BIGINT NOT NULL,
    join_policy     TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Existing users join the world room with nothing unread.
INSERT INTO conversation_members (conversation_id, user_id, joined_at)
    SELECT 'world', id, created_at FROM users;
UPDATE conversations SET member_count = (SELECT COUNT(*) FROM users) WHERE id = 'world';
