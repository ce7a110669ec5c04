-- Profile fields: an email address (optional; seen by its user only) and
-- a status line (public). email_key is the address lower-cased by the
-- server: one address, one account (NULLs do not collide).
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_key TEXT;
ALTER TABLE users ADD COLUMN status_text TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_email_key ON users(email_key);
