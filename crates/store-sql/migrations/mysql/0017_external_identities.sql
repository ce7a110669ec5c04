-- Accounts an outside issuer vouches for (`[auth.external]`, OpenID
-- Connect): one per (issuer, subject), made on first sight. The key makes
-- two racing first sights make one account. The row stays when the
-- account is deleted, so the same subject is refused, not given a new one.
-- Issuer and subject are at most 255 bytes (`MAX_EXTERNAL_ID_BYTES`), so
-- the key fits InnoDB's 3072 bytes.
CREATE TABLE external_identities (
    issuer     VARCHAR(255) NOT NULL,
    subject    VARCHAR(255) NOT NULL,
    user_id    VARCHAR(64)  NOT NULL,
    created_at BIGINT       NOT NULL,
    PRIMARY KEY (issuer, subject),
    UNIQUE KEY external_identities_user (user_id),
    FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
