//! Opening single conversations, listing conversations, and a member's
//! cursor and flags.

use axum::extract::State;
use ferrochat_domain::commands::{History, UpdateConversation};
use ferrochat_domain::messaging::MAX_PINS;
use ferrochat_domain::{ConversationId, PageLimit, Seq};
use ferrochat_wire::messaging::{
    ConversationDto, ConversationsDto, CreateConversationBody, HistoryDto, MessageDto,
    UpdateConversationBody,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(list))
        .routes(routes!(update))
        .routes(routes!(pins))
}

/// The conversation's pinned messages, in seq order (at most `MAX_PINS`).
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/pins",
    tag = "conversations",
    summary = "Pinned messages",
    description = "The pinned messages as they are now, in ascending seq (at most 50).",
    params(("id" = String, Path, description = "The conversation id (`world` for the world room)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pinned messages: done", body = Envelope<HistoryDto>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/conversations/create",
    tag = "conversations",
    summary = "Open a single conversation",
    description = "The single conversation with `peer_user_id` (same pair, same conversation; yourself: 1001; nobody: 1003; a user who blocked you: 1005).",
    request_body = CreateConversationBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open a single conversation: done", body = Envelope<ConversationDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    tag = "conversations",
    summary = "Your conversations",
    description = "Most recent activity first, `world` included.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your conversations: done", body = Envelope<ConversationsDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn list(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<ConversationsDto>, HttpError> {
    let views = state.deps.messaging.conversations(&who.user_id).await?;
    Ok(Reply::ok(ConversationsDto {
        conversations: views.iter().map(ConversationDto::from).collect(),
    }))
}

#[utoipa::path(
    put,
    path = "/api/v1/conversations/{id}",
    tag = "conversations",
    summary = "Move your read cursor, mute, pin",
    description = "`read_seq`? (only forward, capped at `last_seq`; a move sends `read-receipt`), `muted`?, `pinned`?.",
    request_body = UpdateConversationBody,
    params(("id" = String, Path, description = "The conversation id (`world` for the world room)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Move your read cursor, mute, pin: done", body = Envelope<ConversationDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
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
