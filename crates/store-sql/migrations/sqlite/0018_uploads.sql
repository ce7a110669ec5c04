-- Chunked uploads under way (their chunks are in object storage, under
-- the id the attachment will have). `received` is the offset the next
-- chunk must start at; the row goes when the attachment is recorded, or
-- with the orphan sweep after `storage.orphan_after`.
CREATE TABLE uploads (
    id         TEXT    PRIMARY KEY NOT NULL,
    owner_id   TEXT    NOT NULL REFERENCES users(id),
    name       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    received   INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
-- The quota sums an owner's declared sizes; the sweep finds old ones.
CREATE INDEX uploads_owner ON uploads(owner_id);
CREATE INDEX uploads_created ON uploads(created_at);
