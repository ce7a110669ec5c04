//! Message, conversation and group DTOs, and their decoders.

use std::collections::BTreeMap;

use ferrochat_domain::commands::{
    CreateGroup, History, SendMessage, SyncRequest, UpdateConversation, UpdateGroup, MAX_HIDE,
};
use ferrochat_domain::groups::{GroupDescription, GroupName, JoinPolicy, Role};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::reactions::Emoji;
use ferrochat_domain::{
    Ack, ClientMsgId, ConversationId, GroupId, InvalidField, Marks, Message, MessageContent,
    MessageType, PageLimit, Reference, SendTarget, Seq, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::required;
use crate::time::rfc3339;

/// A JSON number field that must be a whole number.
fn seq_field(v: Option<i64>, field: &'static str) -> Result<Option<Seq>, InvalidField> {
    v.map(|n| Seq::parse(n, field)).transpose()
}

/// A request that becomes a message of a conversation: a send, an edit, a
/// recall or a reaction. Each goes through the same path (rate limit, window of
/// unacked sends, dedup by `client_msg_id`, ack once durable).
pub trait SendBody: Send {
    fn decode(self, max_content_bytes: usize) -> Result<SendMessage, InvalidField>;
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SendMessageBody {
    pub conversation_id: Option<String>,
    pub to_user_id: Option<String>,
    pub group_id: Option<String>,
    #[schema(value_type = String)]
    pub client_msg_id: Option<String>,
    #[schema(value_type = String)]
    pub content: Option<String>,
    pub message_type: Option<String>,
    /// The seq of a message of the same conversation this one answers.
    pub reply_to: Option<i64>,
    /// Members this message names (ids, at most `MAX_MENTIONS`).
    pub mentions: Option<Vec<String>>,
    /// Mentions every member (a group's owner and admins only).
    pub mention_all: Option<bool>,
}

impl SendBody for SendMessageBody {
    fn decode(self, max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        let target = send_target(
            (self.conversation_id, self.to_user_id, self.group_id),
            ["conversation_id", "to_user_id", "group_id"],
        )?;
        Ok(SendMessage {
            target,
            client_msg_id: ClientMsgId::parse(required(self.client_msg_id, "client_msg_id")?)?,
            content: MessageContent::parse(required(self.content, "content")?, max_content_bytes)?,
            message_type: self
                .message_type
                .map(MessageType::parse)
                .transpose()?
                .unwrap_or_else(MessageType::text),
            reference: reply_to(self.reply_to)?,
            marks: Marks::mentioning(
                &self.mentions.unwrap_or_default(),
                self.mention_all.unwrap_or(false),
            )?,
        })
    }
}

/// Where a send goes: exactly one of a conversation, a user and a group
/// (`fields` name them as the request does).
fn send_target(
    (conversation, user, group): (Option<String>, Option<String>, Option<String>),
    fields: [&'static str; 3],
) -> Result<SendTarget, InvalidField> {
    let [conversation_field, user_field, group_field] = fields;
    match (conversation, user, group) {
        (Some(c), None, None) => ConversationId::parse(&c)
            .map(SendTarget::Conversation)
            .map_err(|e| InvalidField::new(conversation_field, e.reason)),
        (None, Some(u), None) => UserId::parse(&u)
            .map(SendTarget::User)
            .map_err(|_| InvalidField::new(user_field, "is not a valid id")),
        (None, None, Some(g)) => GroupId::parse(&g)
            .map(SendTarget::Group)
            .map_err(|e| InvalidField::new(group_field, e.reason)),
        _ => Err(InvalidField::new(
            conversation_field,
            format!(
                "exactly one of {conversation_field}, {user_field} and {group_field} is required"
            ),
        )),
    }
}

/// A message's seq as a client names it: from 1 (0 is "before the first").
fn message_seq(raw: i64, field: &'static str) -> Result<Seq, InvalidField> {
    if raw < 1 {
        return Err(InvalidField::new(field, "must be a seq from 1"));
    }
    Seq::parse(raw, field)
}

/// A reply's target.
fn reply_to(raw: Option<i64>) -> Result<Option<Reference>, InvalidField> {
    raw.map(|n| message_seq(n, "reply_to").map(Reference::Reply))
        .transpose()
}

/// `POST /api/v1/messages/react`, frame `react-message`: puts the
/// caller's `emoji` on a message (again: kept once).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReactBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = i64)]
    pub seq: Option<i64>,
    #[schema(value_type = String)]
    pub client_msg_id: Option<String>,
    #[schema(value_type = String)]
    pub emoji: Option<String>,
}

/// `POST /api/v1/messages/unreact`, frame `unreact-message`: takes the
/// caller's `emoji` off a message (not there: nothing changes).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct UnreactBody(ReactBody);

impl ReactBody {
    fn decode_as(self, reference: fn(Seq) -> Reference) -> Result<SendMessage, InvalidField> {
        let emoji = Emoji::parse(required(self.emoji, "emoji")?)?;
        change(
            (self.conversation_id, self.seq, self.client_msg_id),
            reference,
            MessageContent::from_stored(emoji.as_str().to_owned()),
        )
    }
}

impl SendBody for ReactBody {
    fn decode(self, _max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        self.decode_as(Reference::React)
    }
}

impl SendBody for UnreactBody {
    fn decode(self, _max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        self.0.decode_as(Reference::Unreact)
    }
}

/// A change of the message a request names (`conversation_id`, `seq`
/// from 1, `client_msg_id` as received), as the message that makes it.
fn change(
    (conversation_id, seq, client_msg_id): (Option<String>, Option<i64>, Option<String>),
    reference: fn(Seq) -> Reference,
    content: MessageContent,
) -> Result<SendMessage, InvalidField> {
    let conversation = ConversationId::parse(&required(conversation_id, "conversation_id")?)?;
    let reference = reference(message_seq(required(seq, "seq")?, "seq")?);
    Ok(SendMessage {
        target: SendTarget::Conversation(conversation),
        client_msg_id: ClientMsgId::parse(required(client_msg_id, "client_msg_id")?)?,
        content,
        message_type: MessageType::of_change(reference).unwrap_or_else(MessageType::text),
        reference: Some(reference),
        marks: Marks::default(),
    })
}

/// `POST /api/v1/messages/pin`, frame `pin-message`: pins a message to its
/// conversation (again: kept once).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PinBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = i64)]
    pub seq: Option<i64>,
    #[schema(value_type = String)]
    pub client_msg_id: Option<String>,
}

/// `POST /api/v1/messages/unpin`, frame `unpin-message`: takes a message
/// off its conversation's pins (not pinned: nothing changes).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct UnpinBody(PinBody);

impl SendBody for PinBody {
    fn decode(self, _max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        change(
            (self.conversation_id, self.seq, self.client_msg_id),
            Reference::Pin,
            MessageContent::erased(),
        )
    }
}

impl SendBody for UnpinBody {
    fn decode(self, _max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        change(
            (self.0.conversation_id, self.0.seq, self.0.client_msg_id),
            Reference::Unpin,
            MessageContent::erased(),
        )
    }
}

/// `POST /api/v1/messages/delete`, frame `delete-messages`: hides messages
/// from the caller's own history and sync ("delete for me"); the other
/// members keep them.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteMessagesBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = Vec<i64>)]
    pub seqs: Option<Vec<i64>>,
}

