//! `KafkaBus`: the `Bus` port over Kafka topics.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::routing::GatewayId;
use ferrochat_ports::bus::{
    BusError, Consumer, Downstream, DownstreamRecord, Published, SendRecord, TaskRecord, Traces,
};
use ferrochat_ports::Bus;
use ferrochat_proto::bus as codec;
use rdkafka::consumer::Consumer as _;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

use crate::admin::Admin;
use crate::config::KafkaConfig;
use crate::consumer::{one_each, Decode, KafkaConsumer, Mode, Watch};
use crate::continuity::first_fetch;
use crate::error::map;
use crate::measure;
use crate::membership::{Joined, Membership, Reader};
use crate::producer::{Producer, To, NAGLE_OFF};
use crate::seal::UpstreamSeal;
use crate::traces;
use crate::upstream::{partition_count, Upstream};
use crate::watch::{LostData, OnLoss};
use ferrochat_proto::DecodeError;

/// A downstream record's largest size: the items for one gateway are split
/// into several records above it, in order, since brokers refuse records
/// over about 1 MB (Kafka's default `message.max.bytes`).
pub const MAX_RECORD_BYTES: usize = 512 * 1024;

/// The largest message content this bus carries: one message with its
/// metadata must fit in one record the broker takes (about 1 MB).
pub const MAX_CONTENT_BYTES: usize = 768 * 1024;

/// How often a consumer asks the broker which topics and partitions exist.
const METADATA_REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

pub struct KafkaBus {
    config: KafkaConfig,
    producer: Arc<Producer>,
    /// With `upstream_key_file`: upstream records are sealed and checked.
    seal: Option<UpstreamSeal>,
    /// Sends on their way, several to a record (`upstream.rs`).
    upstream: Upstream,
    /// The group readers made here, and whether the broker has given
    /// each its share yet.
    joined: Joined,
}

impl KafkaBus {
    /// Connects and creates `upstream` and `task` if they are missing.
    pub async fn connect(config: KafkaConfig) -> Result<Arc<Self>, BusError> {
        let seal = match &config.upstream_key_file {
            Some(path) => Some(UpstreamSeal::load(path)?),
            None => None,
        };
        let producer = Producer::new(&config, Admin::new(&config)?)?;
        producer.ensure_topics().await?;
        let partitions = {
            let (producer, topic) = (producer.clone(), config.upstream_topic.clone());
            let timeout = config.send_timeout;
            tokio::task::spawn_blocking(move || partition_count(&producer, &topic, timeout))
                .await
                .ok()
                .flatten()
        };
        // The broker made the topic (or had it) moments ago; were its
        // answer lost, the configured count is what it was made with.
        let partitions = partitions.unwrap_or(config.upstream_partitions);
        let upstream = Upstream::start(
            producer.clone(),
            config.upstream_topic.clone(),
            partitions,
            seal.clone(),
            config.linger,
            MAX_RECORD_BYTES,
        );
        Ok(Arc::new(Self {
            config,
            producer,
            seal,
            upstream,
            joined: Joined::default(),
        }))
    }

    fn downstream_topic(&self, gateway: &GatewayId) -> String {
        format!(
            "{}{}",
            self.config.downstream_topic_prefix,
            gateway.as_str()
        )
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
            .set("auto.offset.reset", "earliest")
            // A broker that came back empty has none of our topics until a
            // producer makes them again; a subscriber learns that they are
            // back only from fresh metadata (librdkafka's default: every
            // 5 minutes). One small request every few seconds is cheap.
            .set(
                "topic.metadata.refresh.interval.ms",
                METADATA_REFRESH.as_millis().to_string(),
            );
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

    /// What a consumer calls when it finds the broker lost its data: the
    /// producer is rebuilt on this runtime. (Consumers are made in async
    /// calls, so there is one; without, the records' timeout rebuilds it.)
    fn lost_data(&self) -> LostData {
        let producer = self.producer.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => Arc::new(move || producer.broker_lost_data(&runtime)),
            Err(_) => Arc::new(|| {}),
        }
    }

    fn group_consumer<T: Send + 'static>(
        &self,
        kind: &'static str,
        topic: &str,
        group: &str,
        decode: Decode<T>,
        backlog: bool,
    ) -> Result<Box<dyn Consumer<T>>, BusError> {
        let inner = create_consumer(&self.consumer_config(Some(group))?, self.joined.member())?;
        inner.subscribe(&[topic]).map_err(|e| map(topic, &e))?;
        let consumer = KafkaConsumer::start(
            topic.to_owned(),
            kind,
            Mode::Group,
            inner,
            decode,
            self.config.consumer_buffer,
            Watch {
                on_loss: None,
                backlog,
                lost_data: self.lost_data(),
            },
        )?;
        Ok(Box::new(consumer))
    }
}

/// A gateway's record: its items, in order.
fn decode_downstream(bytes: &[u8], traces: Traces) -> Result<Vec<Downstream>, DecodeError> {
    let mut items = codec::decode_downstream(bytes)?;
    traces::attach(&mut items, traces, |item, trace| {
        item.set_trace(Some(trace))
    });
    Ok(vec![Downstream::Items(items)])
}

