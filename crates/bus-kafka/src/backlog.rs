//! How many records of a group member's partitions the broker holds that
//! its poller has not taken yet: the partitions' ends less the member's
//! positions, asked every `EVERY` on a thread of its own (the questions
//! wait for the broker; polling must not). With the records the poller
//! has taken and the reader not yet, this is `Consumer::waiting`: the task
//! role turns it into how far behind it is before the oldest of them has
//! aged, so logic slows senders while a queue is still building.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::Consumer as _;
use rdkafka::Offset;

use crate::membership::Reader;
use crate::watch::sleep_unless_stopped;

/// How often the partitions' ends are asked.
const EVERY: Duration = Duration::from_millis(200);
/// How long one question may take.
const ASK: Duration = Duration::from_secs(1);

/// Keeps `behind` at the records past the member's positions until
/// `stop`. A partition it has no position on yet counts nothing; a
/// question that fails keeps the last answer.
pub(crate) fn spawn(
    topic: String,
    inner: Arc<Reader>,
    stop: Arc<AtomicBool>,
    behind: Arc<AtomicU64>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(format!("backlog-{topic}"))
        .spawn(move || {
            while sleep_unless_stopped(EVERY, &stop) {
                if let Some(n) = measure(&inner) {
                    behind.store(n, Ordering::Relaxed);
                }
            }
        })
        .map(drop)
}

fn measure(inner: &Reader) -> Option<u64> {
    let positions = inner.position().ok()?;
    let mut total = 0u64;
    for p in positions.elements() {
        let Offset::Offset(position) = p.offset() else {
            continue;
        };
        let (_, high) = inner.fetch_watermarks(p.topic(), p.partition(), ASK).ok()?;
        total += u64::try_from(high.saturating_sub(position)).unwrap_or(0);
    }
    Some(total)
}
