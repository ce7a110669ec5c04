//! Route-table adapters. `MemoryPresence`: the in-process route table of
//! `ferrochat serve`, a sorted map from user to their connections, plus the
//! liveness deadline of each gateway that heartbeats.
//!
//! A std `RwLock` is right here: every critical section is a few map
//! operations and none is held across an `.await`.

mod lag;
mod table;

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;
use ferrochat_ports::{Heartbeat, Presence, PresenceError};

pub use lag::MemoryLag;
use table::Table;

#[derive(Default)]
pub struct MemoryPresence {
    table: RwLock<Table>,
}

impl MemoryPresence {
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Table>, PresenceError> {
        self.table.read().map_err(poisoned)
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, Table>, PresenceError> {
        self.table.write().map_err(poisoned)
    }
}

fn poisoned<T>(_: T) -> PresenceError {
    PresenceError::Unavailable("route table lock poisoned".into())
}

#[async_trait]
impl Presence for MemoryPresence {
    async fn connect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError> {
        Ok(self.write()?.connect(user, route, Instant::now()))
    }

    async fn disconnect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError> {
        Ok(self.write()?.disconnect(user, route, Instant::now()))
    }

    async fn routes(&self, users: &[UserId]) -> Result<Vec<(UserId, Route)>, PresenceError> {
        Ok(self.read()?.routes(users, Instant::now()))
    }

    async fn online_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<(UserId, Route)>, PresenceError> {
        Ok(self.read()?.online_page(after, limit, Instant::now()))
    }

    async fn heartbeat(
        &self,
        gateway: &GatewayId,
        ttl: Duration,
    ) -> Result<Heartbeat, PresenceError> {
        Ok(self.write()?.heartbeat(gateway, ttl, Instant::now()))
    }

    async fn restore(
        &self,
        gateway: &GatewayId,
        conns: &[(UserId, ConnId)],
    ) -> Result<(), PresenceError> {
        let mut table = self.write()?;
        let now = Instant::now();
        for (user, conn) in conns {
            let route = Route {
                gateway: gateway.clone(),
                conn: *conn,
            };
            table.connect(user, &route, now);
        }
        Ok(())
    }

    async fn forget_gateway(&self, gateway: &GatewayId) -> Result<(), PresenceError> {
        self.write()?.forget_gateway(gateway, Instant::now());
        Ok(())
    }

    async fn forget_if_silent(
        &self,
        gateway: &GatewayId,
        silent_for: Duration,
    ) -> Result<bool, PresenceError> {
        Ok(self
            .write()?
            .forget_if_silent(gateway, silent_for, Instant::now()))
    }

    async fn set_announced(&self, user: &UserId, online: bool) -> Result<bool, PresenceError> {
        Ok(self.write()?.set_announced(user, online))
    }

    async fn announced(&self, users: &[UserId]) -> Result<Vec<UserId>, PresenceError> {
        Ok(self.read()?.announced(users))
    }

    async fn announced_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<UserId>, PresenceError> {
        Ok(self.read()?.announced_page(after, limit))
    }
}
