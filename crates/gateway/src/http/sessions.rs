//! A user's hold on their account: their sessions (list, end one, end all
//! the others) and their password.

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::Router;
use ferrochat_domain::commands::ChangePassword;
use ferrochat_domain::{ErrorKind, SessionId};
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::sessions::{ChangePasswordBody, RevokedDto, SessionsDto};

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

/// Wrong current passwords count against the account as wrong login
/// passwords do (`gateway.login_throttle`): a stolen access token does not
/// buy unlimited guesses at the password behind it.
async fn change_password(
    State(state): State<AppState>,
    Authed(who): Authed,
    ip: ClientIp,
    JsonBody(body): JsonBody<ChangePasswordBody>,
) -> Result<Reply<RevokedDto>, HttpError> {
    let cmd = ChangePassword::try_from(body)?;
    let user = state.deps.accounts.user(&who.user_id).await?;
    let name = user.username.as_str();
    state
        .login_guard
        .check(name, ip.0)
        .map_err(HttpError::retry_after)?;
    match state.deps.accounts.change_password(&who, cmd).await {
        Ok(revoked) => {
            state.login_guard.succeeded(name, ip.0);
            Ok(Reply::ok(RevokedDto { revoked }))
        }
        Err(e) => {
            if e.kind == ErrorKind::Forbidden {
                state.login_guard.failed(name, ip.0);
            }
            Err(e.into())
        }
    }
}
