//! A user's hold on their account: their sessions (list, end one, end all
//! the others), their password, deleting the account.

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::Router;
use ferrochat_domain::commands::ChangePassword;
use std::future::Future;

use ferrochat_domain::{ErrorKind, Principal, SessionId};
use ferrochat_ports::ApiError;
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::lifecycle::{ChangePasswordBody, DeleteAccountBody, RevokedDto, SessionsDto};

use crate::error::HttpError;
use crate::extract::{Authed, ClientIp, JsonBody, PathId};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/sessions", get(list))
        .route("/api/v1/auth/sessions/{id}", delete(end))
        .route("/api/v1/auth/logout/others", post(logout_others))
        .route("/api/v1/auth/password", post(change_password))
        .route("/api/v1/users/delete", post(delete_account))
}

async fn list(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<SessionsDto>, HttpError> {
    let sessions = state.deps.accounts.sessions(&who).await?;
    Ok(Reply::ok(SessionsDto::new(&sessions, &who.session_id)))
}

/// A session id that does not parse names no session: 1003, as an
/// unknown one.
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

async fn delete_account(
    State(state): State<AppState>,
    Authed(who): Authed,
    ip: ClientIp,
    JsonBody(body): JsonBody<DeleteAccountBody>,
) -> Result<Reply<Empty>, HttpError> {
    let password = body.decode()?;
    let accounts = &state.deps.accounts;
    with_password(&state, &who, &ip, accounts.delete_account(&who, password)).await?;
    Ok(Reply::ok(Empty {}))
}
