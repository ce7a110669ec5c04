-- Administrators and moderation. admin: the user holds the admin role
-- (granted with `ferrochat admin grant`); disabled_until: an administrator
-- disabled the account until then (the largest BIGINT: until enabled;
-- NULL or past: it is not disabled).
ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_until INTEGER;

-- What administrators and the operator did. The store port only ever
-- appends to it. Ids are UUIDv7, so id order is time order.
CREATE TABLE audit_log (
    id     TEXT    PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    detail TEXT    NOT NULL
);

-- Users' reports of a user or a message (conversation_id and seq set),
-- resolved_* set once an administrator closed one.
CREATE TABLE reports (
    id              TEXT    PRIMARY KEY NOT NULL,
    reporter        TEXT    NOT NULL REFERENCES users (id),
    reported        TEXT    NOT NULL REFERENCES users (id),
    conversation_id TEXT,
    seq             INTEGER,
    reason          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    resolved_by     TEXT    REFERENCES users (id),
    resolved_at     INTEGER,
    resolution      TEXT
);
CREATE INDEX reports_open ON reports (resolved_at, id);
