//! `GET /ws`: the token is checked before any upgrade (401 envelope), then
//! the connection cap (503), then the upgrade with small buffers so idle
//! connections stay cheap.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ferrochat_domain::ErrorKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::session;
use crate::error::{error_response, HttpError};
use crate::extract::access_token;
use crate::openapi::{E1001, E1002, E1004, E1007, E1009};
use crate::state::AppState;

/// Per-connection socket buffers. tungstenite's defaults (128 KiB each)
/// would cost a quarter MiB per idle connection. The read buffer is
/// allocated up front and kept for the connection's life, so it is sized
/// for the frames clients send (a send is a few hundred bytes); a larger
/// frame grows it for that frame. The write buffer is only a threshold:
/// frames are batched up to it before a write, and it stays empty while
/// the connection is idle.
const READ_BUFFER: usize = 1024;
const WRITE_BUFFER: usize = 4 * 1024;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upgrade))
}

#[utoipa::path(
    get,
    path = "/ws",
    tag = "realtime",
    summary = "Open the WebSocket",
    description = "The token (`?token=` or the bearer header) is checked before any upgrade. \
        Text frames, one JSON object each, `{\"type\", \"id\"?, \"data\"}`: their JSON \
        Schema is at `/api/ws-frames.schema.json`. At most `gateway.ws.max_per_user` sockets \
        per user (1007 past that, the open ones kept).",
    params(("token" = Option<String>, Query, description = "The access token, when no `Authorization` header carries it")),
    security(("bearer" = [])),
    responses(
        (status = 101, description = "Switching protocols: the socket is open"),
        E1001, E1002, E1004, E1007, E1009,
    )
)]
async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // Extracting the upgrade does not perform it: the token is still
    // checked before any upgrade happens.
    let Some(token) = access_token(&uri, &headers) else {
        return HttpError::new(ErrorKind::Unauthorized, "missing token").into_response();
    };
    let (who, expires_at) = match state.deps.accounts.authenticate(&token).await {
        Ok(a) => (a.who, a.expires_at),
        Err(e) => return HttpError::from(e).into_response(),
    };
    let Ok(ws) = ws else {
        return HttpError::new(ErrorKind::InvalidParams, "expected a WebSocket upgrade")
            .into_response();
    };
    let Some(place) = state.user_conns.take(&who.user_id) else {
        let message = format!(
            "too many connections for this user (at most {})",
            state.config.ws.max_per_user
        );
        return HttpError::new(ErrorKind::RateLimited, message).into_response();
    };
    let Ok(permit) = state.ws_permits.clone().try_acquire_owned() else {
        let mut r = error_response(
            ErrorKind::Internal,
            "the server is at its connection limit".to_owned(),
        );
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return r;
    };
    let max_frame = state.config.ws.max_frame_bytes;
    // Routed before the 101 goes out (`session::Registered`).
    let registered = session::register(&state, &who).await;
    let registered = std::sync::Arc::new(std::sync::Mutex::new(Some(registered)));
    let (on_failure, failed_state, failed_who) = (registered.clone(), state.clone(), who.clone());
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(max_frame)
        .max_frame_size(max_frame)
        .on_failed_upgrade(move |e| {
            tracing::debug!(error = %e, "the WebSocket upgrade failed");
            let taken = on_failure.lock().ok().and_then(|mut r| r.take());
            if let Some(registered) = taken {
                tokio::spawn(async move { registered.abandon(&failed_state, &failed_who).await });
            }
        })
        .on_upgrade(move |socket| {
            let tracker = state.sessions.clone();
            let taken = registered.lock().ok().and_then(|mut r| r.take());
            tracker.track_future(async move {
                if let Some(registered) = taken {
                    let places = (permit, place);
                    session::run(socket, state, who, expires_at, places, registered).await;
                }
            })
        })
}
