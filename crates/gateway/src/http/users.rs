//! Own profile (get, update), public profiles by id, and the directory.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use ferrochat_domain::commands::{SearchUsers, UpdateProfile};
use ferrochat_domain::UserId;
use ferrochat_wire::accounts::{
    OwnProfileDto, ProfileDto, SearchUsersParams, UpdateProfileBody, UsersPageDto,
};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/profile", get(profile).put(update_profile))
        .route("/api/v1/users/search", get(search))
        .route("/api/v1/users/{id}", get(public_profile))
}

/// Users whose username or nickname starts with `q`, as the caller may
/// find them (discoverable, no block either way), in username order.
async fn search(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<SearchUsersParams>,
) -> Result<Reply<UsersPageDto>, HttpError> {
    let search = SearchUsers::try_from(params)?;
    let limit = search.limit as usize;
    let users = state
        .deps
        .accounts
        .search_users(&who.user_id, search)
        .await?;
    let next = (users.len() >= limit)
        .then(|| users.last().map(|u| u.username.key()))
        .flatten();
    Ok(Reply::ok(UsersPageDto {
        users: users.iter().map(ProfileDto::from).collect(),
        next,
    }))
}

async fn profile(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<OwnProfileDto>, HttpError> {
    let user = state.deps.accounts.user(&who.user_id).await?;
    Ok(Reply::ok(OwnProfileDto::from(&user)))
}

async fn update_profile(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<UpdateProfileBody>,
) -> Result<Reply<OwnProfileDto>, HttpError> {
    let cmd = UpdateProfile::try_from(body)?;
    let user = state
        .deps
        .accounts
        .update_profile(&who.user_id, cmd)
        .await?;
    Ok(Reply::ok(OwnProfileDto::from(&user)))
}

async fn public_profile(
    State(state): State<AppState>,
    Authed(_): Authed,
    PathId(id): PathId,
) -> Result<Reply<ProfileDto>, HttpError> {
    let id = UserId::parse(&id)?;
    let user = state.deps.accounts.user(&id).await?;
    Ok(Reply::ok(ProfileDto::from(&user)))
}
