//! Own profile (get, update), public profiles by id, and the directory.

use axum::extract::State;
use ferrochat_domain::commands::{SearchUsers, UpdateProfile};
use ferrochat_domain::UserId;
use ferrochat_wire::accounts::{
    OwnProfileDto, ProfileDto, SearchUsersParams, UpdateProfileBody, UsersPageDto,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1006, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(profile, update_profile))
        .routes(routes!(search))
        .routes(routes!(public_profile))
}

/// Users whose username or nickname starts with `q`, as the caller may
/// find them (discoverable, no block either way), in username order.
#[utoipa::path(
    get,
    path = "/api/v1/users/search",
    tag = "accounts",
    summary = "Find people",
    description = "Users whose username or nickname starts with `q`, case-insensitively, in username order; never you, a user who is not discoverable, nor anyone you blocked or who blocked you.",
    params(SearchUsersParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Find people: done", body = Envelope<UsersPageDto>),
        E1001, E1002, E1004, E1007, E1009,
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/users/profile",
    tag = "accounts",
    summary = "Your profile",
    description = "Your profile, with `discoverable` and `email`.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your profile: done", body = Envelope<OwnProfileDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn profile(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<OwnProfileDto>, HttpError> {
    let user = state.deps.accounts.user(&who.user_id).await?;
    Ok(Reply::ok(OwnProfileDto::from(&user)))
}

#[utoipa::path(
    put,
    path = "/api/v1/users/profile",
    tag = "accounts",
    summary = "Change your profile",
    description = "`nickname`?, `avatar`? (at most 512), `discoverable`?, `status_text`? (at most 140), `email`? (empty removes it; 1006 if another account has it); absent fields keep their value.",
    request_body = UpdateProfileBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Change your profile: done", body = Envelope<OwnProfileDto>),
        E1001, E1001Stalled, E1002, E1004, E1006, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "accounts",
    summary = "A user's public profile",
    description = "1003 if the id names nobody; `deleted` for an account deleted since.",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A user's public profile: done", body = Envelope<ProfileDto>),
        E1001, E1002, E1003, E1004, E1007, E1009,
    )
)]
async fn public_profile(
    State(state): State<AppState>,
    Authed(_): Authed,
    PathId(id): PathId,
) -> Result<Reply<ProfileDto>, HttpError> {
    let id = UserId::parse(&id)?;
    let user = state.deps.accounts.user(&id).await?;
    Ok(Reply::ok(ProfileDto::from(&user)))
}
