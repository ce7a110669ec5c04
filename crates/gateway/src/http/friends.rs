//! Friend requests, friends and blocks.

use axum::extract::State;
use ferrochat_domain::{RequestId, UserId};
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::social::{
    FriendDto, FriendRequestBody, FriendRequestDto, FriendsDto, RequestsDto,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request, requests))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(friends))
        .routes(routes!(unfriend))
        .routes(routes!(block, unblock))
}

#[utoipa::path(
    post,
    path = "/api/v1/friends/requests",
    tag = "friends",
    summary = "Ask someone to be your friend",
    description = "`to_user_id`, `message`? (256). Yourself 1001, unknown user 1003, already friends or pending 1006, blocked by them 1005. If they already asked you, this accepts their request.",
    request_body = FriendRequestBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ask someone to be your friend: done", body = Envelope<FriendRequestDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
    )
)]
async fn request(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<FriendRequestBody>,
) -> Result<Reply<FriendRequestDto>, HttpError> {
    let (to, message) = body.decode()?;
    let r = state
        .deps
        .social
        .request_friend(&who.user_id, &to, message)
        .await?;
    Ok(Reply::ok(FriendRequestDto::from(&r)))
}

#[utoipa::path(
    get,
    path = "/api/v1/friends/requests",
    tag = "friends",
    summary = "Pending friend requests",
    description = "`incoming` and `outgoing`, pending only.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pending friend requests: done", body = Envelope<RequestsDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn requests(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<RequestsDto>, HttpError> {
    let p = state.deps.social.friend_requests(&who.user_id).await?;
    Ok(Reply::ok(RequestsDto {
        incoming: p.incoming.iter().map(FriendRequestDto::from).collect(),
        outgoing: p.outgoing.iter().map(FriendRequestDto::from).collect(),
    }))
}

async fn answer(
    state: &AppState,
    who: &UserId,
    id: &str,
    accept: bool,
) -> Result<Reply<FriendRequestDto>, HttpError> {
    let id = RequestId::parse(id)?;
    let r = state.deps.social.answer_request(who, &id, accept).await?;
    Ok(Reply::ok(FriendRequestDto::from(&r)))
}

#[utoipa::path(
    post,
    path = "/api/v1/friends/requests/{id}/accept",
    tag = "friends",
    summary = "Accept a friend request",
    description = "Only its recipient (others 1003); not pending 1006.",
    params(("id" = String, Path, description = "The request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Accept a friend request: done", body = Envelope<FriendRequestDto>),
        E1001, E1002, E1003, E1004, E1006, E1007, E1009,
    )
)]
async fn accept(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<FriendRequestDto>, HttpError> {
    answer(&state, &who.user_id, &id, true).await
}

#[utoipa::path(
    post,
    path = "/api/v1/friends/requests/{id}/reject",
    tag = "friends",
    summary = "Reject a friend request",
    description = "Only its recipient (others 1003); not pending 1006.",
    params(("id" = String, Path, description = "The request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reject a friend request: done", body = Envelope<FriendRequestDto>),
        E1001, E1002, E1003, E1004, E1006, E1007, E1009,
    )
)]
async fn reject(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<FriendRequestDto>, HttpError> {
    answer(&state, &who.user_id, &id, false).await
}

#[utoipa::path(
    get,
    path = "/api/v1/friends",
    tag = "friends",
    summary = "Your friends",
    description = "Each with `online`.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your friends: done", body = Envelope<FriendsDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn friends(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<FriendsDto>, HttpError> {
    let list = state.deps.social.friends(&who.user_id).await?;
    Ok(Reply::ok(FriendsDto {
        friends: list
            .iter()
            .map(|f| FriendDto::new(&f.user, f.online))
            .collect(),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/friends/{id}",
    tag = "friends",
    summary = "End a friendship",
    description = "Not a friend: 1003.",
    params(("id" = String, Path, description = "The friend's user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "End a friendship: done", body = Envelope<Empty>),
        E1001, E1002, E1003, E1004, E1007, E1009,
    )
)]
async fn unfriend(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    let other = UserId::parse(&id)?;
    state
        .deps
        .social
        .remove_friend(&who.user_id, &other)
        .await?;
    Ok(Reply::ok(Empty {}))
}

async fn set_block(
    state: &AppState,
    who: &UserId,
    id: &str,
    on: bool,
) -> Result<Reply<Empty>, HttpError> {
    let other = UserId::parse(id)?;
    state.deps.social.set_block(who, &other, on).await?;
    Ok(Reply::ok(Empty {}))
}

#[utoipa::path(
    post,
    path = "/api/v1/blocks/{id}",
    tag = "friends",
    summary = "Block a user",
    description = "Idempotent; yourself 1001; nobody 1003. Their single-chat messages and friend requests to you are refused.",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Block a user: done", body = Envelope<Empty>),
        E1001, E1002, E1003, E1004, E1007, E1009,
    )
)]
async fn block(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    set_block(&state, &who.user_id, &id, true).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/blocks/{id}",
    tag = "friends",
    summary = "Unblock a user",
    description = "Idempotent; yourself 1001; nobody 1003.",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unblock a user: done", body = Envelope<Empty>),
        E1001, E1002, E1003, E1004, E1007, E1009,
    )
)]
async fn unblock(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    set_block(&state, &who.user_id, &id, false).await
}
