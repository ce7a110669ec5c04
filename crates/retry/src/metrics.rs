//! What a `Retrier` counts, labelled `store` with its name (`repo`,
//! `mysql`, `postgres`):
//!
//! - `ferrochat_store_retries_total`: attempts after a first one;
//! - `ferrochat_store_gave_up_total{why}`: calls that failed as
//!   unavailable: `deadline` (still failing when it passed),
//!   `not_retried` (lost mid-call, and the call may not run twice),
//!   `breaker_open` (refused at once, or a failed probe);
//! - `ferrochat_store_breaker_open`: 1 while the breaker is open.

use metrics::{Counter, Gauge};

pub(crate) struct Metrics {
    name: &'static str,
    pub(crate) retries: Counter,
    pub(crate) breaker_open: Gauge,
}

/// Why a call gave up, as the `why` label says it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Why {
    Deadline,
    NotRetried,
    BreakerOpen,
}

impl Metrics {
    pub(crate) fn new(name: &'static str) -> Self {
        let breaker_open = metrics::gauge!("ferrochat_store_breaker_open", "store" => name);
        breaker_open.set(0.0);
        Self {
            name,
            retries: metrics::counter!("ferrochat_store_retries_total", "store" => name),
            breaker_open,
        }
    }

    pub(crate) fn gave_up(&self, why: Why) {
        let why = match why {
            Why::Deadline => "deadline",
            Why::NotRetried => "not_retried",
            Why::BreakerOpen => "breaker_open",
        };
        metrics::counter!("ferrochat_store_gave_up_total", "store" => self.name, "why" => why)
            .increment(1);
    }
}
