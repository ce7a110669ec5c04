//! Sends on their way to `upstream`, several to a record.
//!
//! Every record costs each hop something whatever its size: the gateway's
//! producer (a queued message, a delivery report, a wakeup), the broker
//! (its per-record bookkeeping) and logic's consumer (a poll, a decode, a
//! channel hop). One record per send made those the largest part of a
//! send's cost in the cluster, while logic's downstream records already
//! carried dozens of items. So sends are queued here, and one task takes
//! what arrives within `bus.kafka.linger` of the first (or `MOST_SENDS`),
//! groups it by the partition each send's conversation hashes to, and
//! writes one record per partition (`UpstreamBatch`). A lone send waits
//! that long once more than before (the producer lingers too, to batch
//! records into requests); under load a record holds what a partition
//! got in that time. Taking only what had gathered, without a wait, was
//! tried: the task keeps up with the senders, so records held one send.
//!
//! Order: a conversation always hashes to one partition, the queue is
//! FIFO and the task writes batches in the order it took them, so a
//! conversation's sends reach its partition in the order they were
//! published; a batch that fails fails every send in it, and with the
//! producer's gapless guarantee every later record of the partition too.
//!
//! Partitions are chosen here as librdkafka's default partitioner
//! (`consistent_random`) chooses them for a keyed record, CRC-32 of the
//! key modulo the partition count, so a gateway that writes one keyed
//! record per send (before batches) and one that batches put a
//! conversation on the same partition during a rolling upgrade
//! (`partition::matches_librdkafka`, tests/it/delivery.rs).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_ports::bus::{BusError, Published, SendRecord};
use ferrochat_proto::bus as codec;
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::Producer as _;
use tokio::sync::{mpsc, oneshot};

use crate::measure;
use crate::producer::{Producer, To};
use crate::seal::UpstreamSeal;
use crate::traces;

/// Sends waiting for the batching task at most; a publish past it waits.
const QUEUE: usize = 8192;
/// Most sends in one record.
const MOST_SENDS: usize = 512;

/// The partition of `key` among `partitions`, as librdkafka's default
/// partitioner picks it for a keyed record.
pub fn partition_of(key: &str, partitions: i32) -> i32 {
    const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
    let count = u32::try_from(partitions.max(1)).unwrap_or(1);
    // The remainder is below `partitions`, an i32.
    i32::try_from(CRC.checksum(key.as_bytes()) % count).unwrap_or(0)
}

/// Who waits for a send's record to be durable.
type Waiter = oneshot::Sender<Result<(), BusError>>;

struct Pending {
    record: SendRecord,
    done: Waiter,
}

/// The gateway's side of `upstream`.
pub(crate) struct Upstream {
    queue: mpsc::Sender<Pending>,
}

impl Upstream {
    /// Starts the batching task on this runtime. `partitions` is the
    /// topic's partition count as the broker has it.
    pub(crate) fn start(
        producer: Arc<Producer>,
        topic: String,
        partitions: i32,
        seal: Option<UpstreamSeal>,
        linger: Duration,
        max_record_bytes: usize,
    ) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let batcher = Batcher {
            partitions: Arc::new(Partitions {
                count: AtomicI32::new(partitions.max(1)),
                asking: AtomicBool::new(false),
                producer: producer.clone(),
                topic: topic.clone(),
            }),
            producer,
            topic,
            seal,
            linger,
            max_record_bytes,
        };
        tokio::spawn(batcher.run(rx));
        Self { queue }
    }

    /// Queues `record` (waiting only for room); what it returns resolves
    /// once the record holding it is durable.
    pub(crate) async fn publish(&self, record: SendRecord) -> Result<Published, BusError> {
        let (done, outcome) = oneshot::channel();
        self.queue
            .send(Pending { record, done })
            .await
            .map_err(|_| BusError::Closed)?;
        Ok(Published::new(async move {
            outcome.await.unwrap_or(Err(BusError::Closed))
        }))
    }
}

struct Batcher {
    producer: Arc<Producer>,
    topic: String,
    partitions: Arc<Partitions>,
    seal: Option<UpstreamSeal>,
    /// How long after its first send a record takes more.
    linger: Duration,
    max_record_bytes: usize,
}

