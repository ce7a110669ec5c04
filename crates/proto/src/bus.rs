//! Bus records to and from protobuf bytes, for the Kafka adapter.

use std::ops::Range;
use std::sync::Arc;

use ferrochat_domain::messaging::MAX_MENTIONS;
use ferrochat_domain::reactions::{Emoji, ReactionCount};
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{
    Ack, Changes, ClientMsgId, ConversationId, ConversationKind, ErrorKind, GroupId, Marks,
    Message, MessageContent, MessageId, MessageType, Reference, Seq, SessionId, Timestamp, UserId,
};
use ferrochat_ports::bus::{DownstreamRecord, Event, ReplyTo, SendRecord, TaskRecord};
use ferrochat_ports::ApiError;
use prost::Message as _;

use crate::convert::{required, DecodeError};
use crate::pb;

pub fn encode_send(record: &SendRecord) -> Vec<u8> {
    pb::SendRecord::from(record).encode_to_vec()
}

pub fn decode_send(bytes: &[u8]) -> Result<SendRecord, DecodeError> {
    pb::SendRecord::decode(bytes)?.try_into()
}

/// One `upstream` record of `records` (at least one), in order: the send
/// itself when there is one, else an `UpstreamBatch`.
pub fn encode_sends(records: &[SendRecord]) -> Vec<u8> {
    encode_pb_sends(records.iter().map(pb::SendRecord::from).collect())
}

fn encode_pb_sends(mut sends: Vec<pb::SendRecord>) -> Vec<u8> {
    match sends.pop() {
        Some(one) if sends.is_empty() => one.encode_to_vec(),
        last => {
            sends.extend(last);
            pb::UpstreamBatch { sends }.encode_to_vec()
        }
    }
}

/// `records` as `upstream` records of at most about `max_bytes` each, in
/// order, each with how many of the sends it holds: one record when they
/// fit, else consecutive runs of them (a send larger than `max_bytes`
/// alone is a record of its own). Each send is converted once.
pub fn encode_sends_within(records: &[SendRecord], max_bytes: usize) -> Vec<(usize, Vec<u8>)> {
    let sends: Vec<pb::SendRecord> = records.iter().map(pb::SendRecord::from).collect();
    let runs = runs_within(sends.iter().map(|s| in_batch(s.encoded_len())), max_bytes);
    let mut sends = sends.into_iter();
    runs.into_iter()
        .map(|run| {
            let part: Vec<pb::SendRecord> = sends.by_ref().take(run.len()).collect();
            (part.len(), encode_pb_sends(part))
        })
        .collect()
}

/// What one `upstream` record's sends cost in a batch, in bytes: for
/// keeping a batch under a broker's record size limit.
pub fn send_len_in_batch(record: &SendRecord) -> usize {
    in_batch(pb::SendRecord::from(record).encoded_len())
}

/// What an item of `len` bytes costs inside a batch: its length, the
/// field's tag (one byte: field 1 of a DownstreamBatch, 15 of an
/// UpstreamBatch) and a length prefix. prost's own arithmetic, without
/// encoding.
fn in_batch(len: usize) -> usize {
    len + prost::length_delimiter_len(len) + 1
}

/// Consecutive runs of items, given their costs in a batch, each run
/// adding up to at most `max_bytes`; an item over it alone is a run of
/// its own. At least one run, empty for no items.
fn runs_within(costs: impl IntoIterator<Item = usize>, max_bytes: usize) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let (mut start, mut size, mut end) = (0, 0, 0);
    for (i, cost) in costs.into_iter().enumerate() {
        if i > start && size + cost > max_bytes {
            runs.push(start..i);
            start = i;
            size = 0;
        }
        size += cost;
        end = i + 1;
    }
    runs.push(start..end);
    runs
}

/// The sends of one `upstream` record, in order: a batch's, or the one
/// send of a record written alone.
pub fn decode_sends(bytes: &[u8]) -> Result<Vec<SendRecord>, DecodeError> {
    let batch = pb::UpstreamBatch::decode(bytes)?;
    if batch.sends.is_empty() {
        return Ok(vec![decode_send(bytes)?]);
    }
    batch.sends.into_iter().map(SendRecord::try_from).collect()
}