impl DeleteMessagesBody {
    pub fn decode(self) -> Result<(ConversationId, UpdateConversation), InvalidField> {
        let id = ConversationId::parse(&required(self.conversation_id, "conversation_id")?)?;
        let seqs = required(self.seqs, "seqs")?;
        if seqs.is_empty() || seqs.len() > MAX_HIDE {
            return Err(InvalidField::new(
                "seqs",
                format!("must name 1 to {MAX_HIDE} messages"),
            ));
        }
        let mut hide = seqs
            .into_iter()
            .map(|n| message_seq(n, "seqs"))
            .collect::<Result<Vec<_>, _>>()?;
        hide.sort_unstable();
        hide.dedup();
        Ok((
            id,
            UpdateConversation {
                hide,
                ..UpdateConversation::default()
            },
        ))
    }
}

/// The most messages one forward copies.
pub const MAX_FORWARD: usize = 20;

/// `POST /api/v1/messages/forward`, frame `forward-messages`: copies
/// messages of one conversation the caller is in into another they may
/// write to, each marked as forwarded.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ForwardBody {
    /// Where the messages are.
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = Vec<i64>)]
    pub seqs: Option<Vec<i64>>,
    /// Where the copies go: exactly one.
    pub to_conversation_id: Option<String>,
    pub to_user_id: Option<String>,
    pub to_group_id: Option<String>,
    /// The copies' ids are this with `/1`, `/2`, ... appended, so a resend
    /// of the same forward stores nothing twice.
    #[schema(value_type = String)]
    pub client_msg_id: Option<String>,
}

