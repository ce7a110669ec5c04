-- Message search reads each of the caller's conversations' index rows
-- newest first (src/search.rs, `scan`): the rows are now kept in that
-- order, by conversation, then `id` (the order of results and of their
-- pages' cursor), so a conversation's walk reads its rows one after the
-- other rather than looking each up by its id. `id` keeps a key of its
-- own (AUTO_INCREMENT needs one, and a result is read back by it). (The
-- unique key on (conversation_id, seq) is not that order once
-- `ferrochat reindex` has run beside new messages: it numbers each
-- conversation's old rows after them.)
ALTER TABLE message_search
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (conversation_id, id),
    ADD KEY message_search_id (id);
