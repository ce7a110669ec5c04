//! Conversations, members' cursors and messages, with the group commit.

use ferrochat_domain::commands::{UpdateConversation, MAX_HIDE};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::{
    ClientMsgId, ConversationId, GroupId, Message, MessageContent, MessageId, MessageType,
    Timestamp, UserId,
};
use ferrochat_ports::store::{
    Committed, ConversationRecord, HistoryQuery, MemberRecord, NewMessage, Refusal,
};

use super::{id, non_empty, seq, time, user_id};
use crate::bus::{kind_from_pb, kind_to_pb, marks_from_pb, marks_to_pb, reference};
use crate::convert::{bounded_seqs, required, DecodeError};
use crate::logic::{role_from_pb, role_to_pb};
use crate::pb;

fn conversation_id(raw: &str, field: &'static str) -> Result<ConversationId, DecodeError> {
    id(raw, field, ConversationId::parse)
}

// --- requests -------------------------------------------------------------

impl From<&NewMessage> for pb::NewMessage {
    fn from(m: &NewMessage) -> Self {
        Self {
            id: m.id.as_str().to_owned(),
            conversation_id: m.conversation_id.as_str().to_owned(),
            conversation_kind: kind_to_pb(m.conversation_kind).into(),
            from: m.from.as_str().to_owned(),
            client_msg_id: m.client_msg_id.as_str().to_owned(),
            message_type: m.message_type.as_str().to_owned(),
            content: m.content.as_str().to_owned(),
            created_at_ms: m.created_at.millis(),
            ref_seq: m.reference.map(|r| r.seq().get()),
            marks: marks_to_pb(&m.marks),
        }
    }
}

impl pb::NewMessage {
    pub fn parse(self) -> Result<NewMessage, DecodeError> {
        // Logic checked the type and the size against its own config.
        let message_type =
            MessageType::from_stored(non_empty(self.message_type, "messages.message_type")?);
        Ok(NewMessage {
            marks: marks_from_pb(self.marks)?,
            id: id(&self.id, "messages.id", MessageId::parse)?,
            conversation_id: conversation_id(&self.conversation_id, "messages.conversation_id")?,
            conversation_kind: kind_from_pb(self.conversation_kind)?,
            from: user_id(&self.from, "messages.from")?,
            client_msg_id: ClientMsgId::parse(self.client_msg_id)
                .map_err(|e| DecodeError::field("messages.client_msg_id", e.reason))?,
            content: MessageContent::from_stored(self.content),
            created_at: time(self.created_at_ms),
            reference: reference(&message_type, self.ref_seq),
            message_type,
        })
    }
}

impl pb::CommitMessagesRequest {
    /// A request whose stored messages are answered with their seq alone:
    /// the caller keeps `batch` to rebuild them (`CommitMessagesAnswer::parse`).
    pub fn new(batch: &[NewMessage]) -> Self {
        Self {
            messages: batch.iter().map(Into::into).collect(),
            seq_only: true,
        }
    }

    /// The batch, and whether to answer stored messages by seq alone.
    pub fn parse(self) -> Result<(Vec<NewMessage>, bool), DecodeError> {
        let batch = self
            .messages
            .into_iter()
            .map(pb::NewMessage::parse)
            .collect::<Result<_, _>>()?;
        Ok((batch, self.seq_only))
    }
}

impl pb::OpenSingleConversationRequest {
    pub fn new(a: &UserId, b: &UserId, now: Timestamp) -> Self {
        Self {
            a_user_id: a.as_str().to_owned(),
            b_user_id: b.as_str().to_owned(),
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, Timestamp), DecodeError> {
        Ok((
            user_id(&self.a_user_id, "a_user_id")?,
            user_id(&self.b_user_id, "b_user_id")?,
            time(self.now_ms),
        ))
    }
}

impl pb::ConversationRequest {
    pub fn new(conversation: &ConversationId) -> Self {
        Self {
            conversation_id: conversation.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<ConversationId, DecodeError> {
        conversation_id(&self.conversation_id, "conversation_id")
    }
}

impl pb::ConversationMemberRequest {
    pub fn new(conversation: &ConversationId, user: &UserId) -> Self {
        Self {
            conversation_id: conversation.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(ConversationId, UserId), DecodeError> {
        Ok((
            conversation_id(&self.conversation_id, "conversation_id")?,
            user_id(&self.user_id, "user_id")?,
        ))
    }
}

impl pb::MemberIdsRequest {
    pub fn new(conversation: &ConversationId, after: Option<&UserId>, limit: u32) -> Self {
        Self {
            conversation_id: conversation.as_str().to_owned(),
            after_user_id: after.map(|u| u.as_str().to_owned()),
            limit,
        }
    }

    pub fn parse(self) -> Result<(ConversationId, Option<UserId>, u32), DecodeError> {
        Ok((
            conversation_id(&self.conversation_id, "conversation_id")?,
            self.after_user_id
                .map(|u| user_id(&u, "after_user_id"))
                .transpose()?,
            self.limit,
        ))
    }
}

impl pb::UpdateCursorRequest {
    pub fn new(user: &UserId, conversation: &ConversationId, update: &UpdateConversation) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            conversation_id: conversation.as_str().to_owned(),
            read_seq: update.read_seq.map(|s| s.get()),
            muted: update.muted,
            pinned: update.pinned,
            hide: update.hide.iter().map(|s| s.get()).collect(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ConversationId, UpdateConversation), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            conversation_id(&self.conversation_id, "conversation_id")?,
            UpdateConversation {
                read_seq: self.read_seq.map(seq),
                muted: self.muted,
                pinned: self.pinned,
                hide: bounded_seqs(self.hide, MAX_HIDE, "hide")?,
            },
        ))
    }
}

impl pb::MessageHistoryRequest {
    pub fn new(conversation: &ConversationId, query: HistoryQuery) -> Self {
        Self {
            conversation_id: conversation.as_str().to_owned(),
            after_seq: query.after.map(|s| s.get()),
            before_seq: query.before.map(|s| s.get()),
            limit: query.limit,
            viewer: query
                .viewer
                .as_ref()
                .map(|u| u.as_str().to_owned())
                .unwrap_or_default(),
            pinned: query.pinned,
        }
    }