/// A decoded forward: what to copy, and where.
#[derive(Debug, Clone)]
pub struct Forward {
    pub from: ConversationId,
    /// In the order the copies are sent.
    pub seqs: Vec<Seq>,
    pub to: SendTarget,
    /// One per seq.
    pub client_msg_ids: Vec<ClientMsgId>,
}

impl ForwardBody {
    pub fn decode(self) -> Result<Forward, InvalidField> {
        let from = ConversationId::parse(&required(self.conversation_id, "conversation_id")?)?;
        let raw = required(self.seqs, "seqs")?;
        if raw.is_empty() || raw.len() > MAX_FORWARD {
            return Err(InvalidField::new(
                "seqs",
                format!("must name 1 to {MAX_FORWARD} messages"),
            ));
        }
        let mut seqs = Vec::with_capacity(raw.len());
        for n in raw {
            let s = message_seq(n, "seqs")?;
            if seqs.contains(&s) {
                return Err(InvalidField::new("seqs", format!("names {n} twice")));
            }
            seqs.push(s);
        }
        let to = send_target(
            (self.to_conversation_id, self.to_user_id, self.to_group_id),
            ["to_conversation_id", "to_user_id", "to_group_id"],
        )?;
        let base = required(self.client_msg_id, "client_msg_id")?;
        // Checked whole first, so a bad id is named as the client wrote it.
        ClientMsgId::parse(base.clone())?;
        let client_msg_ids = (1..=seqs.len())
            .map(|i| {
                ClientMsgId::parse(format!("{base}/{i}")).map_err(|_| {
                    InvalidField::new(
                        "client_msg_id",
                        "with the /n a forward appends to it, must stay within 64 characters",
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Forward {
            from,
            seqs,
            to,
            client_msg_ids,
        })
    }
}

/// What a forward answers: the copies' acks, in the order of `seqs`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForwardedDto {
    pub acks: Vec<AckDto>,
}

/// What `delete-messages` answers: the seqs now hidden from the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedDto {
    pub conversation_id: String,
    pub seqs: Vec<u64>,
}

/// `POST /api/v1/messages/edit`, frame `edit-message`: new content for a
/// message its sender wrote.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditMessageBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = i64)]
    pub seq: Option<i64>,
    #[schema(value_type = String)]
    pub client_msg_id: Option<String>,
    #[schema(value_type = String)]
    pub content: Option<String>,
}

impl SendBody for EditMessageBody {
    fn decode(self, max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        let content = MessageContent::parse(required(self.content, "content")?, max_content_bytes);
        change(
            (self.conversation_id, self.seq, self.client_msg_id),
            Reference::Edit,
            content?,
        )
    }
}

/// `POST /api/v1/messages/recall`, frame `recall-message`: takes a message
/// back; its content is erased.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecallMessageBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = i64)]
    pub seq: Option<i64>,
    #[schema(value_type = String)]
    pub client_msg_id: Option<String>,
}

