//! One call: attempts inside one deadline, behind the outage breaker.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use backon::{BackoffBuilder as _, ExponentialBuilder};
use tokio::time::Instant;

use crate::breaker::{Admission, BreakerState, Outage};
use crate::metrics::{Metrics, Why};
use crate::RetryConfig;

/// How an attempt failed, as the adapter that made it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An answer another attempt would not change (a conflict, a bad
    /// request, a bug): returned as it is. The backend is up.
    Final,
    /// The backend answered "not now" and did nothing (a deadlock, a lock
    /// wait timeout): another attempt may succeed. The backend is up.
    Busy,
    /// The backend was not reached, so nothing was done (connection
    /// refused, no connection to be had, the server going away).
    Unreached,
    /// The backend was lost mid-call (connection reset, no answer in
    /// time): it may or may not have done it.
    Lost,
}

impl Failure {
    fn backend_up(self) -> bool {
        matches!(self, Failure::Final | Failure::Busy)
    }

    fn may_run_again(self, rerun: Rerun) -> bool {
        match self {
            Failure::Final => false,
            Failure::Busy | Failure::Unreached => true,
            Failure::Lost => rerun == Rerun::Safe,
        }
    }
}

/// May a call run again after an attempt that may have taken effect?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rerun {
    /// Yes: running it twice has the effect of once, with the same answer
    /// (a read; a write that sets a value; a write the backend
    /// deduplicates).
    Safe,
    /// Only if the failed attempt certainly did nothing (`Busy`,
    /// `Unreached`): running it twice could answer differently (an insert
    /// would meet its own row) or act twice.
    IfUndone,
}

/// Why a call failed.
#[derive(Debug)]
pub enum GaveUp<E> {
    /// The backend's answer (`Failure::Final`), as it came.
    Final(E),
    /// Still failing when the deadline passed, or lost mid-call when the
    /// call may not run twice. `last` is the last attempt's error; `None`
    /// if the deadline passed during that attempt.
    Unavailable {
        last: Option<E>,
        attempts: u32,
        elapsed: Duration,
    },
    /// The breaker is open: the backend has been unreachable this long.
    /// Nothing was tried.
    BreakerOpen { down_for: Duration },
}

impl<E: fmt::Display> fmt::Display for GaveUp<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaveUp::Final(e) => e.fmt(f),
            GaveUp::Unavailable {
                last: Some(e),
                attempts,
                elapsed,
            } => write!(f, "{e} (gave up after {attempts} attempts in {elapsed:?})"),
            GaveUp::Unavailable {
                last: None,
                attempts,
                elapsed,
            } => write!(f, "no answer within {elapsed:?} ({attempts} attempts)"),
            GaveUp::BreakerOpen { down_for } => {
                write!(f, "unreachable for {down_for:?}: breaker open")
            }
        }
    }
}

/// Runs calls to one backend; clones share its breaker.
#[derive(Clone)]
pub struct Retrier {
    inner: Arc<Inner>,
}

struct Inner {
    name: &'static str,
    config: RetryConfig,
    outage: Mutex<Outage>,
    metrics: Metrics,
}

impl Retrier {
    /// `name` labels its metrics and logs (`repo`, `mysql`, ...).
    /// `config` is validated by the caller's config check.
    pub fn new(name: &'static str, config: RetryConfig) -> Self {
        let outage = Outage::new(config.breaker_after, config.probe_every);
        Self {
            inner: Arc::new(Inner {
                name,
                config,
                outage: Mutex::new(outage),
                metrics: Metrics::new(name),
            }),
        }
    }

    pub fn config(&self) -> &RetryConfig {
        &self.inner.config
    }

    pub fn breaker(&self) -> BreakerState {
        self.outage().state()
    }

