//! Forwarding: copies of messages of one conversation sent into another,
//! each marked `forwarded`. The gateway reads each message as the caller
//! may read it (history, so a non-member gets 1005, a seq they hid or
//! that does not exist 1003) and sends each copy through the send path:
//! rate limit, the target's write permission (judged by logic), dedup by
//! the copy's `client_msg_id`, ack once durable. The copies are submitted
//! in order before any answer is awaited, so they keep the order of
//! `seqs` in the target and cost one pipeline trip, not one per copy.
//!
//! Not atomic: a refusal part-way (the rate limit, say) leaves the copies
//! before it stored; a resend of the same forward stores nothing twice
//! and answers every copy.

use ferrochat_domain::commands::{History, SendMessage};
use ferrochat_domain::{Ack, ConversationId, Marks, Message, PageLimit, Principal, Seq};
use ferrochat_ports::ApiError;
use ferrochat_wire::messaging::Forward;

use crate::send;
use crate::state::AppState;

pub(crate) async fn forward(
    state: &AppState,
    who: &Principal,
    req: Forward,
) -> Result<Vec<Ack>, ApiError> {
    let mut copies = Vec::with_capacity(req.seqs.len());
    for (&seq, client_msg_id) in req.seqs.iter().zip(req.client_msg_ids) {
        let original = read(state, who, &req.from, seq).await?;
        copies.push(SendMessage {
            target: req.to.clone(),
            client_msg_id,
            content: original.content,
            message_type: original.message_type,
            reference: None,
            marks: Marks {
                forwarded: true,
                ..Marks::default()
            },
        });
    }
    let mut awaited = Vec::with_capacity(copies.len());
    for cmd in copies {
        send::limit(state, who).await?;
        awaited.push(send::submit_awaited(state, who, cmd).await?);
    }
    let mut acks = Vec::with_capacity(awaited.len());
    for a in awaited {
        acks.push(a.answer(state).await?);
    }
    Ok(acks)
}

/// The message at `seq` of the forward's source, as `who` reads it.
async fn read(
    state: &AppState,
    who: &Principal,
    from: &ConversationId,
    seq: Seq,
) -> Result<Message, ApiError> {
    let query = History {
        conversation_id: from.clone(),
        after: Some(Seq::new(seq.get().saturating_sub(1))),
        before: seq.next(),
        limit: PageLimit::parse(Some(1)).map_err(ApiError::from)?,
        pinned: false,
    };
    let page = state.deps.messaging.history(&who.user_id, query).await?;
    let message = page
        .messages
        .into_iter()
        .find(|m| m.seq == seq)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no message of this conversation has seq {}",
                seq.get()
            ))
        })?;
    if !message.is_changeable() {
        return Err(ApiError::forbidden(
            "only a message a user wrote can be forwarded",
        ));
    }
    if message.changes.recalled_at.is_some() {
        return Err(ApiError::not_found(format!(
            "the message at seq {} was recalled",
            seq.get()
        )));
    }
    Ok(message)
}
