//! Watching a consumer's partitions for a broker that lost its data (one
//! that came back empty: no topics, no records, no committed offsets).
//! Each watch runs on a thread of its own beside the poller, because its
//! questions to the broker may wait, and polling must not.
//!
//! - A group member (logic, task): if an offset the group had committed
//!   on one of its partitions is gone, or its position is past the
//!   partition's end, what is written there now sits below its position
//!   and would never be read. It leaves the group and joins again, so its
//!   partitions are assigned afresh from the group's committed offsets,
//!   which the new broker does not have: from the start.
//! - A tail reader (a gateway): its offsets only grow, so a record below
//!   the next expected offset, a partition end below it, or its topic gone
//!   means records meant for it were lost. It yields its loss marker once,
//!   makes the topic again if needed and reads it from its start. (A new
//!   topic already longer than what it had read is found by the poller
//!   itself: `continuity.rs`.)

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_ports::bus::BusError;
use rdkafka::consumer::Consumer as _;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::mpsc;

use crate::consumer::{send_blocking, Polled};
use crate::membership::{self, Reader};

/// How often a tail reader asks where its partition ends.
const TAIL_EVERY: Duration = Duration::from_secs(1);
/// How often a group member checks its partitions (several questions each).
const GROUP_EVERY: Duration = Duration::from_secs(2);
/// How long one question to the broker may take.
const ASK: Duration = Duration::from_secs(2);

/// What a consumer does, beside its own recovery, when it finds that the
/// broker lost its data: the bus's producer is rebuilt at once. Its
/// producer id and sequence numbers went with the data, so its records
/// would only time out (`bus.kafka.send_timeout`, 10 s) before it was.
pub(crate) type LostData = Arc<dyn Fn() + Send + Sync>;

/// For a tail reader: what it yields when records meant for it were lost,
/// and how it makes its topic again.
pub(crate) struct OnLoss<T> {
    pub(crate) marker: fn() -> T,
    pub(crate) recreate: Box<dyn Fn() -> Result<(), BusError> + Send>,
    /// The offset it was assigned to read from.
    pub(crate) from: i64,
}

/// What a tail reader's poller and watcher share.
pub(crate) struct TailState {
    /// The offset the next record should have.
    next_offset: AtomicI64,
    /// A loss was reported and no record came since.
    reported: AtomicBool,
    /// The offset of the record before the first, read only to know the
    /// log (`continuity.rs`); -1 once read, or if there is none.
    baseline: AtomicI64,
}

impl TailState {
    pub(crate) fn new(from: i64) -> Self {
        Self {
            next_offset: AtomicI64::new(from),
            reported: AtomicBool::new(false),
            baseline: AtomicI64::new(crate::continuity::before_first(from).unwrap_or(-1)),
        }
    }

    /// Whether the record read only to know the log has not come yet.
    pub(crate) fn baseline_pending(&self) -> bool {
        self.baseline.load(Ordering::Acquire) >= 0
    }

    /// The first record read: whether it is the one before the first.
    pub(crate) fn take_baseline(&self, offset: i64) -> bool {
        let baseline = self.baseline.swap(-1, Ordering::AcqRel);
        baseline >= 0 && baseline == offset
    }

    /// The reader reads its topic from the start: called first, so the
    /// first record from there is no news, and is passed on.
    pub(crate) fn start_over(&self) {
        self.next_offset.store(0, Ordering::Release);
        self.baseline.store(-1, Ordering::Release);
    }

    /// A loss is reported once until a record comes: true if it is the
    /// caller's to report.
    pub(crate) fn report_loss(&self) -> bool {
        !self.reported.swap(true, Ordering::AcqRel)
    }

    /// The poller read a record at `offset`: true if it went back, and
    /// the loss is the poller's to report now.
    pub(crate) fn record(&self, offset: i64) -> bool {
        let expected = self.next_offset.swap(offset + 1, Ordering::AcqRel);
        if offset < expected {
            self.report_loss()
        } else {
            self.reported.store(false, Ordering::Release);
            false
        }
    }
}

/// Watches a group member's partitions until `stop`.
pub(crate) fn spawn_group(
    topic: String,
    inner: Arc<Reader>,
    stop: Arc<AtomicBool>,
    lost_data: LostData,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(format!("watch-{topic}"))
        .spawn(move || {
            let mut committed = HashSet::new();
            while sleep_unless_stopped(GROUP_EVERY, &stop) {
                if group_lost(&inner, &mut committed) {
                    lost_data();
                    metrics::counter!("ferrochat_bus_topic_losses_total").increment(1);
                    committed.clear();
                    tracing::warn!(%topic, "joining the group again to read from the start");
                    membership::rejoin(&inner, &topic);
                }
            }
        })
        .map(drop)
}

