-- The user directory: whether a user is found by others, and their
-- nickname case-folded (Unicode lower case, written by the server),
-- indexed for prefix searches. Binary collation: compared byte by byte.
ALTER TABLE users ADD COLUMN discoverable BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN nickname_key VARCHAR(255) NOT NULL DEFAULT '';
UPDATE users SET nickname_key = LOWER(nickname);
CREATE INDEX users_nickname_key ON users(nickname_key);
