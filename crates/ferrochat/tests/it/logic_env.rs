//! How the spawned apps' gateway reaches logic: direct calls (the
//! default); with `FERROCHAT_TEST_LOGIC=grpc`, gRPC to a `LogicServer`
//! the app serves on a port of its own, so every test also proves the
//! gRPC boundary carries what the gateway asks; with
//! `FERROCHAT_TEST_LOGIC=roles`, the cluster roles themselves: a logic, a
//! task and a gateway `RoleApp`, each with its own listeners, finding each
//! other in etcd (`FERROCHAT_TEST_ETCD_URL`) and talking over gRPC, Kafka
//! and Redis, which the other `FERROCHAT_TEST_*` switches must select.
//! `scripts/test` runs the whole suite once over gRPC and once as roles.
//! The roles run the secure way: mutual TLS between them (a CA and role
//! certificates of the test's own) and sealed upstream records.

use std::net::SocketAddr;
use std::time::Duration;

use ferrochat::config::{BusKind, Config, LogicTransport};
use ferrochat::{Role, RoleApp};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const LOGIC_ENV: &str = "FERROCHAT_TEST_LOGIC";

/// Puts logic behind gRPC when `FERROCHAT_TEST_LOGIC` asks for it.
pub fn apply(config: &mut Config) {
    match std::env::var(LOGIC_ENV).unwrap_or_default().as_str() {
        "" | "direct" => {}
        "roles" => {}
        "grpc" => {
            config.logic.transport = LogicTransport::Grpc;
            config.logic.grpc_listen = "127.0.0.1:0".parse().unwrap();
        }
        other => panic!("{LOGIC_ENV}={other:?}: expected direct, grpc or roles"),
    }
}

/// Whether each test app is a set of cluster roles.
pub fn roles_wanted() -> bool {
    std::env::var(LOGIC_ENV).unwrap_or_default() == "roles"
}

/// Starts a logic, a task and a gateway role on `config` (which must
/// already name Kafka, Redis and a SQL store) under an etcd prefix of
/// their own, and waits until the gateway can reach logic. Returns the
/// gateway's address and a handle that, once `cancel` fires, stops the
/// gateway first, then logic and task, and yields the gateway's result.
pub async fn spawn_roles(
    mut config: Config,
    cancel: CancellationToken,
) -> (SocketAddr, JoinHandle<anyhow::Result<()>>) {
    assert!(
        config.bus.kind == BusKind::Kafka && config.presence.redis_url.is_some(),
        "{LOGIC_ENV}=roles needs FERROCHAT_TEST_BUS=kafka and FERROCHAT_TEST_PRESENCE=redis"
    );
    let id = uuid::Uuid::new_v4().simple().to_string();
    let etcd = ferrochat_test_support::service(ferrochat_test_support::ETCD_URL);
    config
        .auth
        .jwt_secret
        .get_or_insert_with(|| format!("{id}{id}"));
    config.discovery.etcd_url = Some(etcd);
    config.discovery.etcd_prefix = format!("it{id}/");
    config.discovery.refresh = Duration::from_millis(200);
    config.logic.balance.refresh = Duration::from_millis(200);
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    config.logic.grpc_listen = "127.0.0.1:0".parse().unwrap();
    // Read once, when each role builds: the directory may go after.
    let secrets = secure(&mut config, &id);
    let as_role = |role: &str| {
        let mut c = config.clone();
        c.node_id = format!("{role}-{id}");
        c.internal_tls.cert_file = Some(secrets.path().join(format!("{role}.pem")));
        c.internal_tls.key_file = Some(secrets.path().join(format!("{role}.key")));
        c
    };
    let logic = RoleApp::build(Role::Logic, as_role("logic"))
        .await
        .expect("logic role builds");
    let task = RoleApp::build(Role::Task, as_role("task"))
        .await
        .expect("task role builds");
    let gateway = RoleApp::build(Role::Gateway, as_role("gateway"))
        .await
        .expect("gateway role builds");
    drop(secrets);
    let addr = gateway.local_addr();
    let ready = format!("http://{}/ready", gateway.metrics_addr());
    let back = CancellationToken::new();
    let logic_run = tokio::spawn(logic.run(back.clone()));
    let task_run = tokio::spawn(task.run(back.clone()));
    let gateway_run = tokio::spawn(gateway.run(cancel));
    let handle = tokio::spawn(async move {
        let served = gateway_run.await.expect("gateway role did not panic");
        back.cancel();
        logic_run.await.expect("logic role did not panic")?;
        task_run.await.expect("task role did not panic")?;
        served
    });
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(&ready).send().await {
            Ok(r) if r.status().is_success() => break,
            _ if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("the gateway role never became ready: {other:?}"),
        }
    }
    (addr, handle)
}

/// A CA and the roles' certificates, and an upstream key, in a new
/// directory that `config` names (each role adds its own certificate).
fn secure(config: &mut Config, id: &str) -> tempfile::TempDir {
    use ferrochat_rpc::tls::pki::Authority;
    use ferrochat_rpc::PeerRole;

    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::generate(&config.internal_tls.trust_domain, 1).unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    for role in PeerRole::ALL {
        let issued = ca.issue(role, 1).unwrap();
        std::fs::write(dir.path().join(format!("{role}.pem")), issued.cert_pem).unwrap();
        std::fs::write(dir.path().join(format!("{role}.key")), issued.key_pem).unwrap();
    }
    let key = dir.path().join("upstream.key");
    std::fs::write(&key, format!("upstream-key-{id}-{id}")).unwrap();
    config.internal_tls.ca_file = Some(dir.path().join("ca.pem"));
    config.bus.kafka.upstream_key_file = Some(key);
    dir
}
