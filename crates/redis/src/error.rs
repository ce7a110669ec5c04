//! The one place Redis errors become port errors (`PresenceError`,
//! `RateLimitError`, `CacheError`): every failure of Redis, or of data under our prefix,
//! is `Unavailable` to the caller.

use ferrochat_ports::{CacheError, PresenceError, RateLimitError};
use redis::RedisError;

pub(crate) fn unavailable(e: RedisError) -> PresenceError {
    PresenceError::Unavailable(format!("redis: {e}"))
}

/// A member under our prefix that we did not write: another writer shares
/// the prefix.
pub(crate) fn corrupt(key: &str, member: &str) -> PresenceError {
    PresenceError::Unavailable(format!("redis: unreadable route {member:?} in {key}"))
}

pub(crate) fn limiter_unavailable(e: RedisError) -> RateLimitError {
    RateLimitError::Unavailable(format!("redis: {e}"))
}

pub(crate) fn cache_unavailable(e: RedisError) -> CacheError {
    CacheError::Unavailable(format!("redis: {e}"))
}
