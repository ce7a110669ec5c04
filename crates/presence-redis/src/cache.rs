//! `RedisCache`: the logic instances' shared cache (`SharedCache`) in
//! Redis, on the route table's connection and under its prefix.
//!
//! A key `K` is a hash `{prefix}c:{K}` (its entries as fields) and a
//! version `{prefix}c:{K}:v` (a counter every invalidation increments;
//! absent reads as 0). The braces make both one hash slot, should the
//! keys ever live in a Redis Cluster. Each operation is one script run
//! (`lua/cache_*.lua`), so a fill checks the version and writes in one
//! step.

use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::cache::{Cached, Ticket};
use ferrochat_ports::{CacheError, SharedCache};
use redis::aio::ConnectionManager;
use redis::Script;

use crate::error::cache_unavailable;
use crate::RedisPresence;

/// How long a version outlives its last invalidation: far longer than any
/// entry lives or any store read takes, so a ticket can never see an
/// expired version come back as 0 and match.
const VERSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

pub struct RedisCache {
    con: ConnectionManager,
    prefix: String,
    get: Script,
    fill: Script,
    invalidate: Script,
}

impl RedisPresence {
    /// A shared cache on this route table's connection and prefix.
    pub fn cache(&self) -> RedisCache {
        RedisCache {
            con: self.con.clone(),
            prefix: self.keys.prefix().to_owned(),
            get: Script::new(include_str!("lua/cache_get.lua")),
            fill: Script::new(include_str!("lua/cache_fill.lua")),
            invalidate: Script::new(include_str!("lua/cache_invalidate.lua")),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisCache {
    fn hash(&self, key: &str) -> String {
        format!("{}c:{{{key}}}", self.prefix)
    }

    fn version(&self, key: &str) -> String {
        format!("{}c:{{{key}}}:v", self.prefix)
    }
}

#[async_trait]
impl SharedCache for RedisCache {
    async fn get(&self, key: &str, fields: &[&str]) -> Result<Cached, CacheError> {
        if fields.is_empty() {
            return Err(CacheError::Unavailable("cache get without fields".into()));
        }
        let mut invocation = self.get.key(self.hash(key));
        invocation.key(self.version(key));
        for field in fields {
            invocation.arg(*field);
        }
        let mut con = self.con.clone();
        let (version, values): (String, Vec<Option<String>>) = invocation
            .invoke_async(&mut con)
            .await
            .map_err(cache_unavailable)?;
        if values.len() != fields.len() {
            return Err(CacheError::Unavailable(format!(
                "redis: {} values for {} fields",
                values.len(),
                fields.len()
            )));
        }
        Ok(Cached {
            values,
            ticket: Ticket::new(version),
        })
    }

    async fn fill(
        &self,
        key: &str,
        ticket: &Ticket,
        entries: &[(&str, &str)],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        if entries.is_empty() {
            return Ok(false);
        }
        let mut invocation = self.fill.key(self.hash(key));
        invocation
            .key(self.version(key))
            .arg(ticket.as_str())
            .arg(millis(ttl));
        for (field, value) in entries {
            invocation.arg(*field).arg(*value);
        }
        let mut con = self.con.clone();
        let stored: i64 = invocation
            .invoke_async(&mut con)
            .await
            .map_err(cache_unavailable)?;
        Ok(stored == 1)
    }

    async fn invalidate(&self, keys: &[&str]) -> Result<(), CacheError> {
        let Some((first, rest)) = keys.split_first() else {
            return Ok(());
        };
        let mut invocation = self.invalidate.key(self.hash(first));
        invocation.key(self.version(first));
        for key in rest {
            invocation.key(self.hash(key)).key(self.version(key));
        }
        invocation.arg(millis(VERSION_TTL));
        let mut con = self.con.clone();
        let _: i64 = invocation
            .invoke_async(&mut con)
            .await
            .map_err(cache_unavailable)?;
        Ok(())
    }
}
