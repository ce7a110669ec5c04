-- Administrators and moderation. admin: the user holds the admin role
-- (granted with `ferrochat admin grant`); disabled_until: an administrator
-- disabled the account until then (the largest BIGINT: until enabled;
-- NULL or past: it is not disabled).
ALTER TABLE users
    ADD COLUMN admin BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN disabled_until BIGINT;

-- What administrators and the operator did. The store port only ever
-- appends to it. Ids are UUIDv7, so id order is time order.
CREATE TABLE audit_log (
    id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    created_at BIGINT       NOT NULL,
    actor  VARCHAR(64)  NOT NULL,
    action VARCHAR(64)  NOT NULL,
    target VARCHAR(200) NOT NULL,
    detail TEXT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Users' reports of a user or a message (conversation_id and seq set),
-- resolved_* set once an administrator closed one.
CREATE TABLE reports (
    id              VARCHAR(64) NOT NULL PRIMARY KEY,
    reporter        VARCHAR(64) NOT NULL,
    reported        VARCHAR(64) NOT NULL,
    conversation_id VARCHAR(64),
    seq             BIGINT,
    reason          TEXT        NOT NULL,
    created_at      BIGINT      NOT NULL,
    resolved_by     VARCHAR(64),
    resolved_at     BIGINT,
    resolution      TEXT,
    KEY reports_open (resolved_at, id),
    FOREIGN KEY (reporter) REFERENCES users (id),
    FOREIGN KEY (reported) REFERENCES users (id),
    FOREIGN KEY (resolved_by) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
