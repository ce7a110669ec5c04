//! KafkaBus against a real Kafka-protocol broker on 127.0.0.1
//! (`scripts/services up` starts one; FERROCHAT_TEST_KAFKA_BROKERS says
//! where). Every test uses topics and groups of its own.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod backlog;
mod batching;
mod conformance;
mod delivery;
mod joined;
mod metrics;
mod recovery;
mod secure;
mod support;
mod tls;
