//! Conversations, history, cursors, typing.

use ferrochat_domain::commands::{History, SyncRequest, UpdateConversation, MAX_HIDE};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::search::{SearchCursor, SearchMessages, SearchPage};
use ferrochat_domain::{ConversationId, GroupId, InvalidField, PageLimit, SendTarget, Seq, UserId};
use ferrochat_ports::api::{HistoryPage, SyncConversation, UnreadSummary};

use super::{caller, id, time};
use crate::bus::{kind_from_pb, kind_to_pb};
use crate::convert::DecodeError;
use crate::pb;

fn conversation(raw: &str) -> Result<ConversationId, InvalidField> {
    id(raw, "conversation_id", ConversationId::parse)
}

fn limit(raw: Option<u32>) -> Result<PageLimit, InvalidField> {
    PageLimit::parse(raw.map(i64::from))
}

impl pb::ResolveTargetRequest {
    pub fn new(who: &UserId, target: &SendTarget) -> Self {
        use pb::resolve_target_request::Target;
        let target = match target {
            SendTarget::Conversation(c) => Target::ConversationId(c.as_str().to_owned()),
            SendTarget::User(u) => Target::ToUserId(u.as_str().to_owned()),
            SendTarget::Group(g) => Target::GroupId(g.as_str().to_owned()),
        };
        Self {
            caller_id: who.as_str().to_owned(),
            target: Some(target),
        }
    }

    pub fn parse(self) -> Result<(UserId, SendTarget), InvalidField> {
        use pb::resolve_target_request::Target;
        let target = match self.target {
            Some(Target::ConversationId(c)) => SendTarget::Conversation(conversation(&c)?),
            Some(Target::ToUserId(u)) => SendTarget::User(id(&u, "to_user_id", UserId::parse)?),
            Some(Target::GroupId(g)) => SendTarget::Group(id(&g, "group_id", GroupId::parse)?),
            None => {
                return Err(InvalidField::new(
                    "target",
                    "one of conversation_id, to_user_id and group_id is required",
                ))
            }
        };
        Ok((caller(&self.caller_id)?, target))
    }
}

impl pb::OpenSingleRequest {
    pub fn new(who: &UserId, peer: &UserId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            peer_user_id: peer.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.peer_user_id, "peer_user_id", UserId::parse)?,
        ))
    }
}

impl pb::UpdateConversationRequest {
    pub fn new(who: &UserId, conv: &ConversationId, cmd: &UpdateConversation) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            conversation_id: conv.as_str().to_owned(),
            read_seq: cmd.read_seq.map(Seq::get),
            muted: cmd.muted,
            pinned: cmd.pinned,
            hide: cmd.hide.iter().map(|s| s.get()).collect(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ConversationId, UpdateConversation), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            conversation(&self.conversation_id)?,
            UpdateConversation {
                read_seq: self.read_seq.map(Seq::new),
                muted: self.muted,
                pinned: self.pinned,
                hide: hidden(self.hide)?,
            },
        ))
    }
}

/// The seqs a caller hides, as a client could have sent them (1 to
/// `MAX_HIDE`, each from 1).
fn hidden(raw: Vec<u64>) -> Result<Vec<Seq>, InvalidField> {
    if raw.len() > MAX_HIDE || raw.contains(&0) {
        return Err(InvalidField::new(
            "seqs",
            format!("must name at most {MAX_HIDE} messages, each a seq from 1"),
        ));
    }
    Ok(raw.into_iter().map(Seq::new).collect())
}

impl pb::HistoryRequest {
    pub fn new(who: &UserId, query: &History) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            conversation_id: query.conversation_id.as_str().to_owned(),
            after_seq: query.after.map(Seq::get),
            before_seq: query.before.map(Seq::get),
            limit: Some(query.limit.get()),
            pinned: query.pinned,
        }
    }

    pub fn parse(self) -> Result<(UserId, History), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            History {
                pinned: self.pinned,
                conversation_id: conversation(&self.conversation_id)?,
                after: self.after_seq.map(Seq::new),
                before: self.before_seq.map(Seq::new),
                limit: limit(self.limit)?,
            },
        ))
    }
}

