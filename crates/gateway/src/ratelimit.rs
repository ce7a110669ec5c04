//! Keyed token buckets (governor): per IP on register/login, per user on
//! sends. Memory stays bounded: a background task forgets buckets that
//! have refilled (see `serve::run`).

use std::hash::Hash;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimitConfig;

pub(crate) struct KeyedLimiter<K: Hash + Eq + Clone> {
    inner: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub(crate) fn new(cfg: RateLimitConfig) -> Self {
        let rate = NonZeroU32::new(cfg.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(cfg.burst).unwrap_or(rate);
        Self {
            inner: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
        }
    }

    /// True if `key` may proceed now (and takes one token).
    pub(crate) fn allow(&self, key: &K) -> bool {
        self.inner.check_key(key).is_ok()
    }

    /// Drops buckets that are full again; they hold no information.
    pub(crate) fn forget_idle(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}
