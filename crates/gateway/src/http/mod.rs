//! HTTP resources, one file each, routes beside their handlers.

mod auth;
mod conversations;
mod export;
mod friends;
mod groups;
mod lifecycle;
mod messages;
mod ops;
mod throttle;
mod users;
mod web;

use axum::response::Response;
use axum::{middleware, Router};
use ferrochat_domain::ErrorKind;

use crate::error::error_response;
use crate::state::AppState;

pub(crate) use export::Exports;
pub use ops::ready_answer;
pub(crate) use throttle::Caller;

/// The routes a server at its connection cap still answers.
pub(crate) fn ops_routes() -> Router<AppState> {
    ops::routes()
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

/// Every route. `/api` and `/ws` are under `gateway.http_rate_limit`,
/// but for register and login, which have the stricter per-address
/// `gateway.auth_rate_limit`; the operations routes and the web client's
/// files are outside both.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let limited = Router::new()
        .merge(auth::limited_routes())
        .merge(lifecycle::routes())
        .merge(export::routes())
        .merge(users::routes())
        .merge(conversations::routes())
        .merge(messages::routes())
        .merge(groups::routes())
        .merge(friends::routes())
        .merge(crate::ws::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            throttle::limit,
        ));
    Router::new()
        .merge(limited)
        .merge(auth::routes())
        .merge(ops::routes())
        .merge(web::routes())
}
