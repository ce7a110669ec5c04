-- Message search moves to a file of its own (`search_file.rs`), written
-- beside the commit by an indexer that keeps its place there, so FTS5's
-- work leaves the one writer's transactions. This file keeps what the
-- indexer follows: each message's `search_id`, handed out in commit order
-- to the messages users write and to the edits and recalls that change
-- them, and the last one handed out. The old index's rows are not
-- copied: at the first start the indexer finds itself behind and indexes
-- every message from this file.
DROP TABLE message_search;
CREATE TABLE search_ids (last INTEGER NOT NULL);
INSERT INTO search_ids (last) SELECT COALESCE(MAX(search_id), 0) FROM messages;
