-- Replies, edits and recalls. `ref_seq`: the seq of the message of the
-- same conversation this one replies to or, for message_type 'edit' and
-- 'recall', changes. `edited_at` and `recalled_at`: what later events did
-- to this message (a recalled message's content is erased). No index on
-- ref_seq: every send would pay for it, and the one query that looks a
-- change's events up (a recall erasing the edits of its message) reads
-- the conversation from the recalled seq on, by primary key.
ALTER TABLE messages ADD COLUMN ref_seq BIGINT;
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
ALTER TABLE messages ADD COLUMN recalled_at BIGINT;
