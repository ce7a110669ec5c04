//! HTTP resources, one file each, routes beside their handlers.
//!
//! A new route: a `#[utoipa::path(...)]` on its handler (method, path,
//! tag, summary, description, parameters, body, the success envelope
//! `Envelope<Dto>` and each error code it can answer, `E1001`…`E1009` from
//! `crate::openapi`), `.routes(routes!(handler))` in its area's `routes()`
//! (a bare `.route(` is a clippy error here), and a line in
//! docs/protocol.md: `crate::openapi`'s tests hold the three together.

mod admin;
mod auth;
mod conversations;
mod devices;
mod export;
mod friends;
mod groups;
mod lifecycle;
mod messages;
mod oidc;
mod ops;
mod reports;
mod throttle;
mod users;
mod web;

use axum::response::Response;
use axum::{middleware, Router};
use ferrochat_domain::ErrorKind;
use utoipa_axum::router::OpenApiRouter;

use crate::error::error_response;
use crate::state::AppState;

pub(crate) use export::Exports;
pub use ops::ready_answer;
pub(crate) use throttle::Caller;

/// The routes a server at its connection cap still answers.
pub(crate) fn ops_routes() -> Router<AppState> {
    ops::routes().split_for_parts().0
}

/// Anything but the operations routes, on a connection taken past the
/// cap: 1009, as any request the server cannot take now.
pub(crate) async fn at_capacity() -> Response {
    error_response(
        ErrorKind::Unavailable,
        "the server is at its connection limit: only /health, /live, /ready and /metrics answer; retry later"
            .to_owned(),
    )
}

/// The routes under `gateway.http_rate_limit`: `/api` but register and
/// login, and `/ws`.
fn limited_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::limited_routes())
        .merge(lifecycle::routes())
        .merge(devices::routes())
        .merge(export::routes())
        .merge(users::routes())
        .merge(conversations::routes())
        .merge(messages::routes())
        .merge(groups::routes())
        .merge(friends::routes())
        .merge(reports::routes())
        .merge(admin::routes())
        .merge(crate::attach::routes())
        .merge(crate::ws::routes())
}

/// Register and login (their own per-address limit), the operations
/// routes and the machine-readable documents: outside the per-caller limit.
fn unlimited_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(oidc::routes())
        .merge(ops::routes())
        .merge(crate::openapi::routes())
}

/// Every route but the web client's files, with its description: the
/// OpenAPI document is built from this.
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    limited_routes().merge(unlimited_routes())
}

/// Every route. `/api` and `/ws` are under `gateway.http_rate_limit`,
/// but for register and login, which have the stricter per-address
/// `gateway.auth_rate_limit`; the operations routes, the documents and
/// the web client's files are outside both.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let (limited, _) = limited_routes()
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            throttle::limit,
        ))
        .split_for_parts();
    let (unlimited, _) = unlimited_routes().split_for_parts();
    Router::new()
        .merge(limited)
        .merge(unlimited)
        .merge(web::routes())
}
