-- Profile fields: an email address (optional; seen by its user only) and
-- a status line (public). email_key is the address lower-cased by the
-- server: one address, one account (NULLs do not collide). VARCHAR, not
-- TEXT: MySQL takes no literal default on TEXT columns (lengths in
-- characters, what Email and StatusText allow).
ALTER TABLE users
    ADD COLUMN email VARCHAR(254),
    ADD COLUMN email_key VARCHAR(254),
    ADD COLUMN status_text VARCHAR(140) NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_email_key ON users(email_key);
