//! A broker that comes back empty (its data gone: topics, records,
//! committed offsets, producer ids): the bus recovers on its own. The
//! producer's fatal error rebuilds it and the topics are made again;
//! consumers read on; a gateway is told its records were lost.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_bus_kafka::{KafkaBus, KafkaConfig};
use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Bus, Consumer, Downstream, DownstreamRecord};
use ferrochat_test_support::conformance::bus::send_record;

use ferrochat_test_support::PrivateBroker;

use crate::support::{bus, isolated_config, reply};

const WAIT: Duration = Duration::from_secs(60);

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
    config.brokers = broker.address();
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
    reply_until_stored(&*bus, &gateway, 7).await;
    let got = tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("the gateway reads again");
    assert_eq!(token(got), 7, "the record published after the loss");
}

/// A producer whose broker came back empty has an id and sequence numbers
/// the new broker never heard of: with nothing in flight it gets no error,
/// its records only time out. Once a consumer has found the loss, the
/// producer is a new one, and the first record after it is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_a_loss_is_found_the_next_record_is_stored_without_waiting_out_its_timeout() {
    let mut broker = PrivateBroker::start().await;
    let mut config = isolated_config();
    config.brokers = broker.address();
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

/// A group member that lost every broker reads the partitions of the one
/// that answers next from the start when that one came back empty, never
/// from its old position (which would skip what was written below it,
/// and read a conversation's later sends before its earlier ones); and
/// work on the lost broker's records that ends after it joined the new
/// one commits no offset there (logic's pipeline lags its reads by
/// seconds when the bus stalls): those offsets belong to the old log, and
/// would skip as many of the new one's records for the partition's next
/// member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reads_the_new_brokers_records_in_order_and_commits_no_old_offset() {
    let mut broker = PrivateBroker::start().await;
    let mut config = isolated_config();
    config.brokers = broker.address();
    let bus = bus(&config).await;
    let conversation = ConversationId::generate();
    let mut first = bus.consume_upstream().await.expect("upstream consumer");
    // Ten records on the old broker, read and not yet done.
    for i in 0..10 {
        publish_until_stored(&*bus, &conversation, &format!("before-{i}")).await;
    }
    for i in 0..10 {
        let got = tokio::time::timeout(WAIT, first.next())
            .await
            .expect("read")
            .expect("a record");
        assert_eq!(got.client_msg_id.as_str(), format!("before-{i}"));
    }

    broker.replace_with_empty().await;

    // Twenty on the new one at once, one record each (offsets 0 to 19 of
    // the conversation's partition), from a bus that connects now: most
    // often they are there before the member's consumer has found the new
    // broker's topic, and a fetch from its old position would bring
    // after-10 first.
    let fresh = crate::support::bus(&config).await;
    for i in 0..20 {
        publish_until_stored(&*fresh, &conversation, &format!("after-{i}")).await;
    }
    // In order: each record the next one or one read before (a
    // rebalance reads from the committed offset again), never one past a
    // record not read yet.
    let mut next_expected = 0;
    while next_expected < 20 {
        let got = tokio::time::timeout(WAIT, first.next())
            .await
            .expect("the new broker's records are read")
            .expect("a record");
        let i: usize = got
            .client_msg_id
            .as_str()
            .strip_prefix("after-")
            .and_then(|i| i.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "a record of the new broker, not {}",
                    got.client_msg_id.as_str()
                )
            });
        assert!(
            i <= next_expected,
            "after-{i} was read before after-{next_expected}"
        );
        if i == next_expected {
            next_expected += 1;
        }
    }
    // The member has joined its group again on the new broker (it left
    // when the old one was lost). A rebalance may come again (the watch
    // checks every 2 s), after which it reads the twenty once more.
    tokio::time::sleep(Duration::from_secs(6)).await;
    // The work on the first of them is done, and on the old ten: their
    // offsets (up to 10) are not the new log's.
    first.commit_through(11).await.expect("commit");
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(first);
    tokio::time::sleep(Duration::from_secs(3)).await;

    // The partition's next member starts at most just after "after-0"
    // (at it, if the group took the partition back once more before the
    // commit), never at 10.
    let mut next = fresh.consume_upstream().await.expect("upstream consumer");
    let got = tokio::time::timeout(WAIT, next.next())
        .await
        .expect("the next member reads from where the work was done")
        .expect("a record");
    assert!(
        ["after-0", "after-1"].contains(&got.client_msg_id.as_str()),
        "the next member started at {}",
        got.client_msg_id.as_str()
    );
}

