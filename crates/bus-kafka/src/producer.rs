//! The producer every publish goes through, rebuilt after a fatal error.
//!
//! librdkafka's idempotent producer keeps each partition's records in
//! order and without duplicates across retries, and with
//! `enable.gapless.guarantee` an error that would leave a gap in a
//! partition is fatal instead: every later record on that producer fails
//! too, so a caller that retries the failed records in order never
//! reorders a partition. A fatal producer is dead for good (a broker that
//! came back empty answers `UnknownProducerId`, say), so the first caller
//! to meet one starts a rebuild: a new producer, and the topics this bus
//! owns created again if they are gone. Until it is done the bus is not
//! healthy and publishes fail with `Unavailable`; callers retry.
//!
//! A broker that came back empty while nothing was in flight gives no
//! fatal error: the producer's records only time out (it waits for an id
//! the new broker never gives it). So a record that times out is treated
//! like a fatal error, at most once a `REPAIR_EVERY`; other failures make
//! sure this bus's topics exist, as often.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ferrochat_ports::bus::{BusError, Published};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};
use rdkafka::ClientConfig;

use crate::admin::Admin;
use crate::config::KafkaConfig;
use crate::error::map;
use crate::measure;

/// librdkafka leaves Nagle's algorithm on by default: a small request
/// written while an earlier one is unacknowledged waits for that ACK,
/// up to the peer's delayed-ACK timer (40 ms on Linux).
pub(crate) const NAGLE_OFF: &str = "true";

/// How long a rebuild waits after a failed attempt.
const REBUILD_BACKOFF: Duration = Duration::from_millis(500);
/// Topics are checked at most this often after failures.
const REPAIR_EVERY: Duration = Duration::from_secs(2);

/// Where a record goes in its topic.
#[derive(Clone, Copy)]
pub(crate) enum To<'a> {
    /// The partition of this key: a conversation's records stay in order.
    Key(&'a str),
    /// This partition. A gateway reads partition 0 of its topic, and only
    /// that one; a record without a key would go to any partition the
    /// topic has, and a topic the broker made on its own (a producer's
    /// metadata request after the broker came back empty) has several.
    Partition(i32),
}

pub(crate) struct Producer {
    config: KafkaConfig,
    admin: Admin,
    /// The producer in use and its generation (how many rebuilds ago).
    current: RwLock<(u64, FutureProducer)>,
    rebuilding: AtomicBool,
    /// The last delivery failed (and none succeeded since): the broker
    /// is unreachable or refusing.
    failing: AtomicBool,
    /// When the topics were last made sure of after a failure.
    repaired: std::sync::Mutex<Option<Instant>>,
}

impl Producer {
    pub(crate) fn new(config: &KafkaConfig, admin: Admin) -> Result<Arc<Self>, BusError> {
        let producer = create(config)?;
        Ok(Arc::new(Self {
            config: config.clone(),
            admin,
            current: RwLock::new((0, producer)),
            rebuilding: AtomicBool::new(false),
            failing: AtomicBool::new(false),
            repaired: std::sync::Mutex::new(None),
        }))
    }

    pub(crate) fn admin(&self) -> &Admin {
        &self.admin
    }

    /// Creates the topics every role of this bus writes to, if missing.
    pub(crate) async fn ensure_topics(&self) -> Result<(), BusError> {
        self.admin
            .ensure(
                &[
                    (&self.config.upstream_topic, self.config.upstream_partitions),
                    (&self.config.task_topic, self.config.task_partitions),
                ],
                self.config.replication_factor,
            )
            .await
    }

    pub(crate) fn is_healthy(&self) -> bool {
        !self.rebuilding.load(Ordering::Acquire) && !self.failing.load(Ordering::Acquire)
    }

