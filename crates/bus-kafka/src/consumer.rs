//! A topic's reader: librdkafka's consumer polled on a thread of its own,
//! feeding a bounded channel that `Consumer::next` reads.
//!
//! Why a thread: librdkafka's poll blocks, and closing a group member
//! waits for the broker. A thread of our own can give that close a
//! deadline, so a broker that never answers cannot hang a role's shutdown
//! (seen with nisshi, whose LeaveGroup answer never came: then the handle
//! is leaked on purpose; the process is exiting anyway).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ferrochat_ports::bus::{BusError, Consumer, Traces};
use ferrochat_proto::DecodeError;
use rdkafka::consumer::{CommitMode, Consumer as _};
use rdkafka::error::KafkaError;
use rdkafka::message::Message as _;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::mpsc;

use crate::continuity::{self, Continuity, Outage, Read};
use crate::membership::{self, Reader};
use crate::watch::{self, LostData, OnLoss, TailState};

/// How long a clean close may wait for the group coordinator.
const CLOSE_DEADLINE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(100);

/// A closure, so a topic's decoding can hold state (upstream's seal).
/// One record may hold several items (an upstream batch): they are
/// returned one by one, and the record counts as done once its last is.
/// It is given the payload and the items' trace contexts (`traces.rs`).
pub(crate) type Decode<T> = Arc<dyn Fn(&[u8], Traces) -> Result<Vec<T>, DecodeError> + Send + Sync>;

/// A decoder of records that each hold one item and no trace context.
pub(crate) fn one_each<T: 'static>(
    decode: impl Fn(&[u8]) -> Result<T, DecodeError> + Send + Sync + 'static,
) -> Decode<T> {
    Arc::new(move |bytes, _| decode(bytes).map(|item| vec![item]))
}

/// How a consumer takes part.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A member of a consumer group: partitions are shared, offsets are
    /// stored as work finishes and committed.
    Group,
    /// The only reader of a one-partition topic, from its end; nothing is
    /// committed (a gateway's downstream: records for connections of an
    /// earlier run are of no use to this one).
    Tail,
}

pub(crate) struct Polled<T> {
    /// `None` if the payload did not decode (or held nothing): skipped,
    /// but its offset still counts as done once the records around it are.
    pub(crate) record: Option<T>,
    pub(crate) partition: i32,
    /// The partition's offset to commit once this item is done: past its
    /// record for the record's last item, the record's own (nothing of it
    /// done) for the items before.
    pub(crate) next_offset: i64,
    /// The assignment it was read in (`membership::Epoch`).
    pub(crate) epoch: u64,
}

impl<T> Polled<T> {
    /// Something to tell the reader that is not a record of the topic.
    pub(crate) fn note(record: T) -> Self {
        Self {
            record: Some(record),
            partition: 0,
            next_offset: -1,
            epoch: 0,
        }
    }
}

pub(crate) struct KafkaConsumer<T> {
    topic: String,
    mode: Mode,
    inner: Arc<Reader>,
    rx: mpsc::Receiver<Polled<T>>,
    stop: Arc<AtomicBool>,
    returned: u64,
    /// Items returned or skipped and not yet stored. Bounded by what the
    /// caller holds unfinished.
    pending: VecDeque<Done>,
    /// Records the broker holds past this member's positions, when
    /// counted (`backlog.rs`).
    behind: Option<Arc<AtomicU64>>,
}