impl pb::SyncRequest {
    pub fn new(who: &UserId, req: &SyncRequest) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            cursors: req
                .cursors
                .iter()
                .map(|(c, seq)| pb::Cursor {
                    conversation_id: c.as_str().to_owned(),
                    seq: seq.get(),
                })
                .collect(),
            limit: Some(req.limit.get()),
        }
    }

    pub fn parse(self) -> Result<(UserId, SyncRequest), InvalidField> {
        let cursors = self
            .cursors
            .into_iter()
            .map(|c| {
                let id = ConversationId::parse(&c.conversation_id).map_err(|_| {
                    InvalidField::new(
                        "cursors",
                        format!("{:?} is not a conversation id", c.conversation_id),
                    )
                })?;
                Ok((id, Seq::new(c.seq)))
            })
            .collect::<Result<_, InvalidField>>()?;
        Ok((
            caller(&self.caller_id)?,
            SyncRequest {
                cursors,
                limit: limit(self.limit)?,
            },
        ))
    }
}

impl pb::MarkReadRequest {
    pub fn new(who: &UserId, conv: &ConversationId, seq: Seq) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            conversation_id: conv.as_str().to_owned(),
            seq: seq.get(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ConversationId, Seq), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            conversation(&self.conversation_id)?,
            Seq::new(self.seq),
        ))
    }
}

impl pb::TypingRequest {
    pub fn new(who: &UserId, conv: &ConversationId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            conversation_id: conv.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ConversationId), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            conversation(&self.conversation_id)?,
        ))
    }
}

// --- answers --------------------------------------------------------------

impl From<&ConversationId> for pb::ResolveTargetResponse {
    fn from(c: &ConversationId) -> Self {
        Self {
            conversation_id: c.as_str().to_owned(),
        }
    }
}

impl TryFrom<pb::ResolveTargetResponse> for ConversationId {
    type Error = DecodeError;
    fn try_from(r: pb::ResolveTargetResponse) -> Result<Self, DecodeError> {
        Ok(ConversationId::parse(&r.conversation_id)?)
    }
}

impl From<&ConversationView> for pb::ConversationView {
    fn from(v: &ConversationView) -> Self {
        Self {
            id: v.id.as_str().to_owned(),
            kind: kind_to_pb(v.kind).into(),
            name: v.name.clone(),
            peer_user_id: v.peer_user_id.as_ref().map(|u| u.as_str().to_owned()),
            group_id: v.group_id.as_ref().map(|g| g.as_str().to_owned()),
            last_seq: v.last_seq.get(),
            read_seq: v.read_seq.get(),
            muted: v.muted,
            pinned: v.pinned,
            last_message: v.last_message.as_ref().map(Into::into),
            updated_at_ms: v.updated_at.millis(),
            mention_seq: v.mention_seq.get(),
        }
    }
}

impl TryFrom<pb::ConversationView> for ConversationView {
    type Error = DecodeError;
    fn try_from(v: pb::ConversationView) -> Result<Self, DecodeError> {
        Ok(Self {
            mention_seq: Seq::new(v.mention_seq),
            id: ConversationId::parse(&v.id)?,
            kind: kind_from_pb(v.kind)?,
            name: v.name,
            peer_user_id: v.peer_user_id.as_deref().map(UserId::parse).transpose()?,
            group_id: v.group_id.as_deref().map(GroupId::parse).transpose()?,
            last_seq: Seq::new(v.last_seq),
            read_seq: Seq::new(v.read_seq),
            muted: v.muted,
            pinned: v.pinned,
            last_message: v.last_message.map(TryInto::try_into).transpose()?,
            updated_at: time(v.updated_at_ms),
        })
    }
}

