//! Send (over HTTP), history and unread counts.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use ferrochat_domain::commands::History;
use ferrochat_wire::messaging::{
    AckDto, EditMessageBody, HistoryDto, HistoryParams, MessageDto, ReactBody, RecallMessageBody,
    SendBody, SendMessageBody, UnreactBody, UnreadDto, UnreadEntryDto,
};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, QueryParams};
use crate::pending::Waiter;
use crate::reply::Reply;
use crate::send;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/messages/send",
            post(send_message::<SendMessageBody>),
        )
        .route(
            "/api/v1/messages/edit",
            post(send_message::<EditMessageBody>),
        )
        .route(
            "/api/v1/messages/recall",
            post(send_message::<RecallMessageBody>),
        )
        .route("/api/v1/messages/react", post(send_message::<ReactBody>))
        .route(
            "/api/v1/messages/unreact",
            post(send_message::<UnreactBody>),
        )
        .route("/api/v1/messages/history", get(history))
        .route("/api/v1/messages/unread", get(unread))
}

/// A send, an edit, a recall or a reaction: answers once the message (the
/// change's own event) is durable, or with the reason it was not.
async fn send_message<B: SendBody>(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<B>,
) -> Result<Reply<AckDto>, HttpError> {
    let cmd = send::accept(&state, &who, body).await?;
    let (tx, answer) = tokio::sync::oneshot::channel();
    let submitted = send::submit(&state, &who, cmd, Waiter::Http(tx)).await?;
    if let Err(e) = submitted.published.await {
        send::failed(&state, submitted.token, &e);
    }
    // The answer comes from logic or from `failed` above; a request gives
    // up before the request timeout would answer it with 1004.
    let patience = state.config.request_timeout.mul_f64(0.9);
    match tokio::time::timeout(patience, answer).await {
        Ok(Ok(result)) => Ok(Reply::ok(AckDto::from(&result?))),
        Ok(Err(_)) => Err(send::unconfirmed().into()),
        Err(_) => {
            state.pending.take(submitted.token);
            Err(send::unconfirmed().into())
        }
    }
}

async fn history(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<HistoryParams>,
) -> Result<Reply<HistoryDto>, HttpError> {
    let query = History::try_from(params)?;
    let page = state.deps.messaging.history(&who.user_id, query).await?;
    Ok(Reply::ok(HistoryDto {
        messages: page.messages.iter().map(MessageDto::from).collect(),
        has_more: page.has_more,
    }))
}

async fn unread(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<UnreadDto>, HttpError> {
    let summary = state.deps.messaging.unread(&who.user_id).await?;
    Ok(Reply::ok(UnreadDto {
        total: summary.total,
        conversations: summary
            .conversations
            .into_iter()
            .map(|(id, unread)| UnreadEntryDto {
                conversation_id: id.to_string(),
                unread,
            })
            .collect(),
    }))
}