    /// Runs `attempt` until it succeeds, fails `Final`, or may not run
    /// again: because of how it failed (`classify`) and `rerun`, because
    /// no pause fits before the deadline, or because it was the breaker's
    /// probe (one attempt). Each attempt is given the call's deadline and
    /// is dropped if it runs past it.
    pub async fn run<T, E, F, Fut, C>(
        &self,
        rerun: Rerun,
        classify: C,
        mut attempt: F,
    ) -> Result<T, GaveUp<E>>
    where
        F: FnMut(Instant) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        C: Fn(&E) -> Failure,
    {
        let config = &self.inner.config;
        let metrics = &self.inner.metrics;
        let started = Instant::now();
        let deadline = started + config.deadline;
        let probe = match self.outage().admit(started) {
            Admission::Call => false,
            Admission::Probe => true,
            Admission::Refuse { down_since } => {
                metrics.gave_up(Why::BreakerOpen);
                return Err(GaveUp::BreakerOpen {
                    down_for: started.saturating_duration_since(down_since),
                });
            }
        };
        let mut pauses = ExponentialBuilder::new()
            .with_min_delay(config.backoff)
            .with_max_delay(config.max_backoff)
            .with_jitter()
            .without_max_times()
            .build();
        let mut attempts = 0u32;
        loop {
            attempts = attempts.saturating_add(1);
            let (failure, last) = match tokio::time::timeout_at(deadline, attempt(deadline)).await {
                Ok(Ok(answer)) => {
                    self.answered();
                    return Ok(answer);
                }
                Ok(Err(e)) => match classify(&e) {
                    Failure::Final => {
                        self.answered();
                        return Err(GaveUp::Final(e));
                    }
                    failure => (failure, Some(e)),
                },
                Err(_) => (Failure::Lost, None),
            };
            let now = Instant::now();
            if failure.backend_up() {
                self.answered();
            } else {
                self.unreachable(now);
            }
            let pause = pauses.next().unwrap_or(config.max_backoff);
            let why = if probe {
                Some(Why::BreakerOpen)
            } else if !failure.may_run_again(rerun) {
                Some(Why::NotRetried)
            } else if now + pause >= deadline {
                Some(Why::Deadline)
            } else {
                None
            };
            if let Some(why) = why {
                metrics.gave_up(why);
                return Err(GaveUp::Unavailable {
                    last,
                    attempts,
                    elapsed: now.saturating_duration_since(started),
                });
            }
            metrics.retries.increment(1);
            tracing::debug!(
                store = self.inner.name,
                attempts,
                ?failure,
                "retrying a store call"
            );
            tokio::time::sleep(pause).await;
        }
    }

    // A panic while holding the lock leaves a consistent state machine
    // (every method changes it in one assignment), so poisoning is ignored.
    fn outage(&self) -> MutexGuard<'_, Outage> {
        self.inner
            .outage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn answered(&self) {
        if self.outage().answered() {
            tracing::info!(
                store = self.inner.name,
                "store answers again: breaker closed"
            );
            self.inner.metrics.breaker_open.set(0.0);
        }
    }

