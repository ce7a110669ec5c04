//! How late this gateway delivers: the largest age, from commit, of the
//! messages its dispatcher handed to connections since the last report,
//! reported through the `FanoutLag` port (as `gateway:{id}`) so logic's
//! backpressure bounds delivery up to the sockets' outboxes, not only to
//! the task role. A gateway that dispatches nothing reports zero.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::Message;
use ferrochat_ports::{clock, FanoutLag};
use tokio_util::sync::CancellationToken;

/// How often the lag is reported; each report lives three of these.
const REPORT_INTERVAL: Duration = Duration::from_millis(100);

/// The largest age seen since the last report, in milliseconds.
#[derive(Default)]
pub(crate) struct DispatchLag(AtomicU64);

impl DispatchLag {
    /// `message` was just handed to its connections here.
    pub(crate) fn dispatched(&self, message: &Message) {
        let age = clock::now()
            .millis()
            .saturating_sub(message.created_at.millis());
        self.0
            .fetch_max(u64::try_from(age).unwrap_or(0), Ordering::Relaxed);
    }

    fn take(&self) -> Duration {
        Duration::from_millis(self.0.swap(0, Ordering::Relaxed))
    }
}

/// Reports `seen` as `reporter` until `stop`, then withdraws it.
pub(crate) async fn report(
    seen: Arc<DispatchLag>,
    lag: Arc<dyn FanoutLag>,
    reporter: String,
    stop: CancellationToken,
) {
    let ttl = REPORT_INTERVAL * 3;
    let mut tick = tokio::time::interval(REPORT_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        let now = seen.take();
        metrics::gauge!("ferrochat_gateway_delivery_lag_seconds").set(now.as_secs_f64());
        match lag.report(&reporter, now, ttl).await {
            Ok(()) => failing = false,
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "cannot report delivery lag");
                    failing = true;
                }
            }
        }
    }
    let _ = lag.report(&reporter, Duration::ZERO, ttl).await;
}
