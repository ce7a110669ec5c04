//! Register, login, refresh and logout.

use axum::extract::State;
use ferrochat_domain::commands::{Login, Register};
use ferrochat_domain::ErrorKind;
use ferrochat_wire::accounts::{
    LoginBody, LoginDto, RefreshBody, RegisterBody, TokensDto, UserDto,
};
use ferrochat_wire::envelope::Empty;
use ferrochat_wire::lifecycle::{ResetPasswordBody, RevokedDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, ClientIp, JsonBody};
use crate::openapi::{E1001Stalled, Envelope, E1001, E1002, E1004, E1006, E1007, E1008, E1009};
use crate::reply::Reply;
use crate::state::AppState;

/// Register, login and password reset: limited per address by
/// `gateway.auth_rate_limit`.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(reset_password))
}

/// Refresh and logout: under `gateway.http_rate_limit` like the rest.
pub(super) fn limited_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(refresh))
        .routes(routes!(logout))
}

pub(super) fn limit(state: &AppState, ip: &ClientIp) -> Result<(), HttpError> {
    state
        .auth_limiter
        .check(&ip.0)
        .map_err(HttpError::retry_after)
}

#[utoipa::path(
    post,
    path = "/api/v1/users/register",
    tag = "accounts",
    summary = "Register an account",
    description = "`username`: 3-32 of `A-Za-z0-9_.-`, unique without regard to case; \
        `password`: 8-128 characters, not only whitespace, no control characters; \
        `nickname`?: 1-64 characters after trimming (defaults to the username). \
        Limited per address (`gateway.auth_rate_limit`).",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "The new account", body = Envelope<UserDto>),
        E1001, E1001Stalled, E1004, E1006, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "accounts",
    summary = "Log in",
    description = "A wrong password, an unknown user and a malformed username or password \
        all get the same 1002. Past `gateway.login_throttle`'s free failures an account is \
        locked for a growing time (1007 with `Retry-After`). Limited per address.",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Tokens and the user", body = Envelope<LoginDto>),
        E1001, E1001Stalled, E1002, E1004, E1007, E1008, E1009,
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/v1/auth/password/reset",
    tag = "accounts",
    summary = "Set a new password with an operator's reset token",
    description = "`token` (from `ferrochat admin reset-password`), `new_password` (the rules \
        of register's `password`). No access token: the user cannot log in. Every session \
        ends. A token that is not one, was used, or expired is 1002 (a token works once, and \
        not at all after the password was changed another way). \
        Limited per address (`gateway.auth_rate_limit`).",
    request_body = ResetPasswordBody,
    responses(
        (status = 200, description = "The password is set; sessions ended", body = Envelope<RevokedDto>),
        E1001, E1001Stalled, E1002, E1004, E1007, E1008, E1009,
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "accounts",
    summary = "Exchange a refresh token for a new pair",
    description = "The presented token stops working. Presenting a token that was already \
        rotated revokes the whole session.",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new token pair", body = Envelope<TokensDto>),
        E1001, E1001Stalled, E1002, E1004, E1007, E1008, E1009,
    )
)]
async fn refresh(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<Reply<TokensDto>, HttpError> {
    let token = body.decode()?;
    let pair = state.deps.accounts.refresh(&token).await?;
    Ok(Reply::ok(TokensDto::from(pair)))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "accounts",
    summary = "End this session",
    description = "This session's access and refresh tokens stop working at once; other \
        sessions are untouched. 1009: revoked, but not every node may know yet: retry.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Logged out", body = Envelope<Empty>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn logout(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<Empty>, HttpError> {
    state.deps.accounts.logout(&who).await?;
    Ok(Reply::ok(Empty {}))
}
