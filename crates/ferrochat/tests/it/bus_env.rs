//! Which bus the spawned apps use: in-process channels (the default), or,
//! with `FERROCHAT_TEST_BUS=kafka`, the Kafka-protocol broker that
//! `FERROCHAT_TEST_KAFKA_BROKERS` names (`scripts/services up` starts one),
//! with topics and consumer groups of each app's own. `scripts/test` runs
//! the whole suite once over Kafka.

use std::path::Path;

use ferrochat::config::{BusKind, Config};

const BUS_ENV: &str = "FERROCHAT_TEST_BUS";

fn kafka_wanted() -> bool {
    match std::env::var(BUS_ENV).unwrap_or_default().as_str() {
        "" | "local" => false,
        "kafka" => true,
        other => panic!("{BUS_ENV}={other:?}: expected local or kafka"),
    }
}

fn brokers() -> String {
    ferrochat_test_support::service(ferrochat_test_support::KAFKA_BROKERS)
}

/// Points `config` at Kafka when `FERROCHAT_TEST_BUS` asks for it.
pub fn apply(config: &mut Config) {
    if kafka_wanted() {
        let id = uuid::Uuid::new_v4().simple().to_string();
        // Few partitions: every test app creates its own topics.
        use_kafka(config, &format!("it{id}"), 2);
    }
}

/// Points `config` at the test broker with topics and groups named
/// `<name>.*`, and `upstream_partitions` for upstream (task gets one).
pub fn use_kafka(config: &mut Config, name: &str, upstream_partitions: i32) {
    config.bus.kind = BusKind::Kafka;
    let k = &mut config.bus.kafka;
    k.brokers = brokers();
    k.upstream_topic = format!("{name}.upstream");
    k.task_topic = format!("{name}.task");
    k.downstream_topic_prefix = format!("{name}.downstream.");
    k.logic_group = format!("{name}.logic");
    k.task_group = format!("{name}.task");
    k.upstream_partitions = upstream_partitions;
    k.task_partitions = 1;
}

/// The same for a child process (`binary::Server`), as `FERROCHAT_*`
/// variables. The names derive from the data dir, so a restart on the
/// same dir finds its topics, consumer groups and committed offsets.
pub fn child_env(data_dir: &Path) -> Vec<(String, String)> {
    if !kafka_wanted() {
        return Vec::new();
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut h);
    let id = format!("bin{:016x}", h.finish());
    [
        ("KIND", "kafka".to_owned()),
        ("KAFKA__BROKERS", brokers()),
        ("KAFKA__UPSTREAM_TOPIC", format!("{id}.upstream")),
        ("KAFKA__TASK_TOPIC", format!("{id}.task")),
        (
            "KAFKA__DOWNSTREAM_TOPIC_PREFIX",
            format!("{id}.downstream."),
        ),
        ("KAFKA__LOGIC_GROUP", format!("{id}.logic")),
        ("KAFKA__TASK_GROUP", format!("{id}.task")),
        ("KAFKA__UPSTREAM_PARTITIONS", "2".to_owned()),
        ("KAFKA__TASK_PARTITIONS", "1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (format!("FERROCHAT_BUS__{k}"), v))
    .collect()
}
