-- A group's avatar (a URL, usually) and announcement; empty: none.
-- VARCHAR, not TEXT: MySQL takes no literal default on TEXT columns.
-- (Lengths in characters, what Avatar and GroupAnnouncement allow.)
ALTER TABLE chat_groups
    ADD COLUMN avatar VARCHAR(512) NOT NULL DEFAULT '',
    ADD COLUMN announcement VARCHAR(2048) NOT NULL DEFAULT '';
