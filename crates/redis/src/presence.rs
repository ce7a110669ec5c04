//! `Presence` for `RedisPresence`: writes are scripts, reads are pipelined
//! in chunks and hide dead gateways' routes, removing a batch of them each
//! time they meet one.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;
use ferrochat_ports::presence::Settled;
use ferrochat_ports::{Heartbeat, Presence, PresenceError};
use redis::AsyncCommands as _;

use crate::error::{corrupt, unavailable};
use crate::keys::parse_route_member;
use crate::RedisPresence;

/// Users looked up per round trip, and routes re-recorded per `restore`
/// script: bounds each pipeline's size.
const CHUNK: usize = 500;
/// Routes of a dead gateway removed per script run.
const PURGE_BATCH: usize = 1_000;
/// The longest TTL sent to Redis (about 100 years): a longer one would
/// overflow Redis's expiry clock and be refused.
const MAX_TTL_MS: u64 = 100 * 365 * 24 * 3_600 * 1_000;

#[async_trait]
impl Presence for RedisPresence {
    /// PING on the table's own connection: what every route read and
    /// write rides on.
    async fn ping(&self) -> Result<(), PresenceError> {
        let mut con = self.con.clone();
        let _: String = redis::cmd("PING")
            .query_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn connect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError> {
        let mut con = self.con.clone();
        let first: i64 = self
            .scripts
            .connect
            .arg(self.keys.prefix())
            .arg(user.as_str())
            .arg(route.gateway.as_str())
            .arg(route.conn.0)
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(first == 1)
    }

    async fn disconnect(&self, user: &UserId, route: &Route) -> Result<bool, PresenceError> {
        let mut con = self.con.clone();
        let last: i64 = self
            .scripts
            .disconnect
            .arg(self.keys.prefix())
            .arg(user.as_str())
            .arg(route.gateway.as_str())
            .arg(route.conn.0)
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(last == 1)
    }

    async fn routes(&self, users: &[UserId]) -> Result<Vec<(UserId, Route)>, PresenceError> {
        self.live_routes(users).await
    }

    async fn online_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<(UserId, Route)>, PresenceError> {
        let mut out = Vec::new();
        let mut users = 0;
        let mut cursor = after.map(|u| u.as_str().to_owned());
        // Users in the online set whose every route is on a dead gateway
        // give no routes; read on until `limit` users gave some or the set
        // ends. Each read removes dead routes, so this converges.
        while users < limit {
            let want = limit - users;
            let ids = self
                .page_by_id(self.keys.online(), cursor.as_deref(), want)
                .await?;
            let exhausted = ids.len() < want;
            let Some(last) = ids.last() else {
                break;
            };
            cursor = Some(last.clone());
            let ids: Vec<UserId> = ids.into_iter().map(UserId::from_stored).collect();
            let routes = self.live_routes(&ids).await?;
            users += count_users(&routes);
            out.extend(routes);
            if exhausted {
                break;
            }
        }
        Ok(out)
    }

    async fn heartbeat(
        &self,
        gateway: &GatewayId,
        ttl: Duration,
    ) -> Result<Heartbeat, PresenceError> {
        // A lapsed gateway starts empty: drop what it recorded before, then
        // come alive again (and it restores what it holds).
        self.purge_all(gateway).await?;
        let ttl_ms = u64::try_from(ttl.as_millis())
            .unwrap_or(MAX_TTL_MS)
            .clamp(1, MAX_TTL_MS);
        let beaten = self
            .beaten
            .lock()
            .map(|mut b| !b.insert(gateway.clone()))
            .unwrap_or(true);
        let mut con = self.con.clone();
        let was_alive: i64 = self
            .scripts
            .heartbeat
            .arg(self.keys.prefix())
            .arg(gateway.as_str())
            .arg(ttl_ms)
            .arg(u8::from(beaten))
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(if was_alive == 1 {
            Heartbeat::Renewed
        } else {
            Heartbeat::Reset
        })
    }

    async fn restore(
        &self,
        gateway: &GatewayId,
        conns: &[(UserId, ConnId)],
    ) -> Result<(), PresenceError> {
        let mut con = self.con.clone();
        for chunk in conns.chunks(CHUNK) {
            let mut call = self.scripts.restore.prepare_invoke();
            call.arg(self.keys.prefix()).arg(gateway.as_str());
            for (user, conn) in chunk {
                call.arg(conn.0).arg(user.as_str());
            }
            let _: i64 = call.invoke_async(&mut con).await.map_err(unavailable)?;
        }
        let _: i64 = self
            .scripts
            .ready
            .arg(self.keys.prefix())
            .arg(gateway.as_str())
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn settled(&self) -> Result<Settled, PresenceError> {
        let settle_ms = u64::try_from(self.settle.as_millis()).unwrap_or(MAX_TTL_MS);
        let mut con = self.con.clone();
        let wait_ms: u64 = self
            .scripts
            .settled
            .arg(self.keys.prefix())
            .arg(settle_ms)
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(match wait_ms {
            0 => Settled::Yes,
            ms => Settled::Wait(Duration::from_millis(ms)),
        })
    }

    async fn forget_gateway(&self, gateway: &GatewayId) -> Result<(), PresenceError> {
        let mut con = self.con.clone();
        let _: i64 = self
            .scripts
            .forget
            .arg(self.keys.prefix())
            .arg(gateway.as_str())
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        self.purge_all(gateway).await
    }

    async fn forget_if_silent(
        &self,
        gateway: &GatewayId,
        silent_for: Duration,
    ) -> Result<bool, PresenceError> {
        let silent_ms = u64::try_from(silent_for.as_millis()).unwrap_or(MAX_TTL_MS);
        let mut con = self.con.clone();
        let forgotten: i64 = self
            .scripts
            .forget_silent
            .arg(self.keys.prefix())
            .arg(gateway.as_str())
            .arg(silent_ms)
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)?;
        if forgotten == 0 {
            return Ok(false);
        }
        self.purge_all(gateway).await?;
        Ok(true)
    }

    async fn set_announced(&self, user: &UserId, online: bool) -> Result<bool, PresenceError> {
        let mut con = self.con.clone();
        let key = self.keys.announced();
        let changed: i64 = if online {
            redis::cmd("ZADD")
                .arg(&key)
                .arg("NX")
                .arg(0)
                .arg(user.as_str())
                .query_async(&mut con)
                .await
        } else {
            con.zrem(&key, user.as_str()).await
        }
        .map_err(unavailable)?;
        Ok(changed == 1)
    }

    async fn announced(&self, users: &[UserId]) -> Result<Vec<UserId>, PresenceError> {
        let mut con = self.con.clone();
        let mut out = Vec::new();
        for chunk in users.chunks(CHUNK) {
            let mut cmd = redis::cmd("ZMSCORE");
            cmd.arg(self.keys.announced());
            for user in chunk {
                cmd.arg(user.as_str());
            }
            let scores: Vec<Option<f64>> = cmd.query_async(&mut con).await.map_err(unavailable)?;
            out.extend(
                chunk
                    .iter()
                    .zip(scores)
                    .filter(|(_, s)| s.is_some())
                    .map(|(u, _)| u.clone()),
            );
        }
        Ok(out)
    }

    async fn announced_page(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<UserId>, PresenceError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let ids = self
            .page_by_id(self.keys.announced(), after.map(UserId::as_str), limit)
            .await?;
        Ok(ids.into_iter().map(UserId::from_stored).collect())
    }
}

impl RedisPresence {
    /// Up to `limit` members of the sorted set `key` (all score 0, so in
    /// id order) after `after`.
    async fn page_by_id(
        &self,
        key: String,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, PresenceError> {
        let min = after.map_or("-".to_owned(), |u| format!("({u}"));
        let count = isize::try_from(limit).unwrap_or(isize::MAX);
        let mut con = self.con.clone();
        con.zrangebylex_limit(key, min, "+", 0, count)
            .await
            .map_err(unavailable)
    }

    /// The routes of `users` on live gateways, grouped by user in the order
    /// given.
    async fn live_routes(&self, users: &[UserId]) -> Result<Vec<(UserId, Route)>, PresenceError> {
        let mut con = self.con.clone();
        let mut found = Vec::new();
        for chunk in users.chunks(CHUNK) {
            let mut pipe = redis::pipe();
            let keys: Vec<String> = chunk.iter().map(|u| self.keys.user(u)).collect();
            for key in &keys {
                pipe.smembers(key);
            }
            let sets: Vec<Vec<String>> = pipe.query_async(&mut con).await.map_err(unavailable)?;
            for ((user, key), members) in chunk.iter().zip(&keys).zip(sets) {
                for m in members {
                    let route = parse_route_member(&m).ok_or_else(|| corrupt(key, &m))?;
                    found.push((user.clone(), route));
                }
            }
        }
        let dead = self.dead_gateways(&found).await?;
        if !dead.is_empty() {
            found.retain(|(_, r)| !dead.contains(&r.gateway));
            // One batch each: a read stays bounded, and later reads (or
            // the gateway's next heartbeat) remove the rest.
            for gateway in &dead {
                self.purge_batch(gateway).await?;
            }
        }
        Ok(found)
    }

    /// Which gateways of `routes` are dead, in one round trip.
    async fn dead_gateways(
        &self,
        routes: &[(UserId, Route)],
    ) -> Result<HashSet<GatewayId>, PresenceError> {
        let gateways: BTreeSet<&GatewayId> = routes.iter().map(|(_, r)| &r.gateway).collect();
        if gateways.is_empty() {
            return Ok(HashSet::new());
        }
        let mut pipe = redis::pipe();
        for g in &gateways {
            pipe.sismember(self.keys.gateways(), g.as_str())
                .exists(self.keys.alive(g));
        }
        let mut con = self.con.clone();
        let answers: Vec<bool> = pipe.query_async(&mut con).await.map_err(unavailable)?;
        Ok(gateways
            .into_iter()
            .zip(answers.chunks_exact(2))
            .filter(|(_, a)| matches!(a, [true, false]))
            .map(|(g, _)| g.clone())
            .collect())
    }

    /// Removes one batch of a dead gateway's routes; returns how many are
    /// left (0 for a live gateway).
    async fn purge_batch(&self, gateway: &GatewayId) -> Result<u64, PresenceError> {
        let mut con = self.con.clone();
        self.scripts
            .purge
            .arg(self.keys.prefix())
            .arg(gateway.as_str())
            .arg(PURGE_BATCH)
            .invoke_async(&mut con)
            .await
            .map_err(unavailable)
    }

    /// Removes every route of a dead gateway, batch by batch.
    async fn purge_all(&self, gateway: &GatewayId) -> Result<(), PresenceError> {
        while self.purge_batch(gateway).await? > 0 {}
        Ok(())
    }
}

/// How many users `routes` (grouped by user) holds.
fn count_users(routes: &[(UserId, Route)]) -> usize {
    let mut n = 0;
    let mut prev: Option<&UserId> = None;
    for (u, _) in routes {
        if prev != Some(u) {
            n += 1;
            prev = Some(u);
        }
    }
    n
}
