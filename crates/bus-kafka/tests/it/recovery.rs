//! A broker that comes back empty (its data gone: topics, records,
//! committed offsets, producer ids): the bus recovers on its own. The
//! producer's fatal error rebuilds it and the topics are made again;
//! consumers read on; a gateway is told its records were lost.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Bus, Downstream, DownstreamRecord, ReplyTo};
use ferrochat_ports::conformance::bus::send_record;
use ferrochat_ports::ApiError;

use crate::support::{bus, isolated_config};

const WAIT: Duration = Duration::from_secs(60);

/// A nisshi of this test's own (`FERROCHAT_TEST_NISSHI`).
struct PrivateBroker {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl PrivateBroker {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Self::spawn(port, &dir);
        let b = Self { child, port, dir };
        b.wait().await;
        b
    }

    fn spawn(port: u16, dir: &tempfile::TempDir) -> Child {
        let bin = std::env::var("FERROCHAT_TEST_NISSHI").unwrap_or_else(|_| {
            panic!("FERROCHAT_TEST_NISSHI is not set: run `scripts/services up` and eval its env")
        });
        // The engine scripts/services built it with: `memory://` keeps
        // nothing across a restart, `sqlite://` a file in the working
        // directory; both are emptied by a fresh directory.
        let storage = std::env::var("FERROCHAT_TEST_NISSHI_STORAGE").unwrap_or_else(|_| {
            panic!(
                "FERROCHAT_TEST_NISSHI_STORAGE is not set: run `scripts/services up` and eval its env"
            )
        });
        let url = format!("tcp://127.0.0.1:{port}");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        Command::new(bin)
            .current_dir(&data)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", &storage])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the broker starts")
    }

    async fn wait(&self) {
        tokio::time::timeout(WAIT, async {
            while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .expect("the broker listens");
    }

    async fn replace_with_empty(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::fs::remove_dir_all(self.dir.path().join("data")).unwrap();
        self.child = Self::spawn(self.port, &self.dir);
        self.wait().await;
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Publishes until the bus stores a record again.
async fn publish_until_stored(bus: &dyn Bus, conversation: &ConversationId, id: &str) {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(p) = bus.publish_upstream(send_record(conversation, id)).await {
                if p.await.is_ok() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the bus stores records again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_that_comes_back_empty_is_recovered_from() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
    }
    // (The group's commits reach the broker every 200 ms here.)
    let mut broker = PrivateBroker::start().await;
    let mut config = isolated_config();
    config.brokers = format!("127.0.0.1:{}", broker.port);
    let bus = bus(&config).await;
    let gateway = GatewayId::new("gw-r");
    let mut upstream = bus.consume_upstream().await.expect("upstream consumer");
    let mut downstream = bus
        .consume_downstream(&gateway)
        .await
        .expect("downstream consumer");
    let conversation = ConversationId::generate();
    publish_until_stored(&*bus, &conversation, "before").await;
    let first = tokio::time::timeout(WAIT, upstream.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.client_msg_id.as_str(), "before");
    upstream.commit().await.unwrap();
    // As in a running system, the group has committed before the loss.
    tokio::time::sleep(Duration::from_secs(2)).await;

    broker.replace_with_empty().await;

    // Sends are taken again once the producer was rebuilt and the topics
    // made again; logic's consumer reads them.
    publish_until_stored(&*bus, &conversation, "after").await;
    assert!(bus.is_healthy());
    let next = tokio::time::timeout(WAIT, upstream.next())
        .await
        .expect("upstream is read again")
        .unwrap();
    assert_eq!(next.client_msg_id.as_str(), "after");

    // The gateway hears that records may have been lost, then reads what
    // is published to it from then on.
    let reply = DownstreamRecord::Reply {
        reply_to: ReplyTo {
            gateway: gateway.clone(),
            token: 7,
            conn: None,
        },
        result: Err(ApiError::internal()),
    };
    let mut lost = false;
    let got = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(p) = bus.publish_downstream(&gateway, vec![reply.clone()]).await {
                let _ = p.await;
            }
            match tokio::time::timeout(Duration::from_millis(500), downstream.next()).await {
                Ok(Some(Downstream::Lost)) => lost = true,
                Ok(Some(Downstream::Items(items))) => return items,
                _ => {}
            }
        }
    })
    .await
    .expect("the gateway reads again");
    assert!(lost, "the loss was reported before anything new");
    assert!(matches!(&got[..], [DownstreamRecord::Reply { reply_to, .. }] if reply_to.token == 7));
}
