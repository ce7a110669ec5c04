//! `RedisPresence`: the route table of a cluster, in Redis, shared by every
//! gateway (who is online, on which gateway) and read by logic and task.
//!
//! Layout under a configurable prefix (default `ferrochat:`), in `keys.rs`:
//! a set of `gateway/conn` routes per user, a sorted set of online users
//! (paged with ZRANGEBYLEX), per gateway a liveness key with a TTL and a
//! set of its `conn/user` routes, and the set of gateways that heartbeat.
//! Every write that touches several keys is one Lua script (`scripts.rs`),
//! so first/last answers hold under concurrency.
//!
//! Also `RedisRateLimiter` (`ratelimit.rs`): the per-user send buckets,
//! shared by every gateway, on the same connection and prefix
//! (`rl:send:{user}`, a hash that expires once the bucket is full again).
//!
//! And `RedisCache` (`cache.rs`): the cache logic instances share
//! (`SharedCache`), on the same connection and prefix (`c:{key}` hashes
//! with a version each).
//! Not here: Redis Cluster (the route scripts compute key names).

mod cache;
mod error;
mod keys;
mod presence;
mod ratelimit;
mod scripts;

use std::time::Duration;

use ferrochat_ports::PresenceError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub use cache::RedisCache;
pub use ratelimit::RedisRateLimiter;

use keys::Keys;
use scripts::Scripts;

/// How to reach Redis and where our keys live.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// Prepended to every key, so deployments (and tests) can share one
    /// Redis without seeing each other.
    pub prefix: String,
    /// A command that gets no answer in this long fails as `Unavailable`.
    pub response_timeout: Duration,
    /// How long one attempt to (re)connect may take.
    pub connection_timeout: Duration,
    /// After the table lost its data, how long until every live gateway
    /// has beaten again and put its routes back: well over the gateways'
    /// heartbeat interval. Until then `settled` says wait.
    pub settle: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            prefix: "ferrochat:".to_owned(),
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
            settle: Duration::from_secs(3),
        }
    }
}

/// The route table in Redis. Cheap to share: one `ConnectionManager`
/// multiplexes every caller's commands over one connection and reconnects
/// when it breaks (a Redis restart); commands fail as `Unavailable` until
/// it is back.
pub struct RedisPresence {
    con: ConnectionManager,
    keys: Keys,
    scripts: Scripts,
    settle: Duration,
    /// Gateways this process has heartbeated for: a later beat that finds
    /// one forgotten means the table lost its routes.
    beaten: std::sync::Mutex<std::collections::HashSet<ferrochat_domain::routing::GatewayId>>,
}

impl RedisPresence {
    /// Connects to `url` (`redis://host:port/db`); fails if Redis does not
    /// answer.
    pub async fn open(url: &str, options: &RedisOptions) -> Result<Self, PresenceError> {
        let client = redis::Client::open(url).map_err(error::unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(options.response_timeout))
            .set_connection_timeout(Some(options.connection_timeout));
        let con = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(error::unavailable)?;
        Ok(Self {
            con,
            keys: Keys::new(&options.prefix),
            scripts: Scripts::new(),
            settle: options.settle,
            beaten: Default::default(),
        })
    }
}
