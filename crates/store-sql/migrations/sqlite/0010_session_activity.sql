-- When a session was last seen: set at login and at every refresh (an
-- active client refreshes once per access-token lifetime), shown in the
-- user's list of their sessions. NULL for sessions from before this
-- migration: their created_at stands in.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
