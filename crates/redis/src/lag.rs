//! `RedisLag`: fan-out lag reports in one hash (`{prefix}fanout_lag`),
//! field = reporter, value = `lag_ms:lapses_at_ms` (Unix milliseconds), so
//! logic instances see what the task role reports from another process.
//! The lapse is judged by each reader's wall clock: the roles' clocks are
//! assumed to agree within well under a report's ttl.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use ferrochat_ports::{FanoutLag, PresenceError};
use redis::aio::ConnectionManager;
use redis::AsyncCommands as _;

use crate::error::unavailable;
use crate::RedisPresence;

pub struct RedisLag {
    con: ConnectionManager,
    key: String,
}

impl RedisPresence {
    /// Fan-out lag reports on this route table's connection and prefix.
    pub fn fanout_lag(&self) -> RedisLag {
        RedisLag {
            con: self.con.clone(),
            key: format!("{}fanout_lag", self.keys.prefix()),
        }
    }
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `lag_ms:lapses_at_ms`; `None` for anything else (skipped).
fn parse(value: &str) -> Option<(u64, u64)> {
    let (lag, lapses) = value.split_once(':')?;
    Some((lag.parse().ok()?, lapses.parse().ok()?))
}

#[async_trait]
impl FanoutLag for RedisLag {
    async fn report(
        &self,
        reporter: &str,
        lag: Duration,
        ttl: Duration,
    ) -> Result<(), PresenceError> {
        let lag_ms = u64::try_from(lag.as_millis()).unwrap_or(u64::MAX);
        let lapses = unix_ms(SystemTime::now() + ttl);
        let mut con = self.con.clone();
        let () = con
            .hset(&self.key, reporter, format!("{lag_ms}:{lapses}"))
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn current(&self) -> Result<Duration, PresenceError> {
        let mut con = self.con.clone();
        let all: HashMap<String, String> = con.hgetall(&self.key).await.map_err(unavailable)?;
        let now = unix_ms(SystemTime::now());
        let mut lapsed = Vec::new();
        let mut max = 0;
        for (reporter, value) in &all {
            match parse(value) {
                Some((lag, lapses)) if lapses > now => max = max.max(lag),
                _ => lapsed.push(reporter.as_str()),
            }
        }
        if !lapsed.is_empty() {
            // A reporter that stopped leaves no field behind for long; a
            // failure here is harmless (the next read tries again).
            let _: Result<(), _> = con.hdel(&self.key, lapsed).await;
        }
        Ok(Duration::from_millis(max))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn values_parse_or_are_skipped() {
        assert_eq!(parse("120:1700000000000"), Some((120, 1_700_000_000_000)));
        assert_eq!(parse("120"), None);
        assert_eq!(parse("x:1"), None);
    }
}
