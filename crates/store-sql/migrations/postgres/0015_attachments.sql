-- Attachments' metadata (PostgreSQL). Mirrors sqlite's 0015_attachments.sql.
CREATE TABLE attachments (
    id              TEXT COLLATE "C" PRIMARY KEY,
    owner_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    size            BIGINT  NOT NULL,
    media_type      TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    width           BIGINT,
    height          BIGINT,
    has_thumbnail   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL,
    conversation_id TEXT COLLATE "C"
);
CREATE INDEX attachments_owner ON attachments (owner_id);
CREATE INDEX attachments_unsent ON attachments (created_at) WHERE conversation_id IS NULL;
