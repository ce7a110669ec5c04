-- Mentions and forwards: what a message says of itself, set when sent
-- (space-separated tokens: `forwarded`, `@all`, the mentioned user ids);
-- NULL for most messages.
ALTER TABLE messages ADD COLUMN marks TEXT NULL;
-- The last message that mentions a member by name, and the last that
-- mentions all of a conversation's members: the conversation list shows a
-- mention until the member's read cursor passes it.
ALTER TABLE conversation_members ADD COLUMN mention_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN all_mention_seq BIGINT NOT NULL DEFAULT 0;
-- A conversation's pinned messages (at most 50, checked by the group
-- commit under the conversation lock); created_at: the pin event's time.
CREATE TABLE pins (
    conversation_id VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    pinned_by       VARCHAR(64) NOT NULL,
    created_at      BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
-- "Delete for me": messages a member hid from their own history and sync;
-- created_at: when.
CREATE TABLE hidden_messages (
    user_id         VARCHAR(64) NOT NULL,
    conversation_id VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    created_at      BIGINT      NOT NULL,
    PRIMARY KEY (user_id, conversation_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
