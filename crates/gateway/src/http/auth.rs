//! Register, login, refresh and logout.

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use ferrochat_domain::commands::{Login, Register};
use ferrochat_domain::ErrorKind;
use ferrochat_wire::accounts::{
    LoginBody, LoginDto, RefreshBody, RegisterBody, TokensDto, UserDto,
};
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::lifecycle::{ResetPasswordBody, RevokedDto};

use crate::error::HttpError;
use crate::extract::{Authed, ClientIp, JsonBody};
use crate::reply::Reply;
use crate::state::AppState;

/// Register, login and password reset: limited per address by
/// `gateway.auth_rate_limit`.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/password/reset", post(reset_password))
}

/// Refresh and logout: under `gateway.http_rate_limit` like the rest.
pub(super) fn limited_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
}

fn limit(state: &AppState, ip: &ClientIp) -> Result<(), HttpError> {
    state
        .auth_limiter
        .check(&ip.0)
        .map_err(HttpError::retry_after)
}

async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<Reply<UserDto>, HttpError> {
    limit(&state, &ip)?;
    let cmd = Register::try_from(body)?;
    let user = state.deps.accounts.register(cmd).await?;
    Ok(Reply::created(UserDto::from(&user)))
}

async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Reply<LoginDto>, HttpError> {
    limit(&state, &ip)?;
    // A malformed username or password cannot match any account: answer
    // exactly as for a wrong password, so the reply reveals nothing.
    let cmd = match Login::try_from(body) {
        Ok(cmd) => cmd,
        Err(e) if matches!(e.field, "username" | "password") && e.reason != "is required" => {
            return Err(HttpError::new(
                ErrorKind::Unauthorized,
                "invalid username or password",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    // A locked account is refused before its password is hashed.
    let name = cmd.username.as_str().to_owned();
    state
        .login_guard
        .check(&name, ip.0)
        .map_err(HttpError::retry_after)?;
    match state.deps.accounts.login(cmd).await {
        Ok(outcome) => {
            state.login_guard.succeeded(&name, ip.0);
            Ok(Reply::ok(LoginDto::from(outcome)))
        }
        Err(e) => {
            if e.kind == ErrorKind::Unauthorized {
                state.login_guard.failed(&name, ip.0);
            }
            Err(e.into())
        }
    }
}

/// With a reset token an operator issued (`ferrochat admin
/// reset-password`): no access token, since the user cannot log in.
async fn reset_password(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<ResetPasswordBody>,
) -> Result<Reply<RevokedDto>, HttpError> {
    limit(&state, &ip)?;
    let (token, new) = body.decode()?;
    let revoked = state.deps.accounts.reset_password(&token, new).await?;
    Ok(Reply::ok(RevokedDto { revoked }))
}

async fn refresh(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<Reply<TokensDto>, HttpError> {
    let token = body.decode()?;
    let pair = state.deps.accounts.refresh(&token).await?;
    Ok(Reply::ok(TokensDto::from(pair)))
}

async fn logout(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<Empty>, HttpError> {
    state.deps.accounts.logout(&who).await?;
    Ok(Reply::ok(Empty {}))
}
