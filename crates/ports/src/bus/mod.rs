//! The bus: typed records on three topics (docs/ARCHITECTURE.md, the message path).
//!
//! - `upstream`, keyed by conversation id: sends from gateways to logic;
//!   one consumer per key at a time gives one writer per conversation.
//! - `downstream.{gateway}`: replies and deliveries to one gateway, several
//!   to a record (logic writes one record per gateway per commit batch).
//! - `task`: fan-out work for the world room and large groups, and
//!   offline push.
//!
//! In-process channels when embedded; Kafka in a cluster. Records are
//! Rust values here; the Kafka adapter encodes them with `ferrochat-wire`.
//!
//! Publishing is two steps, so a caller can keep many records in flight
//! without giving up their order: `publish_*` takes the record in order
//! (it waits only for room in a bounded queue) and returns a [`Published`]
//! that resolves once the record is durable. Records one caller publishes
//! one after another keep that order on their topic and key whether or
//! not it waits between them; a record that fails makes every later one
//! on the same topic and key fail too, never a gap.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::social::FriendRequest;
use ferrochat_domain::{
    Ack, ClientMsgId, ConversationId, GroupId, Marks, Message, MessageContent, MessageType,
    Reference, Seq, SessionId, Timestamp, UserId,
};

use crate::api::ApiError;

mod outbox;
mod trace;

pub use outbox::{Acked, Outbox, Outgoing};
pub use trace::{TraceContext, Traces, MAX_TRACEPARENT};

#[derive(Debug, Clone, thiserror::Error)]
pub enum BusError {
    /// Nobody consumes that topic (e.g. a gateway that is gone).
    #[error("no consumer for {0}")]
    Unroutable(String),
    #[error("bus closed")]
    Closed,
    #[error("bus unavailable: {0}")]
    Unavailable(String),
}

/// Where the answer to a send goes: a waiter at one gateway, found by
/// `token` (the gateway keeps what it needs to answer: an HTTP request, or
/// a connection and the frame id to echo). A token the gateway no longer
/// knows (answered already, timed out, or from before a restart) is
/// dropped there, so an answer sent twice reaches its client once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTo {
    pub gateway: GatewayId,
    pub token: u64,
    /// The WebSocket connection that sent, which gets the ack instead of
    /// the message; `None` for HTTP.
    pub conn: Option<ConnId>,
}

impl ReplyTo {
    pub fn gateway(&self) -> &GatewayId {
        &self.gateway
    }

    /// The connection that sent, which gets the ack instead of the message.
    pub fn route(&self) -> Option<Route> {
        self.conn.map(|conn| Route {
            gateway: self.gateway.clone(),
            conn,
        })
    }
}

/// A validated send, on `upstream`, keyed by `conversation_id`.
#[derive(Debug, Clone)]
pub struct SendRecord {
    pub sender: UserId,
    pub conversation_id: ConversationId,
    pub client_msg_id: ClientMsgId,
    pub message_type: MessageType,
    pub content: MessageContent,
    pub reply_to: ReplyTo,
    /// A reply to, an edit or a recall of a message of the conversation.
    pub reference: Option<Reference>,
    pub marks: Marks,
    /// When the gateway took the send (None in records written before
    /// this field existed). Rules that depend on time, such as a mute's
    /// end, are judged at this moment, not when logic gets to the record.
    pub sent_at: Option<Timestamp>,
    /// The gateway's span of this send, while tracing is on.
    pub trace: Option<TraceContext>,
}

/// Something a client is told.
// Nearly every event is a new message: boxing it would cost an allocation
// per delivery to save space in the rare receipts and typing events.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    NewMessage(Message),
    ReadReceipt {
        conversation_id: ConversationId,
        user_id: UserId,
        seq: Seq,
    },
    Typing {
        conversation_id: ConversationId,
        user_id: UserId,
    },
    /// A friend came online (first connection) or went offline (last).
    Presence {
        user_id: UserId,
        online: bool,
    },
    /// To its recipient, a friend request (pending); to its sender, their
    /// request accepted. A rejection is told to nobody.
    FriendRequest(FriendRequest),
    /// To a user another added to a group (at its creation or later).
    GroupInvited {
        group_id: GroupId,
        conversation_id: ConversationId,
        name: String,
        by: UserId,
    },
}

