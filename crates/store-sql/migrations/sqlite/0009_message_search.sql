-- Message search: an FTS5 table with a row per message a user wrote (not
-- events, not system messages), written in the commit's transaction;
-- `terms`: the message's index terms (each `x` and the hex of a word's
-- UTF-8 bytes, made by the server, split on spaces by the `ascii`
-- tokenizer), replaced by an edit, emptied by a recall (the row stays:
-- rowids only grow, so a page's cursor never skips a newer message). No
-- positions (no phrase or prefix queries need them) and no column
-- sizes (no ranking): each costs a write per message. Its rowid orders
-- results newest first and is the cursor of their pages; the commit hands
-- them out in order and notes each message's in `messages.search_id`, so
-- an edit or a recall finds its row. Messages stored before this
-- migration are indexed by `ferrochat reindex`.
CREATE VIRTUAL TABLE message_search USING fts5(
    terms, conversation_id UNINDEXED, seq UNINDEXED,
    tokenize = 'ascii', detail = 'none', columnsize = 0
);
ALTER TABLE messages ADD COLUMN search_id INTEGER;
