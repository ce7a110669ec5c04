//! A role that reads a shared topic is ready only once the broker has
//! given its reader a share of the topic (`Bus::readers_joined`, asked by
//! `/ready`): before that, the records it is to handle wait.

use std::time::Duration;

use ferrochat_ports::Bus;

use crate::support::{bus, isolated_config};

const WAIT: Duration = Duration::from_secs(60);

/// Waits until `bus` says its shared-topic readers have their shares.
async fn joins(bus: &dyn Bus, which: &str) {
    tokio::time::timeout(WAIT, async {
        while !bus.readers_joined() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{which}'s reader was never given its share"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_of_a_shared_topic_are_ready_once_the_group_assigns_them() {
    // One partition for two members: the second is a member with nothing
    // to read, and is ready all the same.
    let config = ferrochat_bus_kafka::KafkaConfig {
        upstream_partitions: 1,
        ..isolated_config()
    };
    let first = bus(&config).await;
    assert!(
        !first.readers_joined(),
        "a bus that made no reader of a shared topic is not a member of anything yet"
    );
    let _reading = first.consume_upstream().await.expect("first reader");
    // Joining takes several round trips to the broker (and a broker waits
    // a moment for more members of a new group): not done yet.
    assert!(
        !first.readers_joined(),
        "a reader that just subscribed has no share yet"
    );
    joins(&*first, "the first member").await;

    let second = bus(&config).await;
    let _also = second.consume_upstream().await.expect("second reader");
    joins(&*second, "the idle second member").await;
    assert!(first.readers_joined(), "a member stays ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_reader_is_ready_once_assigned_too() {
    let task = bus(&isolated_config()).await;
    let _tasks = task.consume_task().await.expect("task reader");
    joins(&*task, "the task reader").await;
}
