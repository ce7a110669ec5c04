//! A user's report of a user or a message, for the administrators.

use axum::extract::State;
use ferrochat_wire::moderation::{ReportBody, ReportDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody};
use crate::openapi::{E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1007, E1008, E1009};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "moderation",
    summary = "Report a user or a message",
    description = "`user_id`, or a message by `conversation_id` and `seq` (of a conversation you are in), and a `reason` (1-1000 characters). Administrators read it under /api/v1/admin/reports. Yourself or your own message is 1001; an unknown user, or a conversation or message you cannot see, is 1003; more than 20 an hour is 1007.",
    request_body = ReportBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Report a user or a message: done", body = Envelope<ReportDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1007, E1008, E1009,
    )
)]
async fn report(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<ReportBody>,
) -> Result<Reply<ReportDto>, HttpError> {
    let (target, reason) = body.decode()?;
    let report = state
        .deps
        .moderation
        .report(&who.user_id, target, reason)
        .await?;
    Ok(Reply::ok(ReportDto::from(&report)))
}