/// One record of `items`: the item itself when there is one, else a batch.
pub fn encode_downstream(items: &[DownstreamRecord]) -> Vec<u8> {
    match items {
        [one] => pb::DownstreamRecord::from(one).encode_to_vec(),
        many => pb::DownstreamRecord {
            kind: Some(pb::downstream_record::Kind::Batch(pb::DownstreamBatch {
                items: many.iter().map(pb::DownstreamRecord::from).collect(),
            })),
        }
        .encode_to_vec(),
    }
}

/// `items` as records of at most about `max_bytes` each, in order: one
/// record when they fit (the common case), else consecutive runs of them.
/// An item larger than `max_bytes` alone is one record of its own (the
/// broker may refuse it: callers bound content well below the limit).
pub fn encode_downstream_within(items: &[DownstreamRecord], max_bytes: usize) -> Vec<Vec<u8>> {
    encode_downstream_runs(items, max_bytes)
        .into_iter()
        .map(|(_, payload)| payload)
        .collect()
}

/// [`encode_downstream_within`], each record with the run of `items` it
/// holds (for what travels beside each item, such as its trace context).
pub fn encode_downstream_runs(
    items: &[DownstreamRecord],
    max_bytes: usize,
) -> Vec<(Range<usize>, Vec<u8>)> {
    let whole = encode_downstream(items);
    if whole.len() <= max_bytes || items.len() < 2 {
        return vec![(0..items.len(), whole)];
    }
    let costs = items
        .iter()
        .map(|item| in_batch(pb::DownstreamRecord::from(item).encoded_len()));
    runs_within(costs, max_bytes)
        .into_iter()
        .map(|run| {
            let payload = encode_downstream(items.get(run.clone()).unwrap_or_default());
            (run, payload)
        })
        .collect()
}

/// The items of one record, in order.
pub fn decode_downstream(bytes: &[u8]) -> Result<Vec<DownstreamRecord>, DecodeError> {
    let record = pb::DownstreamRecord::decode(bytes)?;
    match record.kind {
        Some(pb::downstream_record::Kind::Batch(batch)) => batch
            .items
            .into_iter()
            .map(DownstreamRecord::try_from)
            .collect(),
        kind => Ok(vec![pb::DownstreamRecord { kind }.try_into()?]),
    }
}

pub fn encode_task(record: &TaskRecord) -> Vec<u8> {
    pb::TaskRecord::from(record).encode_to_vec()
}

pub fn decode_task(bytes: &[u8]) -> Result<TaskRecord, DecodeError> {
    pb::TaskRecord::decode(bytes)?.try_into()
}

// --- routes and replies ---------------------------------------------------

fn gateway(raw: String) -> Result<GatewayId, DecodeError> {
    if raw.is_empty() {
        return Err(DecodeError::field("gateway", "is empty"));
    }
    Ok(GatewayId::new(&raw))
}

impl From<&Route> for pb::Route {
    fn from(r: &Route) -> Self {
        Self {
            gateway: r.gateway.as_str().to_owned(),
            conn: r.conn.0,
        }
    }
}

impl TryFrom<pb::Route> for Route {
    type Error = DecodeError;
    fn try_from(r: pb::Route) -> Result<Self, DecodeError> {
        Ok(Self {
            gateway: gateway(r.gateway)?,
            conn: ConnId(r.conn),
        })
    }
}

impl From<&ReplyTo> for pb::ReplyTo {
    fn from(r: &ReplyTo) -> Self {
        use pb::reply_to::Target;
        let gateway = r.gateway.as_str().to_owned();
        let target = match r.conn {
            None => Target::Http(pb::HttpReply {
                gateway,
                token: r.token,
            }),
            Some(conn) => Target::Ws(pb::WsReply {
                gateway,
                conn: conn.0,
                request_id: None,
                token: r.token,
            }),
        };
        Self {
            target: Some(target),
        }
    }
}

