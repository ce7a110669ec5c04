//! The gateway's half of a send, shared by WebSocket and HTTP: rate limit,
//! resolve the conversation, publish on `upstream` keyed by it. The answer
//! comes back on this gateway's downstream topic.
//!
//! `ferrochat_gateway_send_seconds{stage}` times each step (`limit`,
//! `resolve`, `publish`): a connection reads its next frame only after
//! them, so their sum bounds what one connection can send per second.

use std::time::Instant;

use ferrochat_domain::commands::SendMessage;
use ferrochat_domain::{ErrorKind, Principal};
use ferrochat_ports::bus::{ReplyTo, SendRecord};
use ferrochat_ports::ApiError;
use ferrochat_wire::messaging::SendMessageBody;

use crate::state::AppState;

/// Rate-limits and decodes a raw send.
pub(crate) async fn accept(
    state: &AppState,
    who: &Principal,
    body: SendMessageBody,
) -> Result<SendMessage, ApiError> {
    // The send limiter never fails (a shared one falls back to a local
    // bucket); were one to, a send goes through rather than being lost.
    let started = Instant::now();
    let allowed = state.send_limiter.allow(&who.user_id).await.unwrap_or(true);
    timed("limit", started);
    if !allowed {
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            "too many messages, slow down",
        ));
    }
    Ok(body.decode(state.config.max_content_bytes)?)
}

pub(crate) async fn submit(
    state: &AppState,
    who: &Principal,
    cmd: SendMessage,
    reply_to: ReplyTo,
) -> Result<(), ApiError> {
    let started = Instant::now();
    let conversation_id = state
        .deps
        .messaging
        .resolve_target(&who.user_id, &cmd.target)
        .await;
    timed("resolve", started);
    let conversation_id = conversation_id?;
    let record = SendRecord {
        sender: who.user_id.clone(),
        conversation_id,
        client_msg_id: cmd.client_msg_id,
        message_type: cmd.message_type,
        content: cmd.content,
        reply_to,
    };
    let started = Instant::now();
    let published = state.deps.bus.publish_upstream(record).await;
    timed("publish", started);
    published.map_err(|e| {
        tracing::error!(error = %e, "cannot publish upstream");
        ApiError::internal()
    })
}

fn timed(stage: &'static str, started: Instant) {
    metrics::histogram!("ferrochat_gateway_send_seconds", "stage" => stage)
        .record(started.elapsed().as_secs_f64());
}
