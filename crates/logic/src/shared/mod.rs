//! The facts logic caches, shared by every logic instance of a cluster
//! (`SharedCache`, Redis), with the same rule as the in-process caches:
//! a change forgets what it changed, after its store write and before it
//! answers, so every instance refuses a kicked, muted or blocked user from
//! the next send on.
//!
//! The cache only ever saves store reads: when it cannot be reached, or
//! holds text that does not decode, the store answers. A change whose
//! forget cannot reach it (after retries) is logged and counted; the
//! entries it should have removed live until their time-to-live
//! (`[cache]`), which is why those are bounded.

mod codec;
mod config;
pub(crate) mod keys;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_ports::{SharedCache, StoreError};

pub(crate) use codec::Codec;
pub use config::CacheConfig;

/// Attempts at a forget, and the pause before each retry.
const FORGET_RETRIES: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_millis(50),
    Duration::from_millis(250),
];

pub(crate) struct SharedFacts {
    cache: Arc<dyn SharedCache>,
    pub(crate) config: CacheConfig,
    /// Set while the cache fails, so an outage is logged once, not per
    /// read.
    failing: AtomicBool,
}

fn count(result: &'static str) {
    metrics::counter!("ferrochat_cache_reads_total", "result" => result).increment(1);
}

impl SharedFacts {
    pub(crate) fn new(cache: Arc<dyn SharedCache>, config: CacheConfig) -> Self {
        Self {
            cache,
            config,
            failing: AtomicBool::new(false),
        }
    }

    fn failed(&self, what: &str, e: &dyn std::error::Error) {
        count("error");
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(error = %e, "shared cache failing ({what}); reading the store");
        }
    }

    fn recovered(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!("shared cache answers again");
        }
    }

    /// The fact at (`key`, `field`), from the cache, else from `load` (and
    /// then cached for `ttl`, unless a change forgot `key` meanwhile).
    /// `None` from `load` is not cached.
    pub(crate) async fn read<T, F>(
        &self,
        key: &str,
        field: &str,
        ttl: Duration,
        load: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Codec,
        F: Future<Output = Result<Option<T>, StoreError>>,
    {
        let cached = match self.cache.get(key, &[field]).await {
            Ok(c) => {
                self.recovered();
                c
            }
            Err(e) => {
                self.failed("read", &e);
                return load.await;
            }
        };
        if let Some(v) = cached
            .values
            .first()
            .and_then(|v| v.as_deref())
            .and_then(T::decode)
        {
            count("hit");
            return Ok(Some(v));
        }
        count("miss");
        let value = load.await?;
        if let Some(v) = &value {
            let text = v.encode();
            if let Err(e) = self
                .cache
                .fill(key, &cached.ticket, &[(field, &text)], ttl)
                .await
            {
                self.failed("fill", &e);
            }
        }
        Ok(value)
    }

    /// Two facts under one key, as `read` reads each, in one round trip
    /// to the cache (and one fill for what was missing).
    pub(crate) async fn read_two<A, B, FA, FB>(
        &self,
        key: &str,
        fields: [&str; 2],
        ttl: Duration,
        load_a: FA,
        load_b: FB,
    ) -> Result<(Option<A>, Option<B>), StoreError>
    where
        A: Codec,
        B: Codec,
        FA: Future<Output = Result<Option<A>, StoreError>>,
        FB: Future<Output = Result<Option<B>, StoreError>>,
    {
        let cached = match self.cache.get(key, &fields).await {
            Ok(c) => {
                self.recovered();
                c
            }
            Err(e) => {
                self.failed("read", &e);
                return Ok((load_a.await?, load_b.await?));
            }
        };
        let raw = |i: usize| cached.values.get(i).and_then(|v| v.as_deref());
        let mut fill: Vec<(&str, String)> = Vec::new();
        let a = match raw(0).and_then(A::decode) {
            Some(a) => {
                count("hit");
                Some(a)
            }
            None => {
                count("miss");
                let a = load_a.await?;
                fill.extend(a.as_ref().map(|a| (fields[0], a.encode())));
                a
            }
        };
        let b = match raw(1).and_then(B::decode) {
            Some(b) => {
                count("hit");
                Some(b)
            }
            None => {
                count("miss");
                let b = load_b.await?;
                fill.extend(b.as_ref().map(|b| (fields[1], b.encode())));
                b
            }
        };
        if !fill.is_empty() {
            let entries: Vec<(&str, &str)> = fill.iter().map(|(f, v)| (*f, v.as_str())).collect();
            if let Err(e) = self.cache.fill(key, &cached.ticket, &entries, ttl).await {
                self.failed("fill", &e);
            }
        }
        Ok((a, b))
    }

    /// Forgets every fact under `keys`, for every instance. Retried; a
    /// forget that still fails is logged as an error and counted
    /// (`ferrochat_cache_forget_failures_total`).
    pub(crate) async fn forget(&self, keys: &[&str]) {
        let mut last = None;
        for pause in FORGET_RETRIES {
            tokio::time::sleep(pause).await;
            match self.cache.invalidate(keys).await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
        }
        metrics::counter!("ferrochat_cache_forget_failures_total").increment(1);
        if let Some(e) = last {
            tracing::error!(
                error = %e,
                ?keys,
                "cannot forget changed facts in the shared cache: other logic \
                 instances may act on them until they expire"
            );
        }
    }
}