    /// Hands the record to librdkafka (waiting for room in its bounded
    /// queue, at most `send_timeout`) and returns what resolves on the
    /// broker's acknowledgement. `to` names the partition: by key, or one
    /// given outright; `headers` go with the record (its items' trace
    /// contexts, `traces.rs`).
    pub(crate) async fn publish(
        self: &Arc<Self>,
        kind: &'static str,
        topic: &str,
        to: To<'_>,
        payload: Vec<u8>,
        headers: Option<OwnedHeaders>,
    ) -> Result<Published, BusError> {
        if self.rebuilding.load(Ordering::Acquire) {
            return Err(BusError::Unavailable(
                "the producer is being rebuilt".to_owned(),
            ));
        }
        let deadline = tokio::time::Instant::now() + self.config.send_timeout;
        let started = Instant::now();
        loop {
            let (generation, producer) = self.current();
            let record = FutureRecord::<str, [u8]>::to(topic).payload(&payload);
            let record = match to {
                To::Key(key) => record.key(key),
                To::Partition(partition) => record.partition(partition),
            };
            let record = match &headers {
                Some(h) => record.headers(h.clone()),
                None => record,
            };
            match producer.send_result(record) {
                Ok(delivery) => {
                    let this = self.clone();
                    let topic = topic.to_owned();
                    return Ok(Published::new(async move {
                        let delivered = delivery.await;
                        measure::published(kind, started.elapsed());
                        match delivered {
                            Ok(Ok(_)) => {
                                this.failing.store(false, Ordering::Release);
                                Ok(())
                            }
                            Ok(Err((e, _))) => Err(this.failed(generation, &topic, &e)),
                            Err(_) => Err(BusError::Unavailable(format!(
                                "{topic}: the producer closed before the broker answered"
                            ))),
                        }
                    }));
                }
                Err((e, _))
                    if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull)
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err((e, _)) => return Err(self.failed(generation, topic, &e)),
            }
        }
    }

    /// The producer in use now (for metadata requests).
    pub(crate) fn handle(&self) -> FutureProducer {
        self.current().1
    }

    fn current(&self) -> (u64, FutureProducer) {
        match self.current.read() {
            Ok(c) => (c.0, c.1.clone()),
            Err(poisoned) => {
                let c = poisoned.into_inner();
                (c.0, c.1.clone())
            }
        }
    }

    /// Notes a failed record; a fatal error of the producer of
    /// `generation` starts its rebuild.
    fn failed(self: &Arc<Self>, generation: u64, topic: &str, e: &KafkaError) -> BusError {
        self.failing.store(true, Ordering::Release);
        let (current, producer) = self.current();
        let code = e.rdkafka_error_code();
        let fatal =
            code == Some(RDKafkaErrorCode::Fatal) || producer.client().fatal_error().is_some();
        let stuck = code == Some(RDKafkaErrorCode::MessageTimedOut);
        let rebuild = current == generation && (fatal || (stuck && self.repair_due()));
        if rebuild && self.begin_rebuild(generation, &tokio::runtime::Handle::current()) {
            match producer.client().fatal_error() {
                Some((code, why)) => {
                    tracing::error!(%code, error = %why, "the Kafka producer failed for good; rebuilding it")
                }
                None => {
                    tracing::error!(error = %e, "the Kafka producer's records time out; rebuilding it")
                }
            }
        } else if !rebuild && !fatal && self.repair_due() {
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(e) = this.ensure_topics().await {
                    tracing::debug!(error = %e, "topics could not be made sure of");
                }
            });
        }
        map(topic, e)
    }

    /// A consumer found that the broker lost its data: this producer is
    /// rebuilt now rather than after its records time out. Called from a
    /// consumer's threads, hence the runtime handle.
    pub(crate) fn broker_lost_data(self: &Arc<Self>, runtime: &tokio::runtime::Handle) {
        let (generation, _) = self.current();
        if self.begin_rebuild(generation, runtime) {
            tracing::error!("the broker lost its data; rebuilding the Kafka producer");
        }
    }

    /// Starts the rebuild of the producer of `generation` unless one is
    /// under way; true if this call started it (its caller says why).
    fn begin_rebuild(self: &Arc<Self>, generation: u64, runtime: &tokio::runtime::Handle) -> bool {
        if self.rebuilding.swap(true, Ordering::AcqRel) {
            return false;
        }
        let this = self.clone();
        runtime.spawn(async move { this.rebuild(generation).await });
        true
    }

    /// Whether the topics should be made sure of now (and notes that
    /// they are).
    fn repair_due(&self) -> bool {
        let Ok(mut last) = self.repaired.lock() else {
            return false;
        };
        if last.is_some_and(|t| t.elapsed() < REPAIR_EVERY) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// Replaces the producer of `generation` (once), retrying until a new
    /// one is built and the topics are there.
    async fn rebuild(self: Arc<Self>, generation: u64) {
        loop {
            let built = match create(&self.config) {
                Ok(p) => self.ensure_topics().await.map(|()| p),
                Err(e) => Err(e),
            };
            match built {
                Ok(producer) => {
                    if let Ok(mut slot) = self.current.write() {
                        if slot.0 == generation {
                            *slot = (generation + 1, producer);
                        }
                    }
                    self.failing.store(false, Ordering::Release);
                    self.rebuilding.store(false, Ordering::Release);
                    metrics::counter!("ferrochat_bus_producer_rebuilds_total").increment(1);
                    tracing::warn!("the Kafka producer was rebuilt");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "rebuilding the Kafka producer failed; retrying");
                    tokio::time::sleep(REBUILD_BACKOFF).await;
                }
            }
        }
    }
}

fn create(config: &KafkaConfig) -> Result<FutureProducer, BusError> {
    let mut client = ClientConfig::new();
    crate::security::apply(&config.security, &mut client)?;
    client
        .set("bootstrap.servers", &config.brokers)
        // acks=all, and retries that neither duplicate nor reorder a
        // partition's records: a conversation's sends and a gateway's
        // deliveries stay in order. Gapless: an error that would skip a
        // record is fatal instead (see the module docs).
        .set("enable.idempotence", "true")
        .set("enable.gapless.guarantee", "true")
        .set("linger.ms", config.linger.as_millis().to_string())
        .set("socket.nagle.disable", NAGLE_OFF)
        .set(
            "message.timeout.ms",
            config.send_timeout.as_millis().to_string(),
        )
        .set(
            "queue.buffering.max.messages",
            config.producer_queue.to_string(),
        )
        .create()
        .map_err(|e| BusError::Unavailable(format!("kafka producer: {e}")))
}
