//! The route table: which connections each online user has, on which
//! gateway. In memory when embedded; Redis in a cluster.

use async_trait::async_trait;
use ferrochat_domain::routing::Route;
use ferrochat_domain::UserId;

#[derive(Debug, thiserror::Error)]
pub enum PresenceError {
    #[error("presence unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Presence: Send + Sync + 'static {
    /// Records a connection. Returns true if it is the user's first.
    async fn connect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError>;

    /// Forgets a connection. Returns true if it was the user's last.
    async fn disconnect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError>;

    /// Every route of these users.
    async fn routes(&self, users: &[UserId]) -> Result<Vec<(UserId, Route)>, PresenceError>;

    /// A page of all online routes, for the world room: users after
    /// `after` in id order, at most `limit` users.
    async fn online_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<(UserId, Route)>, PresenceError>;
}
