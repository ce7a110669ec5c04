-- Accounts and sessions (PostgreSQL). Mirrors store-sqlite's
-- 0001_accounts.sql: times are Unix milliseconds (BIGINT), ids are UUIDv7
-- text. Keys use the "C" collation, so text compares and sorts byte by byte
-- as it does in SQLite, whatever the server's locale.

CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    username      TEXT   NOT NULL,
    -- lower-cased username: "Alice" and "alice" are one account
    username_key  TEXT COLLATE "C" NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    nickname      TEXT   NOT NULL,
    avatar        TEXT   NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    device_id  TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Every refresh token ever issued, by hash. A token with replaced_at set was
-- rotated away; presenting it again revokes the session (reuse detection).
CREATE TABLE refresh_tokens (
    token_hash  TEXT COLLATE "C" PRIMARY KEY,
    session_id  TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    created_at  BIGINT NOT NULL,
    replaced_at BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
