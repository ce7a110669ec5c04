-- Attachments' metadata (their bytes are in object storage, named by id).
-- conversation_id is NULL until the file is sent in a message; only then
-- may the conversation's members read it, and an unsent one is deleted
-- after `storage.orphan_after`.
CREATE TABLE attachments (
    id              TEXT    PRIMARY KEY NOT NULL,
    owner_id        TEXT    NOT NULL REFERENCES users(id),
    size            INTEGER NOT NULL,
    media_type      TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    width           INTEGER,
    height          INTEGER,
    has_thumbnail   INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    conversation_id TEXT
);
-- The quota sums an owner's sizes; the sweep finds old unsent ones.
CREATE INDEX attachments_owner ON attachments(owner_id);
CREATE INDEX attachments_unsent ON attachments(created_at) WHERE conversation_id IS NULL;
