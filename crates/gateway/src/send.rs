//! The gateway's half of a send, shared by WebSocket and HTTP: rate limit,
//! find the conversation, register who waits for the answer, and hand the
//! record to `upstream` keyed by the conversation. The bus takes records in
//! order and says later when each is durable, so a connection reads its
//! next frame while its earlier sends are still on their way; the answer
//! comes back on this gateway's downstream topic (`answer`).
//!
//! `ferrochat_gateway_send_seconds{stage}` times each step a connection
//! waits for before it reads its next frame (`limit`, `resolve`,
//! `publish`).

use std::time::Instant;

use ferrochat_domain::commands::SendMessage;
use ferrochat_domain::{Ack, ConversationId, ErrorKind, Principal, SendTarget};
use ferrochat_ports::bus::{Published, ReplyTo, SendRecord};
use ferrochat_ports::ApiError;
use ferrochat_wire::messaging::SendBody;
use tracing::Instrument as _;

use crate::pending::Waiter;
use crate::state::AppState;
use crate::ws::frames;

/// What a send that gets no answer in time is told. Resending with the
/// same `client_msg_id` never stores it twice.
pub(crate) fn unconfirmed() -> ApiError {
    ApiError::unavailable(
        "the message was not confirmed in time; resend it with the same client_msg_id",
    )
}

/// What a send the bus would not take is told.
fn not_taken() -> ApiError {
    ApiError::unavailable("server busy, retry the send with the same client_msg_id")
}

/// Rate-limits and decodes a raw send, edit or recall.
pub(crate) async fn accept(
    state: &AppState,
    who: &Principal,
    body: impl SendBody,
) -> Result<SendMessage, ApiError> {
    limit(state, who).await?;
    Ok(body.decode(state.config.max_content_bytes)?)
}

/// Takes one send from `who`'s send bucket, or refuses.
pub(crate) async fn limit(state: &AppState, who: &Principal) -> Result<(), ApiError> {
    // The send limiter never fails (a shared one falls back to a local
    // bucket); were one to, a send goes through rather than being lost.
    let started = Instant::now();
    let allowed = state.send_limiter.allow(&who.user_id).await.unwrap_or(true);
    timed("limit", started);
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorKind::RateLimited,
            "too many messages, slow down",
        ))
    }
}

/// A send submitted for a caller that waits for its answer in place (an
/// HTTP request, a forward).
pub(crate) struct Awaited {
    submitted: Submitted,
    answer: tokio::sync::oneshot::Receiver<Result<Ack, ApiError>>,
}

/// Submits `cmd` for a caller that waits in place (`Awaited::answer`).
pub(crate) async fn submit_awaited(
    state: &AppState,
    who: &Principal,
    cmd: SendMessage,
) -> Result<Awaited, ApiError> {
    let (tx, answer) = tokio::sync::oneshot::channel();
    let submitted = submit(state, who, cmd, Waiter::Http(tx)).await?;
    Ok(Awaited { submitted, answer })
}

impl Awaited {
    /// Waits until the message is durable (or why it is not).
    pub(crate) async fn answer(self, state: &AppState) -> Result<Ack, ApiError> {
        let Awaited { submitted, answer } = self;
        if let Err(e) = submitted.published.await {
            failed(state, submitted.token, &e);
        }
        // The answer comes from logic or from `failed` above; a request
        // gives up before the request timeout would answer it with 1004.
        let patience = state.config.request_timeout.mul_f64(0.9);
        match tokio::time::timeout(patience, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(unconfirmed()),
            Err(_) => {
                state.pending.take(submitted.token);
                Err(unconfirmed())
            }
        }
    }
}

/// A send handed to the bus: its token, and what resolves once the record
/// is durable (a failure there is answered through `failed`).
pub(crate) struct Submitted {
    pub(crate) token: u64,
    pub(crate) published: Published,
}

