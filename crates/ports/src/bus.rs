//! The bus: typed records on three topics (design.md, "The message path").
//!
//! - `upstream`, keyed by conversation id: sends from gateways to logic;
//!   one consumer per key at a time gives one writer per conversation.
//! - `downstream.{gateway}`: replies and deliveries to one gateway.
//! - `task`: fan-out work for the world room and large groups, and
//!   offline push.
//!
//! In-process channels when embedded; Kafka in a cluster. Records are
//! Rust values here; the Kafka adapter encodes them with `ferrochat-wire`.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{
    Ack, ClientMsgId, ConversationId, Message, MessageContent, MessageType, Seq, SessionId, UserId,
};

use crate::api::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// Nobody consumes that topic (e.g. a gateway that is gone).
    #[error("no consumer for {0}")]
    Unroutable(String),
    #[error("bus closed")]
    Closed,
    #[error("bus unavailable: {0}")]
    Unavailable(String),
}

/// Where the answer to a send goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyTo {
    /// An HTTP request waiting on `token` at that gateway.
    Http { gateway: GatewayId, token: u64 },
    /// A WebSocket frame; the answer echoes `request_id`.
    Ws {
        gateway: GatewayId,
        conn: ConnId,
        request_id: Option<String>,
    },
}

impl ReplyTo {
    pub fn gateway(&self) -> &GatewayId {
        match self {
            Self::Http { gateway, .. } | Self::Ws { gateway, .. } => gateway,
        }
    }

    /// The connection that sent, which gets the ack instead of the message.
    pub fn route(&self) -> Option<Route> {
        match self {
            Self::Ws { gateway, conn, .. } => Some(Route {
                gateway: gateway.clone(),
                conn: *conn,
            }),
            Self::Http { .. } => None,
        }
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
}

/// Something a client is told.
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
}

/// A record on `downstream.{gateway}`.
#[derive(Debug, Clone)]
pub enum DownstreamRecord {
    /// The outcome of one send.
    Reply {
        reply_to: ReplyTo,
        result: Result<Ack, ApiError>,
    },
    /// One event for many connections of this gateway. The event is
    /// shared, so it is encoded once per gateway, not once per recipient.
    Deliver {
        conns: Vec<ConnId>,
        event: Arc<Event>,
    },
    /// The session was revoked: close its sockets (4001).
    CloseSession { session: SessionId },
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
/// webhook: user-sent messages only, never `system` ones.
pub fn wants_push(message: &Message) -> bool {
    !message.message_type.is_system()
}

/// Of `members`, those without a route in `routes`, except `sender` (who
/// sent from somewhere, or is the server).
pub fn offline_members(
    members: &[UserId],
    routes: &[(UserId, Route)],
    sender: &UserId,
) -> Vec<UserId> {
    let online: std::collections::HashSet<&UserId> = routes.iter().map(|(u, _)| u).collect();
    members
        .iter()
        .filter(|m| *m != sender && !online.contains(m))
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

    /// How many records `next` has returned so far.
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
    async fn publish_upstream(&self, record: SendRecord) -> Result<(), BusError>;
    async fn publish_downstream(
        &self,
        gateway: &GatewayId,
        record: DownstreamRecord,
    ) -> Result<(), BusError>;
    async fn publish_task(&self, record: TaskRecord) -> Result<(), BusError>;

    async fn consume_upstream(&self) -> Result<Box<dyn Consumer<SendRecord>>, BusError>;
    async fn consume_downstream(
        &self,
        gateway: &GatewayId,
    ) -> Result<Box<dyn Consumer<DownstreamRecord>>, BusError>;
    async fn consume_task(&self) -> Result<Box<dyn Consumer<TaskRecord>>, BusError>;
}

/// Sends `event` to these routes, one `Deliver` record per gateway, skipping
/// `exclude`. Shared by logic (small conversations, receipts, typing) and
/// task (large fan-out). A gateway that is gone is skipped: its clients
/// resync by seq when they reconnect.
pub async fn deliver(
    bus: &dyn Bus,
    routes: impl IntoIterator<Item = Route>,
    exclude: Option<&Route>,
    event: &Arc<Event>,
) -> Result<(), BusError> {
    let mut by_gateway: std::collections::BTreeMap<GatewayId, Vec<ConnId>> = Default::default();
    for r in routes {
        if Some(&r) != exclude {
            by_gateway.entry(r.gateway).or_default().push(r.conn);
        }
    }
    for (gateway, conns) in by_gateway {
        let record = DownstreamRecord::Deliver {
            conns,
            event: event.clone(),
        };
        match bus.publish_downstream(&gateway, record).await {
            Ok(()) | Err(BusError::Unroutable(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
