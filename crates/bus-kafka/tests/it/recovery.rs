//! A broker that comes back empty (its data gone: topics, records,
//! committed offsets, producer ids): the bus recovers on its own. The
//! producer's fatal error rebuilds it and the topics are made again;
//! consumers read on; a gateway is told its records were lost.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Bus, Downstream, DownstreamRecord};
use ferrochat_test_support::conformance::bus::send_record;

use crate::support::{bus, free_port, isolated_config, nisshi, reply, wait_listening};

const WAIT: Duration = Duration::from_secs(60);

/// A nisshi of this test's own (`FERROCHAT_TEST_NISSHI`).
struct PrivateBroker {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl PrivateBroker {
    async fn start() -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let child = Self::spawn(port, &dir);
        let b = Self { child, port, dir };
        wait_listening(b.port).await;
        b
    }

    fn spawn(port: u16, dir: &tempfile::TempDir) -> Child {
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
        Command::new(nisshi())
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

    async fn replace_with_empty(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::fs::remove_dir_all(self.dir.path().join("data")).unwrap();
        self.child = Self::spawn(self.port, &self.dir);
        wait_listening(self.port).await;
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

    // The gateway hears that records may have been lost (its topic is
    // gone; nothing is published to it meanwhile) ...
    let lost = tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("the loss is reported");
    assert!(matches!(lost, Some(Downstream::Lost)), "{lost:?}");
    // ... then reads what is published to it from then on: one record,
    // published until the bus stores it, and read next.
    let reply = reply(&gateway, 7);
    tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(p) = bus.publish_downstream(&gateway, vec![reply.clone()]).await {
                if p.await.is_ok() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the bus stores the gateway's records again");
    let got = tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("the gateway reads again");
    match got {
        Some(Downstream::Items(items)) => assert!(
            matches!(&items[..], [DownstreamRecord::Reply { reply_to, .. }] if reply_to.token == 7),
            "{items:?}"
        ),
        other => panic!("expected the record published after the loss, got {other:?}"),
    }
}

/// A producer whose broker came back empty has an id and sequence numbers
/// the new broker never heard of: with nothing in flight it gets no error,
/// its records only time out. Once a consumer has found the loss, the
/// producer is a new one, and the first record after it is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_a_loss_is_found_the_next_record_is_stored_without_waiting_out_its_timeout() {
    let mut broker = PrivateBroker::start().await;
    let mut config = isolated_config();
    config.brokers = format!("127.0.0.1:{}", broker.port);
    // Long enough that a record left to time out fails this test's wait
    // for the loss, the rebuild and the record together only if the
    // producer is not rebuilt when the loss is found.
    config.send_timeout = Duration::from_secs(40);
    let bus = bus(&config).await;
    let gateway = GatewayId::new("gw-l");
    let mut downstream = bus
        .consume_downstream(&gateway)
        .await
        .expect("downstream consumer");
    let reply = reply(&gateway, 1);
    bus.publish_downstream(&gateway, vec![reply])
        .await
        .expect("publish")
        .await
        .expect("durable");
    let read = tokio::time::timeout(WAIT, downstream.next()).await.unwrap();
    assert!(matches!(read, Some(Downstream::Items(_))), "{read:?}");

    broker.replace_with_empty().await;

    // The gateway's consumer finds its topic gone (nothing is published
    // meanwhile) ...
    let lost = tokio::time::timeout(WAIT, downstream.next()).await.unwrap();
    assert!(matches!(lost, Some(Downstream::Lost)), "{lost:?}");
    // ... the bus says when its new producer is ready ...
    tokio::time::timeout(WAIT, async {
        while !bus.is_healthy() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the bus is healthy again");
    // ... and one record, published once, is stored.
    let stored = tokio::time::timeout(Duration::from_secs(30), async {
        bus.publish_upstream(send_record(&ConversationId::generate(), "first"))
            .await?
            .await
    })
    .await;
    assert!(
        matches!(stored, Ok(Ok(()))),
        "the first record after the loss: {stored:?}"
    );
}
