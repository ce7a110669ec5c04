//! The task topic's reader says how many records wait for it (at the
//! broker and taken by its poller), so the task role can say how far
//! behind it is while a queue is still building.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::ConversationId;
use ferrochat_ports::bus::{Consumer, TaskRecord};
use ferrochat_ports::Bus;
use ferrochat_test_support::conformance::bus::message;

use crate::support::{bus, isolated_config};

const WAIT: Duration = Duration::from_secs(60);

/// Waits until `consumer.waiting()` is `want` (it is refreshed from the
/// broker a few times a second); fails with the last value otherwise.
async fn waiting_becomes(consumer: &dyn Consumer<TaskRecord>, want: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = consumer.waiting();
        if now == Some(want) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waiting() is {now:?}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_reader_counts_the_records_waiting_for_it() {
    let bus = bus(&isolated_config()).await;
    let mut consumer = bus.consume_task().await.expect("consumer");
    let conversation = ConversationId::generate();
    let publish = |seq: u64| {
        let bus = bus.clone();
        let conversation = conversation.clone();
        async move {
            bus.publish_task(TaskRecord::Fanout {
                message: Arc::new(message(&conversation, seq)),
                exclude: None,
            })
            .await
            .expect("publish")
            .await
            .expect("durable");
        }
    };
    // One record read: the reader has a position on the partition.
    publish(1).await;
    tokio::time::timeout(WAIT, consumer.next())
        .await
        .expect("the first record in time")
        .expect("open");
    waiting_becomes(&*consumer, 0).await;
    for seq in 2..=31 {
        publish(seq).await;
    }
    waiting_becomes(&*consumer, 30).await;
    for _ in 0..10 {
        consumer.next().await.expect("open");
    }
    waiting_becomes(&*consumer, 20).await;
    for _ in 0..20 {
        consumer.next().await.expect("open");
    }
    waiting_becomes(&*consumer, 0).await;
}
