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

use ferrochat_ports::cache::{Cached, Ticket};
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

/// The fact from its cached text, else from `load`, noting in `fill`
/// what to cache.
async fn cached_or_load<'f, T, F>(
    cached: Option<&Option<String>>,
    field: &'f str,
    load: F,
    fill: &mut Vec<(&'f str, String)>,
) -> Result<Option<T>, StoreError>
where
    T: Codec,
    F: Future<Output = Result<Option<T>, StoreError>>,
{
    if let Some(v) = cached.and_then(|v| v.as_deref()).and_then(T::decode) {
        count("hit");
        return Ok(Some(v));
    }
    count("miss");
    let value = load.await?;
    fill.extend(value.as_ref().map(|v| (field, v.encode())));
    Ok(value)
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
        let Some(cached) = self.get(key, &[field]).await else {
            return load.await;
        };
        let mut fill = Vec::new();
        let value = cached_or_load(cached.values.first(), field, load, &mut fill).await?;
        self.fill(key, &cached.ticket, &fill, ttl).await;
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
        let Some(cached) = self.get(key, &fields).await else {
            return Ok((load_a.await?, load_b.await?));
        };
        let mut fill = Vec::new();
        let a = cached_or_load(cached.values.first(), fields[0], load_a, &mut fill).await?;
        let b = cached_or_load(cached.values.get(1), fields[1], load_b, &mut fill).await?;
        self.fill(key, &cached.ticket, &fill, ttl).await;
        Ok((a, b))
    }

    /// The cache's answer, or `None` (read the store) if it has none.
    async fn get(&self, key: &str, fields: &[&str]) -> Option<Cached> {
        match self.cache.get(key, fields).await {
            Ok(c) => {
                self.recovered();
                Some(c)
            }
            Err(e) => {
                self.failed("read", &e);
                None
            }
        }
    }

    async fn fill(&self, key: &str, ticket: &Ticket, fill: &[(&str, String)], ttl: Duration) {
        if fill.is_empty() {
            return;
        }
        let entries: Vec<(&str, &str)> = fill.iter().map(|(f, v)| (*f, v.as_str())).collect();
        if let Err(e) = self.cache.fill(key, ticket, &entries, ttl).await {
            self.failed("fill", &e);
        }
    }

    /// Forgets every fact under `keys`, for every instance. Retried; a
    /// forget that still fails is logged as an error and counted
    /// (`ferrochat_cache_forget_failures_total`), and answers false, for
    /// a caller that must not report success then (a logout).
    pub(crate) async fn forget(&self, keys: &[&str]) -> bool {
        let mut last = None;
        for pause in FORGET_RETRIES {
            tokio::time::sleep(pause).await;
            match self.cache.invalidate(keys).await {
                Ok(()) => return true,
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
        false
    }
}
