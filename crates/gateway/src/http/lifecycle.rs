//! A user's hold on their account: their sessions (list, end one, end all
//! the others), their password, deleting the account.

use axum::extract::State;
use ferrochat_domain::commands::ChangePassword;
use std::future::Future;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use ferrochat_domain::{ErrorKind, Principal, SessionId};
use ferrochat_ports::ApiError;
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::lifecycle::{ChangePasswordBody, DeleteAccountBody, RevokedDto, SessionsDto};

use crate::error::HttpError;
use crate::extract::{Authed, ClientIp, JsonBody, PathId};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(end))
        .routes(routes!(logout_others))
        .routes(routes!(change_password))
        .routes(routes!(delete_account))
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/sessions",
    tag = "sessions",
    summary = "Your live sessions",
    description = "Logged in, not logged out, not expired; most recently seen first, at most 100; `current` marks the asking one.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your live sessions: done", body = Envelope<SessionsDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn list(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<SessionsDto>, HttpError> {
    let sessions = state.deps.accounts.sessions(&who).await?;
    Ok(Reply::ok(SessionsDto::new(&sessions, &who.session_id)))
}

/// A session id that does not parse names no session: 1003, as an
/// unknown one.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/sessions/{id}",
    tag = "sessions",
    summary = "End one of your sessions",
    description = "As logout for that session: its tokens stop working and its sockets close with 4001. An id naming no session of yours (malformed included) is 1003; one already ended is `{}` again. 1009 as for logout.",
    params(("id" = String, Path, description = "The session id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "End one of your sessions: done", body = Envelope<Empty>),
        E1002, E1003, E1004, E1007, E1009,
    )
)]
async fn end(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    let id = SessionId::parse(&id)
        .map_err(|_| HttpError::new(ErrorKind::NotFound, "no such session"))?;
    state.deps.accounts.end_session(&who, &id).await?;
    Ok(Reply::ok(Empty {}))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout/others",
    tag = "sessions",
    summary = "End every other session",
    description = "Every session of yours but the asking one ends. 1009: retry.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "End every other session: done", body = Envelope<RevokedDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn logout_others(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<RevokedDto>, HttpError> {
    let revoked = state.deps.accounts.logout_others(&who).await?;
    Ok(Reply::ok(RevokedDto { revoked }))
}

/// A request that must show the account's password. Wrong passwords
/// (the API's 1005) count against the account as wrong login passwords do
/// (`gateway.login_throttle`): a stolen access token does not buy
/// unlimited guesses at the password behind it.
async fn with_password<T>(
    state: &AppState,
    who: &Principal,
    ip: &ClientIp,
    request: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, HttpError> {
    let user = state.deps.accounts.user(&who.user_id).await?;
    let name = user.username.as_str();
    state
        .login_guard
        .check(name, ip.0)
        .map_err(HttpError::retry_after)?;
    match request.await {
        Ok(v) => {
            state.login_guard.succeeded(name, ip.0);
            Ok(v)
        }
        Err(e) => {
            if e.kind == ErrorKind::Forbidden {
                state.login_guard.failed(name, ip.0);
            }
            Err(e.into())
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    tag = "sessions",
    summary = "Change your password",
    description = "A wrong `current_password` is 1005 and counts against the account as a wrong login does (1007 past `gateway.login_throttle`'s free failures). Every other session ends.",
    request_body = ChangePasswordBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Change your password: done", body = Envelope<RevokedDto>),
        E1001, E1001Stalled, E1002, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn change_password(
    State(state): State<AppState>,
    Authed(who): Authed,
    ip: ClientIp,
    JsonBody(body): JsonBody<ChangePasswordBody>,
) -> Result<Reply<RevokedDto>, HttpError> {
    let cmd = ChangePassword::try_from(body)?;
    let accounts = &state.deps.accounts;
    let revoked = with_password(&state, &who, &ip, accounts.change_password(&who, cmd)).await?;
    Ok(Reply::ok(RevokedDto { revoked }))
}

#[utoipa::path(
    post,
    path = "/api/v1/users/delete",
    tag = "sessions",
    summary = "Delete your account",
    description = "A wrong password is 1005 (throttled as for `/api/v1/auth/password`); 1006 while you own a group that is not dissolved. Every session ends.",
    request_body = DeleteAccountBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Delete your account: done", body = Envelope<Empty>),
        E1001, E1001Stalled, E1002, E1004, E1005, E1006, E1007, E1008, E1009,
    )
)]
async fn delete_account(
    State(state): State<AppState>,
    Authed(who): Authed,
    ip: ClientIp,
    JsonBody(body): JsonBody<DeleteAccountBody>,
) -> Result<Reply<Empty>, HttpError> {
    let password = body.decode()?;
    let accounts = &state.deps.accounts;
    with_password(&state, &who, &ip, accounts.delete_account(&who, password)).await?;
    // The account's files never sent go now, not at the next sweep.
    crate::attach::sweep_soon(&state);
    Ok(Reply::ok(Empty {}))
}
