//! Slowing senders when fan-out falls behind.
//!
//! The stages that fan out report their lag (`FanoutLag`; the task role
//! counts from each message's commit and adds what its queue will take).
//! Logic reads the largest every `LAG_READ_INTERVAL` in the background, so
//! a send's check never waits on it, and while it is over
//! `messaging.max_fanout_lag` a send to a conversation the task role fans
//! out is refused with 1007 and a retry hint, before it is committed: the
//! queue in front of the task role stops growing, and what it holds
//! drains. Other conversations are not held back by a large group's
//! queue.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::ErrorKind;
use ferrochat_ports::{ApiError, FanoutLag};
use tokio_util::sync::CancellationToken;

/// How often logic reads the reported lag.
pub(crate) const LAG_READ_INTERVAL: Duration = Duration::from_millis(50);

/// The shortest retry hint given.
const MIN_RETRY: Duration = Duration::from_millis(100);

pub(crate) struct Backpressure {
    /// The bound; zero turns backpressure off.
    bound: Duration,
    /// The last lag read, in milliseconds.
    lag_ms: AtomicU64,
}

impl Backpressure {
    pub(crate) fn new(bound: Duration) -> Self {
        Self {
            bound,
            lag_ms: AtomicU64::new(0),
        }
    }

    /// The refusal for a send to a conversation the task role fans out,
    /// while the lag is over the bound (counted by the caller, who knows
    /// whether the conversation is one).
    pub(crate) fn refusal(&self) -> Option<ApiError> {
        if self.bound.is_zero() {
            return None;
        }
        let lag = Duration::from_millis(self.lag_ms.load(Ordering::Relaxed));
        if lag <= self.bound {
            return None;
        }
        // What has to drain before the lag is back under the bound, but
        // never more than the bound: a replayed message (a client's
        // resend found stored) is as old as its first commit, and its
        // moment at the front of the task role must not tell clients to
        // wait that long.
        let retry = (lag - self.bound).clamp(MIN_RETRY, self.bound.max(MIN_RETRY));
        let message = format!(
            "delivery to this conversation is behind, retry in {} ms",
            retry.as_millis()
        );
        Some(ApiError::new(ErrorKind::RateLimited, message).with_retry_after(retry))
    }

    fn set(&self, lag: Duration) {
        let ms = u64::try_from(lag.as_millis()).unwrap_or(u64::MAX);
        self.lag_ms.store(ms, Ordering::Relaxed);
        metrics::gauge!("ferrochat_logic_fanout_lag_seconds").set(lag.as_secs_f64());
    }
}

/// Reads the reported lag into `gate` until `cancel`. A read that fails
/// keeps the last value (logged once per outage): an unreachable Redis
/// neither stops sends nor refuses them all.
pub(crate) async fn follow(
    gate: Arc<Backpressure>,
    lag: Arc<dyn FanoutLag>,
    cancel: CancellationToken,
) {
    if gate.bound.is_zero() {
        return;
    }
    let mut tick = tokio::time::interval(LAG_READ_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        match lag.current().await {
            Ok(l) => {
                failing = false;
                gate.set(l);
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "cannot read the fan-out lag; keeping the last");
                    failing = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_only_past_the_bound_with_a_hint() {
        let gate = Backpressure::new(Duration::from_secs(2));
        gate.set(Duration::from_secs(2));
        assert!(gate.refusal().is_none());
        gate.set(Duration::from_millis(2600));
        let e = gate.refusal().map(|e| (e.kind, e.message, e.retry_after));
        assert_eq!(
            e,
            Some((
                ErrorKind::RateLimited,
                "delivery to this conversation is behind, retry in 600 ms".to_owned(),
                Some(Duration::from_millis(600))
            ))
        );
        gate.set(Duration::from_secs(3600));
        let e = gate.refusal().map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some("delivery to this conversation is behind, retry in 2000 ms")
        );
        let off = Backpressure::new(Duration::ZERO);
        off.set(Duration::from_secs(60));
        assert!(off.refusal().is_none());
    }
}
