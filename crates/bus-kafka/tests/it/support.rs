use std::sync::Arc;

use ferrochat_bus_kafka::{KafkaBus, KafkaConfig};

pub fn brokers() -> String {
    std::env::var("FERROCHAT_TEST_KAFKA_BROKERS").unwrap_or_else(|_| {
        panic!(
            "FERROCHAT_TEST_KAFKA_BROKERS is not set: start the test servers with \
             `scripts/services up` and load their addresses with \
             `eval \"$(scripts/services env)\"` (scripts/test does both)"
        )
    })
}

/// A config whose topics and groups no other test uses.
pub fn isolated_config() -> KafkaConfig {
    let id = uuid::Uuid::new_v4().simple().to_string();
    KafkaConfig {
        brokers: brokers(),
        upstream_topic: format!("t{id}.upstream"),
        task_topic: format!("t{id}.task"),
        downstream_topic_prefix: format!("t{id}.downstream."),
        upstream_partitions: 4,
        task_partitions: 2,
        logic_group: format!("t{id}.logic"),
        task_group: format!("t{id}.task"),
        commit_interval: std::time::Duration::from_millis(200),
        ..KafkaConfig::default()
    }
}

pub async fn bus(config: &KafkaConfig) -> Arc<KafkaBus> {
    KafkaBus::connect(config.clone())
        .await
        .expect("connect to the test broker")
}
