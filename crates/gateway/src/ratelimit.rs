//! Keyed token buckets (governor): per IP on register/login, per user on
//! sends. Memory stays bounded: a background task forgets buckets that
//! have refilled (see `serve::run`).
//!
//! The per-IP auth limit stays in process even in a cluster: it protects
//! each gateway's own CPU from password-hashing floods, which a shared
//! budget would not do better (and a Redis round trip per login attempt
//! would cost the very gateway under attack). Sends go through the
//! `RateLimiter` port: `LocalRateLimiter` here, or a shared one wrapped in
//! `FallbackRateLimiter` (`fallback.rs`).

use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::UserId;
use ferrochat_ports::{RateLimitError, RateLimiter};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimitConfig;

pub(crate) struct KeyedLimiter<K: Hash + Eq + Clone> {
    inner: DefaultKeyedRateLimiter<K>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub(crate) fn new(cfg: RateLimitConfig) -> Self {
        let rate = NonZeroU32::new(cfg.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(cfg.burst).unwrap_or(rate);
        Self {
            inner: governor::RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
        }
    }

    /// True if `key` may proceed now (and takes one token).
    pub(crate) fn allow(&self, key: &K) -> bool {
        self.inner.check_key(key).is_ok()
    }

    /// As `allow`; a refusal says how long until the next token, for a
    /// `Retry-After`.
    pub(crate) fn check(&self, key: &K) -> Result<(), Duration> {
        self.inner
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Drops buckets that are full again; they hold no information.
    pub(crate) fn forget_idle(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}

/// Per-user send buckets in this process: the embedded server's limiter,
/// and a cluster gateway's fallback when the shared one is unreachable.
pub struct LocalRateLimiter {
    inner: KeyedLimiter<UserId>,
}

impl LocalRateLimiter {
    pub fn new(cfg: RateLimitConfig) -> Self {
        Self {
            inner: KeyedLimiter::new(cfg),
        }
    }
}

#[async_trait]
impl RateLimiter for LocalRateLimiter {
    async fn allow(&self, user: &UserId) -> Result<bool, RateLimitError> {
        Ok(self.inner.allow(user))
    }

    fn forget_idle(&self) {
        self.inner.forget_idle();
    }
}
