//! Groups: create, read, join, leave.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use ferrochat_domain::commands::CreateGroup;
use ferrochat_domain::GroupId;
use ferrochat_ports::ApiError;
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::messaging::{CreateGroupBody, GroupDto};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups/create", post(create))
        .route("/api/v1/groups/{id}", get(show))
        .route("/api/v1/groups/{id}/join", post(join))
        .route("/api/v1/groups/{id}/leave", post(leave))
}

/// A malformed id is the caller's mistake (1001), not a missing group.
fn group_id(raw: &str) -> Result<GroupId, ApiError> {
    Ok(GroupId::parse(raw)?)
}

async fn create(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<CreateGroupBody>,
) -> Result<Reply<GroupDto>, HttpError> {
    let cmd = CreateGroup::try_from(body)?;
    let view = state.deps.groups.create_group(&who.user_id, cmd).await?;
    Ok(Reply::created(GroupDto::new(&view.group, view.my_role)))
}

async fn show(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<GroupDto>, HttpError> {
    let view = state
        .deps
        .groups
        .group(&who.user_id, &group_id(&id)?)
        .await?;
    Ok(Reply::ok(GroupDto::new(&view.group, view.my_role)))
}

async fn join(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<GroupDto>, HttpError> {
    let view = state
        .deps
        .groups
        .join_group(&who.user_id, &group_id(&id)?)
        .await?;
    Ok(Reply::ok(GroupDto::new(&view.group, view.my_role)))
}

async fn leave(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    state
        .deps
        .groups
        .leave_group(&who.user_id, &group_id(&id)?)
        .await?;
    Ok(Reply::ok(Empty {}))
}