/// Publishes `token`'s reply to `gateway` until the bus stores it.
async fn reply_until_stored(bus: &dyn Bus, gateway: &GatewayId, token: u64) {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(p) = bus
                .publish_downstream(gateway, vec![reply(gateway, token)])
                .await
            {
                if p.await.is_ok() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the bus stores the gateway's records");
}

/// A gateway's reader on `broker` that has read three records (tokens 1
/// to 3), with the bus that published them.
async fn gateway_that_read_three(
    broker: &PrivateBroker,
) -> (
    KafkaConfig,
    GatewayId,
    Arc<KafkaBus>,
    Box<dyn Consumer<Downstream>>,
) {
    let mut config = isolated_config();
    config.brokers = broker.address();
    let bus = bus(&config).await;
    let gateway = GatewayId::new("gw-n");
    let mut downstream = bus
        .consume_downstream(&gateway)
        .await
        .expect("downstream consumer");
    for t in 1..=3 {
        reply_until_stored(&*bus, &gateway, t).await;
        let read = tokio::time::timeout(WAIT, downstream.next()).await.unwrap();
        assert_eq!(token(read), t);
    }
    (config, gateway, bus, downstream)
}

/// The token of the one reply a read holds.
fn token(read: Option<Downstream>) -> u64 {
    match read {
        Some(Downstream::Items(items)) => match &items[..] {
            [DownstreamRecord::Reply { reply_to, .. }] => reply_to.token,
            other => panic!("one reply, not {other:?}"),
        },
        other => panic!("a record, not {other:?}"),
    }
}

/// A gateway whose broker came back empty, and whose topic there already
/// holds more records than it had read before it looks (logic's first
/// publish makes the topic again): it says records may be lost and reads
/// the new log from its start, never on from its old position, which
/// would skip what was written below it. The broker stays down long
/// enough that the reader's reconnects back off (librdkafka doubles the
/// wait, up to 10 s), so the new records are most often there first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_reads_a_new_log_from_its_start_even_when_it_is_longer_than_what_was_read() {
    let mut broker = PrivateBroker::start().await;
    let (config, gateway, _bus, mut downstream) = gateway_that_read_three(&broker).await;

    broker.kill();
    tokio::time::sleep(Duration::from_secs(4)).await;
    broker.start_empty().await;
    // Ten records on the new broker at once (offsets 0 to 9), from a bus
    // that connects now.
    let fresh = crate::support::bus(&config).await;
    for t in 100..110 {
        reply_until_stored(&*fresh, &gateway, t).await;
    }

    let lost = tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("the loss is reported");
    assert!(matches!(lost, Some(Downstream::Lost)), "{lost:?}");
    for t in 100..110 {
        let read = tokio::time::timeout(WAIT, downstream.next())
            .await
            .expect("the new log is read");
        assert_eq!(token(read), t, "the new log, in order, from its start");
    }
}

/// A gateway that reads on through a broker that came back with its data
/// (a restart, not a loss) is told nothing and neither skips nor repeats
/// a record: the record it fetches again to compare is the one it read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_reads_on_through_a_broker_restart_that_kept_its_data() {
    let mut broker = PrivateBroker::start_keeping_data().await;
    let (_, gateway, bus, mut downstream) = gateway_that_read_three(&broker).await;

    broker.restart().await;
    for t in 4..=6 {
        reply_until_stored(&*bus, &gateway, t).await;
    }
    for t in 4..=6 {
        let read = tokio::time::timeout(WAIT, downstream.next())
            .await
            .expect("read on after the restart");
        assert_eq!(token(read), t, "on from where it was, nothing again");
    }
}