    pub fn parse(self) -> Result<(ConversationId, HistoryQuery), DecodeError> {
        Ok((
            conversation_id(&self.conversation_id, "conversation_id")?,
            HistoryQuery {
                pinned: self.pinned,
                after: self.after_seq.map(seq),
                before: self.before_seq.map(seq),
                limit: self.limit,
                viewer: if self.viewer.is_empty() {
                    None
                } else {
                    Some(user_id(&self.viewer, "viewer")?)
                },
            },
        ))
    }
}

// --- answers --------------------------------------------------------------

impl pb::CommitMessagesAnswer {
    /// The outcomes of a batch: a stored message by its seq alone when
    /// `seq_only` (the caller has the rest), else whole; a duplicate always
    /// whole, since the original may differ from the resend.
    pub fn new(out: &[Committed], seq_only: bool) -> Self {
        use pb::committed::Outcome;
        Self {
            committed: out
                .iter()
                .map(|c| pb::Committed {
                    outcome: Some(match c {
                        // A reaction's count is the store's: sent whole.
                        Committed::Stored(m) if seq_only && m.reaction_count.is_none() => {
                            Outcome::StoredSeq(m.seq.get())
                        }
                        Committed::Stored(m) => Outcome::Stored(m.into()),
                        Committed::Duplicate(m) => Outcome::Duplicate(m.into()),
                        Committed::Refused(r) => Outcome::Refused(refusal_to_pb(*r).into()),
                    }),
                })
                .collect(),
        }
    }

