//! The bus over TLS (`[bus.kafka.security] protocol = "ssl"`) to a broker
//! of this test's own that takes only TLS, with a certificate of a CA
//! made here: trusting that CA (`ca_file`), records go through; trusting
//! another CA, or speaking plain, nothing does.

use std::path::PathBuf;

use ferrochat_bus_kafka::{KafkaBus, KafkaConfig, KafkaSecurity, Protocol};
use ferrochat_test_support::{PrivateBroker, TestCa};

use crate::secure::publishes;
use crate::support::{isolated_config, round_trip};

fn config(broker: &PrivateBroker, protocol: Protocol, ca_file: Option<PathBuf>) -> KafkaConfig {
    KafkaConfig {
        brokers: broker.address(),
        security: KafkaSecurity {
            protocol,
            ca_file,
            ..KafkaSecurity::default()
        },
        send_timeout: std::time::Duration::from_secs(3),
        ..isolated_config()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_over_tls_is_reached_with_its_ca_only() {
    let ca = TestCa::new("ferrochat broker test CA");
    let broker = PrivateBroker::start_tls(&ca).await;
    let ca_file = broker.tls_files().unwrap().ca.clone();

    let bus = KafkaBus::connect(config(&broker, Protocol::Ssl, Some(ca_file)))
        .await
        .unwrap();
    round_trip(&bus, "over-tls").await;

    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other-ca.crt");
    std::fs::write(&other, TestCa::new("another CA").cert_pem).unwrap();
    assert!(
        !publishes(config(&broker, Protocol::Ssl, Some(other))).await,
        "a broker whose certificate another CA signed"
    );
    assert!(
        !publishes(config(&broker, Protocol::Plaintext, None)).await,
        "plain to a TLS-only broker"
    );
}
