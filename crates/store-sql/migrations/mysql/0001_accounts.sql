-- Accounts and sessions (MariaDB/MySQL). Mirrors store-sqlite's
-- 0001_accounts.sql: times are Unix milliseconds (BIGINT), ids are UUIDv7
-- text. Every table is InnoDB with a binary collation, so text compares and
-- sorts byte by byte as it does in SQLite.

CREATE TABLE users (
    id            VARCHAR(64)  NOT NULL PRIMARY KEY,
    username      VARCHAR(64)  NOT NULL,
    -- lower-cased username: "Alice" and "alice" are one account
    username_key  VARCHAR(64)  NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    nickname      TEXT         NOT NULL,
    avatar        TEXT         NOT NULL,
    created_at    BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE sessions (
    id         VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id    VARCHAR(64) NOT NULL,
    device_id  VARCHAR(64),
    created_at BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL,
    revoked_at BIGINT,
    KEY sessions_user (user_id),
    FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Every refresh token ever issued, by hash. A token with replaced_at set was
-- rotated away; presenting it again revokes the session (reuse detection).
CREATE TABLE refresh_tokens (
    token_hash  VARCHAR(64) NOT NULL PRIMARY KEY,
    session_id  VARCHAR(64) NOT NULL,
    created_at  BIGINT      NOT NULL,
    replaced_at BIGINT,
    KEY refresh_tokens_session (session_id),
    FOREIGN KEY (session_id) REFERENCES sessions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