    /// The outcomes of `batch`: one per message, in its order, or the
    /// answer is not one to this batch. A stored message answered by its
    /// seq is rebuilt from `batch`.
    pub fn parse(self, batch: &[NewMessage]) -> Result<Vec<Committed>, DecodeError> {
        use pb::committed::Outcome;
        if self.committed.len() != batch.len() {
            return Err(DecodeError::field(
                "committed",
                format!(
                    "has {} outcomes for {} messages",
                    self.committed.len(),
                    batch.len()
                ),
            ));
        }
        self.committed
            .into_iter()
            .zip(batch)
            .map(|(c, sent)| {
                Ok(match required(c.outcome, "committed.outcome")? {
                    Outcome::StoredSeq(s) => Committed::Stored(sent.stored(seq(s))),
                    Outcome::Stored(m) => Committed::Stored(Message::try_from(m)?),
                    Outcome::Duplicate(m) => Committed::Duplicate(Message::try_from(m)?),
                    Outcome::Refused(r) => Committed::Refused(refusal_from_pb(r)?),
                })
            })
            .collect()
    }
}

fn refusal_to_pb(r: Refusal) -> pb::Refusal {
    match r {
        Refusal::UnknownTarget => pb::Refusal::UnknownTarget,
        Refusal::TargetRecalled => pb::Refusal::TargetRecalled,
        Refusal::NotChangeable => pb::Refusal::NotChangeable,
        Refusal::TooManyReactions => pb::Refusal::TooManyReactions,
        Refusal::TooManyPins => pb::Refusal::TooManyPins,
    }
}

fn refusal_from_pb(raw: i32) -> Result<Refusal, DecodeError> {
    match pb::Refusal::try_from(raw) {
        Ok(pb::Refusal::UnknownTarget) => Ok(Refusal::UnknownTarget),
        Ok(pb::Refusal::TargetRecalled) => Ok(Refusal::TargetRecalled),
        Ok(pb::Refusal::NotChangeable) => Ok(Refusal::NotChangeable),
        Ok(pb::Refusal::TooManyReactions) => Ok(Refusal::TooManyReactions),
        Ok(pb::Refusal::TooManyPins) => Ok(Refusal::TooManyPins),
        _ => Err(DecodeError::field("committed.refused", "is unknown")),
    }
}

impl From<&ConversationId> for pb::ConversationIdAnswer {
    fn from(c: &ConversationId) -> Self {
        Self {
            conversation_id: c.as_str().to_owned(),
        }
    }
}

impl TryFrom<pb::ConversationIdAnswer> for ConversationId {
    type Error = DecodeError;
    fn try_from(a: pb::ConversationIdAnswer) -> Result<Self, DecodeError> {
        conversation_id(&a.conversation_id, "conversation_id")
    }
}

impl From<&Option<ConversationRecord>> for pb::ConversationAnswer {
    fn from(r: &Option<ConversationRecord>) -> Self {
        Self {
            conversation: r.as_ref().map(|r| pb::ConversationRecord {
                id: r.id.as_str().to_owned(),
                kind: kind_to_pb(r.kind).into(),
                group_id: r.group_id.as_ref().map(|g| g.as_str().to_owned()),
                last_seq: r.last_seq.get(),
                member_count: r.member_count,
                pair: r.pair.as_ref().map(|(a, b)| pb::UserPair {
                    a_user_id: a.as_str().to_owned(),
                    b_user_id: b.as_str().to_owned(),
                }),
                closed: r.closed,
            }),
        }
    }
}

impl TryFrom<pb::ConversationAnswer> for Option<ConversationRecord> {
    type Error = DecodeError;
    fn try_from(a: pb::ConversationAnswer) -> Result<Self, DecodeError> {
        let Some(r) = a.conversation else {
            return Ok(None);
        };
        Ok(Some(ConversationRecord {
            id: conversation_id(&r.id, "conversation.id")?,
            kind: kind_from_pb(r.kind)?,
            group_id: r
                .group_id
                .map(|g| id(&g, "conversation.group_id", GroupId::parse))
                .transpose()?,
            last_seq: seq(r.last_seq),
            member_count: r.member_count,
            pair: r
                .pair
                .map(|p| {
                    Ok::<_, DecodeError>((
                        user_id(&p.a_user_id, "pair.a_user_id")?,
                        user_id(&p.b_user_id, "pair.b_user_id")?,
                    ))
                })
                .transpose()?,
            closed: r.closed,
        }))
    }
}

impl From<&MemberRecord> for pb::MemberRecord {
    fn from(m: &MemberRecord) -> Self {
        Self {
            role: role_to_pb(m.role).into(),
            read_seq: m.read_seq.get(),
            muted_until_ms: m.muted_until.map(Timestamp::millis),
        }
    }
}

impl TryFrom<pb::MemberRecord> for MemberRecord {
    type Error = DecodeError;
    fn try_from(m: pb::MemberRecord) -> Result<Self, DecodeError> {
        Ok(Self {
            role: role_from_pb(m.role, "member.role").map_err(DecodeError::from)?,
            read_seq: seq(m.read_seq),
            muted_until: m.muted_until_ms.map(time),
        })
    }
}

impl From<&Option<MemberRecord>> for pb::MemberAnswer {
    fn from(m: &Option<MemberRecord>) -> Self {
        Self {
            member: m.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::MemberAnswer> for Option<MemberRecord> {
    type Error = DecodeError;
    fn try_from(a: pb::MemberAnswer) -> Result<Self, DecodeError> {
        a.member.map(MemberRecord::try_from).transpose()
    }
}

impl From<&Option<ConversationView>> for pb::ConversationViewAnswer {
    fn from(v: &Option<ConversationView>) -> Self {
        Self {
            view: v.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::ConversationViewAnswer> for Option<ConversationView> {
    type Error = DecodeError;
    fn try_from(a: pb::ConversationViewAnswer) -> Result<Self, DecodeError> {
        a.view.map(ConversationView::try_from).transpose()
    }
}

/// A history page: `messages` in ascending seq, `has_more` beyond it.
impl From<&(Vec<Message>, bool)> for pb::HistoryResponse {
    fn from((messages, has_more): &(Vec<Message>, bool)) -> Self {
        Self {
            messages: messages.iter().map(Into::into).collect(),
            has_more: *has_more,
        }
    }
}

impl TryFrom<pb::HistoryResponse> for (Vec<Message>, bool) {
    type Error = DecodeError;
    fn try_from(p: pb::HistoryResponse) -> Result<Self, DecodeError> {
        let messages = p
            .messages
            .into_iter()
            .map(Message::try_from)
            .collect::<Result<_, _>>()?;
        Ok((messages, p.has_more))
    }
}
