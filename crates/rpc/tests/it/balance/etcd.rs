//! The balanced client with EtcdDiscovery against a real etcd on
//! 127.0.0.1 (`scripts/services up` starts one; FERROCHAT_TEST_ETCD_URL
//! says where): logic instances registered under leases get calls, and
//! one that deregisters gets no more.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_discovery::{EtcdConfig, EtcdDiscovery};
use ferrochat_ports::discovery::Discovery;
use ferrochat_rpc::LogicClient;

use super::{burst, config, instances_are, logic};
use crate::fake::{serve, Fake};

fn etcd() -> EtcdConfig {
    let url = ferrochat_test_support::service(ferrochat_test_support::ETCD_URL);
    EtcdConfig {
        url,
        prefix: format!("test-{}/", uuid::Uuid::new_v4().simple()),
        ..EtcdConfig::default()
    }
}

#[tokio::test]
async fn instances_registered_in_etcd_get_calls_until_they_leave() {
    let etcd = etcd();
    let (a, b) = (Fake::new(), Fake::new());
    a.delay(Duration::from_millis(5));
    b.delay(Duration::from_millis(5));
    let served_a = serve(a.clone()).await;
    let served_b = serve(b.clone()).await;
    // Each logic process registers itself.
    let lease_a = EtcdDiscovery::new(&etcd).unwrap();
    let lease_b = EtcdDiscovery::new(&etcd).unwrap();
    let ttl = Duration::from_secs(10);
    lease_a
        .register(logic("a", served_a.addr), ttl)
        .await
        .unwrap();
    lease_b
        .register(logic("b", served_b.addr), ttl)
        .await
        .unwrap();

    let reader: Arc<dyn Discovery> = Arc::new(EtcdDiscovery::new(&etcd).unwrap());
    let client = LogicClient::balanced(reader, config()).unwrap();
    instances_are(&client, &["a", "b"]).await;
    let sent = burst(&client, 32).await + burst(&client, 32).await;
    assert!(
        a.calls() > 0 && b.calls() > 0,
        "a {} b {}",
        a.calls(),
        b.calls()
    );
    assert_eq!(a.calls() + b.calls(), sent);

    // b shuts down cleanly: out of etcd, out of the balancer.
    lease_b.deregister().await.unwrap();
    instances_are(&client, &["a"]).await;
    let b_before = b.calls();
    burst(&client, 32).await;
    assert_eq!(b.calls(), b_before);
    lease_a.deregister().await.unwrap();
}
