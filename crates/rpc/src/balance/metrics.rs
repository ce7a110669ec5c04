//! The metrics of the gateway's logic client, all named here.
//!
//! Per instance (label `instance`, the id discovery lists):
//! - `ferrochat_logic_client_requests_total`: calls sent to it;
//! - `ferrochat_logic_client_failures_total`: calls it failed (no answer,
//!   UNAVAILABLE, DEADLINE_EXCEEDED; application errors are answers);
//! - `ferrochat_logic_client_breaker_transitions_total{to}`: its breaker
//!   moving to `closed`, `open` or `half_open`;
//! - `ferrochat_logic_client_breaker_state`: 0 closed, 1 half-open, 2 open.
//!
//! Overall: `ferrochat_logic_client_instances` (discovered now),
//! `ferrochat_logic_client_discovery_errors_total`,
//! `ferrochat_logic_client_retries_total{rpc}` and
//! `ferrochat_logic_client_call_seconds{rpc}` (a whole call, retries
//! included).

use std::time::Duration;

use metrics::{Counter, Gauge};

use super::breaker::BreakerState;

/// One instance's handles, registered once rather than per call.
pub(crate) struct InstanceMetrics {
    id: String,
    pub(crate) requests: Counter,
    pub(crate) failures: Counter,
    state: Gauge,
}

impl InstanceMetrics {
    pub(crate) fn new(id: &str) -> Self {
        let state =
            metrics::gauge!("ferrochat_logic_client_breaker_state", "instance" => id.to_owned());
        state.set(BreakerState::Closed.gauge());
        Self {
            id: id.to_owned(),
            requests: metrics::counter!("ferrochat_logic_client_requests_total", "instance" => id.to_owned()),
            failures: metrics::counter!("ferrochat_logic_client_failures_total", "instance" => id.to_owned()),
            state,
        }
    }

    pub(crate) fn transition(&self, to: BreakerState) {
        metrics::counter!(
            "ferrochat_logic_client_breaker_transitions_total",
            "instance" => self.id.clone(),
            "to" => to.as_str(),
        )
        .increment(1);
        self.state.set(to.gauge());
    }
}

pub(crate) fn instances(count: usize) {
    metrics::gauge!("ferrochat_logic_client_instances").set(count as f64);
}

pub(crate) fn discovery_error() {
    metrics::counter!("ferrochat_logic_client_discovery_errors_total").increment(1);
}

pub(crate) fn retry(rpc: &'static str) {
    metrics::counter!("ferrochat_logic_client_retries_total", "rpc" => rpc).increment(1);
}

pub(crate) fn call(rpc: &'static str, took: Duration) {
    metrics::histogram!("ferrochat_logic_client_call_seconds", "rpc" => rpc)
        .record(took.as_secs_f64());
}