impl From<&[ConversationView]> for pb::ConversationsResponse {
    fn from(vs: &[ConversationView]) -> Self {
        Self {
            conversations: vs.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::ConversationsResponse> for Vec<ConversationView> {
    type Error = DecodeError;
    fn try_from(r: pb::ConversationsResponse) -> Result<Self, DecodeError> {
        r.conversations.into_iter().map(TryInto::try_into).collect()
    }
}

impl From<&HistoryPage> for pb::HistoryResponse {
    fn from(p: &HistoryPage) -> Self {
        Self {
            messages: p.messages.iter().map(Into::into).collect(),
            has_more: p.has_more,
        }
    }
}

impl TryFrom<pb::HistoryResponse> for HistoryPage {
    type Error = DecodeError;
    fn try_from(p: pb::HistoryResponse) -> Result<Self, DecodeError> {
        Ok(Self {
            messages: p
                .messages
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
            has_more: p.has_more,
        })
    }
}

impl From<&UnreadSummary> for pb::UnreadResponse {
    fn from(u: &UnreadSummary) -> Self {
        Self {
            total: u.total,
            conversations: u
                .conversations
                .iter()
                .map(|(c, n)| pb::UnreadCount {
                    conversation_id: c.as_str().to_owned(),
                    unread: *n,
                })
                .collect(),
        }
    }
}

impl TryFrom<pb::UnreadResponse> for UnreadSummary {
    type Error = DecodeError;
    fn try_from(u: pb::UnreadResponse) -> Result<Self, DecodeError> {
        Ok(Self {
            total: u.total,
            conversations: u
                .conversations
                .into_iter()
                .map(|c| Ok((ConversationId::parse(&c.conversation_id)?, c.unread)))
                .collect::<Result<_, DecodeError>>()?,
        })
    }
}

impl From<&[SyncConversation]> for pb::SyncResponse {
    fn from(cs: &[SyncConversation]) -> Self {
        Self {
            conversations: cs
                .iter()
                .map(|c| pb::SyncConversation {
                    conversation_id: c.conversation_id.as_str().to_owned(),
                    messages: c.messages.iter().map(Into::into).collect(),
                    has_more: c.has_more,
                })
                .collect(),
        }
    }
}

impl TryFrom<pb::SyncResponse> for Vec<SyncConversation> {
    type Error = DecodeError;
    fn try_from(r: pb::SyncResponse) -> Result<Self, DecodeError> {
        r.conversations
            .into_iter()
            .map(|c| {
                Ok(SyncConversation {
                    conversation_id: ConversationId::parse(&c.conversation_id)?,
                    messages: c
                        .messages
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                    has_more: c.has_more,
                })
            })
            .collect()
    }
}

impl pb::SearchMessagesRequest {
    pub fn new(who: &UserId, search: &SearchMessages) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            q: search.text.clone(),
            conversation_id: search
                .conversation_id
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            from_user_id: search.from.as_ref().map(|u| u.as_str().to_owned()),
            before: search.before.map(SearchCursor::get),
            limit: search.limit,
        }
    }

    /// Checked again as a client's search would be.
    pub fn parse(self) -> Result<(UserId, SearchMessages), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            SearchMessages::parse(
                self.q,
                self.conversation_id
                    .as_deref()
                    .map(conversation)
                    .transpose()?,
                self.from_user_id
                    .as_deref()
                    .map(|u| id(u, "from", UserId::parse))
                    .transpose()?,
                self.before
                    .map(|b| SearchCursor::parse(&b.to_string(), "before"))
                    .transpose()?,
                Some(i64::from(self.limit)),
            )?,
        ))
    }
}

impl From<&SearchPage> for pb::SearchMessagesResponse {
    fn from(p: &SearchPage) -> Self {
        Self {
            messages: p.messages.iter().map(Into::into).collect(),
            next: p.next.map(SearchCursor::get),
            positions: p.positions.iter().map(|c| c.get()).collect(),
        }
    }
}

impl TryFrom<pb::SearchMessagesResponse> for SearchPage {
    type Error = DecodeError;
    fn try_from(p: pb::SearchMessagesResponse) -> Result<Self, DecodeError> {
        Ok(Self {
            messages: p
                .messages
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
            next: p.next.map(SearchCursor::new),
            positions: p.positions.into_iter().map(SearchCursor::new).collect(),
        })
    }
}
