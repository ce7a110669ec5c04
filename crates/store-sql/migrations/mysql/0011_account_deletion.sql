-- When the account was deleted (NULL: it was not). A deleted account's
-- row stays, its profile erased, so that what it wrote still names
-- someone; its username is free again (username_key becomes '#' and the
-- id, which no username can be).
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
