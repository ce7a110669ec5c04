//! `FallbackRateLimiter`: a shared send limiter (Redis) that answers from
//! a local bucket when the shared one fails.
//!
//! Why not refuse, or wait: the send limit protects the cluster from one
//! user's flood, it is not a correctness rule. Refusing every send while
//! Redis is down would turn a limiter outage into a messaging outage.
//! The local bucket still bounds each gateway (a user gets at most one
//! budget per gateway it is connected to, as before shared buckets), so
//! availability wins over a strict shared limit for the outage's length.
//! Each fallback counts `ferrochat_ratelimit_fallback_total`; the outage
//! is logged once when it starts and once when it ends, not per send.
//!
//! A dead Redis can be slow to fail (the connection manager retries with
//! backoff), so the shared call is bounded by `SHARED_TIMEOUT`, and after
//! a failure sends skip it for `RETRY_AFTER`: an outage costs a send no
//! latency beyond one probe a second.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::UserId;
use ferrochat_ports::{RateLimitError, RateLimiter};
use tokio::time::Instant;

use crate::config::RateLimitConfig;
use crate::ratelimit::LocalRateLimiter;

/// Longest wait for the shared bucket (a healthy one answers in well
/// under a millisecond).
const SHARED_TIMEOUT: Duration = Duration::from_millis(250);
/// After a failure, how long sends use only the local bucket.
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct FallbackRateLimiter {
    shared: Arc<dyn RateLimiter>,
    local: LocalRateLimiter,
    /// Set while the shared limiter fails: the episode is logged once.
    degraded: AtomicBool,
    /// Until when the shared limiter is not asked (after a failure).
    skip_until: Mutex<Option<Instant>>,
}

impl FallbackRateLimiter {
    /// `local` should be the same quota as the shared one.
    pub fn new(shared: Arc<dyn RateLimiter>, local: RateLimitConfig) -> Self {
        Self {
            shared,
            local: LocalRateLimiter::new(local),
            degraded: AtomicBool::new(false),
            skip_until: Mutex::new(None),
        }
    }

    fn skipping(&self) -> bool {
        let skip = self.skip_until.lock().map(|s| *s).unwrap_or(None);
        skip.is_some_and(|until| Instant::now() < until)
    }

    fn failed(&self, e: &RateLimitError) {
        if let Ok(mut skip) = self.skip_until.lock() {
            *skip = Some(Instant::now() + RETRY_AFTER);
        }
        if !self.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(error = %e, "shared send rate limiter failed; limiting sends per gateway until it is back");
        }
    }
}

#[async_trait]
impl RateLimiter for FallbackRateLimiter {
    /// Never fails: a shared failure is answered by the local bucket.
    async fn allow(&self, user: &UserId) -> Result<bool, RateLimitError> {
        if !self.skipping() {
            let answer = tokio::time::timeout(SHARED_TIMEOUT, self.shared.allow(user))
                .await
                .unwrap_or_else(|_| {
                    Err(RateLimitError::Unavailable("no answer in time".to_owned()))
                });
            match answer {
                Ok(allowed) => {
                    if self.degraded.swap(false, Ordering::Relaxed) {
                        tracing::info!("shared send rate limiter is back");
                    }
                    return Ok(allowed);
                }
                Err(e) => self.failed(&e),
            }
        }
        metrics::counter!("ferrochat_ratelimit_fallback_total").increment(1);
        self.local.allow(user).await
    }

    fn forget_idle(&self) {
        self.shared.forget_idle();
        self.local.forget_idle();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// A shared limiter that is always down, counting how often it is asked.
    #[derive(Default)]
    struct Down(AtomicUsize);

    #[async_trait]
    impl RateLimiter for Down {
        async fn allow(&self, _: &UserId) -> Result<bool, RateLimitError> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Err(RateLimitError::Unavailable("down".to_owned()))
        }
    }

    #[tokio::test]
    async fn a_failing_shared_limiter_is_answered_locally_and_then_skipped() {
        let down = Arc::new(Down::default());
        let limiter = FallbackRateLimiter::new(
            down.clone(),
            RateLimitConfig {
                per_second: 1,
                burst: 3,
            },
        );
        let user = UserId::generate();
        let mut allowed = 0;
        for _ in 0..5 {
            if limiter.allow(&user).await.unwrap_or(false) {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 3, "the local bucket's burst, not all, not none");
        assert_eq!(
            down.0.load(Ordering::Relaxed),
            1,
            "asked once, then skipped for RETRY_AFTER"
        );
    }
}
