//! HTTP resources, one file each, routes beside their handlers.

mod auth;
mod conversations;
mod friends;
mod groups;
mod messages;
mod ops;
mod users;
mod web;

use axum::Router;

use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(ops::routes())
        .merge(conversations::routes())
        .merge(messages::routes())
        .merge(groups::routes())
        .merge(friends::routes())
        .merge(crate::ws::routes())
        .merge(web::routes())
}
