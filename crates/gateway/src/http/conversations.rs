//! Opening single conversations, listing conversations, and a member's
//! cursor and flags.

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::Router;
use ferrochat_domain::commands::{History, UpdateConversation};
use ferrochat_domain::messaging::MAX_PINS;
use ferrochat_domain::{ConversationId, PageLimit, Seq};
use ferrochat_wire::messaging::{
    ConversationDto, ConversationsDto, CreateConversationBody, HistoryDto, MessageDto,
    UpdateConversationBody,
};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/create", post(create))
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", put(update))
        .route("/api/v1/conversations/{id}/pins", get(pins))
}

/// The conversation's pinned messages, in seq order (at most `MAX_PINS`).
async fn pins(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<HistoryDto>, HttpError> {
    let query = History {
        conversation_id: ConversationId::parse(&id)?,
        after: Some(Seq::ZERO),
        before: None,
        limit: PageLimit::parse(i64::try_from(MAX_PINS).ok())?,
        pinned: true,
    };
    let page = state.deps.messaging.history(&who.user_id, query).await?;
    Ok(Reply::ok(HistoryDto {
        messages: page.messages.iter().map(MessageDto::from).collect(),
        has_more: page.has_more,
    }))
}

async fn create(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<CreateConversationBody>,
) -> Result<Reply<ConversationDto>, HttpError> {
    let peer = body.decode()?;
    let view = state
        .deps
        .messaging
        .open_single(&who.user_id, &peer)
        .await?;
    Ok(Reply::ok(ConversationDto::from(&view)))
}

async fn list(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<ConversationsDto>, HttpError> {
    let views = state.deps.messaging.conversations(&who.user_id).await?;
    Ok(Reply::ok(ConversationsDto {
        conversations: views.iter().map(ConversationDto::from).collect(),
    }))
}

async fn update(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<UpdateConversationBody>,
) -> Result<Reply<ConversationDto>, HttpError> {
    let id = ConversationId::parse(&id)?;
    let cmd = UpdateConversation::try_from(body)?;
    let view = state
        .deps
        .messaging
        .update_conversation(&who.user_id, &id, cmd)
        .await?;
    Ok(Reply::ok(ConversationDto::from(&view)))
}
