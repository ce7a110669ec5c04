//! The route table's data and rules, with the time passed in so every
//! operation sees one instant.
//!
//! Reads hide a dead gateway's routes; writes remove them: `connect` and
//! `disconnect` for the user they touch, `heartbeat` and `forget_gateway`
//! for the whole gateway.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::time::{Duration, Instant};

use ferrochat_domain::routing::{GatewayId, Route};
use ferrochat_domain::UserId;
use ferrochat_ports::Heartbeat;

#[derive(Default)]
pub(crate) struct Table {
    routes: BTreeMap<UserId, Vec<Route>>,
    /// Gateways that heartbeat, with the instant their liveness lapses
    /// (`None`: a TTL too long for `Instant` never lapses). A gateway not
    /// in here never heartbeated and is alive.
    deadlines: HashMap<GatewayId, Option<Instant>>,
    /// Each gateway's last heartbeat.
    beats: HashMap<GatewayId, Instant>,
    /// Users whose friends were last told "online".
    announced: BTreeSet<UserId>,
}

impl Table {
    pub(crate) fn connect(&mut self, user: &UserId, route: &Route, now: Instant) -> bool {
        self.prune_user(user, now);
        let entry = self.routes.entry(user.clone()).or_default();
        let first = entry.is_empty();
        if !entry.contains(route) {
            entry.push(route.clone());
        }
        first
    }

    pub(crate) fn disconnect(&mut self, user: &UserId, route: &Route, now: Instant) -> bool {
        self.prune_user(user, now);
        let Some(entry) = self.routes.get_mut(user) else {
            return false;
        };
        let before = entry.len();
        entry.retain(|r| r != route);
        let removed = entry.len() < before;
        let empty = entry.is_empty();
        if empty {
            self.routes.remove(user);
        }
        removed && empty
    }

    pub(crate) fn routes(&self, users: &[UserId], now: Instant) -> Vec<(UserId, Route)> {
        let mut out = Vec::new();
        for u in users {
            if let Some(rs) = self.routes.get(u) {
                out.extend(self.live(rs, now).map(|r| (u.clone(), r.clone())));
            }
        }
        out
    }

    pub(crate) fn online_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
        now: Instant,
    ) -> Vec<(UserId, Route)> {
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut out = Vec::new();
        let mut users = 0;
        for (u, rs) in self.routes.range::<UserId, _>((lower, Bound::Unbounded)) {
            if users == limit {
                break;
            }
            let before = out.len();
            out.extend(self.live(rs, now).map(|r| (u.clone(), r.clone())));
            if out.len() > before {
                users += 1;
            }
        }
        out
    }

    pub(crate) fn heartbeat(
        &mut self,
        gateway: &GatewayId,
        ttl: Duration,
        now: Instant,
    ) -> Heartbeat {
        let known = self.deadlines.contains_key(gateway);
        let alive = self.alive(gateway, now);
        if known && !alive {
            // Lapsed: what it recorded before is stale, and it restores.
            self.drop_gateway(gateway);
        }
        self.deadlines.insert(gateway.clone(), now.checked_add(ttl));
        self.beats.insert(gateway.clone(), now);
        if known && alive {
            Heartbeat::Renewed
        } else {
            Heartbeat::Reset
        }
    }

    pub(crate) fn forget_gateway(&mut self, gateway: &GatewayId, now: Instant) {
        self.deadlines.insert(gateway.clone(), Some(now));
        self.beats.remove(gateway);
        self.drop_gateway(gateway);
    }

    /// Forgets the gateway unless it heartbeated within `silent_for`;
    /// true if it was forgotten.
    pub(crate) fn forget_if_silent(
        &mut self,
        gateway: &GatewayId,
        silent_for: Duration,
        now: Instant,
    ) -> bool {
        let beating = self
            .beats
            .get(gateway)
            .is_some_and(|at| now.saturating_duration_since(*at) < silent_for);
        if beating {
            return false;
        }
        self.forget_gateway(gateway, now);
        true
    }

    pub(crate) fn set_announced(&mut self, user: &UserId, online: bool) -> bool {
        if online {
            self.announced.insert(user.clone())
        } else {
            self.announced.remove(user)
        }
    }

    pub(crate) fn announced(&self, users: &[UserId]) -> Vec<UserId> {
        users
            .iter()
            .filter(|u| self.announced.contains(*u))
            .cloned()
            .collect()
    }

    pub(crate) fn announced_page(&self, after: Option<&UserId>, limit: usize) -> Vec<UserId> {
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.announced
            .range::<UserId, _>((from, Bound::Unbounded))
            .take(limit)
            .cloned()
            .collect()
    }

    fn alive(&self, gateway: &GatewayId, now: Instant) -> bool {
        match self.deadlines.get(gateway) {
            None | Some(None) => true,
            Some(Some(deadline)) => now < *deadline,
        }
    }

    fn live<'a>(&'a self, rs: &'a [Route], now: Instant) -> impl Iterator<Item = &'a Route> {
        rs.iter().filter(move |r| self.alive(&r.gateway, now))
    }

    /// Removes `user`'s routes on dead gateways, and the user if none is left.
    fn prune_user(&mut self, user: &UserId, now: Instant) {
        let Some(rs) = self.routes.get(user) else {
            return;
        };
        let live: Vec<Route> = self.live(rs, now).cloned().collect();
        if live.is_empty() {
            self.routes.remove(user);
        } else if live.len() < rs.len() {
            self.routes.insert(user.clone(), live);
        }
    }

    /// Removes every route of `gateway`: a scan of the table, which is fine
    /// for the one process of embedded mode.
    fn drop_gateway(&mut self, gateway: &GatewayId) {
        self.routes.retain(|_, rs| {
            rs.retain(|r| &r.gateway != gateway);
            !rs.is_empty()
        });
    }
}
