use std::sync::Arc;
use std::time::Duration;

use ferrochat_bus_kafka::{KafkaBus, KafkaConfig};
use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Bus as _, DownstreamRecord, ReplyTo};
use ferrochat_ports::ApiError;
use ferrochat_test_support::conformance::bus::send_record;

pub fn brokers() -> String {
    ferrochat_test_support::service(ferrochat_test_support::KAFKA_BROKERS)
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

/// A record published upstream on `bus` comes back to its consumer.
pub async fn round_trip(bus: &KafkaBus, id: &str) {
    let mut upstream = bus.consume_upstream().await.unwrap();
    let conversation = ConversationId::generate();
    bus.publish_upstream(send_record(&conversation, id))
        .await
        .unwrap()
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(60), upstream.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.client_msg_id.as_str(), id);
}

/// The nisshi binary scripts/services built (`FERROCHAT_TEST_NISSHI`), for
/// a test that runs a broker of its own.
pub fn nisshi() -> String {
    ferrochat_test_support::service(ferrochat_test_support::NISSHI)
}

pub use ferrochat_test_support::free_port;

/// Waits until something listens on `port` (a broker just started).
pub async fn wait_listening(port: u16) {
    tokio::time::timeout(Duration::from_secs(60), async {
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the broker listens");
}

/// An answer for `gateway` carrying `token`.
pub fn reply(gateway: &GatewayId, token: u64) -> DownstreamRecord {
    DownstreamRecord::Reply {
        reply_to: ReplyTo {
            gateway: gateway.clone(),
            token,
            conn: None,
        },
        result: Err(ApiError::internal()),
        trace: None,
    }
}
