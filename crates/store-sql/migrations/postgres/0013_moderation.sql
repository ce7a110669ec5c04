-- Administrators and moderation. admin: the user holds the admin role
-- (granted with `ferrochat admin grant`); disabled_until: an administrator
-- disabled the account until then (the largest BIGINT: until enabled;
-- NULL or past: it is not disabled).
ALTER TABLE users ADD COLUMN admin BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN disabled_until BIGINT;

-- What administrators and the operator did. The store port only ever
-- appends to it. Ids are UUIDv7, so id order is time order.
CREATE TABLE audit_log (
    id     TEXT COLLATE "C" PRIMARY KEY,
    created_at BIGINT NOT NULL,
    actor  TEXT   NOT NULL,
    action TEXT   NOT NULL,
    target TEXT   NOT NULL,
    detail TEXT   NOT NULL
);

-- Users' reports of a user or a message (conversation_id and seq set),
-- resolved_* set once an administrator closed one.
CREATE TABLE reports (
    id              TEXT COLLATE "C" PRIMARY KEY,
    reporter        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    reported        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    conversation_id TEXT,
    seq             BIGINT,
    reason          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    resolved_by     TEXT COLLATE "C" REFERENCES users (id),
    resolved_at     BIGINT,
    resolution      TEXT
);
CREATE INDEX reports_open ON reports (resolved_at, id);
