//! Live news to users' open connections: presence, friend requests,
//! group invitations. News, not history: not waited for by the request
//! that caused it and not retried; a user who was offline reads the
//! same facts from the API (the request list, the conversation list).

use std::sync::Arc;

use ferrochat_domain::UserId;
use ferrochat_ports::bus::{deliver, Event};

use crate::deps::LogicDeps;

/// Sends `event` to every open connection of `users`; `what` names it in
/// the log when that fails.
pub(crate) async fn tell(deps: &LogicDeps, users: &[UserId], event: Event, what: &str) {
    if users.is_empty() {
        return;
    }
    let routes = match deps.presence.routes(users).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, news = what, "cannot read routes for news");
            return;
        }
    };
    let event = Arc::new(event);
    if let Err(e) = deliver(&*deps.bus, routes.into_iter().map(|(_, r)| r), None, &event).await {
        tracing::warn!(error = %e, news = what, "cannot deliver news");
    }
}