/// An upstream record's sends, each with the trace context beside it.
fn decode_sends(payload: &[u8], traces: Traces) -> Result<Vec<SendRecord>, DecodeError> {
    let mut sends = codec::decode_sends(payload)?;
    traces::attach(&mut sends, traces, |send, trace| send.trace = Some(trace));
    Ok(sends)
}

#[async_trait]
impl Bus for KafkaBus {
    async fn publish_upstream(&self, record: SendRecord) -> Result<Published, BusError> {
        self.upstream.publish(record).await
    }

    async fn publish_downstream(
        &self,
        gateway: &GatewayId,
        items: Vec<DownstreamRecord>,
    ) -> Result<Published, BusError> {
        let topic = self.downstream_topic(gateway);
        let mut published = Vec::new();
        for (run, payload) in codec::encode_downstream_runs(&items, MAX_RECORD_BYTES) {
            let run = items.get(run).unwrap_or_default();
            let headers = traces::headers(run.iter().map(DownstreamRecord::trace));
            published.push(
                self.producer
                    .publish(
                        measure::DOWNSTREAM,
                        &topic,
                        To::Partition(0),
                        payload,
                        headers,
                    )
                    .await?,
            );
        }
        Ok(Published::all(published))
    }

    async fn publish_task(&self, record: TaskRecord) -> Result<Published, BusError> {
        let payload = codec::encode_task(&record);
        let key = record.conversation_id().as_str();
        self.producer
            .publish(
                measure::TASK,
                &self.config.task_topic,
                To::Key(key),
                payload,
                None,
            )
            .await
    }

    async fn consume_upstream(&self) -> Result<Box<dyn Consumer<SendRecord>>, BusError> {
        let decode: Decode<SendRecord> = match self.seal.clone() {
            // A record without the gateways' seal is dropped (logged by
            // the consumer, counted by the seal) and never reaches logic.
            Some(seal) => Arc::new(move |bytes, traces| {
                let payload = seal.open_counted(bytes).map_err(|why| DecodeError::Field {
                    field: "seal",
                    reason: format!(
                        "{}: not written by a holder of the upstream key",
                        why.reason()
                    ),
                })?;
                decode_sends(payload, traces)
            }),
            None => Arc::new(decode_sends),
        };
        self.group_consumer(
            measure::UPSTREAM,
            &self.config.upstream_topic,
            &self.config.logic_group,
            decode,
            false,
        )
    }

    /// Creates the gateway's topic if needed and reads it from its end.
    async fn consume_downstream(
        &self,
        gateway: &GatewayId,
    ) -> Result<Box<dyn Consumer<Downstream>>, BusError> {
        let topic = self.downstream_topic(gateway);
        self.producer
            .admin()
            .ensure(&[(&topic, 1)], self.config.replication_factor)
            .await?;
        // librdkafka wants a group id even for an assigned partition; the
        // group never commits (auto commit off, nothing stored).
        let mut tail = self.consumer_config(None)?;
        tail.set("group.id", format!("{topic}.reader"))
            .set("enable.auto.commit", "false");
        // Assigned here, not by a group: never counted as waiting for one.
        let inner = create_consumer(&tail, Membership::default())?;
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
        // From the record before the end, read only to know the log
        // (`continuity.rs`).
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(first_fetch(high)))
            .map_err(|e| map(&topic, &e))?;
        inner.assign(&tpl).map_err(|e| map(&topic, &e))?;
        let recreate = {
            let config = self.config.clone();
            let topic = topic.clone();
            Box::new(move || {
                let admin = Admin::new(&config)?;
                futures::executor::block_on(admin.ensure(&[(&topic, 1)], config.replication_factor))
            })
        };
        let consumer = KafkaConsumer::start(
            topic,
            measure::DOWNSTREAM,
            Mode::Tail,
            inner,
            Arc::new(decode_downstream),
            self.config.consumer_buffer,
            Watch {
                on_loss: Some(OnLoss {
                    marker: || Downstream::Lost,
                    recreate,
                    from: high,
                }),
                backlog: false,
                lost_data: self.lost_data(),
            },
        )?;
        Ok(Box::new(consumer))
    }

    async fn consume_task(&self) -> Result<Box<dyn Consumer<TaskRecord>>, BusError> {
        self.group_consumer(
            measure::TASK,
            &self.config.task_topic,
            &self.config.task_group,
            one_each(codec::decode_task),
            // The task role reports how far behind it is from this.
            true,
        )
    }

    fn is_healthy(&self) -> bool {
        self.producer.is_healthy()
    }

    fn readers_joined(&self) -> bool {
        self.joined.all()
    }
}

fn create_consumer(config: &ClientConfig, context: Membership) -> Result<Reader, BusError> {
    config
        .create_with_context(context)
        .map_err(|e| BusError::Unavailable(format!("kafka consumer: {e}")))
}
