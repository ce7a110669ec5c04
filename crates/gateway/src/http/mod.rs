//! HTTP resources, one file each, routes beside their handlers.

mod auth;
mod ops;
mod users;

use axum::Router;

use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(ops::routes())
}
