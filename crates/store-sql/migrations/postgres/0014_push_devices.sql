-- Push tokens (docs/protocol.md, "Devices"): at most one per session, and a
-- token (per platform) belongs to one session, the last to register it.
-- A device is pushed to only while its session is live: the queries join
-- `sessions`, so logout and revocation end pushes at once; the rows of
-- ended sessions are deleted when their user registers again.
CREATE TABLE push_devices (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    session_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES sessions (id),
    platform   TEXT COLLATE "C" NOT NULL,
    token      TEXT COLLATE "C" NOT NULL,
    app_id     TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (platform, token)
);
CREATE INDEX push_devices_user ON push_devices (user_id);
