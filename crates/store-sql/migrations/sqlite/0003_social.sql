-- Friends, friend requests, blocks; dissolved groups.

CREATE TABLE friend_requests (
    id           TEXT    PRIMARY KEY NOT NULL,
    from_user_id TEXT    NOT NULL REFERENCES users(id),
    to_user_id   TEXT    NOT NULL REFERENCES users(id),
    message      TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL,            -- pending | accepted | rejected
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- At most one pending request per direction.
CREATE UNIQUE INDEX friend_requests_pending ON friend_requests(from_user_id, to_user_id)
    WHERE status = 'pending';
CREATE INDEX friend_requests_to ON friend_requests(to_user_id, status);

-- One row per direction, so "my friends" is one index range.
CREATE TABLE friendships (
    user_id    TEXT    NOT NULL REFERENCES users(id),
    friend_id  TEXT    NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, friend_id)
) WITHOUT ROWID;

CREATE TABLE blocks (
    blocker_id TEXT    NOT NULL REFERENCES users(id),
    blocked_id TEXT    NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;

-- A dissolved group's conversation is closed: readable, not writable.
ALTER TABLE conversations ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chat_groups ADD COLUMN dissolved_at INTEGER;
