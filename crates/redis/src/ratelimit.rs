//! `RedisRateLimiter`: the per-user send bucket in Redis, shared by every
//! gateway on the same prefix. It only reports Redis failures; the
//! gateway decides what a failure means (it falls back to a local bucket).
//!
//! A gateway asks once per send, so the asks are gathered (`gathered.rs`):
//! one script run (`lua/bucket.lua`) answers the sends that arrived
//! together, in order.

use async_trait::async_trait;
use ferrochat_domain::UserId;
use ferrochat_ports::{RateLimitError, RateLimiter};
use redis::aio::ConnectionManager;
use redis::Script;

use crate::error::limiter_unavailable;
use crate::gathered::{self, Asks};
use crate::RedisPresence;

/// Most sends asked about in one script run.
const MOST_PER_RUN: usize = 256;

pub struct RedisRateLimiter {
    asks: Asks<UserId, bool, RateLimitError>,
}

impl RedisPresence {
    /// A send limiter on this route table's connection and prefix:
    /// `burst` sends at once, refilled at `per_second`. Zeroes read as the
    /// in-process limiter reads them (rate 1; burst = rate). Starts its
    /// task on the current tokio runtime.
    pub fn rate_limiter(&self, per_second: u32, burst: u32) -> RedisRateLimiter {
        let per_second = per_second.max(1);
        let burst = if burst == 0 { per_second } else { burst };
        let (asks, rx) = tokio::sync::mpsc::channel(gathered::QUEUE);
        let buckets = Buckets {
            con: self.con.clone(),
            prefix: self.keys.prefix().to_owned(),
            script: self.scripts.bucket.clone(),
            per_second,
            burst,
        };
        tokio::spawn(async move {
            let buckets = &buckets;
            gathered::serve(rx, MOST_PER_RUN, RateLimitError::Unavailable, |users| {
                buckets.take(users)
            })
            .await;
        });
        RedisRateLimiter { asks }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn allow(&self, user: &UserId) -> Result<bool, RateLimitError> {
        gathered::ask(&self.asks, user.clone(), RateLimitError::Unavailable).await
    }
}

struct Buckets {
    con: ConnectionManager,
    prefix: String,
    script: Script,
    per_second: u32,
    burst: u32,
}

impl Buckets {
    /// One script run for `users`' sends, in order: whether each may go.
    async fn take(
        &self,
        users: Vec<UserId>,
    ) -> Result<Vec<Result<bool, RateLimitError>>, RateLimitError> {
        let mut con = self.con.clone();
        let mut invocation = self.script.arg(&self.prefix);
        invocation.arg(self.per_second).arg(self.burst);
        for user in &users {
            invocation.arg(user.as_str());
        }
        let allowed: Vec<i64> = invocation
            .invoke_async(&mut con)
            .await
            .map_err(limiter_unavailable)?;
        Ok(allowed.into_iter().map(|a| Ok(a == 1)).collect())
    }
}