/// One item on `downstream.{gateway}`; a record there carries one or more,
/// handled in order (see [`Bus::publish_downstream`]).
#[derive(Debug, Clone)]
pub enum DownstreamRecord {
    /// The outcome of one send.
    Reply {
        reply_to: ReplyTo,
        result: Result<Ack, ApiError>,
        /// The send's trace, while tracing is on.
        trace: Option<TraceContext>,
    },
    /// One event for many connections of this gateway. The event is
    /// shared, so it is encoded once per gateway, not once per recipient.
    Deliver {
        conns: Vec<ConnId>,
        event: Arc<Event>,
        /// The trace of the send that caused it, while tracing is on.
        trace: Option<TraceContext>,
    },
    /// The session was revoked: close its sockets (4001).
    CloseSession { session: SessionId },
}

impl DownstreamRecord {
    /// The item's trace context, which the bus carries beside it.
    pub fn trace(&self) -> Option<&TraceContext> {
        match self {
            Self::Reply { trace, .. } | Self::Deliver { trace, .. } => trace.as_ref(),
            Self::CloseSession { .. } => None,
        }
    }

    /// Gives the item the context the bus carried beside it.
    pub fn set_trace(&mut self, context: Option<TraceContext>) {
        match self {
            Self::Reply { trace, .. } | Self::Deliver { trace, .. } => *trace = context,
            Self::CloseSession { .. } => {}
        }
    }
}

/// A record on `task`.
#[derive(Debug, Clone)]
pub enum TaskRecord {
    /// Deliver a committed message to every online member, expanding the
    /// membership in batches.
    Fanout {
        message: Arc<Message>,
        /// The sending connection, which got the ack instead.
        exclude: Option<Route>,
    },
    /// Tell the push webhook about a committed message for members who
    /// had no connection when it was delivered. At most [`PUSH_BATCH`]
    /// recipients; [`push_records`] splits a longer list.
    Push {
        message: Arc<Message>,
        recipients: Vec<UserId>,
    },
}

impl TaskRecord {
    /// The conversation the record is about (its key on the bus, so a
    /// conversation's task records stay in order).
    pub fn conversation_id(&self) -> &ConversationId {
        match self {
            Self::Fanout { message, .. } | Self::Push { message, .. } => &message.conversation_id,
        }
    }
}

/// Most recipients in one `TaskRecord::Push` (and one webhook call).
pub const PUSH_BATCH: usize = 100;

/// Whether members who are offline hear about `message` through the push
/// webhook: what users write (replies included), never `system` messages
/// nor the events of edits and recalls (they change a message the
/// member was already told about; a client syncs them).
pub fn wants_push(message: &Message) -> bool {
    message.is_changeable()
}

/// Of `members`, those without a route in `routes`: whom a push names
/// (but the sender of the message at hand).
pub fn unrouted_members(members: &[UserId], routes: &[(UserId, Route)]) -> Vec<UserId> {
    let online: std::collections::HashSet<&UserId> = routes.iter().map(|(u, _)| u).collect();
    members
        .iter()
        .filter(|m| !online.contains(m))
        .cloned()
        .collect()
}

/// `TaskRecord::Push` records for `recipients`, [`PUSH_BATCH`] at a time.
pub fn push_records<'a>(
    message: &Arc<Message>,
    recipients: &'a [UserId],
) -> impl Iterator<Item = TaskRecord> + 'a {
    let message = message.clone();
    recipients
        .chunks(PUSH_BATCH)
        .map(move |chunk| TaskRecord::Push {
            message: message.clone(),
            recipients: chunk.to_vec(),
        })
}

/// What a gateway reads from its downstream topic.
#[derive(Debug, Clone)]
pub enum Downstream {
    /// One record's items, in order.
    Items(Vec<DownstreamRecord>),
    /// Records meant for this gateway were lost: the broker came back
    /// without its data. Answers and deliveries may be missing, so the
    /// gateway tells the sends waiting for an answer to resend, and its
    /// clients to reconnect and resync.
    Lost,
}

impl Downstream {
    /// The items, unless this says records were lost.
    pub fn items(self) -> Option<Vec<DownstreamRecord>> {
        match self {
            Self::Items(items) => Some(items),
            Self::Lost => None,
        }
    }
}

