//! The bus's metrics, read from a Prometheus recorder as a scrape would:
//! publishes timed to the broker's ack, records timed from their
//! producer timestamp to the poll, each under its kind of topic; with a
//! `fetch_wait` of its own, so the setting reaches the consumer.

use std::sync::OnceLock;
use std::time::Duration;

use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::ConversationId;
use ferrochat_ports::Bus;
use ferrochat_test_support::conformance::bus::send_record;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::support::{bus, isolated_config, reply};

const WAIT: Duration = Duration::from_secs(60);

/// The process-wide recorder (the `metrics` facade is global).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .install_recorder()
            .expect("the only recorder")
    })
}

/// The count of the histogram `name` for this kind of topic (0 before
/// the first record). Other tests of this binary add to it too.
fn count(name: &str, topic: &str) -> f64 {
    let series = format!("{name}_count{{topic=\"{topic}\"}} ");
    recorder()
        .render()
        .lines()
        .find_map(|line| line.strip_prefix(&series)?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishes_and_consume_delays_are_timed_per_kind_of_topic() {
    recorder();
    let config = ferrochat_bus_kafka::KafkaConfig {
        fetch_wait: Duration::from_millis(50),
        ..isolated_config()
    };
    let bus = bus(&config).await;
    let gateway = GatewayId::new("g1");
    let mut upstream = bus.consume_upstream().await.expect("consumer");
    let mut downstream = bus.consume_downstream(&gateway).await.expect("consumer");
    let published = |topic| count("ferrochat_bus_publish_seconds", topic);
    let delayed = |topic| count("ferrochat_bus_consume_delay_seconds", topic);
    let before = (published("upstream"), delayed("upstream"));
    let before_down = delayed("downstream");

    let conversation = ConversationId::generate();
    for i in 0..5 {
        bus.publish_upstream(send_record(&conversation, &format!("m{i}")))
            .await
            .expect("publish")
            .await
            .expect("durable");
    }
    for _ in 0..5 {
        tokio::time::timeout(WAIT, upstream.next())
            .await
            .expect("a record within the wait")
            .expect("open");
    }
    bus.publish_downstream(&gateway, vec![reply(&gateway, 1)])
        .await
        .expect("publish")
        .await
        .expect("durable");
    tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("a record within the wait")
        .expect("open");

    assert!(published("upstream") >= before.0 + 5.0);
    assert!(delayed("upstream") >= before.1 + 5.0);
    assert!(delayed("downstream") > before_down);
}
