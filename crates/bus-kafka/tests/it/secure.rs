//! The bus the secure way: upstream records sealed with the gateways' key
//! (a record written without it, or with another key, never reaches
//! logic), and SASL/SCRAM to a broker of this test's own that requires
//! authentication (nisshi `--authentication`, its user made with `nisshi
//! user create`): the right user publishes and consumes; no user and a
//! wrong password get nothing through.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ferrochat_bus_kafka::{KafkaBus, KafkaConfig, KafkaSecurity, Mechanism, Protocol};
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::Bus;
use ferrochat_test_support::conformance::bus::send_record;

use crate::support::{bus, free_port, isolated_config, nisshi, round_trip, wait_listening};

const WAIT: Duration = Duration::from_secs(60);

fn key_file(dir: &tempfile::TempDir, name: &str, key: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, key).unwrap();
    path
}

#[tokio::test]
async fn upstream_records_without_the_gateways_seal_never_reach_logic() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = KafkaConfig {
        upstream_key_file: Some(key_file(
            &dir,
            "key",
            "the cluster's upstream key, 32 bytes+",
        )),
        ..isolated_config()
    };
    let logic = bus(&sealed).await;
    let gateway = bus(&sealed).await;
    // Anyone who can write to the broker: no key, or a key of their own.
    let unsealed = bus(&KafkaConfig {
        upstream_key_file: None,
        ..sealed.clone()
    })
    .await;
    let forger = bus(&KafkaConfig {
        upstream_key_file: Some(key_file(&dir, "other", "a key the cluster never gave out!")),
        ..sealed.clone()
    })
    .await;
    let mut upstream = logic.consume_upstream().await.unwrap();
    let conversation = ConversationId::generate();
    for (writer, id) in [
        (&unsealed, "unsealed"),
        (&forger, "forged"),
        (&gateway, "real"),
    ] {
        writer
            .publish_upstream(send_record(&conversation, id))
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // One conversation, one partition, in order: the first two came
    // first and were dropped.
    let first = tokio::time::timeout(WAIT, upstream.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.client_msg_id.as_str(), "real");
}

/// A nisshi of this test's own that requires authentication, with one
/// SCRAM-SHA-512 user.
struct AuthBroker {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for AuthBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const USER: &str = "ferrochat-logic";
const PASSWORD: &str = "broker-test-password";

impl AuthBroker {
    async fn start() -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        // Users are made through the broker: once without
        // authentication, then the broker again on the same storage,
        // requiring it.
        let mut open = Self::spawn(port, &dir, false);
        wait_listening(port).await;
        let made = Command::new(nisshi())
            .current_dir(dir.path())
            .args(["user", "create", "--broker"])
            .arg(format!("tcp://127.0.0.1:{port}"))
            .args(["--mechanism", "scram512", USER, PASSWORD])
            .output()
            .unwrap();
        assert!(made.status.success(), "nisshi user create: {made:?}");
        open.kill().unwrap();
        open.wait().unwrap();
        let child = Self::spawn(port, &dir, true);
        wait_listening(port).await;
        Self {
            child,
            port,
            _dir: dir,
        }
    }

    fn spawn(port: u16, dir: &tempfile::TempDir, authentication: bool) -> Child {
        let url = format!("tcp://127.0.0.1:{port}");
        // nisshi reads a .env in its working directory: an empty one.
        std::fs::write(dir.path().join(".env"), "").unwrap();
        let mut command = Command::new(nisshi());
        command
            .current_dir(dir.path())
            .args(["broker", "--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            // SQLite: the memory engine cannot keep SCRAM users, and this
            // broker is started twice on the same storage.
            .args(["--storage-engine", "sqlite://nisshi.db"]);
        if authentication {
            command.arg("--authentication");
        }
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the broker starts")
    }

    fn config(&self, user: Option<(&str, &str)>) -> KafkaConfig {
        let security = match user {
            Some((name, password)) => KafkaSecurity {
                protocol: Protocol::SaslPlaintext,
                sasl_mechanism: Mechanism::ScramSha512,
                sasl_username: Some(name.to_owned()),
                sasl_password: Some(password.to_owned()),
                ..KafkaSecurity::default()
            },
            None => KafkaSecurity::default(),
        };
        KafkaConfig {
            brokers: format!("127.0.0.1:{}", self.port),
            security,
            send_timeout: Duration::from_secs(3),
            ..isolated_config()
        }
    }
}

/// How long a refused client is given to get a record through anyway:
/// librdkafka retries its login quietly, so a refusal shows only as
/// nothing arriving.
const REFUSED_FOR: Duration = Duration::from_secs(20);

/// Whether `config` gets a record published and durable.
pub(crate) async fn publishes(config: KafkaConfig) -> bool {
    let attempt = async {
        let bus = KafkaBus::connect(config).await.ok()?;
        let conversation = ConversationId::generate();
        bus.publish_upstream(send_record(&conversation, "m"))
            .await
            .ok()?
            .await
            .ok()
    };
    tokio::time::timeout(REFUSED_FOR, attempt)
        .await
        .ok()
        .flatten()
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_that_requires_sasl_serves_its_user_only() {
    let broker = AuthBroker::start().await;

    let good = broker.config(Some((USER, PASSWORD)));
    let bus = KafkaBus::connect(good.clone()).await.unwrap();
    round_trip(&bus, "as-the-user").await;

    assert!(!publishes(broker.config(None)).await, "no user");
    assert!(
        !publishes(broker.config(Some((USER, "not-the-password")))).await,
        "a wrong password"
    );
}
