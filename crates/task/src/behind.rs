//! How far behind this task role's fan-out is, reported through the
//! `FanoutLag` port so logic can slow senders (`messaging.max_fanout_lag`).
//!
//! The lag is the age, counted from its commit, of the oldest fan-out the
//! role has taken and the bus has not yet stored, plus what the records
//! still waiting in the topic will take at the recent pace: the age alone
//! would show a queue only once its oldest record reached the front, by
//! which time every record behind it was already admitted.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferrochat_domain::Timestamp;
use ferrochat_ports::{clock, FanoutLag};
use tokio_util::sync::CancellationToken;

/// Weight of the newest record in the running mean of a record's time.
const EWMA_WEIGHT: f64 = 0.2;

#[derive(Default)]
struct State {
    /// Fan-outs taken and not yet stored by the bus, in position order:
    /// (position, commit time).
    open: VecDeque<(u64, Timestamp)>,
    /// Records waiting in the topic, when the bus knows.
    waiting: u64,
    /// Running mean of one fan-out record's time, in seconds.
    per_record: f64,
}

/// Shared by the record loop (which records what it takes and finishes)
/// and the reporter.
#[derive(Clone, Default)]
pub(crate) struct Behind(Arc<Mutex<State>>);

impl Behind {
    /// A fan-out record at `position`, committed at `created_at`, taken.
    pub(crate) fn taken(&self, position: u64, created_at: Timestamp) {
        if let Ok(mut s) = self.0.lock() {
            s.open.push_back((position, created_at));
        }
    }

    /// How many records wait in the topic now, when the bus knows; told
    /// with each record and between records too: a count taken with the
    /// last record would stand after the queue drained (a bus that counts
    /// only now and then was behind it).
    pub(crate) fn waiting(&self, waiting: Option<u64>) {
        if let Some(w) = waiting {
            #[allow(clippy::cast_precision_loss)]
            metrics::gauge!("ferrochat_task_waiting_records").set(w as f64);
        }
        if let Ok(mut s) = self.0.lock() {
            s.waiting = waiting.unwrap_or(0);
        }
    }

    /// A fan-out's pages took `took`.
    pub(crate) fn fanned_out(&self, took: Duration) {
        if let Ok(mut s) = self.0.lock() {
            let t = took.as_secs_f64();
            s.per_record = if s.per_record == 0.0 {
                t
            } else {
                s.per_record * (1.0 - EWMA_WEIGHT) + t * EWMA_WEIGHT
            };
        }
    }

    /// Every record through `position` is stored by the bus.
    pub(crate) fn stored_through(&self, position: u64) {
        if let Ok(mut s) = self.0.lock() {
            while s.open.front().is_some_and(|(p, _)| *p <= position) {
                s.open.pop_front();
            }
        }
    }

    /// The lag now: the oldest open fan-out's age plus the waiting
    /// records' expected time.
    pub(crate) fn lag(&self, now: Timestamp) -> Duration {
        let Ok(s) = self.0.lock() else {
            return Duration::ZERO;
        };
        let age = s.open.front().map_or(0, |(_, created)| {
            u64::try_from(now.millis().saturating_sub(created.millis())).unwrap_or(0)
        });
        #[allow(clippy::cast_precision_loss)]
        let queued = s.waiting as f64 * s.per_record;
        Duration::from_millis(age) + Duration::try_from_secs_f64(queued).unwrap_or_default()
    }
}

/// Reports `behind`'s lag as `reporter` every `every` until `cancel`, each
/// report living three intervals; the last one is withdrawn (reported as
/// zero) on the way out.
pub(crate) async fn report(
    behind: Behind,
    lag: Arc<dyn FanoutLag>,
    reporter: String,
    every: Duration,
    cancel: CancellationToken,
) {
    let ttl = every * 3;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let now = behind.lag(clock::now());
        metrics::gauge!("ferrochat_task_fanout_lag_seconds").set(now.as_secs_f64());
        match lag.report(&reporter, now, ttl).await {
            Ok(()) => failing_since = None,
            Err(e) => {
                // Logged once per outage: senders are then not slowed by
                // this role's lag, and delivery still goes on.
                if failing_since.is_none() {
                    tracing::warn!(error = %e, "cannot report fan-out lag");
                    failing_since = Some(Instant::now());
                }
            }
        }
    }
    let _ = lag.report(&reporter, Duration::ZERO, ttl).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_oldest_open_age_plus_the_queue_at_the_recent_pace() {
        let b = Behind::default();
        let t0 = Timestamp::from_millis(1_000_000);
        assert_eq!(b.lag(t0), Duration::ZERO);
        b.waiting(Some(10));
        b.taken(1, t0);
        b.fanned_out(Duration::from_millis(100));
        // 500 ms old, 10 waiting at 100 ms each.
        assert_eq!(b.lag(t0.plus_millis(500)), Duration::from_millis(1500));
        b.waiting(Some(0));
        b.taken(2, t0.plus_millis(200));
        b.stored_through(1);
        assert_eq!(b.lag(t0.plus_millis(500)), Duration::from_millis(300));
        b.stored_through(2);
        assert_eq!(b.lag(t0.plus_millis(500)), Duration::ZERO);
    }

    #[test]
    fn a_queue_counted_with_the_last_record_goes_once_counted_again() {
        let b = Behind::default();
        let t0 = Timestamp::from_millis(1_000_000);
        // The last record came with a count made before the queue drained.
        b.waiting(Some(40));
        b.taken(1, t0);
        b.fanned_out(Duration::from_millis(10));
        b.stored_through(1);
        assert_eq!(b.lag(t0), Duration::from_millis(400));
        b.waiting(Some(0));
        assert_eq!(b.lag(t0), Duration::ZERO);
    }
}
