//! Route-table adapters. `MemoryPresence`: the in-process route table of
//! `ferrochat serve`, a sorted map from user to their connections.
//!
//! A std `RwLock` is right here: every critical section is a few map
//! operations and none is held across an `.await`.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

use async_trait::async_trait;
use ferrochat_domain::routing::Route;
use ferrochat_domain::UserId;
use ferrochat_ports::presence::PresenceError;
use ferrochat_ports::Presence;

#[derive(Default)]
pub struct MemoryPresence {
    routes: RwLock<BTreeMap<UserId, Vec<Route>>>,
}

impl MemoryPresence {
    pub fn new() -> Self {
        Self::default()
    }
}

fn poisoned<T>(_: T) -> PresenceError {
    PresenceError::Unavailable("route table lock poisoned".into())
}

#[async_trait]
impl Presence for MemoryPresence {
    async fn connect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError> {
        let mut map = self.routes.write().map_err(poisoned)?;
        let entry = map.entry(user.clone()).or_default();
        let first = entry.is_empty();
        if !entry.contains(route) {
            entry.push(route.clone());
        }
        Ok(first)
    }

    async fn disconnect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError> {
        let mut map = self.routes.write().map_err(poisoned)?;
        let Some(entry) = map.get_mut(user) else {
            return Ok(false);
        };
        entry.retain(|r| r != route);
        let last = entry.is_empty();
        if last {
            map.remove(user);
        }
        Ok(last)
    }

    async fn routes(&self, users: &[UserId]) -> Result<Vec<(UserId, Route)>, PresenceError> {
        let map = self.routes.read().map_err(poisoned)?;
        let mut out = Vec::new();
        for u in users {
            if let Some(rs) = map.get(u) {
                out.extend(rs.iter().map(|r| (u.clone(), r.clone())));
            }
        }
        Ok(out)
    }

    async fn online_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<(UserId, Route)>, PresenceError> {
        let map = self.routes.read().map_err(poisoned)?;
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut out = Vec::new();
        for (u, rs) in map
            .range::<UserId, _>((lower, Bound::Unbounded))
            .take(limit)
        {
            out.extend(rs.iter().map(|r| (u.clone(), r.clone())));
        }
        Ok(out)
    }
}
