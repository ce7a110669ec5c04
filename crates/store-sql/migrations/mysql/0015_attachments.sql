-- Attachments' metadata (MariaDB/MySQL). Mirrors sqlite's 0015_attachments.sql.
CREATE TABLE attachments (
    id              VARCHAR(64)  NOT NULL PRIMARY KEY,
    owner_id        VARCHAR(64)  NOT NULL,
    size            BIGINT       NOT NULL,
    media_type      VARCHAR(255) NOT NULL,
    name            VARCHAR(1024) NOT NULL,
    width           BIGINT,
    height          BIGINT,
    has_thumbnail   BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at      BIGINT       NOT NULL,
    conversation_id VARCHAR(64),
    KEY attachments_owner (owner_id),
    -- No partial indexes here: the sweep reads (conversation_id, created_at).
    KEY attachments_unsent (conversation_id, created_at),
    FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
