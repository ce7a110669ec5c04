//! `RedisRateLimiter`: the per-user send bucket in Redis, shared by every
//! gateway on the same prefix. One script run (`lua/bucket.lua`) per send.
//! It only reports Redis failures; the gateway decides what a failure
//! means (it falls back to a local bucket).

use async_trait::async_trait;
use ferrochat_domain::UserId;
use ferrochat_ports::{RateLimitError, RateLimiter};
use redis::aio::ConnectionManager;
use redis::Script;

use crate::error::limiter_unavailable;
use crate::RedisPresence;

pub struct RedisRateLimiter {
    con: ConnectionManager,
    prefix: String,
    script: Script,
    per_second: u32,
    burst: u32,
}

impl RedisPresence {
    /// A send limiter on this route table's connection and prefix:
    /// `burst` sends at once, refilled at `per_second`. Zeroes read as the
    /// in-process limiter reads them (rate 1; burst = rate).
    pub fn rate_limiter(&self, per_second: u32, burst: u32) -> RedisRateLimiter {
        let per_second = per_second.max(1);
        let burst = if burst == 0 { per_second } else { burst };
        RedisRateLimiter {
            con: self.con.clone(),
            prefix: self.keys.prefix().to_owned(),
            script: self.scripts.bucket.clone(),
            per_second,
            burst,
        }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn allow(&self, user: &UserId) -> Result<bool, RateLimitError> {
        let mut con = self.con.clone();
        let allowed: i64 = self
            .script
            .arg(&self.prefix)
            .arg(user.as_str())
            .arg(self.per_second)
            .arg(self.burst)
            .invoke_async(&mut con)
            .await
            .map_err(limiter_unavailable)?;
        Ok(allowed == 1)
    }
}