impl TryFrom<pb::ReplyTo> for ReplyTo {
    type Error = DecodeError;
    fn try_from(r: pb::ReplyTo) -> Result<Self, DecodeError> {
        use pb::reply_to::Target;
        Ok(match required(r.target, "reply_to")? {
            Target::Http(h) => Self {
                gateway: gateway(h.gateway)?,
                token: h.token,
                conn: None,
            },
            Target::Ws(w) => Self {
                gateway: gateway(w.gateway)?,
                token: w.token,
                conn: Some(ConnId(w.conn)),
            },
        })
    }
}

// --- messages, acks, errors -----------------------------------------------

pub(crate) fn kind_to_pb(k: ConversationKind) -> pb::ConversationKind {
    match k {
        ConversationKind::Single => pb::ConversationKind::Single,
        ConversationKind::Group => pb::ConversationKind::Group,
        ConversationKind::World => pb::ConversationKind::World,
    }
}

pub(crate) fn kind_from_pb(raw: i32) -> Result<ConversationKind, DecodeError> {
    match pb::ConversationKind::try_from(raw) {
        Ok(pb::ConversationKind::Single) => Ok(ConversationKind::Single),
        Ok(pb::ConversationKind::Group) => Ok(ConversationKind::Group),
        Ok(pb::ConversationKind::World) => Ok(ConversationKind::World),
        _ => Err(DecodeError::field("conversation_kind", "is unknown")),
    }
}

impl From<&Message> for pb::Message {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.as_str().to_owned(),
            conversation_id: m.conversation_id.as_str().to_owned(),
            conversation_kind: kind_to_pb(m.conversation_kind).into(),
            seq: m.seq.get(),
            from: m.from.as_str().to_owned(),
            message_type: m.message_type.as_str().to_owned(),
            content: m.content.as_str().to_owned(),
            client_msg_id: m.client_msg_id.as_str().to_owned(),
            created_at_ms: m.created_at.millis(),
            ref_seq: m.reference.map(|r| r.seq().get()),
            edited_at_ms: m.changes.edited_at.map(Timestamp::millis),
            recalled_at_ms: m.changes.recalled_at.map(Timestamp::millis),
            reactions: m
                .reactions
                .iter()
                .map(|r| pb::Reaction {
                    emoji: r.emoji.as_str().to_owned(),
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
            reaction_count: m.reaction_count,
            marks: marks_to_pb(&m.marks),
        }
    }
}

/// A message's marks on the wire; none for the common message without.
pub(crate) fn marks_to_pb(m: &Marks) -> Option<pb::Marks> {
    (*m != Marks::default()).then(|| pb::Marks {
        mentions: m.mentions.iter().map(|u| u.as_str().to_owned()).collect(),
        mention_all: m.mention_all,
        forwarded: m.forwarded,
    })
}

pub(crate) fn marks_from_pb(m: Option<pb::Marks>) -> Result<Marks, DecodeError> {
    let Some(m) = m else {
        return Ok(Marks::default());
    };
    if m.mentions.len() > MAX_MENTIONS {
        return Err(DecodeError::field("marks", "names too many users"));
    }
    Ok(Marks {
        mentions: m
            .mentions
            .iter()
            .map(|u| UserId::parse(u))
            .collect::<Result<_, _>>()?,
        mention_all: m.mention_all,
        forwarded: m.forwarded,
    })
}

/// The reference a message of `message_type` makes to `ref_seq`.
pub(crate) fn reference(message_type: &MessageType, ref_seq: Option<u64>) -> Option<Reference> {
    ref_seq.map(|s| Reference::from_stored(message_type, Seq::new(s)))
}

