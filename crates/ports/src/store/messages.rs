//! Conversations, members' cursors and messages.

use async_trait::async_trait;
use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::groups::Role;
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::{
    Changes, ClientMsgId, ConversationId, ConversationKind, GroupId, Marks, Message,
    MessageContent, MessageId, MessageType, Reference, Seq, Timestamp, UserId,
};

use super::StoreError;

/// A message ready to commit: everything but its seq, which the store
/// assigns inside the commit transaction.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub conversation_kind: ConversationKind,
    pub from: UserId,
    pub client_msg_id: ClientMsgId,
    pub message_type: MessageType,
    pub content: MessageContent,
    pub created_at: Timestamp,
    /// A reply, an edit or a recall. The store checks, under the
    /// conversation's lock, that the message named exists and (for a
    /// change) was not recalled, and applies an edit or a recall to it in
    /// the same transaction; who may change what, and until when, logic
    /// checked before.
    pub reference: Option<Reference>,
    /// Whom it mentions, whether it is forwarded. The store notes a
    /// mention on each mentioned member (their conversation list shows it
    /// until they read past it).
    pub marks: Marks,
}

impl NewMessage {
    /// The message as stored under `seq`.
    pub fn stored(&self, seq: Seq) -> Message {
        Message {
            id: self.id.clone(),
            conversation_id: self.conversation_id.clone(),
            conversation_kind: self.conversation_kind,
            seq,
            from: self.from.clone(),
            message_type: self.message_type.clone(),
            content: self.content.clone(),
            client_msg_id: self.client_msg_id.clone(),
            created_at: self.created_at,
            reference: self.reference,
            changes: Changes::default(),
            reactions: Vec::new(),
            reaction_count: None,
            marks: self.marks.clone(),
        }
    }
}

/// The fate of one message of a committed batch.
#[derive(Debug, Clone)]
pub enum Committed {
    /// Stored now with the next seq of its conversation.
    Stored(Message),
    /// (from, client_msg_id) was already stored: here is the original
    /// (invariant 3), and nothing new was written.
    Duplicate(Message),
    /// Not stored: the message it refers to cannot take it (nothing was
    /// written, no seq used).
    Refused(Refusal),
}

impl Committed {
    /// The stored message, or the original of a duplicate.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Self::Stored(m) | Self::Duplicate(m) => Some(m),
            Self::Refused(_) => None,
        }
    }
}

/// Why a message that refers to another was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No message of the conversation has that seq.
    UnknownTarget,
    /// The message was recalled: it can be neither edited nor recalled
    /// again.
    TargetRecalled,
    /// An event or a system message: only what a user wrote changes.
    NotChangeable,
    /// A new emoji on a message that has `reactions::MAX_DISTINCT`.
    TooManyReactions,
    /// A new pin in a conversation that has `messaging::MAX_PINS`.
    TooManyPins,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRecord {
    pub id: ConversationId,
    pub kind: ConversationKind,
    pub group_id: Option<GroupId>,
    pub last_seq: Seq,
    pub member_count: u32,
    /// The two users of a single conversation.
    pub pair: Option<(UserId, UserId)>,
    /// A dissolved group's conversation: readable, not writable.
    pub closed: bool,
}

impl ConversationRecord {
    /// In a single conversation, the user who is not `me`.
    pub fn peer_of(&self, me: &UserId) -> Option<&UserId> {
        let (a, b) = self.pair.as_ref()?;
        Some(if a == me { b } else { a })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub role: Role,
    pub read_seq: Seq,
    /// Muted by a group's owner or admin until then (cannot send).
    pub muted_until: Option<Timestamp>,
}

/// Which messages a history page holds, and for whom.
#[derive(Debug, Clone)]
pub struct HistoryQuery {
    /// Only messages with seq > after.
    pub after: Option<Seq>,
    /// Only messages with seq < before.
    pub before: Option<Seq>,
    pub limit: u32,
    /// Whose reactions are `mine` on the page, and whose hidden messages
    /// ("delete for me") it leaves out (none: nobody's).
    pub viewer: Option<UserId>,
    /// Only the pinned messages.
    pub pinned: bool,
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Group commit: stores the batch in one transaction, assigning each
    /// new message the next seq of its conversation (no gap, invariant 2),
    /// returning originals for duplicates (invariant 3) and moving each
    /// sender's read cursor to its message (invariant 5). Results are in
    /// batch order. On `Err`, nothing of the batch was stored.
    async fn commit_messages(&self, batch: &[NewMessage]) -> Result<Vec<Committed>, StoreError>;

    /// The single conversation of two users, created (with both as
    /// members) if it does not exist yet. Same pair, same conversation.
    async fn open_single(
        &self,
        a: &UserId,
        b: &UserId,
        now: Timestamp,
    ) -> Result<ConversationId, StoreError>;

    async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<ConversationRecord>, StoreError>;

    async fn member(
        &self,
        conversation: &ConversationId,
        user: &UserId,
    ) -> Result<Option<MemberRecord>, StoreError>;

    /// Member ids in id order, after `after`, at most `limit`: callers page
    /// through large groups in batches.
    async fn member_ids(
        &self,
        conversation: &ConversationId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError>;

    /// Every conversation `user` is in, most recent activity first.
    async fn conversations_of(&self, user: &UserId) -> Result<Vec<ConversationView>, StoreError>;

    /// One conversation as `user` sees it; `None` if not a member.
    async fn conversation_view(
        &self,
        user: &UserId,
        conversation: &ConversationId,
    ) -> Result<Option<ConversationView>, StoreError>;

    /// Applies a member's cursor/flag update. The read cursor moves only
    /// forward and never past `last_seq`; the seqs of `hide` (each at most
    /// `last_seq`, the caller checked) leave this member's history.
    /// Returns false if not a member.
    async fn update_cursor(
        &self,
        user: &UserId,
        conversation: &ConversationId,
        update: UpdateConversation,
    ) -> Result<bool, StoreError>;

    /// Messages of a conversation in ascending seq; `.1` is "more exist
    /// beyond this page in the direction read".
    async fn history(
        &self,
        conversation: &ConversationId,
        query: HistoryQuery,
    ) -> Result<(Vec<Message>, bool), StoreError>;

    /// The messages `viewer` may find with `search`: in conversations they
    /// are a member of, neither recalled nor hidden by them, newest first.
    async fn search_messages(
        &self,
        viewer: &UserId,
        search: &SearchMessages,
    ) -> Result<SearchPage, StoreError>;
}
