//! Which bus the spawned apps use: in-process channels (the default), or,
//! with `FERROCHAT_TEST_BUS=kafka`, the Kafka-protocol broker that
//! `FERROCHAT_TEST_KAFKA_BROKERS` names (`scripts/services up` starts one),
//! with topics and consumer groups of each app's own. `scripts/test` runs
//! the whole suite once over Kafka.

use ferrochat::config::{BusKind, Config};

const BUS_ENV: &str = "FERROCHAT_TEST_BUS";

/// Points `config` at Kafka when `FERROCHAT_TEST_BUS` asks for it.
pub fn apply(config: &mut Config) {
    match std::env::var(BUS_ENV).unwrap_or_default().as_str() {
        "" | "local" => {}
        "kafka" => {
            let brokers = std::env::var("FERROCHAT_TEST_KAFKA_BROKERS").unwrap_or_else(|_| {
                panic!(
                    "{BUS_ENV}=kafka but FERROCHAT_TEST_KAFKA_BROKERS is not set: start the \
                     test servers with `scripts/services up` and load their addresses with \
                     `eval \"$(scripts/services env)\"` (scripts/test does both)"
                )
            });
            let id = uuid::Uuid::new_v4().simple().to_string();
            let k = &mut config.bus.kafka;
            config.bus.kind = BusKind::Kafka;
            k.brokers = brokers;
            k.upstream_topic = format!("it{id}.upstream");
            k.task_topic = format!("it{id}.task");
            k.downstream_topic_prefix = format!("it{id}.downstream.");
            k.logic_group = format!("it{id}.logic");
            k.task_group = format!("it{id}.task");
            // Few partitions: every test app creates its own topics.
            k.upstream_partitions = 2;
            k.task_partitions = 1;
        }
        other => panic!("{BUS_ENV}={other:?}: expected local or kafka"),
    }
}
