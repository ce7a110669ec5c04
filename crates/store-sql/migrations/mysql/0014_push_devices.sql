-- Push tokens (docs/protocol.md, "Devices"): at most one per session, and a
-- token (per platform) belongs to one session, the last to register it.
-- A device is pushed to only while its session is live: the queries join
-- `sessions`, so logout and revocation end pushes at once; the rows of
-- ended sessions are deleted when their user registers again. A token is
-- at most 512 ASCII characters (`push::MAX_TOKEN_LEN`), so the unique key
-- fits InnoDB's 3072 bytes.
CREATE TABLE push_devices (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_id    VARCHAR(64)  NOT NULL,
    session_id VARCHAR(64)  NOT NULL,
    platform   VARCHAR(16)  NOT NULL,
    token      VARCHAR(512) NOT NULL,
    app_id     VARCHAR(255),
    created_at BIGINT       NOT NULL,
    UNIQUE KEY push_devices_session (session_id),
    UNIQUE KEY push_devices_token (platform, token),
    KEY push_devices_user (user_id),
    FOREIGN KEY (user_id) REFERENCES users (id),
    FOREIGN KEY (session_id) REFERENCES sessions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