impl<T: Send + 'static> KafkaConsumer<T> {
    /// Starts the polling thread for `inner`, already subscribed/assigned.
    pub(crate) fn start(
        topic: String,
        kind: &'static str,
        mode: Mode,
        inner: Reader,
        decode: Decode<T>,
        buffer: usize,
        watch: Watch<T>,
    ) -> Result<Self, BusError> {
        let Watch {
            on_loss,
            backlog,
            lost_data,
        } = watch;
        let inner = Arc::new(inner);
        let (tx, rx) = mpsc::channel(buffer.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let started = |e: std::io::Error| {
            BusError::Unavailable(format!("starting the {topic} consumer: {e}"))
        };
        let tail = match on_loss {
            Some(loss) => {
                let state = Arc::new(TailState::new(loss.from));
                let (marker, watched) = (loss.marker, state.clone());
                watch::spawn_tail(
                    topic.clone(),
                    inner.clone(),
                    stop.clone(),
                    watched,
                    loss,
                    tx.clone(),
                    lost_data.clone(),
                )
                .map_err(started)?;
                Some(Tail { state, marker })
            }
            None => None,
        };
        if mode == Mode::Group {
            watch::spawn_group(
                topic.clone(),
                inner.clone(),
                stop.clone(),
                lost_data.clone(),
            )
            .map_err(started)?;
        }
        let behind = if backlog {
            let behind = Arc::new(AtomicU64::new(0));
            crate::backlog::spawn(topic.clone(), inner.clone(), stop.clone(), behind.clone())
                .map_err(started)?;
            Some(behind)
        } else {
            None
        };
        let poller = Poller {
            topic: topic.clone(),
            kind,
            mode,
            inner: inner.clone(),
            tx,
            stop: stop.clone(),
            decode,
            tail,
            lost_data,
        };
        std::thread::Builder::new()
            .name(format!("kafka-{topic}"))
            .spawn(move || poller.run())
            .map_err(started)?;
        Ok(Self {
            topic,
            mode,
            inner,
            rx,
            stop,
            returned: 0,
            pending: VecDeque::new(),
            behind,
        })
    }
}

impl<T> Drop for KafkaConsumer<T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

impl<T> KafkaConsumer<T> {
    /// Counts a polled record; its record unless it did not decode.
    fn take(&mut self, polled: Polled<T>) -> Option<T> {
        if self.mode == Mode::Group {
            self.pending.push_back(Done {
                position: self.returned + u64::from(polled.record.is_some()),
                partition: polled.partition,
                next_offset: polled.next_offset,
                epoch: polled.epoch,
            });
        }
        let record = polled.record?;
        self.returned += 1;
        Some(record)
    }
}

#[async_trait]
impl<T: Send + 'static> Consumer<T> for KafkaConsumer<T> {
    async fn next(&mut self) -> Option<T> {
        loop {
            let polled = self.rx.recv().await?;
            if let Some(record) = self.take(polled) {
                return Some(record);
            }
        }
    }

    fn try_next(&mut self) -> Option<T> {
        loop {
            let polled = self.rx.try_recv().ok()?;
            if let Some(record) = self.take(polled) {
                return Some(record);
            }
        }
    }

    /// The records still at the broker plus those the poller took and
    /// `next` has not returned, when this reader counts them.
    fn waiting(&self) -> Option<u64> {
        let behind = self.behind.as_ref()?.load(Ordering::Relaxed);
        Some(behind + u64::try_from(self.rx.len()).unwrap_or(0))
    }

    fn position(&self) -> u64 {
        self.returned
    }

    async fn commit_through(&mut self, position: u64) -> Result<(), BusError> {
        // Held until the offsets are stored: a rebalance that begins
        // meanwhile waits, and then forgets them with the assignment.
        let epoch = self.inner.context().epoch().hold();
        let mut next_offsets: BTreeMap<i32, i64> = BTreeMap::new();
        while let Some(done) = self.pending.front() {
            if done.position > position {
                break;
            }
            // Read in an earlier assignment: not this member's to store.
            if done.epoch == *epoch {
                let next = next_offsets.entry(done.partition).or_insert(0);
                *next = (*next).max(done.next_offset);
            }
            self.pending.pop_front();
        }
        if next_offsets.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for (partition, next) in next_offsets {
            tpl.add_partition_offset(&self.topic, partition, Offset::Offset(next))
                .map_err(|e| crate::error::map(&self.topic, &e))?;
        }
        // Stored locally; librdkafka commits stored offsets every
        // `commit_interval` and on close.
        self.inner
            .store_offsets(&tpl)
            .map_err(|e| crate::error::map(&self.topic, &e))
    }
}

/// An item returned (or a record skipped) whose offset is stored once the
/// caller says it is done.
struct Done {
    /// `next`'s count once it was returned.
    position: u64,
    partition: i32,
    next_offset: i64,
    /// The assignment it was read in (`membership::Epoch`).
    epoch: u64,
}

