-- Reactions: who put which emoji on which message. A row per member and
-- emoji (adding it again keeps the first); at most 20 different emoji per
-- message, checked by the group commit under the conversation lock.
-- created_at: when it was put there (the react event's time).
CREATE TABLE reactions (
    conversation_id TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    emoji           TEXT COLLATE "C" NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq, emoji, user_id)
);
-- A react or unreact event's count of its emoji on its target once
-- applied: what lets a client that replays events end with exact counts.
ALTER TABLE messages ADD COLUMN reaction_count BIGINT;
-- Whether a message ever had a reaction: a history page reads reactions
-- only when one of its messages did, so reading one that never had any
-- costs nothing more than before reactions.
ALTER TABLE messages ADD COLUMN reacted BOOLEAN NOT NULL DEFAULT FALSE;