impl TryFrom<pb::Message> for Message {
    type Error = DecodeError;
    fn try_from(m: pb::Message) -> Result<Self, DecodeError> {
        // Committed messages include `system` ones, which clients may not
        // send, so the type is taken as stored.
        let message_type = MessageType::from_stored(m.message_type);
        Ok(Self {
            marks: marks_from_pb(m.marks)?,
            id: MessageId::parse(&m.id)?,
            conversation_id: ConversationId::parse(&m.conversation_id)?,
            conversation_kind: kind_from_pb(m.conversation_kind)?,
            seq: Seq::new(m.seq),
            from: UserId::parse(&m.from)?,
            content: MessageContent::from_stored(m.content),
            client_msg_id: ClientMsgId::parse(m.client_msg_id)?,
            created_at: Timestamp::from_millis(m.created_at_ms),
            reference: reference(&message_type, m.ref_seq),
            message_type,
            changes: Changes {
                edited_at: m.edited_at_ms.map(Timestamp::from_millis),
                recalled_at: m.recalled_at_ms.map(Timestamp::from_millis),
            },
            reactions: m
                .reactions
                .into_iter()
                .map(|r| ReactionCount {
                    emoji: Emoji::from_stored(r.emoji),
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
            reaction_count: m.reaction_count,
        })
    }
}

impl From<&Ack> for pb::Ack {
    fn from(a: &Ack) -> Self {
        Self {
            message_id: a.message_id.as_str().to_owned(),
            conversation_id: a.conversation_id.as_str().to_owned(),
            seq: a.seq.get(),
            client_msg_id: a.client_msg_id.as_str().to_owned(),
            created_at_ms: a.created_at.millis(),
        }
    }
}

impl TryFrom<pb::Ack> for Ack {
    type Error = DecodeError;
    fn try_from(a: pb::Ack) -> Result<Self, DecodeError> {
        Ok(Self {
            message_id: MessageId::parse(&a.message_id)?,
            conversation_id: ConversationId::parse(&a.conversation_id)?,
            seq: Seq::new(a.seq),
            client_msg_id: ClientMsgId::parse(a.client_msg_id)?,
            created_at: Timestamp::from_millis(a.created_at_ms),
        })
    }
}

pub(crate) fn error_kind_to_pb(k: ErrorKind) -> pb::ErrorKind {
    match k {
        // Raised only at a gateway's edge, never sent on: the same code.
        ErrorKind::InvalidParams | ErrorKind::RequestTimeout => pb::ErrorKind::InvalidParams,
        ErrorKind::Unauthorized => pb::ErrorKind::Unauthorized,
        ErrorKind::NotFound => pb::ErrorKind::NotFound,
        ErrorKind::Internal => pb::ErrorKind::Internal,
        ErrorKind::Forbidden => pb::ErrorKind::Forbidden,
        ErrorKind::Conflict => pb::ErrorKind::Conflict,
        ErrorKind::RateLimited => pb::ErrorKind::RateLimited,
        ErrorKind::TooLarge => pb::ErrorKind::TooLarge,
        ErrorKind::Unavailable => pb::ErrorKind::Unavailable,
    }
}

pub(crate) fn error_kind_from_pb(raw: i32) -> Result<ErrorKind, DecodeError> {
    Ok(match pb::ErrorKind::try_from(raw) {
        Ok(pb::ErrorKind::InvalidParams) => ErrorKind::InvalidParams,
        Ok(pb::ErrorKind::Unauthorized) => ErrorKind::Unauthorized,
        Ok(pb::ErrorKind::NotFound) => ErrorKind::NotFound,
        Ok(pb::ErrorKind::Internal) => ErrorKind::Internal,
        Ok(pb::ErrorKind::Forbidden) => ErrorKind::Forbidden,
        Ok(pb::ErrorKind::Conflict) => ErrorKind::Conflict,
        Ok(pb::ErrorKind::RateLimited) => ErrorKind::RateLimited,
        Ok(pb::ErrorKind::TooLarge) => ErrorKind::TooLarge,
        Ok(pb::ErrorKind::Unavailable) => ErrorKind::Unavailable,
        Ok(pb::ErrorKind::Unspecified) | Err(_) => {
            return Err(DecodeError::field("error.kind", "is unknown"))
        }
    })
}

impl From<&ApiError> for pb::ApiError {
    fn from(e: &ApiError) -> Self {
        Self {
            kind: error_kind_to_pb(e.kind).into(),
            message: e.message.clone(),
            retry_after_ms: e
                .retry_after
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}

impl TryFrom<pb::ApiError> for ApiError {
    type Error = DecodeError;
    fn try_from(e: pb::ApiError) -> Result<Self, DecodeError> {
        let error = ApiError::new(error_kind_from_pb(e.kind)?, e.message);
        Ok(match e.retry_after_ms {
            Some(ms) => error.with_retry_after(std::time::Duration::from_millis(ms)),
            None => error,
        })
    }
}

// --- the records ----------------------------------------------------------

impl From<&SendRecord> for pb::SendRecord {
    fn from(r: &SendRecord) -> Self {
        Self {
            sender: r.sender.as_str().to_owned(),
            conversation_id: r.conversation_id.as_str().to_owned(),
            client_msg_id: r.client_msg_id.as_str().to_owned(),
            message_type: r.message_type.as_str().to_owned(),
            content: r.content.as_str().to_owned(),
            reply_to: Some((&r.reply_to).into()),
            sent_at_ms: r.sent_at.map_or(0, Timestamp::millis),
            ref_seq: r.reference.map(|r| r.seq().get()),
            marks: marks_to_pb(&r.marks),
        }
    }
}

impl TryFrom<pb::SendRecord> for SendRecord {
    type Error = DecodeError;
    fn try_from(r: pb::SendRecord) -> Result<Self, DecodeError> {
        let sender = UserId::parse(&r.sender)?;
        let conversation_id = ConversationId::parse(&r.conversation_id)?;
        let client_msg_id = ClientMsgId::parse(r.client_msg_id)?;
        // A change's types are the server's own: a client cannot send
        // them as a plain message's type, only with the seq they change.
        let message_type =
            if r.ref_seq.is_some() && MessageType::CHANGES.contains(&r.message_type.as_str()) {
                MessageType::from_stored(r.message_type)
            } else {
                MessageType::parse(r.message_type)?
            };
        Ok(Self {
            marks: marks_from_pb(r.marks)?,
            sender,
            conversation_id,
            client_msg_id,
            reference: reference(&message_type, r.ref_seq),
            message_type,
            // The gateway checked the size against its configured limit.
            content: MessageContent::from_stored(r.content),
            reply_to: required(r.reply_to, "reply_to")?.try_into()?,
            sent_at: (r.sent_at_ms > 0).then(|| Timestamp::from_millis(r.sent_at_ms)),
            // Carried beside the record (a Kafka header), never in it.
            trace: None,
        })
    }
}

impl From<&Event> for pb::Event {
    fn from(e: &Event) -> Self {
        use pb::event::Kind;
        let kind = match e {
            Event::NewMessage(m) => Kind::NewMessage(m.into()),
            Event::ReadReceipt {
                conversation_id,
                user_id,
                seq,
            } => Kind::ReadReceipt(pb::ReadReceipt {
                conversation_id: conversation_id.as_str().to_owned(),
                user_id: user_id.as_str().to_owned(),
                seq: seq.get(),
            }),
            Event::Typing {
                conversation_id,
                user_id,
            } => Kind::Typing(pb::Typing {
                conversation_id: conversation_id.as_str().to_owned(),
                user_id: user_id.as_str().to_owned(),
            }),
            Event::Presence { user_id, online } => Kind::Presence(pb::Presence {
                user_id: user_id.as_str().to_owned(),
                online: *online,
            }),
            Event::FriendRequest(r) => Kind::FriendRequest(r.into()),
            Event::GroupInvited {
                group_id,
                conversation_id,
                name,
                by,
            } => Kind::GroupInvited(pb::GroupInvited {
                group_id: group_id.as_str().to_owned(),
                conversation_id: conversation_id.as_str().to_owned(),
                name: name.clone(),
                by_user_id: by.as_str().to_owned(),
            }),
        };
        Self { kind: Some(kind) }
    }
}

impl TryFrom<pb::Event> for Event {
    type Error = DecodeError;
    fn try_from(e: pb::Event) -> Result<Self, DecodeError> {
        use pb::event::Kind;
        Ok(match required(e.kind, "event")? {
            Kind::NewMessage(m) => Event::NewMessage(m.try_into()?),
            Kind::ReadReceipt(r) => Event::ReadReceipt {
                conversation_id: ConversationId::parse(&r.conversation_id)?,
                user_id: UserId::parse(&r.user_id)?,
                seq: Seq::new(r.seq),
            },
            Kind::Typing(t) => Event::Typing {
                conversation_id: ConversationId::parse(&t.conversation_id)?,
                user_id: UserId::parse(&t.user_id)?,
            },
            Kind::Presence(p) => Event::Presence {
                user_id: UserId::parse(&p.user_id)?,
                online: p.online,
            },
            Kind::FriendRequest(r) => Event::FriendRequest(r.try_into()?),
            Kind::GroupInvited(g) => Event::GroupInvited {
                group_id: GroupId::parse(&g.group_id)?,
                conversation_id: ConversationId::parse(&g.conversation_id)?,
                name: g.name,
                by: UserId::parse(&g.by_user_id)?,
            },
        })
    }
}

impl From<&DownstreamRecord> for pb::DownstreamRecord {
    fn from(r: &DownstreamRecord) -> Self {
        use pb::downstream_record::Kind;
        let kind = match r {
            DownstreamRecord::Reply {
                reply_to, result, ..
            } => Kind::Reply(pb::Reply {
                reply_to: Some(reply_to.into()),
                result: Some(match result {
                    Ok(ack) => pb::reply::Result::Ack(ack.into()),
                    Err(e) => pb::reply::Result::Error(e.into()),
                }),
            }),
            DownstreamRecord::Deliver { conns, event, .. } => Kind::Deliver(pb::Deliver {
                conns: conns.iter().map(|c| c.0).collect(),
                event: Some(event.as_ref().into()),
            }),
            DownstreamRecord::CloseSession { session } => Kind::CloseSession(pb::CloseSession {
                session_id: session.as_str().to_owned(),
            }),
        };
        Self { kind: Some(kind) }
    }
}

impl TryFrom<pb::DownstreamRecord> for DownstreamRecord {
    type Error = DecodeError;
    fn try_from(r: pb::DownstreamRecord) -> Result<Self, DecodeError> {
        use pb::downstream_record::Kind;
        Ok(match required(r.kind, "downstream record")? {
            Kind::Reply(reply) => DownstreamRecord::Reply {
                reply_to: required(reply.reply_to, "reply_to")?.try_into()?,
                result: match required(reply.result, "result")? {
                    pb::reply::Result::Ack(a) => Ok(a.try_into()?),
                    pb::reply::Result::Error(e) => Err(e.try_into()?),
                },
                trace: None,
            },
            Kind::Deliver(d) => DownstreamRecord::Deliver {
                conns: d.conns.into_iter().map(ConnId).collect(),
                event: Arc::new(required(d.event, "event")?.try_into()?),
                trace: None,
            },
            Kind::CloseSession(c) => DownstreamRecord::CloseSession {
                session: SessionId::parse(&c.session_id)?,
            },
            Kind::Batch(_) => return Err(DecodeError::field("batch", "is inside a batch")),
        })
    }
}

impl From<&TaskRecord> for pb::TaskRecord {
    fn from(r: &TaskRecord) -> Self {
        use pb::task_record::Kind;
        let kind = match r {
            TaskRecord::Fanout { message, exclude } => Kind::Fanout(pb::Fanout {
                message: Some(message.as_ref().into()),
                exclude: exclude.as_ref().map(Into::into),
            }),
            TaskRecord::Push {
                message,
                recipients,
            } => Kind::Push(pb::Push {
                message: Some(message.as_ref().into()),
                recipients: recipients.iter().map(|u| u.as_str().to_owned()).collect(),
            }),
        };
        Self { kind: Some(kind) }
    }
}

impl TryFrom<pb::TaskRecord> for TaskRecord {
    type Error = DecodeError;
    fn try_from(r: pb::TaskRecord) -> Result<Self, DecodeError> {
        use pb::task_record::Kind;
        Ok(match required(r.kind, "task record")? {
            Kind::Fanout(f) => TaskRecord::Fanout {
                message: Arc::new(required(f.message, "message")?.try_into()?),
                exclude: f.exclude.map(Route::try_from).transpose()?,
            },
            Kind::Push(p) => TaskRecord::Push {
                message: Arc::new(required(p.message, "message")?.try_into()?),
                recipients: p
                    .recipients
                    .iter()
                    .map(|u| UserId::parse(u))
                    .collect::<Result<_, _>>()?,
            },
        })
    }
}
