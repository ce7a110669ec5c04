//! The Kafka bus adapter of the cluster (design.md, "The message path").
//!
//! - `upstream` is keyed by conversation id, so one logic instance at a
//!   time owns a conversation's partition and seq needs no lock; logic
//!   instances share it as the consumer group `logic_group`.
//! - `downstream.<gateway>` has one partition (one order for everything a
//!   gateway is told) and one reader, its gateway, which starts at the end:
//!   a restarted gateway has new connections, and clients resync by seq.
//! - `task` is shared by the task role's consumer group.
//!
//! At least once: a consumer stores a record's offset only when the caller
//! says its work is done (`commit_through`); librdkafka commits stored
//! offsets every `commit_interval` and on a clean close. After a crash the
//! unfinished records come again; ids and seq make that exactly once for
//! clients. Records are protobuf (`ferrochat-proto`).

mod admin;
mod bus;
mod config;
mod consumer;
mod error;
mod measure;
mod producer;
mod watch;

pub use bus::KafkaBus;
pub use config::KafkaConfig;
