//! `KafkaBus`: the `Bus` port over Kafka topics.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use ferrochat_domain::routing::GatewayId;
use ferrochat_ports::bus::{BusError, Consumer, DownstreamRecord, SendRecord, TaskRecord};
use ferrochat_ports::Bus;
use ferrochat_proto::bus as codec;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

use crate::admin::Admin;
use crate::config::KafkaConfig;
use crate::consumer::{Decode, KafkaConsumer, Mode};
use crate::error::map;
use crate::measure;
use crate::seal::UpstreamSeal;
use ferrochat_proto::DecodeError;

/// librdkafka leaves Nagle's algorithm on by default: a small request
/// written while an earlier one is unacknowledged waits for that ACK,
/// up to the peer's delayed-ACK timer (40 ms on Linux). Every request
/// here is small and waited on.
const NAGLE_OFF: &str = "true";

pub struct KafkaBus {
    config: KafkaConfig,
    producer: FutureProducer,
    admin: Admin,
    /// With `upstream_key_file`: upstream records are sealed and checked.
    seal: Option<UpstreamSeal>,
}

impl KafkaBus {
    /// Connects and creates `upstream` and `task` if they are missing.
    pub async fn connect(config: KafkaConfig) -> Result<Arc<Self>, BusError> {
        let seal = match &config.upstream_key_file {
            Some(path) => Some(UpstreamSeal::load(path)?),
            None => None,
        };
        let mut producer_config = ClientConfig::new();
        crate::security::apply(&config.security, &mut producer_config)?;
        let producer: FutureProducer = producer_config
            .set("bootstrap.servers", &config.brokers)
            // acks=all, and retries that neither duplicate nor reorder a
            // partition's records: a conversation's sends and a gateway's
            // deliveries stay in order.
            .set("enable.idempotence", "true")
            .set("linger.ms", "1")
            .set("socket.nagle.disable", NAGLE_OFF)
            .set(
                "message.timeout.ms",
                config.send_timeout.as_millis().to_string(),
            )
            .create()
            .map_err(|e| BusError::Unavailable(format!("kafka producer: {e}")))?;
        let admin = Admin::new(&config)?;
        admin
            .ensure(
                &[
                    (&config.upstream_topic, config.upstream_partitions),
                    (&config.task_topic, config.task_partitions),
                ],
                config.replication_factor,
            )
            .await?;
        Ok(Arc::new(Self {
            config,
            producer,
            admin,
            seal,
        }))
    }

    fn downstream_topic(&self, gateway: &GatewayId) -> String {
        format!(
            "{}{}",
            self.config.downstream_topic_prefix,
            gateway.as_str()
        )
    }

    /// Waits until the broker has the record (or `send_timeout` passes).
    async fn publish(
        &self,
        kind: &'static str,
        topic: &str,
        key: Option<&str>,
        payload: Vec<u8>,
    ) -> Result<(), BusError> {
        let mut record = FutureRecord::<str, [u8]>::to(topic).payload(&payload);
        if let Some(key) = key {
            record = record.key(key);
        }
        let started = Instant::now();
        let sent = self
            .producer
            .send(record, Timeout::After(self.config.send_timeout))
            .await;
        measure::published(kind, started.elapsed());
        sent.map(|_| ()).map_err(|(e, _)| map(topic, &e))
    }

    /// Hands the record to librdkafka and returns: for downstream records,
    /// which the fan-out stage sends one after another. Waiting for each
    /// broker acknowledgement there would make fan-out one round trip per
    /// record; the idempotent producer keeps the partition's order anyway,
    /// and a lost delivery costs only a resync by seq. librdkafka's queue
    /// is bounded: when it is full this waits for room.
    async fn enqueue(&self, topic: &str, payload: Vec<u8>) -> Result<(), BusError> {
        let deadline = tokio::time::Instant::now() + self.config.send_timeout;
        let started = Instant::now();
        loop {
            let record = FutureRecord::<str, [u8]>::to(topic).payload(&payload);
            match self.producer.send_result(record) {
                Ok(delivery) => {
                    let topic = topic.to_owned();
                    tokio::spawn(async move {
                        let delivered = delivery.await;
                        measure::published(measure::DOWNSTREAM, started.elapsed());
                        match delivered {
                            Ok(Ok(_)) => {}
                            Ok(Err((e, _))) => {
                                tracing::warn!(%topic, error = %e, "downstream record not delivered")
                            }
                            Err(_) => tracing::warn!(%topic, "producer closed before delivery"),
                        }
                    });
                    return Ok(());
                }
                Err((e, _))
                    if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull)
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                Err((e, _)) => return Err(map(topic, &e)),
            }
        }
    }

    fn consumer_config(&self, group: Option<&str>) -> Result<ClientConfig, BusError> {
        let mut c = ClientConfig::new();
        crate::security::apply(&self.config.security, &mut c)?;
        c.set("bootstrap.servers", &self.config.brokers)
            .set("socket.nagle.disable", NAGLE_OFF)
            .set(
                "fetch.wait.max.ms",
                self.config.fetch_wait.as_millis().to_string(),
            )
            .set("enable.partition.eof", "false")
            .set("auto.offset.reset", "earliest");
        if let Some(group) = group {
            c.set("group.id", group)
                .set(
                    "session.timeout.ms",
                    self.config.session_timeout.as_millis().to_string(),
                )
                .set("enable.auto.commit", "true")
                .set(
                    "auto.commit.interval.ms",
                    self.config.commit_interval.as_millis().to_string(),
                )
                // Offsets are stored by `commit_through`, when the work
                // is done, never as records are read.
                .set("enable.auto.offset.store", "false");
        }
        Ok(c)
    }

    fn group_consumer<T: Send + 'static>(
        &self,
        kind: &'static str,
        topic: &str,
        group: &str,
        decode: Decode<T>,
    ) -> Result<Box<dyn Consumer<T>>, BusError> {
        let inner = create_consumer(&self.consumer_config(Some(group))?)?;
        inner.subscribe(&[topic]).map_err(|e| map(topic, &e))?;
        let consumer = KafkaConsumer::start(
            topic.to_owned(),
            kind,
            Mode::Group,
            inner,
            decode,
            self.config.consumer_buffer,
        )?;
        Ok(Box::new(consumer))
    }
}

