-- Chunked uploads under way (MariaDB/MySQL). Mirrors sqlite's 0018_uploads.sql.
CREATE TABLE uploads (
    id         VARCHAR(64)   NOT NULL PRIMARY KEY,
    owner_id   VARCHAR(64)   NOT NULL,
    name       VARCHAR(1024) NOT NULL,
    size       BIGINT        NOT NULL,
    received   BIGINT        NOT NULL,
    created_at BIGINT        NOT NULL,
    KEY uploads_owner (owner_id),
    KEY uploads_created (created_at),
    FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
