-- Message search. One row per message a user wrote (not events, not
-- system messages), written in the commit's transaction; `terms`: the
-- message's index terms (each `x` and the hex of a word's UTF-8 bytes,
-- made by the server, parsed by the `simple` configuration: no stemming,
-- no stop words), replaced by an edit, the row deleted by a recall. `id`
-- orders results newest first and is the cursor of their pages. Messages
-- stored before this migration are indexed by `ferrochat reindex`.
CREATE TABLE message_search (
    id              BIGSERIAL PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    terms           TSVECTOR NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX message_search_terms ON message_search USING GIN (terms);