#[async_trait]
impl Bus for KafkaBus {
    async fn publish_upstream(&self, record: SendRecord) -> Result<(), BusError> {
        let mut payload = codec::encode_send(&record);
        if let Some(seal) = &self.seal {
            payload = seal.seal(&payload);
        }
        self.publish(
            measure::UPSTREAM,
            &self.config.upstream_topic,
            Some(record.conversation_id.as_str()),
            payload,
        )
        .await
    }

    async fn publish_downstream(
        &self,
        gateway: &GatewayId,
        record: DownstreamRecord,
    ) -> Result<(), BusError> {
        let topic = self.downstream_topic(gateway);
        self.enqueue(&topic, codec::encode_downstream(&record))
            .await
    }

    async fn publish_task(&self, record: TaskRecord) -> Result<(), BusError> {
        let payload = codec::encode_task(&record);
        let key = record.conversation_id().as_str();
        self.publish(measure::TASK, &self.config.task_topic, Some(key), payload)
            .await
    }

    async fn consume_upstream(&self) -> Result<Box<dyn Consumer<SendRecord>>, BusError> {
        let decode: Decode<SendRecord> = match self.seal.clone() {
            // A record without the gateways' seal is dropped (logged by
            // the consumer, counted by the seal) and never reaches logic.
            Some(seal) => Arc::new(move |bytes| {
                let payload = seal.open_counted(bytes).map_err(|why| DecodeError::Field {
                    field: "seal",
                    reason: format!(
                        "{}: not written by a holder of the upstream key",
                        why.reason()
                    ),
                })?;
                codec::decode_send(payload)
            }),
            None => Arc::new(codec::decode_send),
        };
        self.group_consumer(
            measure::UPSTREAM,
            &self.config.upstream_topic,
            &self.config.logic_group,
            decode,
        )
    }

    /// Creates the gateway's topic if needed and reads it from its end.
    async fn consume_downstream(
        &self,
        gateway: &GatewayId,
    ) -> Result<Box<dyn Consumer<DownstreamRecord>>, BusError> {
        let topic = self.downstream_topic(gateway);
        self.admin
            .ensure(&[(&topic, 1)], self.config.replication_factor)
            .await?;
        // librdkafka wants a group id even for an assigned partition; the
        // group never commits (auto commit off, nothing stored).
        let mut tail = self.consumer_config(None)?;
        tail.set("group.id", format!("{topic}.reader"))
            .set("enable.auto.commit", "false");
        let inner = create_consumer(&tail)?;
        // The end as of now, not as of the first fetch: a record published
        // after this call returns is never skipped. (librdkafka blocks.)
        let (inner, watermarks) = {
            let topic = topic.clone();
            let timeout = self.config.send_timeout;
            tokio::task::spawn_blocking(move || {
                let w = inner.fetch_watermarks(&topic, 0, timeout);
                (inner, w)
            })
            .await
            .map_err(|e| BusError::Unavailable(e.to_string()))?
        };
        let (_, high) = watermarks.map_err(|e| map(&topic, &e))?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(high))
            .map_err(|e| map(&topic, &e))?;
        inner.assign(&tpl).map_err(|e| map(&topic, &e))?;
        let consumer = KafkaConsumer::start(
            topic,
            measure::DOWNSTREAM,
            Mode::Tail,
            inner,
            Arc::new(codec::decode_downstream),
            self.config.consumer_buffer,
        )?;
        Ok(Box::new(consumer))
    }

    async fn consume_task(&self) -> Result<Box<dyn Consumer<TaskRecord>>, BusError> {
        self.group_consumer(
            measure::TASK,
            &self.config.task_topic,
            &self.config.task_group,
            Arc::new(codec::decode_task),
        )
    }
}

fn create_consumer(config: &ClientConfig) -> Result<BaseConsumer, BusError> {
    config
        .create()
        .map_err(|e| BusError::Unavailable(format!("kafka consumer: {e}")))
}
