//! The task role's offline push against a real webhook receiver on
//! 127.0.0.1:0: the client's retry rules, and the role going through
//! push records in bus order whatever the webhook answers.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod batches;
mod phones;
mod role;
mod webhook;

use std::time::Duration;

use ferrochat_domain::{
    ClientMsgId, ConversationId, ConversationKind, Message, MessageContent, MessageId, MessageType,
    Seq, Timestamp, UserId,
};
use ferrochat_task::push::PushConfig;

/// Hang guard for waiting on the receiver.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn message(seq: u64) -> Message {
    Message {
        marks: Default::default(),
        id: MessageId::generate(),
        conversation_id: ConversationId::generate(),
        conversation_kind: ConversationKind::Single,
        seq: Seq::new(seq),
        from: UserId::generate(),
        message_type: MessageType::text(),
        content: MessageContent::from_stored(format!("message {seq}")),
        client_msg_id: ClientMsgId::parse(format!("c-{seq}")).unwrap(),
        created_at: Timestamp::from_millis(1_700_000_000_000),
        reference: None,
        changes: Default::default(),
        reactions: Vec::new(),
        reaction_count: None,
    }
}

/// Push to `url` with tiny backoffs, so retries take no real time.
pub fn config(url: String) -> PushConfig {
    PushConfig {
        webhook_url: Some(url),
        timeout: Duration::from_secs(5),
        max_attempts: 5,
        backoff_initial: Duration::from_millis(1),
        backoff_max: Duration::from_millis(5),
        concurrency: 4,
        queue: 64,
        ..PushConfig::default()
    }
}
