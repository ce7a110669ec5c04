-- Accounts an outside issuer vouches for (`[auth.external]`, OpenID
-- Connect): one per (issuer, subject), made on first sight. The key makes
-- two racing first sights make one account. The row stays when the
-- account is deleted, so the same subject is refused, not given a new one.
CREATE TABLE external_identities (
    issuer     TEXT COLLATE "C" NOT NULL,
    subject    TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
