//! Groups: create, read, change, join, leave, members, ownership.

use axum::extract::Path;
use axum::extract::State;
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
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show, update_group, dissolve))
        .routes(routes!(join))
        .routes(routes!(leave))
        .routes(routes!(members, add_members))
        .routes(routes!(kick, update_member))
        .routes(routes!(transfer))
}

fn member_dto(m: &GroupMember) -> MemberDto {
    MemberDto::new(&m.user_id, m.role, m.muted_until)
}

/// A malformed id is the caller's mistake (1001), not a missing group.
fn group_id(raw: &str) -> Result<GroupId, ApiError> {
    Ok(GroupId::parse(raw)?)
}

#[utoipa::path(
    post,
    path = "/api/v1/groups/create",
    tag = "groups",
    summary = "Create a group",
    description = "`name` (1-64), `description`? (512), `member_ids`?, `join_policy`? (`open`/`invite`), `max_members`? (2 to `groups.max_members`). An unknown member: 1003; one who blocked you: 1005.",
    request_body = CreateGroupBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Create a group: done", body = Envelope<GroupDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
    )
)]
async fn create(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<CreateGroupBody>,
) -> Result<Reply<GroupDto>, HttpError> {
    let cmd = CreateGroup::try_from(body)?;
    let view = state.deps.groups.create_group(&who.user_id, cmd).await?;
    Ok(Reply::created(GroupDto::new(&view.group, view.my_role)))
}

#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "A group",
    description = "Members; anyone for an open group (an invite-only one is 1005 to others). A dissolved group is 1003.",
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A group: done", body = Envelope<GroupDto>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
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

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "Change a group",
    description = "Owner and admins (others 1005): at least one of `name`, `description`, `join_policy`, `avatar`, `announcement`; absent fields are kept.",
    request_body = UpdateGroupBody,
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Change a group: done", body = Envelope<GroupDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/join",
    tag = "groups",
    summary = "Join a group",
    description = "Invite-only: 1005; already a member or full: 1006.",
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Join a group: done", body = Envelope<GroupDto>),
        E1001, E1002, E1003, E1004, E1005, E1006, E1007, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/leave",
    tag = "groups",
    summary = "Leave a group",
    description = "Members; the owner 1005 (transfer first).",
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Leave a group: done", body = Envelope<Empty>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
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

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "Dissolve a group",
    description = "The owner only (1005 otherwise). Its conversation stays readable by its members.",
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Dissolve a group: done", body = Envelope<Empty>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}/members",
    tag = "groups",
    summary = "A page of a group's members",
    description = "In user id order, after `after`; `has_more` says ask again with the last one. Members only (1005).",
    params(("id" = String, Path, description = "The group id"), MembersParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of a group's members: done", body = Envelope<MembersPageDto>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/members",
    tag = "groups",
    summary = "Add members",
    description = "Owner and admins (others 1005); members already in are skipped; all or none: 1006 if they do not fit; a user who blocked you: 1005.",
    request_body = UserIdsBody,
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Add members: done", body = Envelope<MembersDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/members/{user_id}",
    tag = "groups",
    summary = "Remove a member",
    description = "The owner (anyone but self), admins (plain members only); 1005 otherwise.",
    params(("id" = String, Path, description = "The group id"), ("user_id" = String, Path, description = "The member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Remove a member: done", body = Envelope<Empty>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
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

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/members/{user_id}",
    tag = "groups",
    summary = "Change a member's role or mute",
    description = "`role`? (`admin`/`member`: the owner), `muted_until`? (RFC 3339; null unmutes: the owner, or admins on plain members).",
    request_body = UpdateMemberBody,
    params(("id" = String, Path, description = "The group id"), ("user_id" = String, Path, description = "The member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Change a member's role or mute: done", body = Envelope<MemberDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/transfer",
    tag = "groups",
    summary = "Transfer ownership",
    description = "The owner only, to a member (`user_id`); the old owner becomes admin.",
    request_body = TransferBody,
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Transfer ownership: done", body = Envelope<GroupDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
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
