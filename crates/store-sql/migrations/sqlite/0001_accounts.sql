-- Accounts and sessions. Times are Unix milliseconds (INTEGER) so every
-- backend stores them the same way; ids are UUIDv7 text.

CREATE TABLE users (
    id            TEXT    PRIMARY KEY NOT NULL,
    username      TEXT    NOT NULL,
    -- lower-cased username: "Alice" and "alice" are one account
    username_key  TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    nickname      TEXT    NOT NULL,
    avatar        TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users(id),
    device_id  TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Every refresh token ever issued, by hash. A token with replaced_at set was
-- rotated away; presenting it again revokes the session (reuse detection).
CREATE TABLE refresh_tokens (
    token_hash  TEXT    PRIMARY KEY NOT NULL,
    session_id  TEXT    NOT NULL REFERENCES sessions(id),
    created_at  INTEGER NOT NULL,
    replaced_at INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