/// The outcome of one publish: resolves once the record is durable
/// (Kafka: the broker acknowledged it; in process: at once). Dropping it
/// does not withdraw the record.
#[must_use = "a record is durable only once its Published resolves"]
pub struct Published(Pin<Box<dyn Future<Output = Result<(), BusError>> + Send + 'static>>);

impl Published {
    /// A record that is as durable as it will ever be already.
    pub fn done() -> Self {
        Self(Box::pin(std::future::ready(Ok(()))))
    }

    pub fn new(f: impl Future<Output = Result<(), BusError>> + Send + 'static) -> Self {
        Self(Box::pin(f))
    }

    /// Resolves once every one of `all` has, with the first error if any.
    pub fn all(all: Vec<Published>) -> Self {
        if all.is_empty() {
            return Self::done();
        }
        Self::new(async move {
            let mut first = Ok(());
            for p in all {
                if let (Err(e), Ok(())) = (p.await, &first) {
                    first = Err(e);
                }
            }
            first
        })
    }
}

impl Future for Published {
    type Output = Result<(), BusError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl std::fmt::Debug for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Published")
    }
}

/// Reads one topic. At least once: a record is redelivered after a crash
/// (or to another consumer of the group after a rebalance) unless it was
/// committed.
///
/// Records are counted as `next` returns them: the n-th record returned
/// has position n. A consumer whose records finish later and in order (the
/// logic pipeline) remembers each record's position and commits through
/// the last finished one, so a crash never skips unfinished work.
#[async_trait]
pub trait Consumer<T>: Send {
    /// The next record; `None` once the bus is closed.
    async fn next(&mut self) -> Option<T>;

    /// The next record if one has arrived already, without waiting: for
    /// taking what is there as one batch after `next`.
    fn try_next(&mut self) -> Option<T>;

    /// How many records wait to be returned, if the adapter knows (an
    /// in-process channel does); a stage uses it to say how far behind it
    /// is before the records' age shows it.
    fn waiting(&self) -> Option<u64> {
        None
    }

    /// How many records `next` and `try_next` have returned so far.
    fn position(&self) -> u64;

    /// Marks the first `position` records returned as done.
    async fn commit_through(&mut self, position: u64) -> Result<(), BusError>;

    /// Marks every record returned so far as done.
    async fn commit(&mut self) -> Result<(), BusError> {
        let position = self.position();
        self.commit_through(position).await
    }
}

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Takes a send in order (waiting only for room); the returned
    /// [`Published`] says when it is durable.
    async fn publish_upstream(&self, record: SendRecord) -> Result<Published, BusError>;

    /// Takes one record of `items` (at least one) for `gateway`, handled
    /// there in this order. An adapter whose records have a size limit
    /// may split a large one into several, still in order.
    async fn publish_downstream(
        &self,
        gateway: &GatewayId,
        items: Vec<DownstreamRecord>,
    ) -> Result<Published, BusError>;

    async fn publish_task(&self, record: TaskRecord) -> Result<Published, BusError>;

    async fn consume_upstream(&self) -> Result<Box<dyn Consumer<SendRecord>>, BusError>;
    async fn consume_downstream(
        &self,
        gateway: &GatewayId,
    ) -> Result<Box<dyn Consumer<Downstream>>, BusError>;
    async fn consume_task(&self) -> Result<Box<dyn Consumer<TaskRecord>>, BusError>;

    /// Whether the bus can take records now (`/ready` asks). An adapter
    /// that lost its broker, or is rebuilding a producer after a fatal
    /// error, says no until it can again.
    fn is_healthy(&self) -> bool {
        true
    }

    /// Whether a reader of a shared topic (`consume_upstream`,
    /// `consume_task`) was made here and every such reader has been given
    /// its share of the topic: until then the records it is to handle
    /// wait, and a role that reads one is not ready. An adapter whose
    /// readers need no assignment says yes.
    fn readers_joined(&self) -> bool {
        true
    }
}

/// Sends `event` to these routes, one record per gateway, skipping
/// `exclude`. Shared by logic (receipts, typing, presence) and task. A
/// gateway that is gone is skipped: its clients resync by seq when they
/// reconnect. Resolves once every record is durable.
pub async fn deliver(
    bus: &dyn Bus,
    routes: impl IntoIterator<Item = Route>,
    exclude: Option<&Route>,
    event: &Arc<Event>,
) -> Result<Published, BusError> {
    let mut by_gateway: std::collections::BTreeMap<GatewayId, Vec<ConnId>> = Default::default();
    for r in routes {
        if Some(&r) != exclude {
            by_gateway.entry(r.gateway).or_default().push(r.conn);
        }
    }
    let mut published = Vec::with_capacity(by_gateway.len());
    for (gateway, conns) in by_gateway {
        let record = DownstreamRecord::Deliver {
            conns,
            event: event.clone(),
            trace: None,
        };
        match bus.publish_downstream(&gateway, vec![record]).await {
            Ok(p) => published.push(p),
            Err(BusError::Unroutable(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Published::all(published))
}
