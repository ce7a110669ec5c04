//! Send (over HTTP), history and unread counts.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use ferrochat_domain::commands::History;
use ferrochat_domain::search::SearchMessages;
use ferrochat_wire::messaging::{
    AckDto, DeleteMessagesBody, DeletedDto, EditMessageBody, ForwardBody, ForwardedDto, HistoryDto,
    HistoryParams, MessageDto, PinBody, ReactBody, RecallMessageBody, SendBody, SendMessageBody,
    UnpinBody, UnreactBody, UnreadDto, UnreadEntryDto,
};
use ferrochat_wire::search::{SearchMessagesParams, SearchResultsDto};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, QueryParams};
use crate::reply::Reply;
use crate::state::AppState;
use crate::{delete, forward, send};

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
        .route("/api/v1/messages/pin", post(send_message::<PinBody>))
        .route("/api/v1/messages/unpin", post(send_message::<UnpinBody>))
        .route("/api/v1/messages/forward", post(forward_messages))
        .route("/api/v1/messages/delete", post(delete_messages))
        .route("/api/v1/messages/history", get(history))
        .route("/api/v1/messages/search", get(search))
        .route("/api/v1/messages/unread", get(unread))
}

/// A send, an edit, a recall, a reaction or a pin: answers once the message (the
/// change's own event) is durable, or with the reason it was not.
async fn send_message<B: SendBody>(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<B>,
) -> Result<Reply<AckDto>, HttpError> {
    let cmd = send::accept(&state, &who, body).await?;
    let ack = send::submit_awaited(&state, &who, cmd)
        .await?
        .answer(&state)
        .await?;
    Ok(Reply::ok(AckDto::from(&ack)))
}

/// Copies of messages, each acked once durable.
async fn forward_messages(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<ForwardBody>,
) -> Result<Reply<ForwardedDto>, HttpError> {
    let acks = forward::forward(&state, &who, body.decode()?).await?;
    Ok(Reply::ok(ForwardedDto {
        acks: acks.iter().map(AckDto::from).collect(),
    }))
}

/// Hides messages from the caller's own history ("delete for me").
async fn delete_messages(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<DeleteMessagesBody>,
) -> Result<Reply<DeletedDto>, HttpError> {
    Ok(Reply::ok(delete::hide(&state, &who, body).await?))
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

/// Finds the caller's messages by their words, newest first.
async fn search(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<SearchMessagesParams>,
) -> Result<Reply<SearchResultsDto>, HttpError> {
    let search = SearchMessages::try_from(params)?;
    let text = search.text.clone();
    let page = state
        .deps
        .messaging
        .search_messages(&who.user_id, search)
        .await?;
    Ok(Reply::ok(SearchResultsDto::new(&page, &text)))
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
