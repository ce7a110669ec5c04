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

use crate::error::HttpError;
use crate::extract::{Authed, ClientIp, JsonBody};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
}

fn limit(state: &AppState, ip: ClientIp) -> Result<(), HttpError> {
    if state.auth_limiter.allow(&ip.0) {
        Ok(())
    } else {
        Err(HttpError::new(
            ErrorKind::RateLimited,
            "too many requests, slow down",
        ))
    }
}

async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<Reply<UserDto>, HttpError> {
    limit(&state, ip)?;
    let cmd = Register::try_from(body)?;
    let user = state.deps.accounts.register(cmd).await?;
    Ok(Reply::created(UserDto::from(&user)))
}

async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Reply<LoginDto>, HttpError> {
    limit(&state, ip)?;
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
    let outcome = state.deps.accounts.login(cmd).await?;
    Ok(Reply::ok(LoginDto::from(outcome)))
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
