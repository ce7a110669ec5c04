//! Sends published together travel several to an `upstream` record,
//! partitioned as librdkafka partitions keyed records, and a record is
//! committed only once its last send is done.

use std::collections::HashMap;
use std::time::Duration;

use ferrochat_bus_kafka::partition_of;
use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Consumer, SendRecord};
use ferrochat_ports::Bus;
use ferrochat_test_support::conformance::bus::send_record;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use crate::support::{bus, isolated_config};

const WAIT: Duration = Duration::from_secs(60);
const SENDS: usize = 200;

async fn read(consumer: &mut Box<dyn Consumer<SendRecord>>, count: usize) -> Vec<SendRecord> {
    let mut read = Vec::with_capacity(count);
    for _ in 0..count {
        let r = tokio::time::timeout(WAIT, consumer.next())
            .await
            .expect("a send within the wait")
            .expect("open");
        read.push(r);
    }
    read
}

/// Each conversation's client_msg_ids in the order read.
fn per_conversation(sends: &[SendRecord]) -> HashMap<ConversationId, Vec<String>> {
    let mut by: HashMap<ConversationId, Vec<String>> = HashMap::new();
    for s in sends {
        by.entry(s.conversation_id.clone())
            .or_default()
            .push(s.client_msg_id.as_str().to_owned());
    }
    by
}

/// How many records the topic's partitions hold (a fresh topic starts
/// at offset 0).
fn records_in(brokers: &str, topic: &str, partitions: i32) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("{topic}.count"))
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks")
                .1
        })
        .sum()
}

// One thread: the publisher queues every send before the batching task
// runs, so they cannot all go one to a record.
#[tokio::test(flavor = "current_thread")]
async fn sends_published_together_share_records_and_keep_their_order() {
    let config = isolated_config();
    let bus = bus(&config).await;
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    let conversations: Vec<ConversationId> = (0..8).map(|_| ConversationId::generate()).collect();
    let mut published = Vec::new();
    let mut expected: HashMap<ConversationId, Vec<String>> = HashMap::new();
    for i in 0..SENDS {
        let c = &conversations[i % conversations.len()];
        let id = format!("s{i}");
        expected.entry(c.clone()).or_default().push(id.clone());
        published.push(
            bus.publish_upstream(send_record(c, &id))
                .await
                .expect("taken"),
        );
    }
    for p in published {
        p.await.expect("durable");
    }
    let records = records_in(&config.brokers, &config.upstream_topic, 4);
    assert!(
        records < SENDS as i64,
        "{SENDS} sends published together took {records} records"
    );

    let first = read(&mut consumer, SENDS).await;
    assert_eq!(per_conversation(&first), expected);

    // Done through the middle: whatever is past it comes again to the
    // next reader, each conversation still in order, nothing skipped.
    let done = SENDS as u64 / 2 + 1;
    consumer.commit_through(done).await.expect("commit");
    drop(consumer);
    let mut again = bus.consume_upstream().await.expect("consumer");
    let mut seen: HashMap<ConversationId, Vec<String>> = HashMap::new();
    let not_done: Vec<&SendRecord> = first.iter().skip(done as usize).collect();
    let mut missing: std::collections::HashSet<String> = not_done
        .iter()
        .map(|s| s.client_msg_id.as_str().to_owned())
        .collect();
    while !missing.is_empty() {
        let r = tokio::time::timeout(WAIT, again.next())
            .await
            .unwrap_or_else(|_| panic!("{} unfinished sends never came again", missing.len()))
            .expect("open");
        missing.remove(r.client_msg_id.as_str());
        seen.entry(r.conversation_id.clone())
            .or_default()
            .push(r.client_msg_id.as_str().to_owned());
    }
    // What came again is, per conversation, the end of what was sent.
    for (c, ids) in seen {
        let all = expected.get(&c).expect("a conversation of ours");
        assert!(
            all.ends_with(&ids),
            "{c:?}: {ids:?} is not the end of {all:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_are_those_librdkafka_gives_keyed_records() {
    let config = isolated_config();
    let _bus = bus(&config).await; // makes the topic, 4 partitions
    let raw: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &config.brokers)
        .create()
        .expect("producer");
    for _ in 0..40 {
        let key = ConversationId::generate();
        let delivered = raw
            .send(
                FutureRecord::to(&config.upstream_topic)
                    .key(key.as_str())
                    .payload(&b"x"[..]),
                Duration::from_secs(10),
            )
            .await
            .expect("delivered");
        assert_eq!(
            delivered.partition,
            partition_of(key.as_str(), 4),
            "key {key:?}"
        );
    }
}
