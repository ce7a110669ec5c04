//! ferrochat's adapters on Redis, shared by every instance of a cluster.
//!
//! `RedisPresence`: the route table, shared by every gateway (who is
//! online, on which gateway) and read by logic and task.
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
mod gathered;
mod keys;
mod lag;
mod presence;
mod ratelimit;
mod scripts;
mod tls;

use std::time::Duration;

use ferrochat_ports::PresenceError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::IntoConnectionInfo as _;

pub use cache::RedisCache;
pub use lag::RedisLag;
pub use ratelimit::RedisRateLimiter;
pub use tls::{RedisTls, RedisTlsError};

use keys::Keys;
use scripts::Scripts;

/// How to reach Redis and where our keys live.
#[derive(Clone)]
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
    /// An ACL user (Redis 6+) to authenticate as; wins over one in the URL.
    pub username: Option<String>,
    /// Its password (or `requirepass`'s, without a user); wins over one
    /// in the URL.
    pub password: Option<String>,
    /// With a `rediss://` URL: whom to trust instead of the system's
    /// roots, and a client certificate to show. `None`: the system's
    /// roots and no client certificate.
    pub tls: Option<RedisTls>,
}

impl std::fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOptions")
            .field("prefix", &self.prefix)
            .field("response_timeout", &self.response_timeout)
            .field("connection_timeout", &self.connection_timeout)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("settle", &self.settle)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            prefix: "ferrochat:".to_owned(),
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
            settle: Duration::from_secs(3),
            username: None,
            password: None,
            tls: None,
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
    /// Connects to `url` (`redis://[user:password@]host:port/db`, or
    /// `rediss://` for TLS) as the user `options` or the URL name; fails
    /// if Redis does not answer, its certificate is not trusted or it
    /// refuses the user.
    pub async fn open(url: &str, options: &RedisOptions) -> Result<Self, PresenceError> {
        let mut info = url.into_connection_info().map_err(error::unavailable)?;
        let mut settings = info.redis_settings().clone();
        if let Some(user) = &options.username {
            settings = settings.set_username(user);
        }
        if let Some(password) = &options.password {
            settings = settings.set_password(password);
        }
        info = info.set_redis_settings(settings);
        let client = tls::client(info, options.tls.as_ref()).map_err(error::unavailable)?;
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
