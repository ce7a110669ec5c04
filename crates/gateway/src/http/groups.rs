//! Groups: create, read, change, join, leave, members, ownership.

use axum::extract::Path;
use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::Router;
use ferrochat_domain::commands::{CreateGroup, UpdateGroup, UpdateMember};
use ferrochat_domain::groups::MembersPage;
use ferrochat_domain::{GroupId, UserId};
use ferrochat_ports::api::GroupMember;
use ferrochat_ports::ApiError;
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::messaging::{CreateGroupBody, GroupDto, UpdateGroupBody};
use ferrochat_wire::social::{
    MemberDto, MembersDto, MembersPageDto, MembersParams, TransferBody, UpdateMemberBody,
    UserIdsBody,
};

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups/create", post(create))
        .route(
            "/api/v1/groups/{id}",
            get(show).put(update_group).delete(dissolve),
        )
        .route("/api/v1/groups/{id}/join", post(join))
        .route("/api/v1/groups/{id}/leave", post(leave))
        .route(
            "/api/v1/groups/{id}/members",
            get(members).post(add_members),
        )
        .route(
            "/api/v1/groups/{id}/members/{user_id}",
            delete(kick).put(update_member),
        )
        .route("/api/v1/groups/{id}/transfer", post(transfer))
}

fn member_dto(m: &GroupMember) -> MemberDto {
    MemberDto::new(&m.user_id, m.role, m.muted_until)
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

async fn update_group(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<UpdateGroupBody>,
) -> Result<Reply<GroupDto>, HttpError> {
    let id = group_id(&id)?;
    let change = UpdateGroup::try_from(body)?;
    let view = state
        .deps
        .groups
        .update_group(&who.user_id, &id, change)
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

async fn dissolve(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    state
        .deps
        .groups
        .dissolve(&who.user_id, &group_id(&id)?)
        .await?;
    Ok(Reply::ok(Empty {}))
}

async fn members(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    QueryParams(params): QueryParams<MembersParams>,
) -> Result<Reply<MembersPageDto>, HttpError> {
    let page = MembersPage::try_from(params)?;
    let list = state
        .deps
        .groups
        .members(&who.user_id, &group_id(&id)?, page)
        .await?;
    Ok(Reply::ok(MembersPageDto {
        members: list.members.iter().map(member_dto).collect(),
        has_more: list.has_more,
    }))
}

async fn add_members(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<UserIdsBody>,
) -> Result<Reply<MembersDto>, HttpError> {
    let users = body.decode()?;
    let added = state
        .deps
        .groups
        .add_members(&who.user_id, &group_id(&id)?, users)
        .await?;
    Ok(Reply::ok(MembersDto {
        members: added.iter().map(member_dto).collect(),
    }))
}

async fn kick(
    State(state): State<AppState>,
    Authed(who): Authed,
    Path((id, user)): Path<(String, String)>,
) -> Result<Reply<Empty>, HttpError> {
    let user = UserId::parse(&user)?;
    state
        .deps
        .groups
        .kick(&who.user_id, &group_id(&id)?, &user)
        .await?;
    Ok(Reply::ok(Empty {}))
}

async fn update_member(
    State(state): State<AppState>,
    Authed(who): Authed,
    Path((id, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<UpdateMemberBody>,
) -> Result<Reply<MemberDto>, HttpError> {
    let user = UserId::parse(&user)?;
    let cmd = UpdateMember::try_from(body)?;
    let m = state
        .deps
        .groups
        .update_member(&who.user_id, &group_id(&id)?, &user, cmd)
        .await?;
    Ok(Reply::ok(member_dto(&m)))
}

async fn transfer(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<TransferBody>,
) -> Result<Reply<GroupDto>, HttpError> {
    let to = body.decode()?;
    let view = state
        .deps
        .groups
        .transfer(&who.user_id, &group_id(&id)?, &to)
        .await?;
    Ok(Reply::ok(GroupDto::new(&view.group, view.my_role)))
}
