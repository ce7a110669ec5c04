//! The facts cached in the cache every logic instance of a cluster shares
//! (`SharedCache`, Redis): a change forgets what it changed, after its
//! store write and before it answers, so every instance refuses a kicked,
//! muted or blocked user from the next send on.
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

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::cache::CacheError;
use ferrochat_ports::SharedCache;
use tokio::time::Instant;

use super::{count, FactStore, Found, Hits, Stored, Ticket};

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

pub(super) struct SharedFacts {
    cache: Arc<dyn SharedCache>,
    /// Set while the cache fails, so an outage is logged once, not per
    /// read.
    failing: AtomicBool,
    /// Until when reads skip the cache (after a failure).
    skip_until: Mutex<Option<Instant>>,
}

impl SharedFacts {
    pub(super) fn new(cache: Arc<dyn SharedCache>) -> Self {
        Self {
            cache,
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
}

#[async_trait]
impl FactStore for SharedFacts {
    fn source(&self) -> &'static str {
        "shared"
    }

    async fn get(&self, key: &str, fields: &[&str]) -> Option<Hits> {
        if self.skipping() {
            count("error");
            return None;
        }
        match bounded(CALL_TIMEOUT, self.cache.get(key, fields)).await {
            Ok(cached) => {
                self.recovered();
                Some(Hits {
                    values: cached
                        .values
                        .into_iter()
                        .map(|v| v.map(Found::Text))
                        .collect(),
                    ticket: Ticket::Version(cached.ticket),
                })
            }
            Err(e) => {
                self.failed("read", &e);
                None
            }
        }
    }

    async fn fill(
        &self,
        key: &str,
        ticket: Ticket,
        entries: Vec<(&str, Arc<dyn Stored>)>,
        ttl: Duration,
    ) {
        let Ticket::Version(ticket) = ticket else {
            return;
        };
        let texts: Vec<(&str, String)> = entries.iter().map(|(f, v)| (*f, v.text())).collect();
        let entries: Vec<(&str, &str)> = texts.iter().map(|(f, v)| (*f, v.as_str())).collect();
        // A fill that lands after its timeout is still checked against
        // its ticket there, so it can never undo a forget.
        let fill = self.cache.fill(key, &ticket, &entries, ttl);
        if let Err(e) = bounded(CALL_TIMEOUT, fill).await {
            self.failed("fill", &e);
        }
    }

    /// Retried; a forget that still fails is logged as an error and
    /// counted (`ferrochat_cache_forget_failures_total`).
    async fn forget(&self, keys: &[&str]) -> bool {
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
