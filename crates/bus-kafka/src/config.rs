//! `[bus.kafka]`: where the brokers are and how topics are laid out.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::security::KafkaSecurity;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// `host:port[,host:port...]`.
    pub brokers: String,
    pub upstream_topic: String,
    pub task_topic: String,
    /// A gateway reads `<prefix><gateway id>`.
    pub downstream_topic_prefix: String,
    /// Partitions of `upstream`: the most logic instances that can share it.
    pub upstream_partitions: i32,
    pub task_partitions: i32,
    pub replication_factor: i32,
    pub logic_group: String,
    pub task_group: String,
    /// How often stored offsets are committed to the broker; a crash
    /// replays at most this much finished work.
    #[serde(with = "humantime_serde")]
    pub commit_interval: Duration,
    /// How long a publish may wait for the broker before it fails.
    #[serde(with = "humantime_serde")]
    pub send_timeout: Duration,
    /// Records read ahead of the consumer, per consumer.
    pub consumer_buffer: usize,
    /// How long the producer waits for more records to send in one
    /// request (librdkafka's `linger.ms`), and how long a gateway's
    /// upstream record waits for more sends after its first
    /// (`upstream.rs`): a longer wait makes fewer, larger records and
    /// requests, which every hop handles for less CPU per send.
    #[serde(with = "humantime_serde")]
    pub linger: Duration,
    /// Records the producer holds unanswered at most
    /// (`queue.buffering.max.messages`); a publish past it waits.
    pub producer_queue: usize,
    /// The longest a broker may hold a fetch that finds nothing new
    /// (librdkafka's `fetch.wait.max.ms`). Kafka answers a held fetch as
    /// soon as a record arrives, so there this only sets how often an idle
    /// consumer asks. nisshi does not: it reads its storage again after
    /// waiting half of what is left, so a record waits on average about
    /// a sixth of this, and up to half, at each hop (a send crosses two:
    /// upstream, then downstream), and a shorter wait costs it storage
    /// reads (every round reads every partition of the fetch). See
    /// docs/benchmarks.md, "The cluster roles".
    #[serde(with = "humantime_serde")]
    pub fetch_wait: Duration,
    /// A consumer-group member that stops heartbeating (a crashed logic
    /// or task instance) keeps its partitions this long before the group
    /// hands them to the others: the longest a crash stalls its
    /// conversations. Bounded below by the broker's
    /// group.min.session.timeout.ms (6 s by default).
    #[serde(with = "humantime_serde")]
    pub session_timeout: Duration,
    /// How clients authenticate to the brokers and protect the traffic
    /// (`[bus.kafka.security]`: TLS, SASL).
    pub security: KafkaSecurity,
    /// A file holding the key (32 bytes or more) that gateways seal
    /// `upstream` records with and logic checks them by (`seal.rs`).
    /// Unset: records are neither sealed nor checked.
    pub upstream_key_file: Option<PathBuf>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        Self {
            brokers: "127.0.0.1:9092".into(),
            upstream_topic: "upstream".into(),
            task_topic: "task".into(),
            downstream_topic_prefix: "downstream.".into(),
            upstream_partitions: 16,
            task_partitions: 4,
            replication_factor: 1,
            logic_group: "ferrochat-logic".into(),
            task_group: "ferrochat-task".into(),
            commit_interval: Duration::from_secs(1),
            send_timeout: Duration::from_secs(10),
            consumer_buffer: 1024,
            linger: Duration::from_millis(2),
            producer_queue: 100_000,
            // librdkafka's default.
            fetch_wait: Duration::from_millis(500),
            session_timeout: Duration::from_secs(10),
            security: KafkaSecurity::default(),
            upstream_key_file: None,
        }
    }
}
