-- A Bloom filter of each index row's terms, in two 63-bit halves
-- (src/search_bloom.rs), tested before the terms themselves when a search
-- walks a conversation's rows (src/search.rs, `scan`): an integer test
-- costs a small fraction of a string match, and most rows fail it. Rows
-- stored before this have every bit set, so they are always matched on
-- their terms (`ferrochat reindex` gives them their filter).
ALTER TABLE message_search
    ADD COLUMN bloom BIGINT NOT NULL DEFAULT 9223372036854775807,
    ADD COLUMN bloom2 BIGINT NOT NULL DEFAULT 9223372036854775807;
