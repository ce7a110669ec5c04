//! The bus's metrics, all named here. `topic` is the kind of topic
//! (`upstream`, `downstream`, `task`), not its name: one label value per
//! kind whatever the gateways are called.
//!
//! - `ferrochat_bus_publish_seconds{topic}`: from handing a record to the
//!   producer to the broker's acknowledgement (producer queue and linger,
//!   the broker's write);
//! - `ferrochat_bus_consume_delay_seconds{topic}`: from a record's
//!   producer timestamp to this consumer polling it off the broker (the
//!   above, plus how long the broker took to answer a fetch with it). Both
//!   ends read the same clock only on one machine; across machines it
//!   includes their clock skew;
//! - `ferrochat_bus_upstream_sends_per_record`: how many sends each
//!   `upstream` record a gateway writes holds (`upstream.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const UPSTREAM: &str = "upstream";
pub(crate) const DOWNSTREAM: &str = "downstream";
pub(crate) const TASK: &str = "task";

pub(crate) fn published(topic: &'static str, took: Duration) {
    metrics::histogram!("ferrochat_bus_publish_seconds", "topic" => topic)
        .record(took.as_secs_f64());
}

/// `produced_ms`: the record's timestamp, milliseconds since the epoch.
pub(crate) fn consumed(topic: &'static str, produced_ms: i64) {
    let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) else {
        return;
    };
    let now_ms = i64::try_from(now.as_millis()).unwrap_or(i64::MAX);
    // A clock that stepped back counts as no delay rather than a negative one.
    let delay_ms = now_ms.saturating_sub(produced_ms).max(0);
    metrics::histogram!("ferrochat_bus_consume_delay_seconds", "topic" => topic)
        .record(delay_ms as f64 / 1000.0);
}

pub(crate) fn upstream_record(sends: usize) {
    metrics::histogram!("ferrochat_bus_upstream_sends_per_record").record(sends as f64);
}