/// Finds the conversation, registers `waiter` and publishes. On an error
/// the waiter is dropped (freeing its window slot) and the caller answers.
/// While tracing is on this is the span `gateway.send`, the root of the
/// send's trace, whose context the record carries to logic.
pub(crate) async fn submit(
    state: &AppState,
    who: &Principal,
    cmd: SendMessage,
    waiter: Waiter,
) -> Result<Submitted, ApiError> {
    submit_untraced(state, who, cmd, waiter)
        .instrument(ferrochat_trace::span("gateway.send"))
        .await
}

async fn submit_untraced(
    state: &AppState,
    who: &Principal,
    cmd: SendMessage,
    waiter: Waiter,
) -> Result<Submitted, ApiError> {
    let started = Instant::now();
    let conversation_id = resolve(state, who, &cmd.target).await;
    timed("resolve", started);
    let conversation_id = conversation_id?;
    crate::attach::check_send(state, who, &cmd, &conversation_id).await?;
    let conn = match &waiter {
        Waiter::Ws { conn, .. } => Some(*conn),
        Waiter::Http(_) => None,
    };
    let token = state.pending.register(waiter);
    let record = SendRecord {
        marks: cmd.marks,
        sender: who.user_id.clone(),
        conversation_id,
        client_msg_id: cmd.client_msg_id,
        message_type: cmd.message_type,
        content: cmd.content,
        reference: cmd.reference,
        reply_to: ReplyTo {
            gateway: state.deps.id.clone(),
            token,
            conn,
        },
        sent_at: Some(ferrochat_ports::clock::now()),
        trace: ferrochat_trace::current(),
    };
    let started = Instant::now();
    let published = state.deps.bus.publish_upstream(record).await;
    timed("publish", started);
    match published {
        Ok(published) => Ok(Submitted { token, published }),
        Err(e) => {
            tracing::warn!(error = %e, "cannot publish upstream");
            state.pending.take(token);
            Err(not_taken())
        }
    }
}

/// A send whose record the bus took but could not make durable.
pub(crate) fn failed(state: &AppState, token: u64, e: &ferrochat_ports::bus::BusError) {
    tracing::warn!(error = %e, "a send's upstream record was not stored");
    answer(state, token, Err(not_taken()));
}

/// Answers whoever waits on `token`, once; a token nobody waits on any
/// more (answered already, or overdue) is dropped.
pub(crate) fn answer(state: &AppState, token: u64, result: Result<Ack, ApiError>) {
    match state.pending.take(token) {
        Some(waiter) => deliver(state, waiter, result),
        None => metrics::counter!("ferrochat_gateway_unexpected_answers_total").increment(1),
    }
}

/// Tells a waiter its outcome.
pub(crate) fn deliver(state: &AppState, waiter: Waiter, result: Result<Ack, ApiError>) {
    match waiter {
        Waiter::Http(tx) => {
            let _ = tx.send(result);
        }
        Waiter::Ws {
            conn,
            request_id,
            slot,
        } => {
            state
                .registry
                .send_to(conn, frames::reply(request_id.as_deref(), &result));
            drop(slot);
        }
    }
}

/// The conversation a send goes to: named, or remembered, or asked of
/// logic once (which creates a single conversation if needed).
async fn resolve(
    state: &AppState,
    who: &Principal,
    target: &SendTarget,
) -> Result<ConversationId, ApiError> {
    let remembered = match target {
        SendTarget::Conversation(id) => return Ok(id.clone()),
        SendTarget::User(peer) => state.targets.single(&who.user_id, peer),
        SendTarget::Group(group) => state.targets.group(group),
    };
    if let Some(id) = remembered {
        return Ok(id);
    }
    let id = state
        .deps
        .messaging
        .resolve_target(&who.user_id, target)
        .await?;
    match target {
        SendTarget::User(peer) => state.targets.remember_single(&who.user_id, peer, &id),
        SendTarget::Group(group) => state.targets.remember_group(group, &id),
        SendTarget::Conversation(_) => {}
    }
    Ok(id)
}

fn timed(stage: &'static str, started: Instant) {
    metrics::histogram!("ferrochat_gateway_send_seconds", "stage" => stage)
        .record(started.elapsed().as_secs_f64());
}
