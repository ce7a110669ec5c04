//! What only a persistent bus does: work that was not committed comes
//! again, committed work does not, and a gateway reads only what was
//! published after it started.

use std::time::Duration;

use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Consumer, Downstream, DownstreamRecord, SendRecord};
use ferrochat_ports::Bus;
use ferrochat_test_support::conformance::bus::send_record;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use crate::support::{bus, isolated_config, reply};

const WAIT: Duration = Duration::from_secs(60);

async fn next<T>(c: &mut Box<dyn Consumer<T>>) -> T {
    tokio::time::timeout(WAIT, c.next())
        .await
        .expect("a record within the wait")
        .expect("open")
}

/// The next records are one answer each, carrying `tokens` in order.
async fn expect_replies(
    consumer: &mut Box<dyn Consumer<Downstream>>,
    tokens: std::ops::Range<u64>,
) {
    for token in tokens {
        match next(consumer)
            .await
            .items()
            .expect("nothing lost")
            .as_slice()
        {
            [DownstreamRecord::Reply { reply_to, .. }] => assert_eq!(reply_to.token, token),
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn ids(records: &[SendRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| r.client_msg_id.as_str().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncommitted_records_come_again_and_committed_ones_do_not() {
    let config = isolated_config();
    let conversation = ConversationId::generate();
    {
        let bus = bus(&config).await;
        let mut consumer = bus.consume_upstream().await.expect("consumer");
        for i in 0..10 {
            bus.publish_upstream(send_record(&conversation, &format!("r{i}")))
                .await
                .expect("publish")
                .await
                .expect("durable");
        }
        let mut read = Vec::new();
        for _ in 0..10 {
            read.push(next(&mut consumer).await);
        }
        assert_eq!(
            ids(&read),
            (0..10).map(|i| format!("r{i}")).collect::<Vec<_>>()
        );
        // The first four are done; the other six were read but not finished.
        consumer.commit_through(4).await.expect("commit");
        drop(consumer);
    }
    // Another logic instance of the same group takes over.
    let bus = bus(&config).await;
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    let mut again = Vec::new();
    for _ in 0..6 {
        again.push(next(&mut consumer).await);
    }
    assert_eq!(
        ids(&again),
        (4..10).map(|i| format!("r{i}")).collect::<Vec<_>>()
    );
    let more = tokio::time::timeout(Duration::from_secs(2), consumer.next()).await;
    assert!(more.is_err(), "a committed record came again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_record_is_skipped_and_committed_past() {
    let config = isolated_config();
    let conversation = ConversationId::generate();
    let bus = bus(&config).await;
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    let raw: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &config.brokers)
        .create()
        .expect("producer");
    bus.publish_upstream(send_record(&conversation, "before"))
        .await
        .expect("publish")
        .await
        .expect("durable");
    raw.send(
        FutureRecord::to(&config.upstream_topic)
            .key(conversation.as_str())
            .payload(&[0xffu8, 0xff, 0xff][..]),
        Duration::from_secs(10),
    )
    .await
    .expect("raw publish");
    bus.publish_upstream(send_record(&conversation, "after"))
        .await
        .expect("publish")
        .await
        .expect("durable");
    assert_eq!(next(&mut consumer).await.client_msg_id.as_str(), "before");
    assert_eq!(next(&mut consumer).await.client_msg_id.as_str(), "after");
    assert_eq!(consumer.position(), 2);
    consumer.commit().await.expect("commit");
    drop(consumer);

    let mut again = bus.consume_upstream().await.expect("consumer");
    let more = tokio::time::timeout(Duration::from_secs(2), again.next()).await;
    assert!(
        more.is_err(),
        "the skipped record or a committed one came again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_reads_only_what_was_published_after_it_started() {
    let config = isolated_config();
    let bus = bus(&config).await;
    let gateway = GatewayId::new("g1");
    let reply = |token| reply(&gateway, token);
    // An earlier run of this gateway, with records it read.
    let mut earlier = bus.consume_downstream(&gateway).await.expect("consumer");
    for token in 0..3 {
        bus.publish_downstream(&gateway, vec![reply(token)])
            .await
            .expect("publish")
            .await
            .expect("durable");
    }
    for _ in 0..3 {
        next(&mut earlier).await;
    }
    drop(earlier);

    let mut consumer = bus.consume_downstream(&gateway).await.expect("consumer");
    for token in 10..13 {
        bus.publish_downstream(&gateway, vec![reply(token)])
            .await
            .expect("publish")
            .await
            .expect("durable");
    }
    expect_replies(&mut consumer, 10..13).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_logic_instances_share_upstream_and_read_each_record_once() {
    let config = isolated_config();
    let bus_a = bus(&config).await;
    let bus_b = bus(&config).await;
    let mut a = bus_a.consume_upstream().await.expect("a");
    let mut b = bus_b.consume_upstream().await.expect("b");
    let conversations: Vec<ConversationId> = (0..16).map(|_| ConversationId::generate()).collect();

    // Until both instances have read something, the group is still being
    // formed (and may hand a partition from one to the other): probe.
    let (mut a_ready, mut b_ready) = (false, false);
    let deadline = tokio::time::Instant::now() + WAIT;
    while !(a_ready && b_ready) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the group never formed"
        );
        for c in &conversations {
            bus_a
                .publish_upstream(send_record(c, "probe"))
                .await
                .expect("publish")
                .await
                .expect("durable");
        }
        let settle = tokio::time::sleep(Duration::from_millis(500));
        tokio::pin!(settle);
        loop {
            tokio::select! {
                Some(_) = a.next() => a_ready = true,
                Some(_) = b.next() => b_ready = true,
                _ = &mut settle => break,
            }
        }
    }

    for round in 0..5 {
        for c in &conversations {
            bus_a
                .publish_upstream(send_record(c, &format!("s{round}")))
                .await
                .expect("publish")
                .await
                .expect("durable");
        }
    }
    let total = conversations.len() * 5;
    let mut seen: std::collections::HashMap<ConversationId, (char, Vec<String>)> =
        Default::default();
    let mut count = 0;
    while count < total {
        let (who, r) = tokio::select! {
            Some(r) = a.next() => ('a', r),
            Some(r) = b.next() => ('b', r),
            _ = tokio::time::sleep_until(deadline) => panic!("only {count} of {total} records"),
        };
        if r.client_msg_id.as_str() == "probe" {
            continue;
        }
        count += 1;
        let entry = seen
            .entry(r.conversation_id.clone())
            .or_insert((who, Vec::new()));
        // A conversation lives in one partition, read by one instance.
        assert_eq!(entry.0, who, "a conversation was split between instances");
        entry.1.push(r.client_msg_id.into_string());
    }
    let expected: Vec<String> = (0..5).map(|i| format!("s{i}")).collect();
    for c in &conversations {
        assert_eq!(seen.get(c).map(|e| &e.1), Some(&expected));
    }
    let readers: std::collections::HashSet<char> = seen.values().map(|e| e.0).collect();
    assert_eq!(readers.len(), 2, "one instance read every conversation");
}

/// A broker that came back empty makes a topic on its own when a producer
/// asks for it, with its default partitions; a gateway's may be made so
/// before the gateway makes it again. The gateway reads partition 0, so
/// every record meant for it must go there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_topic_with_several_partitions_still_brings_every_record() {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;

    let config = isolated_config();
    let gateway = GatewayId::new("g4");
    let topic = format!("{}{}", config.downstream_topic_prefix, gateway.as_str());
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &config.brokers)
        .create()
        .expect("admin client");
    let made = admin
        .create_topics(
            &[NewTopic::new(&topic, 4, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .expect("create topics");
    assert!(made.iter().all(Result::is_ok), "{made:?}");

    let bus = bus(&config).await;
    let mut consumer = bus.consume_downstream(&gateway).await.expect("consumer");
    let reply = |token| reply(&gateway, token);
    // One at a time, apart: a producer sticks to one partition for a
    // short while, so records sent together could land together by luck.
    for token in 0..12 {
        bus.publish_downstream(&gateway, vec![reply(token)])
            .await
            .expect("publish")
            .await
            .expect("durable");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    expect_replies(&mut consumer, 0..12).await;
}
