//! Own profile (get, update) and public profiles by id.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use ferrochat_domain::commands::UpdateProfile;
use ferrochat_domain::UserId;
use ferrochat_wire::accounts::{ProfileDto, UpdateProfileBody};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/profile", get(profile).put(update_profile))
        .route("/api/v1/users/{id}", get(public_profile))
}

async fn profile(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<ProfileDto>, HttpError> {
    let user = state.deps.accounts.user(&who.user_id).await?;
    Ok(Reply::ok(ProfileDto::from(&user)))
}

async fn update_profile(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<UpdateProfileBody>,
) -> Result<Reply<ProfileDto>, HttpError> {
    let cmd = UpdateProfile::try_from(body)?;
    let user = state
        .deps
        .accounts
        .update_profile(&who.user_id, cmd)
        .await?;
    Ok(Reply::ok(ProfileDto::from(&user)))
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