/// How a consumer watches for a broker that lost its data (`watch.rs`).
pub(crate) struct Watch<T> {
    /// A tail reader's loss marker and how it makes its topic again.
    pub(crate) on_loss: Option<OnLoss<T>>,
    /// Whether to count the records waiting (`backlog.rs`), for a reader
    /// that says how far behind it is.
    pub(crate) backlog: bool,
    /// What it calls on finding the loss.
    pub(crate) lost_data: LostData,
}

struct Poller<T> {
    topic: String,
    /// The metrics' label (`measure.rs`).
    kind: &'static str,
    mode: Mode,
    inner: Arc<Reader>,
    tx: mpsc::Sender<Polled<T>>,
    stop: Arc<AtomicBool>,
    decode: Decode<T>,
    tail: Option<Tail<T>>,
    lost_data: LostData,
}

/// A tail reader's state, shared with its watch, and its loss marker.
struct Tail<T> {
    state: Arc<TailState>,
    marker: fn() -> T,
}

/// Waits for room in the channel, checking `stop` between tries.
pub(crate) fn send_blocking<T>(
    tx: &mpsc::Sender<Polled<T>>,
    mut polled: Polled<T>,
    stop: &AtomicBool,
) -> Result<(), ()> {
    loop {
        match tx.try_send(polled) {
            Ok(()) => return Ok(()),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(()),
            Err(mpsc::error::TrySendError::Full(p)) => {
                if stop.load(Ordering::Acquire) {
                    return Err(());
                }
                polled = p;
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

impl<T: Send + 'static> Poller<T> {
    fn run(self) {
        // After every broker was lost: the epoch whose records are not
        // passed on (`rejoin_after_outage`).
        let mut quarantined = None;
        // A tail reader's memory of the log it reads (`continuity.rs`).
        let mut continuity = self.tail.as_ref().map(|_| Continuity::default());
        while !self.stop.load(Ordering::Acquire) {
            let m = match self.inner.poll(POLL) {
                None => continue,
                Some(Err(e)) => {
                    tracing::warn!(topic = %self.topic, error = %e, "kafka consumer error");
                    if e.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
                        let went_on = match (&self.tail, continuity.as_mut()) {
                            (Some(tail), Some(c)) => self.reread_after_outage(tail, c),
                            _ if self.mode == Mode::Group => {
                                quarantined = Some(self.rejoin_after_outage());
                                Ok(())
                            }
                            _ => Ok(()),
                        };
                        if went_on.is_err() {
                            break;
                        }
                    }
                    continue;
                }
                Some(Ok(m)) => m,
            };
            // Rebalances run inside `poll` on this thread: a record it
            // returns belongs to the assignment in force now.
            let epoch = self.inner.context().epoch().current();
            if quarantined == Some(epoch) {
                // Fetched from the position held before the outage: on a
                // broker that came back empty, past records not read yet.
                continue;
            }
            if let (Some(tail), Some(c)) = (&self.tail, continuity.as_mut()) {
                match c.read(m.offset(), continuity::print(&m), &tail.state) {
                    Read::New => {}
                    Read::Known => continue,
                    Read::Lost => {
                        if self.lost(tail, c).is_err() {
                            break;
                        }
                        continue;
                    }
                }
                if tail.state.record(m.offset()) {
                    watch::report(&self.topic, &self.lost_data);
                    if self.send(Polled::note((tail.marker)())).is_err() {
                        break;
                    }
                }
            }
            if let Some(produced_ms) = m.timestamp().to_millis() {
                crate::measure::consumed(self.kind, produced_ms);
            }
            let traces = crate::traces::read(m.headers());
            let items = match m.payload().map(|p| (self.decode)(p, traces)) {
                Some(Ok(items)) => items,
                Some(Err(e)) => {
                    tracing::error!(topic = %self.topic, partition = m.partition(),
                        offset = m.offset(), error = %e, "undecodable record skipped");
                    Vec::new()
                }
                None => Vec::new(),
            };
            if self
                .send_items(items, m.partition(), m.offset(), epoch)
                .is_err()
            {
                break;
            }
        }
        self.close();
    }

    /// Every broker connection was lost. The broker that answers next may
    /// be one that came back empty, whose partitions fill again from
    /// offset 0: a fetch from the position held before would skip what
    /// is written below it, and read later sends of a conversation before
    /// earlier ones. So the member leaves its group and joins again: its
    /// partitions are given afresh, from the offsets the group committed
    /// (the same broker: work not yet committed comes again, and dedup
    /// answers it; an empty one: from the start). What it polls until
    /// then belongs to the old assignment and is not passed on; its
    /// offsets are not stored (`Epoch`), so it is read again. Returns that
    /// assignment's epoch.
    fn rejoin_after_outage(&self) -> u64 {
        let epoch = self.inner.context().epoch().current();
        tracing::warn!(topic = %self.topic, "every broker was lost; joining the group again");
        membership::rejoin(&self.inner, &self.topic);
        epoch
    }

    /// A tail reader lost every broker: the broker that answers next may
    /// be one that came back empty, whose new log of the topic may already
    /// be longer than what was read (`continuity.rs`). It fetches the last
    /// record it read again, to compare, before anything else; with
    /// nothing to compare, it takes the log as new.
    fn reread_after_outage(&self, tail: &Tail<T>, c: &mut Continuity) -> Result<(), ()> {
        match c.outage(&tail.state) {
            // A seek, not a new assignment: librdkafka aborts on an
            // assignment made while its previous one is still stopping
            // (librdkafka#5573), and outages come in bursts.
            Outage::Reread(offset) => match self.seek(Offset::Offset(offset)) {
                Ok(()) => Ok(()),
                Err(e) => {
                    tracing::warn!(topic = %self.topic, error = %e,
                        "fetching the last record again failed; reading from the start");
                    self.lost(tail, c)
                }
            },
            Outage::Lost => self.lost(tail, c),
            Outage::Rereading | Outage::Nothing => Ok(()),
        }
    }

    /// Records meant for this tail reader may be lost: it says so (once
    /// until a record comes) and reads the topic from its start.
    fn lost(&self, tail: &Tail<T>, c: &mut Continuity) -> Result<(), ()> {
        c.start_over();
        tail.state.start_over();
        if let Err(e) = self.seek(Offset::Beginning) {
            tracing::warn!(topic = %self.topic, error = %e, "seeking to the start failed");
            watch::start_over(&self.inner, &self.topic, &tail.state);
        }
        if tail.state.report_loss() {
            watch::report(&self.topic, &self.lost_data);
            self.send(Polled::note((tail.marker)()))?;
        }
        Ok(())
    }

    /// Where the tail reader's one partition is fetched next (at once:
    /// librdkafka applies it on its own thread).
    fn seek(&self, offset: Offset) -> Result<(), KafkaError> {
        self.inner.seek(&self.topic, 0, offset, Duration::ZERO)
    }

    fn send(&self, polled: Polled<T>) -> Result<(), ()> {
        send_blocking(&self.tx, polled, &self.stop)
    }

    /// The items of the record at `offset`, each on its own; a record
    /// with none is passed on empty, so its offset is committed in turn.
    fn send_items(&self, items: Vec<T>, partition: i32, offset: i64, epoch: u64) -> Result<(), ()> {
        let count = items.len();
        if count == 0 {
            return self.send(Polled {
                record: None,
                partition,
                next_offset: offset + 1,
                epoch,
            });
        }
        for (i, item) in items.into_iter().enumerate() {
            let last = i + 1 == count;
            self.send(Polled {
                record: Some(item),
                partition,
                next_offset: if last { offset + 1 } else { offset },
                epoch,
            })?;
        }
        Ok(())
    }

    fn close(self) {
        if self.mode == Mode::Group {
            match self.inner.commit_consumer_state(CommitMode::Sync) {
                Ok(()) => {}
                Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
                Err(e) => tracing::warn!(topic = %self.topic, error = %e, "final commit failed"),
            }
        }
        let deadline = Instant::now() + CLOSE_DEADLINE;
        if let Err(e) = self.inner.close_queue() {
            tracing::warn!(topic = %self.topic, error = %e, "closing the consumer failed");
        }
        while !self.inner.closed() {
            if Instant::now() > deadline {
                tracing::warn!(topic = %self.topic, "the broker did not confirm leaving the group in time; leaking the consumer handle");
                std::mem::forget(self.inner);
                return;
            }
            let _ = self.inner.poll(POLL);
        }
    }
}
