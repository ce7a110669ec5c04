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
//!
//! A dead Redis can be slow to fail (the connection manager waits out its
//! reconnect backoff, seconds), and every request reads through here (its
//! session at least), so each read or fill is bounded by `CALL_TIMEOUT`,
//! and after a failure reads skip the cache for `RETRY_AFTER`: an outage
//! costs a request no latency beyond one probe a second. A forget is never
//! skipped: each attempt is bounded by `FORGET_TIMEOUT` instead.

mod codec;
mod config;
pub(crate) mod keys;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferrochat_ports::cache::{CacheError, Cached, Ticket};
use ferrochat_ports::{SharedCache, StoreError};
use tokio::time::Instant;

pub(crate) use codec::Codec;
pub use config::CacheConfig;

/// Longest wait for a read or a fill (a healthy Redis answers in well
/// under a millisecond); past it the store answers.
const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// After a failed read or fill, how long reads go to the store alone.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// Longest wait for one attempt at a forget.
const FORGET_TIMEOUT: Duration = Duration::from_secs(1);

/// `call`, or `Unavailable` if it takes longer than `limit`.
async fn bounded<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, CacheError>>,
) -> Result<T, CacheError> {
    tokio::time::timeout(limit, call)
        .await
        .unwrap_or_else(|_| Err(CacheError::Unavailable("no answer in time".to_owned())))
}

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
    /// Until when reads skip the cache (after a failure).
    skip_until: Mutex<Option<Instant>>,
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
            skip_until: Mutex::new(None),
        }
    }

    fn skipping(&self) -> bool {
        let skip = self.skip_until.lock().map(|s| *s).unwrap_or(None);
        skip.is_some_and(|until| Instant::now() < until)
    }

    fn failed(&self, what: &str, e: &dyn std::error::Error) {
        count("error");
        if let Ok(mut skip) = self.skip_until.lock() {
            *skip = Some(Instant::now() + RETRY_AFTER);
        }
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
        if self.skipping() {
            count("error");
            return None;
        }
        match bounded(CALL_TIMEOUT, self.cache.get(key, fields)).await {
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
        // A fill that lands after its timeout is still checked against
        // its ticket there, so it can never undo a forget.
        let fill = self.cache.fill(key, ticket, &entries, ttl);
        if let Err(e) = bounded(CALL_TIMEOUT, fill).await {
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
            match bounded(FORGET_TIMEOUT, self.cache.invalidate(keys)).await {
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
