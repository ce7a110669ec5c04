-- A group's avatar (a URL, usually) and announcement; empty: none.
ALTER TABLE chat_groups ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_groups ADD COLUMN announcement TEXT NOT NULL DEFAULT '';