/// The topic's partition count, asked of the broker again after a record
/// fails: a topic made again after a broker lost its data may have
/// another count, and a record for a partition it lacks fails.
struct Partitions {
    count: AtomicI32,
    /// A question is under way (one at a time; it takes a round trip).
    asking: AtomicBool,
    producer: Arc<Producer>,
    topic: String,
}

impl Partitions {
    fn get(&self) -> i32 {
        self.count.load(Ordering::Acquire)
    }

    /// Asks the broker in the background, unless a question is under way;
    /// a failing broker is asked at most every `ASK_EVERY`.
    fn ask_again(self: &Arc<Self>) {
        if self.asking.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(count) = partition_count(&this.producer, &this.topic, ASK_TIMEOUT) {
                this.count.store(count, Ordering::Release);
            }
            std::thread::sleep(ASK_EVERY);
            this.asking.store(false, Ordering::Release);
        });
    }
}

const ASK_TIMEOUT: Duration = Duration::from_secs(5);
const ASK_EVERY: Duration = Duration::from_secs(2);

impl Batcher {
    async fn run(self, mut rx: mpsc::Receiver<Pending>) {
        while let Some(first) = rx.recv().await {
            let mut taken = vec![first];
            let until = tokio::time::Instant::now() + self.linger;
            while taken.len() < MOST_SENDS {
                match tokio::time::timeout_at(until, rx.recv()).await {
                    Ok(Some(p)) => taken.push(p),
                    // The linger is over, or the bus is closing.
                    Err(_) | Ok(None) => break,
                }
            }
            self.write(taken).await;
        }
    }

    /// Writes `taken` as one record per partition (or more, to stay under
    /// the record size limit), each partition's sends in the order taken.
    async fn write(&self, taken: Vec<Pending>) {
        let partitions = self.partitions.get();
        let mut by_partition: BTreeMap<i32, Vec<Pending>> = BTreeMap::new();
        for p in taken {
            let partition = partition_of(p.record.conversation_id.as_str(), partitions);
            by_partition.entry(partition).or_default().push(p);
        }
        for (partition, sends) in by_partition {
            let (records, mut waiters): (Vec<SendRecord>, Vec<_>) =
                sends.into_iter().map(|p| (p.record, p.done)).unzip();
            let mut from = 0;
            for (count, payload) in codec::encode_sends_within(&records, self.max_record_bytes) {
                let rest = waiters.split_off(count.min(waiters.len()));
                let held = std::mem::replace(&mut waiters, rest);
                let sends = records.get(from..from + count).unwrap_or_default();
                from += count;
                let headers = traces::headers(sends.iter().map(|s| s.trace.as_ref()));
                self.write_record(partition, payload, headers, held).await;
            }
        }
    }

    /// Publishes one record holding the sends `waiters` wait for.
    async fn write_record(
        &self,
        partition: i32,
        mut payload: Vec<u8>,
        headers: Option<OwnedHeaders>,
        waiters: Vec<Waiter>,
    ) {
        measure::upstream_record(waiters.len());
        if let Some(seal) = &self.seal {
            payload = seal.seal(&payload);
        }
        let published = self
            .producer
            .publish(
                measure::UPSTREAM,
                &self.topic,
                To::Partition(partition),
                payload,
                headers,
            )
            .await;
        match published {
            Ok(published) => {
                let partitions = self.partitions.clone();
                tokio::spawn(async move {
                    let outcome = published.await;
                    if outcome.is_err() {
                        partitions.ask_again();
                    }
                    tell(waiters, &outcome);
                });
            }
            Err(e) => {
                self.partitions.ask_again();
                tell(waiters, &Err(e));
            }
        }
    }
}

fn tell(waiters: Vec<Waiter>, outcome: &Result<(), BusError>) {
    for w in waiters {
        // A publisher that stopped waiting is no one to tell.
        let _ = w.send(outcome.clone());
    }
}

/// The topic's partition count as the broker has it, if it answers. Blocks.
pub(crate) fn partition_count(producer: &Producer, topic: &str, timeout: Duration) -> Option<i32> {
    let handle = producer.handle();
    let metadata = handle.client().fetch_metadata(Some(topic), timeout).ok()?;
    let count = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map(|t| t.partitions().len())?;
    i32::try_from(count).ok().filter(|&n| n > 0)
}