/// Whether the broker lost any of the member's partitions. `committed`:
/// the partitions where the broker has shown a committed offset.
fn group_lost(inner: &Reader, committed: &mut HashSet<i32>) -> bool {
    let assigned = match inner.assignment() {
        Ok(a) if a.count() > 0 => a,
        _ => return false,
    };
    let mut lost = false;
    if let Ok(offsets) = inner.committed_offsets(assigned, ASK) {
        for p in offsets.elements() {
            if matches!(p.offset(), Offset::Offset(_)) {
                committed.insert(p.partition());
            } else if committed.remove(&p.partition()) {
                tracing::error!(
                    topic = p.topic(),
                    partition = p.partition(),
                    "the group's committed offset is gone: the broker lost its data"
                );
                lost = true;
            }
        }
    }
    if let Ok(positions) = inner.position() {
        for p in positions.elements() {
            let Offset::Offset(position) = p.offset() else {
                continue;
            };
            if let Ok((_, high)) = inner.fetch_watermarks(p.topic(), p.partition(), ASK) {
                if position > high {
                    tracing::error!(topic = p.topic(), partition = p.partition(), position, high,
                        "the partition ends before this member's position: the broker lost its data");
                    lost = true;
                }
            }
        }
    }
    lost
}

/// Watches a tail reader's one partition until `stop`.
pub(crate) fn spawn_tail<T: Send + 'static>(
    topic: String,
    inner: Arc<Reader>,
    stop: Arc<AtomicBool>,
    state: Arc<TailState>,
    loss: OnLoss<T>,
    tx: mpsc::Sender<Polled<T>>,
    lost_data: LostData,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(format!("watch-{topic}"))
        .spawn(move || {
            while sleep_unless_stopped(TAIL_EVERY, &stop) {
                if !tail_lost(&inner, &topic, &state, &loss) {
                    continue;
                }
                if state.report_loss() {
                    report(&topic, &lost_data);
                    if send_blocking(&tx, Polled::note((loss.marker)()), &stop).is_err() {
                        return;
                    }
                }
            }
        })
        .map(drop)
}

/// Whether records meant for the tail reader were lost; if so it reads
/// its topic (made again if need be) from the start.
fn tail_lost<T>(inner: &Reader, topic: &str, state: &TailState, loss: &OnLoss<T>) -> bool {
    // Read before asking: the poller may read past the end the broker
    // reports if records arrive between the two, and that is no loss.
    let expected = state.next_offset.load(Ordering::Acquire);
    match inner.fetch_watermarks(topic, 0, ASK) {
        Ok((_, high)) if high >= expected => false,
        Ok(_) => start_over(inner, topic, state),
        Err(e)
            if matches!(
                e.rdkafka_error_code(),
                Some(
                    RDKafkaErrorCode::UnknownTopicOrPartition
                        | RDKafkaErrorCode::UnknownTopic
                        | RDKafkaErrorCode::UnknownPartition
                )
            ) =>
        {
            if let Err(e) = (loss.recreate)() {
                tracing::warn!(%topic, error = %e, "making the topic again failed; retrying");
                // Lost all the same: report it now.
                return true;
            }
            start_over(inner, topic, state)
        }
        // The broker is down or slow: nothing to say yet.
        Err(_) => false,
    }
}

/// Reads the tail reader's topic from its start; true (a loss).
pub(crate) fn start_over(inner: &Reader, topic: &str, state: &TailState) -> bool {
    state.start_over();
    let mut tpl = TopicPartitionList::new();
    let assigned = tpl
        .add_partition_offset(topic, 0, Offset::Beginning)
        .and_then(|()| inner.assign(&tpl));
    if let Err(e) = assigned {
        tracing::warn!(%topic, error = %e, "reading the topic from its start failed");
    }
    true
}

/// Logs and counts a tail reader's loss, and has the producer rebuilt.
pub(crate) fn report(topic: &str, lost_data: &LostData) {
    lost_data();
    tracing::error!(%topic, "records meant for this reader were lost (the broker lost its data)");
    metrics::counter!("ferrochat_bus_topic_losses_total").increment(1);
}

/// Sleeps `d` in short steps; false once `stop` is set.
pub(crate) fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) -> bool {
    let step = Duration::from_millis(100);
    let mut slept = Duration::ZERO;
    while slept < d {
        if stop.load(Ordering::Acquire) {
            return false;
        }
        std::thread::sleep(step);
        slept += step;
    }
    !stop.load(Ordering::Acquire)
}
