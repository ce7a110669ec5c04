//! EtcdDiscovery against a real etcd on 127.0.0.1 (`scripts/services up`
//! starts one; FERROCHAT_TEST_ETCD_URL says where). Each test has a key
//! prefix of its own.

use std::time::Duration;

use ferrochat_discovery::{EtcdConfig, EtcdDiscovery, StaticDiscovery};
use ferrochat_ports::discovery::{Discovery, DiscoveryError, Instance};

fn config() -> EtcdConfig {
    let url = ferrochat_test_support::service(ferrochat_test_support::ETCD_URL);
    EtcdConfig {
        url,
        prefix: format!("test-{}/", uuid::Uuid::new_v4().simple()),
        ..EtcdConfig::default()
    }
}

fn instance(role: &str, id: &str) -> Instance {
    Instance {
        role: role.into(),
        id: id.into(),
        addr: format!("127.0.0.1:{}", 9000 + id.len()),
    }
}

/// Polls `role` until `want` holds or a generous wait passes.
async fn eventually(
    d: &EtcdDiscovery,
    role: &str,
    want: impl Fn(&[Instance]) -> bool,
) -> Vec<Instance> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = d.instances(role).await.expect("instances");
        if want(&now) {
            return now;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never happened; last: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn instances_are_listed_by_role_and_leave_on_deregister() {
    let config = config();
    let g1 = EtcdDiscovery::new(&config).unwrap();
    let g2 = EtcdDiscovery::new(&config).unwrap();
    let l1 = EtcdDiscovery::new(&config).unwrap();
    g2.register(instance("gateway", "g2"), Duration::from_secs(10))
        .await
        .unwrap();
    g1.register(instance("gateway", "g1"), Duration::from_secs(10))
        .await
        .unwrap();
    l1.register(instance("logic", "l1"), Duration::from_secs(10))
        .await
        .unwrap();
    assert!(matches!(
        g1.register(instance("gateway", "again"), Duration::from_secs(10))
            .await,
        Err(DiscoveryError::AlreadyRegistered)
    ));

    let reader = EtcdDiscovery::new(&config).unwrap();
    assert_eq!(
        reader.instances("gateway").await.unwrap(),
        vec![instance("gateway", "g1"), instance("gateway", "g2")]
    );
    assert_eq!(
        reader.instances("logic").await.unwrap(),
        vec![instance("logic", "l1")]
    );
    assert!(reader.instances("task").await.unwrap().is_empty());

    g1.deregister().await.unwrap();
    assert_eq!(
        reader.instances("gateway").await.unwrap(),
        vec![instance("gateway", "g2")]
    );
    // Deregistering twice is harmless.
    g1.deregister().await.unwrap();
}

#[tokio::test]
async fn a_live_instance_outlives_its_ttl_and_a_dead_one_expires() {
    let config = config();
    let alive = EtcdDiscovery::new(&config).unwrap();
    alive
        .register(instance("gateway", "alive"), Duration::from_secs(2))
        .await
        .unwrap();
    let dead = EtcdDiscovery::new(&config).unwrap();
    dead.register(instance("gateway", "dead"), Duration::from_secs(2))
        .await
        .unwrap();
    // A crash: renewals stop, nothing is revoked.
    drop(dead);

    let reader = EtcdDiscovery::new(&config).unwrap();
    let left = eventually(&reader, "gateway", |now| now.len() == 1).await;
    assert_eq!(left, vec![instance("gateway", "alive")]);
    // Several TTLs later the renewed one is still there.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        reader.instances("gateway").await.unwrap(),
        vec![instance("gateway", "alive")]
    );
}

#[tokio::test]
async fn an_instance_whose_lease_is_lost_registers_again() {
    let config = config();
    let d = EtcdDiscovery::new(&config).unwrap();
    d.register(instance("logic", "l9"), Duration::from_secs(2))
        .await
        .unwrap();
    // Revoke every lease under our prefix behind the instance's back, as
    // an etcd restored from scratch would have none.
    let http = reqwest::Client::new();
    let b64 = |s: &str| base64_encode(s.as_bytes());
    let range: serde_json::Value = http
        .post(format!("{}/v3/kv/range", config.url))
        .json(&serde_json::json!({ "key": b64(&config.prefix), "range_end": b64(&format!("{}\u{7f}", config.prefix)) }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lease = range["kvs"][0]["lease"]
        .as_str()
        .expect("a leased key")
        .to_owned();
    http.post(format!("{}/v3/kv/lease/revoke", config.url))
        .json(&serde_json::json!({ "ID": lease }))
        .send()
        .await
        .unwrap();
    assert!(d.instances("logic").await.unwrap().is_empty(), "revoked");
    let back = eventually(&d, "logic", |now| !now.is_empty()).await;
    assert_eq!(back, vec![instance("logic", "l9")]);
}

#[tokio::test]
async fn static_discovery_lists_what_it_was_given() {
    let d = StaticDiscovery::new(vec![
        instance("logic", "b"),
        instance("gateway", "g"),
        instance("logic", "a"),
    ]);
    d.register(instance("logic", "c"), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(
        d.instances("logic").await.unwrap(),
        vec![instance("logic", "a"), instance("logic", "b")]
    );
    d.deregister().await.unwrap();
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What `/ready`'s etcd check reads: alive from registering until
/// deregistering, not before nor after.
#[tokio::test]
async fn a_registration_is_alive_between_register_and_deregister() {
    let d = EtcdDiscovery::new(&config()).unwrap();
    assert!(d.registration_alive().is_err(), "not registered yet");
    d.register(instance("logic", "alive"), Duration::from_secs(2))
        .await
        .unwrap();
    d.registration_alive().expect("registered just now");
    // Renewed every third of its TTL, so still alive past the TTL.
    tokio::time::sleep(Duration::from_secs(3)).await;
    d.registration_alive().expect("renewed since");
    d.deregister().await.unwrap();
    assert!(d.registration_alive().is_err(), "deregistered");
}
