-- Conversations, members (with their read cursors) and messages
-- (MariaDB/MySQL). Mirrors store-sqlite's 0002_messaging.sql.
-- Read diffusion (design invariant 5): a message is stored once per
-- conversation; per member there is only a cursor.

CREATE TABLE conversations (
    id           VARCHAR(64) NOT NULL PRIMARY KEY,
    kind         VARCHAR(16) NOT NULL,            -- single | group | world
    -- single conversations: the two users, user_lo < user_hi
    user_lo      VARCHAR(64),
    user_hi      VARCHAR(64),
    group_id     VARCHAR(64),
    -- Commits read this with SELECT ... FOR UPDATE: the row lock orders
    -- concurrent writers to one conversation.
    last_seq     BIGINT      NOT NULL DEFAULT 0,
    member_count BIGINT      NOT NULL DEFAULT 0,
    created_at   BIGINT      NOT NULL,
    updated_at   BIGINT      NOT NULL,
    -- Same pair, same conversation. Other kinds leave both NULL, and NULLs
    -- never collide in a unique key (no partial indexes in MySQL).
    UNIQUE KEY conversations_pair (user_lo, user_hi)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The one room every user is in.
INSERT INTO conversations (id, kind, created_at, updated_at) VALUES ('world', 'world', 0, 0);

CREATE TABLE conversation_members (
    conversation_id VARCHAR(64) NOT NULL,
    user_id         VARCHAR(64) NOT NULL,
    role            VARCHAR(16) NOT NULL DEFAULT 'member',  -- owner | admin | member
    read_seq        BIGINT      NOT NULL DEFAULT 0,
    muted           BOOLEAN     NOT NULL DEFAULT FALSE,     -- notifications off (member's choice)
    pinned          BOOLEAN     NOT NULL DEFAULT FALSE,
    muted_until     BIGINT,                                 -- may not send until (group admins)
    joined_at       BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, user_id),
    KEY members_by_user (user_id),
    FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- InnoDB clusters a table by its primary key: history pages are range
-- scans of (conversation, seq), and the key forbids two messages with one
-- seq.
CREATE TABLE messages (
    conversation_id VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    id              VARCHAR(64) NOT NULL,
    from_user_id    VARCHAR(64) NOT NULL,
    client_msg_id   VARCHAR(64) NOT NULL,
    message_type    VARCHAR(32) NOT NULL,
    content         MEDIUMTEXT  NOT NULL,
    created_at      BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    -- A resend stores nothing new (design invariant 3).
    UNIQUE KEY messages_dedup (from_user_id, client_msg_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- "groups" is reserved in MySQL 8; one name for every backend.
CREATE TABLE chat_groups (
    id              VARCHAR(64) NOT NULL PRIMARY KEY,
    conversation_id VARCHAR(64) NOT NULL UNIQUE,
    name            TEXT        NOT NULL,
    description     TEXT        NOT NULL,
    owner_id        VARCHAR(64) NOT NULL,
    max_members     BIGINT      NOT NULL,
    join_policy     VARCHAR(16) NOT NULL,
    created_at      BIGINT      NOT NULL,
    FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Existing users join the world room with nothing unread.
INSERT INTO conversation_members (conversation_id, user_id, joined_at)
    SELECT 'world', id, created_at FROM users;
UPDATE conversations SET member_count = (SELECT COUNT(*) FROM users) WHERE id = 'world';
