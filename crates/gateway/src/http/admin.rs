//! The admin API, `/api/v1/admin/*`: for users holding the admin role
//! (1005 for anyone else; logic checks the role on every call). Every
//! action is appended to the audit log, which is read here too.

use axum::extract::State;
use ferrochat_domain::moderation::{ListReports, ListUsers, NewestFirst};
use ferrochat_domain::{AuditId, ErrorKind, GroupId, ReportId, Sanction, UserId};
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::messaging::AckDto;
use ferrochat_wire::moderation::{
    AdminUserDto, AdminUsersDto, AdminUsersParams, AuditDto, AuditParams, DisableBody,
    RemoveMessageBody, ReportDto, ReportsDto, ReportsParams, ResetTokenBody, ResetTokenDto,
    ResolveBody, SanctionDto, WorldMuteBody, WorldMuteDto,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use ferrochat_ports::clock::now;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users))
        .routes(routes!(disable))
        .routes(routes!(enable))
        .routes(routes!(password_reset))
        .routes(routes!(dissolve_group))
        .routes(routes!(remove_message))
        .routes(routes!(mute_in_world, unmute_in_world))
        .routes(routes!(ban_from_world, unban_from_world))
        .routes(routes!(mute_everywhere, unmute_everywhere))
        .routes(routes!(audit))
        .routes(routes!(reports))
        .routes(routes!(resolve_report))
}

/// An id in a path that does not parse names nothing: 1003.
fn path_id<T>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, ferrochat_domain::InvalidField>,
    what: &str,
) -> Result<T, HttpError> {
    parse(raw).map_err(|_| HttpError::new(ErrorKind::NotFound, format!("no such {what}")))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "moderation",
    summary = "Every account",
    description = "Administrators only. Accounts but deleted ones, discoverable or not, whose username starts with `q` if given, in username order, with `email`, `admin` and `disabled`.",
    params(AdminUsersParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every account: done", body = Envelope<AdminUsersDto>),
        E1001, E1002, E1004, E1005, E1007, E1009,
    )
)]
async fn users(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<AdminUsersParams>,
) -> Result<Reply<AdminUsersDto>, HttpError> {
    let list = ListUsers::try_from(params)?;
    let limit = list.limit;
    let users = state.deps.moderation.list_users(&who.user_id, list).await?;
    Ok(Reply::ok(AdminUsersDto::new(&users, limit, now())))
}

