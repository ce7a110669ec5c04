-- Message search. One row per message a user wrote (not events, not
-- system messages), written in the commit's transaction; `terms`: the
-- message's index terms (each `x` and the hex of a word's UTF-8 bytes,
-- made by the server), replaced by an edit, the row deleted by a recall.
-- `id` orders results newest first and is the cursor of their pages.
-- Messages stored before this migration are indexed by `ferrochat
-- reindex`.
CREATE TABLE message_search (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    from_user_id    TEXT    NOT NULL,
    terms           TEXT    NOT NULL,
    UNIQUE (conversation_id, seq)
);
-- The full-text index over `terms`, kept by the triggers below. The terms
-- are hex already: the `ascii` tokenizer splits them on spaces; no
-- positions are kept (no phrase queries), prefix queries need none.
CREATE VIRTUAL TABLE message_search_fts USING fts5(
    terms, content = 'message_search', content_rowid = 'id',
    tokenize = 'ascii', detail = 'none'
);
CREATE TRIGGER message_search_insert AFTER INSERT ON message_search BEGIN
    INSERT INTO message_search_fts (rowid, terms) VALUES (new.id, new.terms);
END;
CREATE TRIGGER message_search_delete AFTER DELETE ON message_search BEGIN
    INSERT INTO message_search_fts (message_search_fts, rowid, terms)
    VALUES ('delete', old.id, old.terms);
END;
CREATE TRIGGER message_search_update AFTER UPDATE OF terms ON message_search BEGIN
    INSERT INTO message_search_fts (message_search_fts, rowid, terms)
    VALUES ('delete', old.id, old.terms);
    INSERT INTO message_search_fts (rowid, terms) VALUES (new.id, new.terms);
END;