    fn unreachable(&self, now: Instant) {
        if self.outage().unreachable(now) {
            tracing::warn!(
                store = self.inner.name,
                after = ?self.inner.config.breaker_after,
                "store unreachable: breaker open, calls fail at once until it answers"
            );
            self.inner.metrics.breaker_open.set(1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// The tests' error: how it failed is the error.
    type E = Failure;

    fn retrier() -> Retrier {
        Retrier::new(
            "test",
            RetryConfig {
                deadline: Duration::from_secs(10),
                backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(500),
                breaker_after: Duration::from_secs(20),
                probe_every: Duration::from_secs(1),
            },
        )
    }

    /// Runs a call whose attempts fail with `script` in turn, then succeed;
    /// returns its result and how many attempts ran.
    async fn call(r: &Retrier, rerun: Rerun, script: &[Failure]) -> (Result<u32, GaveUp<E>>, u32) {
        let n = AtomicU32::new(0);
        let result = r
            .run(
                rerun,
                |e: &E| *e,
                |_| {
                    let i = n.fetch_add(1, Ordering::SeqCst);
                    let step = script.get(i as usize).copied();
                    async move { step.map_or(Ok(i), Err) }
                },
            )
            .await;
        (result, n.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn unreached_and_busy_are_retried_for_every_call() {
        let r = retrier();
        let script = [Failure::Unreached, Failure::Busy, Failure::Unreached];
        for rerun in [Rerun::Safe, Rerun::IfUndone] {
            let (result, attempts) = call(&r, rerun, &script).await;
            assert_eq!(result.unwrap(), 3);
            assert_eq!(attempts, 4);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lost_attempt_runs_again_only_if_that_is_safe() {
        let r = retrier();
        let (result, attempts) = call(&r, Rerun::Safe, &[Failure::Lost]).await;
        assert_eq!((result.unwrap(), attempts), (1, 2));
        let (result, attempts) = call(&r, Rerun::IfUndone, &[Failure::Lost]).await;
        assert!(
            matches!(
                result,
                Err(GaveUp::Unavailable {
                    last: Some(Failure::Lost),
                    attempts: 1,
                    ..
                })
            ),
            "{result:?}"
        );
        assert_eq!(attempts, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_final_answer_is_returned_at_once() {
        let r = retrier();
        let (result, attempts) = call(&r, Rerun::Safe, &[Failure::Final]).await;
        assert!(
            matches!(result, Err(GaveUp::Final(Failure::Final))),
            "{result:?}"
        );
        assert_eq!(attempts, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_before_the_deadline_with_growing_jittered_pauses() {
        let r = retrier();
        let started = Instant::now();
        let script = [Failure::Unreached; 1000];
        let (result, attempts) = call(&r, Rerun::Safe, &script).await;
        let elapsed = started.elapsed();
        assert!(
            matches!(result, Err(GaveUp::Unavailable { .. })),
            "{result:?}"
        );
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        // Pauses of 50 ms doubling to 500 ms, each up to twice that: at
        // least 10 and at most about 26 attempts fit in 10 s.
        assert!((10..=30).contains(&attempts), "{attempts}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_that_runs_past_the_deadline_is_dropped() {
        let r = retrier();
        let started = Instant::now();
        let result: Result<(), GaveUp<E>> = r
            .run(Rerun::Safe, |e: &E| *e, |_| std::future::pending())
            .await;
        assert!(
            matches!(
                result,
                Err(GaveUp::Unavailable {
                    last: None,
                    attempts: 1,
                    ..
                })
            ),
            "{result:?}"
        );
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn the_breaker_opens_only_after_a_long_outage_and_closes_on_an_answer() {
        let r = retrier();
        let down = [Failure::Unreached; 1000];
        // Two calls in a row spend their whole deadline: 20 s unreachable.
        for _ in 0..2 {
            let (result, _) = call(&r, Rerun::Safe, &down).await;
            assert!(
                matches!(result, Err(GaveUp::Unavailable { .. })),
                "{result:?}"
            );
            assert_eq!(r.breaker(), BreakerState::Closed);
        }
        let (result, _) = call(&r, Rerun::Safe, &down).await;
        assert!(
            matches!(result, Err(GaveUp::Unavailable { .. })),
            "{result:?}"
        );
        assert_eq!(r.breaker(), BreakerState::Open);

        // Open: refused without an attempt...
        let (result, attempts) = call(&r, Rerun::Safe, &[]).await;
        assert!(
            matches!(result, Err(GaveUp::BreakerOpen { .. })),
            "{result:?}"
        );
        assert_eq!(attempts, 0);
        // ...until a probe may go: one attempt, not retried.
        tokio::time::advance(Duration::from_secs(1)).await;
        let (result, attempts) = call(&r, Rerun::Safe, &down).await;
        assert!(
            matches!(result, Err(GaveUp::Unavailable { .. })),
            "{result:?}"
        );
        assert_eq!((attempts, r.breaker()), (1, BreakerState::Open));
        // The next probe gets an answer: closed.
        tokio::time::advance(Duration::from_secs(1)).await;
        let (result, attempts) = call(&r, Rerun::Safe, &[]).await;
        assert_eq!((result.unwrap(), attempts), (0, 1));
        assert_eq!(r.breaker(), BreakerState::Closed);
    }
}
