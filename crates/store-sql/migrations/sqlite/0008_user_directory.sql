-- The user directory: whether a user is found by others, and their
-- nickname case-folded (Unicode lower case, written by the server; rows
-- from before this migration get SQLite's ASCII-only LOWER until their
-- nickname is next set), indexed for prefix searches.
ALTER TABLE users ADD COLUMN discoverable INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN nickname_key TEXT NOT NULL DEFAULT '';
UPDATE users SET nickname_key = LOWER(nickname);
CREATE INDEX users_nickname_key ON users(nickname_key);