impl SendBody for RecallMessageBody {
    fn decode(self, _max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        change(
            (self.conversation_id, self.seq, self.client_msg_id),
            Reference::Recall,
            MessageContent::erased(),
        )
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateConversationBody {
    #[schema(value_type = String)]
    pub peer_user_id: Option<String>,
}

impl CreateConversationBody {
    pub fn decode(self) -> Result<UserId, InvalidField> {
        UserId::parse(&required(self.peer_user_id, "peer_user_id")?)
            .map_err(|_| InvalidField::new("peer_user_id", "is not a valid id"))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateConversationBody {
    pub read_seq: Option<i64>,
    pub muted: Option<bool>,
    pub pinned: Option<bool>,
}

impl TryFrom<UpdateConversationBody> for UpdateConversation {
    type Error = InvalidField;
    fn try_from(b: UpdateConversationBody) -> Result<Self, InvalidField> {
        Ok(UpdateConversation {
            read_seq: seq_field(b.read_seq, "read_seq")?,
            muted: b.muted,
            pinned: b.pinned,
            hide: Vec::new(),
        })
    }
}

/// Query string of GET /messages/history (all values arrive as text).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The conversation to read.
    #[param(value_type = String, required = true)]
    pub conversation_id: Option<String>,
    /// The page starts right after this seq.
    #[param(value_type = Option<u64>)]
    pub after_seq: Option<String>,
    /// The page ends right before this seq (default: the newest message).
    #[param(value_type = Option<u64>)]
    pub before_seq: Option<String>,
    /// 1-200, default 50.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

pub(crate) fn int_param(
    v: Option<String>,
    field: &'static str,
) -> Result<Option<i64>, InvalidField> {
    v.map(|s| {
        s.parse::<i64>()
            .map_err(|_| InvalidField::new(field, "must be a whole number"))
    })
    .transpose()
}

impl TryFrom<HistoryParams> for History {
    type Error = InvalidField;
    fn try_from(p: HistoryParams) -> Result<Self, InvalidField> {
        Ok(History {
            conversation_id: ConversationId::parse(&required(
                p.conversation_id,
                "conversation_id",
            )?)?,
            after: seq_field(int_param(p.after_seq, "after_seq")?, "after_seq")?,
            before: seq_field(int_param(p.before_seq, "before_seq")?, "before_seq")?,
            limit: PageLimit::parse(int_param(p.limit, "limit")?)?,
            pinned: false,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SyncBody {
    pub cursors: Option<BTreeMap<String, i64>>,
    pub limit: Option<i64>,
}

impl TryFrom<SyncBody> for SyncRequest {
    type Error = InvalidField;
    fn try_from(b: SyncBody) -> Result<Self, InvalidField> {
        let mut cursors = Vec::new();
        for (id, seq) in b.cursors.unwrap_or_default() {
            let id = ConversationId::parse(&id).map_err(|_| {
                InvalidField::new("cursors", format!("{id:?} is not a conversation id"))
            })?;
            cursors.push((id, Seq::parse(seq, "cursors")?));
        }
        Ok(SyncRequest {
            cursors,
            limit: PageLimit::parse(b.limit)?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReadBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = i64)]
    pub seq: Option<i64>,
}

impl ReadBody {
    pub fn decode(self) -> Result<(ConversationId, Seq), InvalidField> {
        let id = ConversationId::parse(&required(self.conversation_id, "conversation_id")?)?;
        let seq = Seq::parse(required(self.seq, "seq")?, "seq")?;
        Ok((id, seq))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TypingBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
}

impl TypingBody {
    pub fn decode(self) -> Result<ConversationId, InvalidField> {
        ConversationId::parse(&required(self.conversation_id, "conversation_id")?)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateGroupBody {
    #[schema(value_type = String)]
    pub name: Option<String>,
    pub description: Option<String>,
    pub member_ids: Option<Vec<String>>,
    pub join_policy: Option<String>,
    pub max_members: Option<i64>,
}

impl TryFrom<CreateGroupBody> for CreateGroup {
    type Error = InvalidField;
    fn try_from(b: CreateGroupBody) -> Result<Self, InvalidField> {
        let member_ids = b
            .member_ids
            .unwrap_or_default()
            .iter()
            .map(|id| {
                UserId::parse(id).map_err(|_| {
                    InvalidField::new("member_ids", format!("{id:?} is not a valid id"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CreateGroup {
            name: GroupName::parse(required(b.name, "name")?)?,
            description: GroupDescription::parse(b.description.unwrap_or_default())?,
            member_ids,
            join_policy: b
                .join_policy
                .as_deref()
                .map(JoinPolicy::parse)
                .transpose()?
                .unwrap_or(JoinPolicy::Open),
            max_members: b
                .max_members
                .map(|n| {
                    u32::try_from(n)
                        .map_err(|_| InvalidField::new("max_members", "must be positive"))
                })
                .transpose()?,
        })
    }
}

/// `PUT /api/v1/groups/{id}`: what to change; absent fields are kept.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateGroupBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub join_policy: Option<String>,
    pub avatar: Option<String>,
    pub announcement: Option<String>,
}

impl TryFrom<UpdateGroupBody> for UpdateGroup {
    type Error = InvalidField;
    fn try_from(b: UpdateGroupBody) -> Result<Self, InvalidField> {
        let join_policy = b
            .join_policy
            .as_deref()
            .map(JoinPolicy::parse)
            .transpose()?;
        UpdateGroup::parse(b.name, b.description, join_policy, b.avatar, b.announcement)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageDto {
    pub message_id: String,
    pub conversation_id: String,
    #[schema(schema_with = crate::schema::conversation_kind)]
    pub conversation_type: &'static str,
    pub seq: u64,
    pub from_user_id: String,
    pub message_type: String,
    pub content: String,
    pub client_msg_id: String,
    pub created_at: String,
    /// The seq this message answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<u64>,
    /// For an edit, a recall or a reaction event, the seq it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// A recalled message keeps its place with its content erased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recalled_at: Option<String>,
    /// In history and sync: the reactions on it, as the reader sees them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionDto>,
    /// For a `react` or `unreact` event: how many have its emoji on the
    /// target once it is applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction_count: Option<u32>,
    /// The members it names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// It names every member.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mention_all: bool,
    /// A copy forwarded from another conversation.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forwarded: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReactionDto {
    pub emoji: String,
    pub count: u32,
    pub mine: bool,
}

impl From<&Message> for MessageDto {
    fn from(m: &Message) -> Self {
        let (reply_to, target_seq) = match m.reference {
            Some(Reference::Reply(s)) => (Some(s.get()), None),
            Some(r) => (None, Some(r.seq().get())),
            None => (None, None),
        };
        Self {
            reply_to,
            target_seq,
            edited_at: m.changes.edited_at.map(rfc3339),
            recalled_at: m.changes.recalled_at.map(rfc3339),
            reactions: m
                .reactions
                .iter()
                .map(|r| ReactionDto {
                    emoji: r.emoji.as_str().to_owned(),
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
            reaction_count: m.reaction_count,
            mentions: m.marks.mentions.iter().map(ToString::to_string).collect(),
            mention_all: m.marks.mention_all,
            forwarded: m.marks.forwarded,
            message_id: m.id.to_string(),
            conversation_id: m.conversation_id.to_string(),
            conversation_type: m.conversation_kind.as_str(),
            seq: m.seq.get(),
            from_user_id: m.from.to_string(),
            message_type: m.message_type.as_str().to_owned(),
            content: m.content.as_str().to_owned(),
            client_msg_id: m.client_msg_id.as_str().to_owned(),
            created_at: rfc3339(m.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AckDto {
    pub message_id: String,
    pub conversation_id: String,
    pub seq: u64,
    pub client_msg_id: String,
    pub created_at: String,
}

impl From<&Ack> for AckDto {
    fn from(a: &Ack) -> Self {
        Self {
            message_id: a.message_id.to_string(),
            conversation_id: a.conversation_id.to_string(),
            seq: a.seq.get(),
            client_msg_id: a.client_msg_id.as_str().to_owned(),
            created_at: rfc3339(a.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationDto {
    pub conversation_id: String,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::schema::conversation_kind)]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub last_seq: u64,
    pub read_seq: u64,
    pub unread: u64,
    pub muted: bool,
    pub pinned: bool,
    /// A message after `read_seq` mentions the caller (by name, or all).
    pub mentioned: bool,
    /// The last message that mentions the caller (0: none).
    pub mention_seq: u64,
    pub last_message: Option<MessageDto>,
    pub updated_at: String,
}

impl From<&ConversationView> for ConversationDto {
    fn from(v: &ConversationView) -> Self {
        Self {
            conversation_id: v.id.to_string(),
            kind: v.kind.as_str(),
            name: v.name.clone(),
            peer_user_id: v.peer_user_id.as_ref().map(ToString::to_string),
            group_id: v.group_id.as_ref().map(ToString::to_string),
            last_seq: v.last_seq.get(),
            read_seq: v.read_seq.get(),
            unread: v.unread(),
            muted: v.muted,
            pinned: v.pinned,
            mentioned: v.mentioned(),
            mention_seq: v.mention_seq.get(),
            last_message: v.last_message.as_ref().map(MessageDto::from),
            updated_at: rfc3339(v.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationsDto {
    pub conversations: Vec<ConversationDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    pub messages: Vec<MessageDto>,
    pub has_more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadEntryDto {
    pub conversation_id: String,
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadDto {
    pub total: u64,
    pub conversations: Vec<UnreadEntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncEntryDto {
    pub conversation_id: String,
    pub messages: Vec<MessageDto>,
    pub has_more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncDto {
    pub conversations: Vec<SyncEntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    pub group_id: String,
    pub conversation_id: String,
    pub name: String,
    pub description: String,
    pub owner_id: String,
    pub member_count: u32,
    pub max_members: u32,
    #[schema(schema_with = crate::schema::join_policy)]
    pub join_policy: &'static str,
    pub avatar: String,
    pub announcement: String,
    #[schema(schema_with = crate::schema::role_or_null)]
    pub my_role: Option<&'static str>,
}

impl GroupDto {
    pub fn new(g: &ferrochat_domain::groups::Group, my_role: Option<Role>) -> Self {
        Self {
            group_id: g.id.to_string(),
            conversation_id: g.conversation_id.to_string(),
            name: g.name.as_str().to_owned(),
            description: g.description.as_str().to_owned(),
            owner_id: g.owner_id.to_string(),
            member_count: g.member_count,
            max_members: g.max_members,
            join_policy: g.join_policy.as_str(),
            avatar: g.avatar.as_str().to_owned(),
            announcement: g.announcement.as_str().to_owned(),
            my_role: my_role.map(Role::as_str),
        }
    }
}

/// `data` of a `read-receipt` frame.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadReceiptDto {
    pub conversation_id: String,
    pub user_id: String,
    pub seq: u64,
}

/// `data` of a `typing` frame.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypingDto {
    pub conversation_id: String,
    pub user_id: String,
}

#[cfg(test)]
mod tests {
    use ferrochat_domain::page::wire_bytes;
    use ferrochat_domain::reactions::{Emoji, ReactionCount, MAX_DISTINCT};
    use ferrochat_domain::{Changes, ConversationKind, MessageId, Timestamp};

    use super::*;

    /// The page budget's weight of a message bounds its JSON, with every
    /// field at its largest: ids, a 64-byte client_msg_id, a 32-byte type,
    /// the seq it refers to, both timestamps, 20 reactions of the longest
    /// emoji with the largest counts, the most mentions, both flags, and
    /// content of control characters.
    #[test]
    fn a_messages_json_never_weighs_more_than_the_page_budget_says() {
        let long_emoji = "👩🏽‍👩🏽‍👧🏽"; // 4 + 4 + 3 + 4 + 4 + 3 + 4 + 4 bytes
        assert!(long_emoji.len() <= Emoji::MAX_BYTES);
        let m = Message {
            id: MessageId::generate(),
            conversation_id: ConversationId::generate(),
            conversation_kind: ConversationKind::Single,
            seq: Seq::new(u64::MAX),
            from: UserId::generate(),
            message_type: MessageType::from_stored("x".repeat(32)),
            content: MessageContent::from_stored("\u{1}\"\\".repeat(100)),
            client_msg_id: ClientMsgId::parse("c".repeat(64)).unwrap(),
            created_at: Timestamp::from_millis(i64::MAX / 4),
            reference: Some(Reference::Reply(Seq::new(u64::MAX))),
            changes: Changes {
                edited_at: Some(Timestamp::from_millis(i64::MAX / 4)),
                recalled_at: Some(Timestamp::from_millis(i64::MAX / 4)),
            },
            reactions: (0..MAX_DISTINCT)
                .map(|_| ReactionCount {
                    emoji: Emoji::from_stored(long_emoji.to_owned()),
                    count: u32::MAX,
                    mine: false,
                })
                .collect(),
            reaction_count: Some(u32::MAX),
            marks: Marks {
                mentions: (0..ferrochat_domain::messaging::MAX_MENTIONS)
                    .map(|_| UserId::generate())
                    .collect(),
                mention_all: true,
                forwarded: true,
            },
        };
        let json = serde_json::to_string(&MessageDto::from(&m)).unwrap();
        assert!(
            json.len() <= wire_bytes(&m),
            "{} bytes of JSON, weighed {}",
            json.len(),
            wire_bytes(&m)
        );
    }
}
