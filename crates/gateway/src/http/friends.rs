//! Friend requests, friends and blocks.

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::Router;
use ferrochat_domain::{RequestId, UserId};
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::social::{
    FriendDto, FriendRequestBody, FriendRequestDto, FriendsDto, RequestsDto,
};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/friends/requests", post(request).get(requests))
        .route("/api/v1/friends/requests/{id}/accept", post(accept))
        .route("/api/v1/friends/requests/{id}/reject", post(reject))
        .route("/api/v1/friends", get(friends))
        .route("/api/v1/friends/{id}", delete(unfriend))
        .route("/api/v1/blocks/{id}", post(block).delete(unblock))
}

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

async fn accept(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<FriendRequestDto>, HttpError> {
    answer(&state, &who.user_id, &id, true).await
}

async fn reject(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<FriendRequestDto>, HttpError> {
    answer(&state, &who.user_id, &id, false).await
}

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

async fn block(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    set_block(&state, &who.user_id, &id, true).await
}

async fn unblock(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    set_block(&state, &who.user_id, &id, false).await
}
