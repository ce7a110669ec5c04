//! The Kafka bus adapter of the cluster (docs/ARCHITECTURE.md, the message path).
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
//!
//! Every client is built with `[bus.kafka.security]` applied
//! (`security.rs`: TLS, SASL); with `upstream_key_file`, upstream records
//! carry a seal only key holders can make (`seal.rs`).

mod admin;
mod backlog;
mod bus;
mod config;
mod consumer;
mod continuity;
mod error;
mod measure;
mod membership;
mod producer;
mod seal;
mod security;
mod traces;
mod upstream;
mod watch;

pub use bus::{KafkaBus, MAX_CONTENT_BYTES, MAX_RECORD_BYTES};
pub use config::KafkaConfig;
pub use seal::{Unsealed, UpstreamSeal, MIN_KEY_BYTES};
pub use security::{apply as apply_security, KafkaSecurity, Mechanism, Protocol};
pub use upstream::partition_of;
