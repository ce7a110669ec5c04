-- Message search. One row per message a user wrote (not events, not
-- system messages), written in the commit's transaction; `terms`: the
-- message's index terms (each `x` and the hex of a word's UTF-8 bytes,
-- made by the server: at least three characters, never a stop word, so
-- InnoDB's parser keeps each whole), replaced by an edit, the row deleted
-- by a recall. `id` orders results newest first and is the cursor of their
-- pages. Messages stored before this migration are indexed by `ferrochat
-- reindex`.
CREATE TABLE message_search (
    id              BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    conversation_id VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    terms           MEDIUMTEXT  NOT NULL,
    UNIQUE KEY message_search_message (conversation_id, seq),
    FULLTEXT KEY message_search_terms (terms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