async fn set_disabled(
    state: &AppState,
    who: &UserId,
    id: &str,
    disabled: bool,
    duration: Option<std::time::Duration>,
) -> Result<Reply<AdminUserDto>, HttpError> {
    let user = path_id(id, UserId::parse, "user")?;
    let user = state
        .deps
        .moderation
        .set_disabled(who, &user, disabled, duration)
        .await?;
    Ok(Reply::ok(AdminUserDto::new(&user, now())))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/disable",
    tag = "moderation",
    summary = "Disable an account",
    description = "Administrators only. For `minutes` (1-525600; absent: until enabled) the account cannot log in (1005 \"this account is disabled\", to whoever gives its password), and every session of its ends at once: tokens refused, sockets closed 4001. Not your own (1005). Disabling again sets a new end.",
    params(("id" = String, Path, description = "The user id")),
    request_body = DisableBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Disable an account: done", body = Envelope<AdminUserDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn disable(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<DisableBody>,
) -> Result<Reply<AdminUserDto>, HttpError> {
    let duration = body.decode()?;
    set_disabled(&state, &who.user_id, &id, true, duration).await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/enable",
    tag = "moderation",
    summary = "Enable an account",
    description = "Administrators only. The account can log in again (its ended sessions stay ended).",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Enable an account: done", body = Envelope<AdminUserDto>),
        E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn enable(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<AdminUserDto>, HttpError> {
    set_disabled(&state, &who.user_id, &id, false, None).await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/password-reset",
    tag = "moderation",
    summary = "A password reset token",
    description = "Administrators only. A one-time token with which the user sets a new password (`POST /api/v1/auth/password/reset`), valid `valid_for_minutes` (1-10080, default 60); it stops working once any new password is set.",
    params(("id" = String, Path, description = "The user id")),
    request_body = ResetTokenBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A password reset token: done", body = Envelope<ResetTokenDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn password_reset(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ResetTokenBody>,
) -> Result<Reply<ResetTokenDto>, HttpError> {
    let user = path_id(&id, UserId::parse, "user")?;
    let valid_for = body.decode()?;
    let token = state
        .deps
        .moderation
        .issue_password_reset(&who.user_id, &user, valid_for)
        .await?;
    Ok(Reply::ok(ResetTokenDto {
        token,
        valid_for_minutes: valid_for.as_secs() / 60,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/groups/{id}/dissolve",
    tag = "moderation",
    summary = "Dissolve any group",
    description = "Administrators only, member or not. As the owner's dissolve: a system message `group_dissolved` (with `by_admin`), then the group takes no message.",
    params(("id" = String, Path, description = "The group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Dissolve any group: done", body = Envelope<Empty>),
        E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn dissolve_group(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    let group = path_id(&id, GroupId::parse, "group")?;
    state
        .deps
        .moderation
        .dissolve_group(&who.user_id, &group)
        .await?;
    Ok(Reply::ok(Empty {}))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/messages/remove",
    tag = "moderation",
    summary = "Remove any message",
    description = "Administrators only, in any conversation, member or not. `conversation_id` and `seq`: the message is recalled as its sender's recall would (its content and edits erased, its members told by a `recall` message of their own seq); answers that recall's ack. A seq the conversation lacks, or a message already recalled: 1003; a system message or an event: 1005.",
    request_body = RemoveMessageBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Remove any message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn remove_message(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<RemoveMessageBody>,
) -> Result<Reply<AckDto>, HttpError> {
    let (conversation, seq) = body.decode()?;
    let ack = state
        .deps
        .moderation
        .remove_message(&who.user_id, &conversation, seq)
        .await?;
    Ok(Reply::ok(AckDto::from(&ack)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/world/mutes/{id}",
    tag = "moderation",
    summary = "Mute a user in the world room",
    description = "Administrators only (the world room's owners). For `minutes` (1-525600): their sends to the world room are refused with 1005 until `muted_until`; elsewhere they write as before. Muting again sets a new end.",
    params(("id" = String, Path, description = "The user id")),
    request_body = WorldMuteBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Mute a user in the world room: done", body = Envelope<WorldMuteDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn mute_in_world(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<WorldMuteBody>,
) -> Result<Reply<WorldMuteDto>, HttpError> {
    let user = path_id(&id, UserId::parse, "user")?;
    let duration = body.decode()?;
    let until = state
        .deps
        .moderation
        .mute_in_world(&who.user_id, &user, Some(duration))
        .await?;
    Ok(Reply::ok(WorldMuteDto::new(&user, until)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/world/mutes/{id}",
    tag = "moderation",
    summary = "Unmute a user in the world room",
    description = "Administrators only. Ends a mute at once (`muted_until` null); unmuting a user who is not muted changes nothing.",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unmute a user in the world room: done", body = Envelope<WorldMuteDto>),
        E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn unmute_in_world(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<WorldMuteDto>, HttpError> {
    let user = path_id(&id, UserId::parse, "user")?;
    let until = state
        .deps
        .moderation
        .mute_in_world(&who.user_id, &user, None)
        .await?;
    Ok(Reply::ok(WorldMuteDto::new(&user, until)))
}

/// Sets `sanction` on the user named by the path for `body`'s minutes, or
/// lifts it (no body).
async fn sanction(
    state: &AppState,
    who: &UserId,
    id: &str,
    sanction: Sanction,
    body: Option<WorldMuteBody>,
) -> Result<Reply<SanctionDto>, HttpError> {
    let user = path_id(id, UserId::parse, "user")?;
    let duration = body.map(WorldMuteBody::decode).transpose()?;
    let until = state
        .deps
        .moderation
        .set_sanction(who, &user, sanction, duration)
        .await?;
    Ok(Reply::ok(SanctionDto::new(&user, sanction, until, now())))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/world/bans/{id}",
    tag = "moderation",
    summary = "Ban a user from the world room",
    description = "Administrators only (the world room's owners). For `minutes` (1-525600): the user can neither read nor write the world room (1005 \"you are banned from the world room\"), it leaves their conversation list, sync and search, and its live messages no longer reach them. Banning again sets a new end.",
    params(("id" = String, Path, description = "The user id")),
    request_body = WorldMuteBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ban a user from the world room: done", body = Envelope<SanctionDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn ban_from_world(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<WorldMuteBody>,
) -> Result<Reply<SanctionDto>, HttpError> {
    sanction(&state, &who.user_id, &id, Sanction::WorldBan, Some(body)).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/world/bans/{id}",
    tag = "moderation",
    summary = "Lift a user's world-room ban",
    description = "Administrators only. Ends a ban at once (`active` false); lifting a ban that is not in force changes nothing.",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Lift a user's world-room ban: done", body = Envelope<SanctionDto>),
        E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn unban_from_world(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<SanctionDto>, HttpError> {
    sanction(&state, &who.user_id, &id, Sanction::WorldBan, None).await
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{id}/mute",
    tag = "moderation",
    summary = "Mute a user everywhere",
    description = "Administrators only. For `minutes` (1-525600): every send of the user, in every conversation, is refused with 1005 \"you are muted by an administrator\"; they still read, and their account works otherwise. Muting again sets a new end.",
    params(("id" = String, Path, description = "The user id")),
    request_body = WorldMuteBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Mute a user everywhere: done", body = Envelope<SanctionDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn mute_everywhere(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<WorldMuteBody>,
) -> Result<Reply<SanctionDto>, HttpError> {
    sanction(&state, &who.user_id, &id, Sanction::Mute, Some(body)).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}/mute",
    tag = "moderation",
    summary = "Lift a user's mute",
    description = "Administrators only. Ends a mute set through `PUT /api/v1/admin/users/{id}/mute` at once (`active` false); lifting one not in force changes nothing.",
    params(("id" = String, Path, description = "The user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Lift a user's mute: done", body = Envelope<SanctionDto>),
        E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn unmute_everywhere(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<SanctionDto>, HttpError> {
    sanction(&state, &who.user_id, &id, Sanction::Mute, None).await
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "moderation",
    summary = "The audit log",
    description = "Administrators only. What administrators and the operator did, newest first: `actor` (a user id, or `operator`), `action` (`admin.grant`, `admin.revoke`, `user.disable`, `user.enable`, `user.password_reset`, `group.dissolve`, `message.remove`, `world.mute`, `world.unmute`, `world.ban`, `world.unban`, `user.mute`, `user.unmute`, `report.resolve`), `target`, `detail`. Nothing removes a line.",
    params(AuditParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The audit log: done", body = Envelope<AuditDto>),
        E1001, E1002, E1004, E1005, E1007, E1009,
    )
)]
async fn audit(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<AuditParams>,
) -> Result<Reply<AuditDto>, HttpError> {
    let page = NewestFirst::<AuditId>::try_from(params)?;
    let limit = page.limit;
    let entries = state.deps.moderation.audit_log(&who.user_id, page).await?;
    Ok(Reply::ok(AuditDto::new(&entries, limit)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/reports",
    tag = "moderation",
    summary = "Users' reports",
    description = "Administrators only. Newest first; `status=open` (the default) or `all`.",
    params(ReportsParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Users' reports: done", body = Envelope<ReportsDto>),
        E1001, E1002, E1004, E1005, E1007, E1009,
    )
)]
async fn reports(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<ReportsParams>,
) -> Result<Reply<ReportsDto>, HttpError> {
    let list = ListReports::try_from(params)?;
    let limit = list.page.limit;
    let reports = state.deps.moderation.reports(&who.user_id, list).await?;
    Ok(Reply::ok(ReportsDto::new(&reports, limit)))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/reports/{id}/resolve",
    tag = "moderation",
    summary = "Resolve a report",
    description = "Administrators only. Closes the report with an optional `note` (at most 1000 characters); a report resolved already keeps its first resolution.",
    params(("id" = String, Path, description = "The report id")),
    request_body = ResolveBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Resolve a report: done", body = Envelope<ReportDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn resolve_report(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
    JsonBody(body): JsonBody<ResolveBody>,
) -> Result<Reply<ReportDto>, HttpError> {
    let report = path_id(&id, ReportId::parse, "report")?;
    let note = body.decode()?;
    let report = state
        .deps
        .moderation
        .resolve_report(&who.user_id, &report, note)
        .await?;
    Ok(Reply::ok(ReportDto::from(&report)))
}
