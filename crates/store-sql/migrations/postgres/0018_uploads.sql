-- Chunked uploads under way (PostgreSQL). Mirrors sqlite's 0018_uploads.sql.
CREATE TABLE uploads (
    id         TEXT COLLATE "C" PRIMARY KEY,
    owner_id   TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    name       TEXT   NOT NULL,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX uploads_owner ON uploads (owner_id);
CREATE INDEX uploads_created ON uploads (created_at);
