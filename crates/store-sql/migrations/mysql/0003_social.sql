-- Friends, friend requests, blocks; dissolved groups (MariaDB/MySQL).
-- Mirrors store-sqlite's 0003_social.sql.

CREATE TABLE friend_requests (
    id           VARCHAR(64) NOT NULL PRIMARY KEY,
    from_user_id VARCHAR(64) NOT NULL,
    to_user_id   VARCHAR(64) NOT NULL,
    message      TEXT        NOT NULL,
    status       VARCHAR(16) NOT NULL,            -- pending | accepted | rejected
    created_at   BIGINT      NOT NULL,
    updated_at   BIGINT      NOT NULL,
    -- 1 while pending, else NULL: with no partial indexes in MySQL, the
    -- unique key below holds at most one pending request per direction
    -- (NULLs never collide).
    pending      TINYINT AS (CASE WHEN status = 'pending' THEN 1 END) STORED,
    UNIQUE KEY friend_requests_pending (from_user_id, to_user_id, pending),
    KEY friend_requests_to (to_user_id, status),
    FOREIGN KEY (from_user_id) REFERENCES users (id),
    FOREIGN KEY (to_user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per direction, so "my friends" is one index range.
CREATE TABLE friendships (
    user_id    VARCHAR(64) NOT NULL,
    friend_id  VARCHAR(64) NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (user_id, friend_id),
    FOREIGN KEY (user_id) REFERENCES users (id),
    FOREIGN KEY (friend_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE blocks (
    blocker_id VARCHAR(64) NOT NULL,
    blocked_id VARCHAR(64) NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    FOREIGN KEY (blocker_id) REFERENCES users (id),
    FOREIGN KEY (blocked_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A dissolved group's conversation is closed: readable, not writable.
ALTER TABLE conversations ADD COLUMN closed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE chat_groups ADD COLUMN dissolved_at BIGINT;
