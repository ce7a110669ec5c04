//! `RedisCache`: the logic instances' shared cache (`SharedCache`) in
//! Redis, on the route table's connection and under its prefix.
//!
//! A key `K` is a hash `{prefix}c:{K}` (its entries as fields) and a
//! version `{prefix}c:{K}:v` (a counter every invalidation increments;
//! absent reads as 0). The braces make both one hash slot, should the
//! keys ever live in a Redis Cluster. A fill and an invalidation are each
//! one script run (`lua/cache_*.lua`), so a fill checks the version and
//! writes in one step, and an invalidation deletes and moves the version
//! on in one.
//!
//! Logic reads the cache a few times per send, from many checks at once,
//! so reads are gathered (`gathered.rs`): the reads that arrived together
//! go in one pipeline of plain commands, each read as a GET of the
//! version and then an HMGET of the fields. Not a script: a Lua run costs
//! Redis about two and a half times the CPU of the same reads as plain
//! commands (measured with `redis-benchmark`: 3.8 against 1.4 µs a read),
//! and the two need not be one step. Redis runs one connection's commands
//! in order, so the fields are read after the version: an invalidation
//! between the two leaves the read an older ticket than its fields, whose
//! fill is refused (harmless), never newer fields' ticket on older
//! values.

use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::cache::{Cached, Ticket};
use ferrochat_ports::{CacheError, SharedCache};
use redis::aio::ConnectionManager;
use redis::{FromRedisValue, Script, Value};

use crate::error::cache_unavailable;
use crate::gathered::{self, Asks};
use crate::RedisPresence;

/// Most reads in one pipeline.
const MOST_PER_RUN: usize = 128;

/// How long a version outlives its last invalidation: far longer than any
/// entry lives or any store read takes, so a ticket can never see an
/// expired version come back as 0 and match.
const VERSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

pub struct RedisCache {
    con: ConnectionManager,
    prefix: String,
    reads: Asks<Read, Cached, CacheError>,
    fill: Script,
    invalidate: Script,
}

/// One read: the key's hash and version names, and its fields.
struct Read {
    hash: String,
    version: String,
    fields: Vec<String>,
}

impl RedisPresence {
    /// A shared cache on this route table's connection and prefix. Starts
    /// its reading task on the current tokio runtime.
    pub fn cache(&self) -> RedisCache {
        let (reads, rx) = tokio::sync::mpsc::channel(gathered::QUEUE);
        let reader = Reader {
            con: self.con.clone(),
        };
        tokio::spawn(async move {
            let reader = &reader;
            gathered::serve(rx, MOST_PER_RUN, CacheError::Unavailable, |reads| {
                reader.read(reads)
            })
            .await;
        });
        RedisCache {
            con: self.con.clone(),
            prefix: self.keys.prefix().to_owned(),
            reads,
            fill: Script::new(include_str!("lua/cache_fill.lua")),
            invalidate: Script::new(include_str!("lua/cache_invalidate.lua")),
        }
    }
}

struct Reader {
    con: ConnectionManager,
}

impl Reader {
    /// One pipeline for `reads`, answered in order.
    async fn read(&self, reads: Vec<Read>) -> Result<Vec<Result<Cached, CacheError>>, CacheError> {
        let mut pipe = redis::pipe();
        for read in &reads {
            pipe.cmd("GET").arg(&read.version);
            pipe.cmd("HMGET").arg(&read.hash).arg(&read.fields);
        }
        let mut con = self.con.clone();
        let replies: Vec<Value> = pipe
            .query_async(&mut con)
            .await
            .map_err(cache_unavailable)?;
        let mut replies = replies.into_iter();
        let mut answers = Vec::with_capacity(reads.len());
        for read in &reads {
            let (Some(version), Some(values)) = (replies.next(), replies.next()) else {
                return Err(CacheError::Unavailable(format!(
                    "redis: fewer replies than the {} reads asked",
                    reads.len()
                )));
            };
            answers.push(cached(read, version, values));
        }
        Ok(answers)
    }
}

/// A read's answer from its GET and HMGET replies.
fn cached(read: &Read, version: Value, values: Value) -> Result<Cached, CacheError> {
    let unreadable = |e: redis::ParsingError| CacheError::Unavailable(format!("redis: {e}"));
    let version: Option<String> = FromRedisValue::from_redis_value(version).map_err(unreadable)?;
    let values: Vec<Option<String>> =
        FromRedisValue::from_redis_value(values).map_err(unreadable)?;
    if values.len() != read.fields.len() {
        return Err(CacheError::Unavailable(format!(
            "redis: {} values for {} fields",
            values.len(),
            read.fields.len()
        )));
    }
    Ok(Cached {
        values,
        // Never invalidated: version 0, as the fill script reads it.
        ticket: Ticket::new(version.unwrap_or_else(|| "0".to_owned())),
    })
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
        let read = Read {
            hash: self.hash(key),
            version: self.version(key),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        };
        gathered::ask(&self.reads, read, CacheError::Unavailable).await
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
