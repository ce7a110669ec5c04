//! The route table: which connections each online user has, on which
//! gateway. In memory when embedded; Redis in a cluster.
//!
//! Gateway liveness: in a cluster a gateway can die without disconnecting
//! its users, so a gateway that took part in liveness (it called
//! `heartbeat` at least once) counts as dead once its last heartbeat's TTL
//! lapsed or it called `forget_gateway`. A dead gateway's routes are
//! hidden from every answer (they make no one "online", so they never
//! decide first or last either) and are removed lazily. A gateway that
//! never called `heartbeat` is alive: the embedded gateway needs none.

use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;

#[derive(Debug, thiserror::Error)]
pub enum PresenceError {
    #[error("presence unavailable: {0}")]
    Unavailable(String),
}

/// Whether routes read from the table can be trusted to list every live
/// connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Yes,
    /// The table lost data (a Redis restarted empty, say) and gateways are
    /// still putting their connections back: routes read now may miss
    /// some. Read them again after this long.
    Wait(Duration),
}

/// What a heartbeat found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heartbeat {
    /// The gateway was alive; its routes are as it left them.
    Renewed,
    /// The gateway was not alive: this was its first heartbeat, its TTL
    /// had lapsed, it was forgotten, or the route table lost its data (a
    /// Redis restart). Routes it recorded before may be gone, so the
    /// gateway must `restore` every connection it holds.
    Reset,
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

    /// Keeps `gateway` alive for `ttl` from now. A gateway in a cluster
    /// calls it well within `ttl` (a third of it, say), starting before it
    /// accepts connections. On `Reset` it calls `restore`.
    async fn heartbeat(
        &self,
        gateway: &GatewayId,
        ttl: Duration,
    ) -> Result<Heartbeat, PresenceError>;

    /// Re-records connections of `gateway` after a heartbeat answered
    /// `Reset`: an idempotent `connect` of each, without first/last
    /// answers (the users' friends were never told they went offline).
    /// Once it returns, the gateway counts as restored (see `settled`).
    async fn restore(
        &self,
        gateway: &GatewayId,
        conns: &[(UserId, ConnId)],
    ) -> Result<(), PresenceError>;

    /// Whether routes read just before this call were complete. A table
    /// that can lose its data (Redis) says `Wait` from the moment it finds
    /// it lost them until every live gateway had time to beat and
    /// `restore`; whoever delivers by routes reads them again then, so a
    /// message committed meanwhile still reaches every open connection.
    async fn settled(&self) -> Result<Settled, PresenceError> {
        Ok(Settled::Yes)
    }

    /// Whether the table answers now (`/ready`). One in this process's
    /// memory always does.
    async fn ping(&self) -> Result<(), PresenceError> {
        Ok(())
    }

    /// A clean gateway shutdown: the gateway is dead from now until it
    /// heartbeats again, and its routes are removed.
    async fn forget_gateway(&self, gateway: &GatewayId) -> Result<(), PresenceError>;

    /// A gateway another source calls gone (it left discovery): forgotten
    /// as by `forget_gateway` only if it has not heartbeated for
    /// `silent_for` too; true if it was. A gateway still beating is alive
    /// whatever discovery says (its lease can lapse while etcd is away),
    /// and forgetting it would drop the routes of clients it still serves.
    async fn forget_if_silent(
        &self,
        gateway: &GatewayId,
        silent_for: Duration,
    ) -> Result<bool, PresenceError>;

    /// Records what `user`'s friends were last told: "online" (`true`) or
    /// "offline". Returns true if that changed it, i.e. the caller is the
    /// one to tell them. Kept beside the routes, so that with several
    /// logic instances a user who came online through one and left
    /// through another is announced once each way.
    async fn set_announced(&self, user: &UserId, online: bool) -> Result<bool, PresenceError>;

    /// Those of `users` whose friends were last told "online", in the
    /// order given.
    async fn announced(&self, users: &[UserId]) -> Result<Vec<UserId>, PresenceError>;

    /// Users whose friends were last told "online", in id order after
    /// `after`, at most `limit`: for the sweep that finds those who left
    /// without a last disconnect (their gateway died).
    async fn announced_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<UserId>, PresenceError>;
}
