//! Push devices: a session registers its phone's push token, lists its
//! user's, removes one (docs/protocol.md, "Devices").

use axum::extract::State;
use ferrochat_domain::push::RegisterDevice;
use ferrochat_domain::{ErrorKind, PushDeviceId};
use ferrochat_wire::devices::{DeviceDto, DevicesDto, RegisterDeviceBody};
use ferrochat_wire::envelope::Empty;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::openapi::{E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1007, E1008, E1009};
use crate::reply::Reply;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(remove))
}

#[utoipa::path(
    post,
    path = "/api/v1/devices",
    tag = "devices",
    summary = "Register this session's push token",
    description = "One device per session: registering again replaces it. A token (per platform) belongs to the last session to register it. The device goes when its session ends (logout, revocation, expiry) and when its provider calls the token dead.",
    request_body = RegisterDeviceBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Register this session's push token: done", body = Envelope<DeviceDto>),
        E1001, E1001Stalled, E1002, E1004, E1007, E1008, E1009,
    )
)]
async fn register(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<RegisterDeviceBody>,
) -> Result<Reply<DeviceDto>, HttpError> {
    let cmd = RegisterDevice::try_from(body)?;
    let device = state.deps.accounts.register_device(&who, cmd).await?;
    Ok(Reply::ok(DeviceDto::new(&device, &who.session_id)))
}

#[utoipa::path(
    get,
    path = "/api/v1/devices",
    tag = "devices",
    summary = "Your registered devices",
    description = "Of every live session of yours, oldest first; `current` marks the asking session's.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your registered devices: done", body = Envelope<DevicesDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn list(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<DevicesDto>, HttpError> {
    let devices = state.deps.accounts.devices(&who).await?;
    Ok(Reply::ok(DevicesDto::new(&devices, &who.session_id)))
}

/// An id that does not parse names no device: 1003, as an unknown one.
#[utoipa::path(
    delete,
    path = "/api/v1/devices/{id}",
    tag = "devices",
    summary = "Remove one of your devices",
    description = "Any of your sessions' devices; it gets no more pushes. An id naming no device of yours (malformed included) is 1003.",
    params(("id" = String, Path, description = "The device id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Remove one of your devices: done", body = Envelope<Empty>),
        E1002, E1003, E1004, E1007, E1009,
    )
)]
async fn remove(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(id): PathId,
) -> Result<Reply<Empty>, HttpError> {
    let id = PushDeviceId::parse(&id)
        .map_err(|_| HttpError::new(ErrorKind::NotFound, "no such device"))?;
    state.deps.accounts.remove_device(&who, &id).await?;
    Ok(Reply::ok(Empty {}))
}
