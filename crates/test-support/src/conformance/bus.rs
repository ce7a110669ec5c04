//! The bus conformance suite: what every `Bus` adapter must do, the
//! in-process one and Kafka alike.
//!
//! Each case is an `async fn(Arc<dyn Bus>)` on a fresh bus whose topics
//! are empty and have no consumer yet. An adapter's tests run them all:
//!
//! ```ignore
//! ferrochat_test_support::bus_conformance_tests!(crate::fresh_bus);
//! ```
//!
//! where `fresh_bus()` is an `async fn() -> Arc<dyn Bus>`. What only a
//! persistent bus can do (redelivery after a crash) is tested by that
//! adapter alone.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{
    Changes, ClientMsgId, ConversationId, ConversationKind, Message, MessageContent, MessageId,
    MessageType, Seq, Timestamp, UserId,
};

use ferrochat_ports::bus::{
    Consumer, Downstream, DownstreamRecord, Event, ReplyTo, SendRecord, TaskRecord,
};
use ferrochat_ports::Bus;

/// One `#[tokio::test]` per case, each on a bus from `$fresh`.
#[macro_export]
macro_rules! bus_conformance_tests {
    ($fresh:path) => {
        $crate::bus_conformance_tests!(@cases $fresh;
            upstream_keeps_each_conversations_order,
            concurrent_publishers_keep_their_order,
            records_in_flight_keep_their_order,
            downstream_reaches_only_its_gateway,
            downstream_items_of_a_record_arrive_together_in_order,
            downstream_items_too_large_for_one_record_arrive_in_order,
            task_records_arrive_whole_and_in_order,
            positions_count_returned_records,
        );
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let bus = $fresh().await;
                $crate::conformance::bus::$case(bus).await;
            }
        )*
    };
}

/// How long a case waits for a record it expects before failing.
const WAIT: Duration = Duration::from_secs(60);

async fn next<T>(consumer: &mut Box<dyn Consumer<T>>) -> T {
    tokio::time::timeout(WAIT, consumer.next())
        .await
        .expect("a record within the wait")
        .expect("the bus is open")
}

/// The items of a gateway's next record (nothing is lost here).
async fn next_items(consumer: &mut Box<dyn Consumer<Downstream>>) -> Vec<DownstreamRecord> {
    match next(consumer).await {
        Downstream::Items(items) => items,
        Downstream::Lost => panic!("records were lost"),
    }
}

pub fn send_record(conversation: &ConversationId, client_msg_id: &str) -> SendRecord {
    SendRecord {
        marks: Default::default(),
        sender: UserId::generate(),
        conversation_id: conversation.clone(),
        client_msg_id: ClientMsgId::parse(client_msg_id.to_owned()).expect("valid id"),
        message_type: MessageType::text(),
        content: MessageContent::from_stored(format!("content of {client_msg_id}")),
        reply_to: ReplyTo {
            gateway: GatewayId::new("gw"),
            token: 1,
            conn: None,
        },
        reference: None,
        sent_at: None,
        trace: None,
    }
}

/// A text message of `conversation` at `seq`, from a new user.
pub fn message(conversation: &ConversationId, seq: u64) -> Message {
    Message {
        marks: Default::default(),
        id: MessageId::generate(),
        conversation_id: conversation.clone(),
        conversation_kind: ConversationKind::Group,
        seq: Seq::new(seq),
        from: UserId::generate(),
        message_type: MessageType::text(),
        content: MessageContent::from_stored(format!("message {seq}")),
        client_msg_id: ClientMsgId::parse(format!("m{seq}")).expect("valid id"),
        created_at: Timestamp::from_millis(1_700_000_000_000 + seq as i64),
        reference: None,
        changes: Changes::default(),
        reactions: Vec::new(),
        reaction_count: None,
    }
}

/// Records of several conversations, interleaved, come out in each
/// conversation's publish order, each exactly once.
pub async fn upstream_keeps_each_conversations_order(bus: Arc<dyn Bus>) {
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    let conversations: Vec<ConversationId> = (0..3).map(|_| ConversationId::generate()).collect();
    let per = 40;
    for i in 0..per {
        for c in &conversations {
            bus.publish_upstream(send_record(c, &format!("c{i}")))
                .await
                .expect("publish")
                .await
                .expect("durable");
        }
    }
    let mut seen: HashMap<ConversationId, Vec<String>> = HashMap::new();
    for _ in 0..per * conversations.len() {
        let r = next(&mut consumer).await;
        assert_eq!(
            r.content.as_str(),
            format!("content of {}", r.client_msg_id.as_str())
        );
        seen.entry(r.conversation_id)
            .or_default()
            .push(r.client_msg_id.into_string());
    }
    let expected: Vec<String> = (0..per).map(|i| format!("c{i}")).collect();
    for c in &conversations {
        assert_eq!(seen.get(c), Some(&expected), "order of {c}");
    }
    consumer.commit().await.expect("commit");
}

/// Publishers running at once each keep their conversation's order.
pub async fn concurrent_publishers_keep_their_order(bus: Arc<dyn Bus>) {
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    let per = 50;
    let conversations: Vec<ConversationId> = (0..4).map(|_| ConversationId::generate()).collect();
    let publishers: Vec<_> = conversations
        .iter()
        .cloned()
        .map(|c| {
            let bus = bus.clone();
            tokio::spawn(async move {
                for i in 0..per {
                    bus.publish_upstream(send_record(&c, &format!("p{i}")))
                        .await
                        .expect("publish")
                        .await
                        .expect("durable");
                }
            })
        })
        .collect();
    let mut seen: HashMap<ConversationId, Vec<String>> = HashMap::new();
    for _ in 0..per * conversations.len() {
        let r = next(&mut consumer).await;
        seen.entry(r.conversation_id)
            .or_default()
            .push(r.client_msg_id.into_string());
    }
    for p in publishers {
        p.await.expect("publisher");
    }
    let expected: Vec<String> = (0..per).map(|i| format!("p{i}")).collect();
    for c in &conversations {
        assert_eq!(seen.get(c), Some(&expected), "order of {c}");
    }
}

/// Records published one after another without waiting for each to be
/// durable keep their order; every one becomes durable; a consumer can
/// take what has arrived with `try_next`, counted like `next`.
pub async fn records_in_flight_keep_their_order(bus: Arc<dyn Bus>) {
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    let conversation = ConversationId::generate();
    let n = 200;
    let mut in_flight = Vec::with_capacity(n);
    for i in 0..n {
        let published = bus
            .publish_upstream(send_record(&conversation, &format!("f{i}")))
            .await
            .expect("publish");
        in_flight.push(published);
    }
    ferrochat_ports::bus::Published::all(in_flight)
        .await
        .expect("every record durable");
    let mut seen = Vec::with_capacity(n);
    while seen.len() < n {
        let r = next(&mut consumer).await;
        seen.push(r.client_msg_id.into_string());
        while let Some(r) = consumer.try_next() {
            seen.push(r.client_msg_id.into_string());
        }
        assert_eq!(consumer.position(), seen.len() as u64);
    }
    let expected: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
    assert_eq!(seen, expected);
    consumer.commit().await.expect("commit");
}

/// Each gateway gets exactly the records addressed to it, in order, and
/// a record's contents survive the trip.
pub async fn downstream_reaches_only_its_gateway(bus: Arc<dyn Bus>) {
    let gateways = [GatewayId::new("conf-a"), GatewayId::new("conf-b")];
    let mut a = bus.consume_downstream(&gateways[0]).await.expect("a");
    let mut b = bus.consume_downstream(&gateways[1]).await.expect("b");
    let conversation = ConversationId::generate();
    let n = 30u64;
    for i in 0..n {
        for g in &gateways {
            let record = DownstreamRecord::Deliver {
                conns: vec![ConnId(i), ConnId(i + 1000)],
                event: Arc::new(Event::NewMessage(message(&conversation, i + 1))),
                trace: None,
            };
            bus.publish_downstream(g, vec![record])
                .await
                .expect("publish")
                .await
                .expect("durable");
        }
    }
    for consumer in [&mut a, &mut b] {
        for i in 0..n {
            let items = next_items(consumer).await;
            assert_eq!(items.len(), 1);
            let item = items.into_iter().next().expect("one item");
            match item {
                DownstreamRecord::Deliver { conns, event, .. } => {
                    assert_eq!(conns, vec![ConnId(i), ConnId(i + 1000)]);
                    match &*event {
                        Event::NewMessage(m) => {
                            assert_eq!(m.seq, Seq::new(i + 1));
                            assert_eq!(m.conversation_id, conversation);
                            assert_eq!(m.content.as_str(), format!("message {}", i + 1));
                        }
                        other => panic!("unexpected event {other:?}"),
                    }
                }
                other => panic!("unexpected record {other:?}"),
            }
        }
        consumer.commit().await.expect("commit");
    }
    // Nothing more is waiting for either gateway.
    for consumer in [&mut a, &mut b] {
        let more = tokio::time::timeout(Duration::from_millis(500), consumer.next()).await;
        assert!(more.is_err(), "a gateway got a record addressed elsewhere");
    }
}

/// The items of one downstream record come out as one, in order.
pub async fn downstream_items_of_a_record_arrive_together_in_order(bus: Arc<dyn Bus>) {
    let gateway = GatewayId::new("conf-batch");
    let mut consumer = bus.consume_downstream(&gateway).await.expect("consumer");
    let conversation = ConversationId::generate();
    let batch = |from: u64| -> Vec<DownstreamRecord> {
        (from..from + 5)
            .map(|seq| DownstreamRecord::Deliver {
                conns: vec![ConnId(seq)],
                event: Arc::new(Event::NewMessage(message(&conversation, seq))),
                trace: None,
            })
            .collect()
    };
    let first = bus
        .publish_downstream(&gateway, batch(1))
        .await
        .expect("publish");
    let second = bus
        .publish_downstream(&gateway, batch(6))
        .await
        .expect("publish");
    first.await.expect("durable");
    second.await.expect("durable");
    for from in [1u64, 6] {
        let items = next_items(&mut consumer).await;
        let seqs: Vec<u64> = items
            .iter()
            .map(|item| match item {
                DownstreamRecord::Deliver { conns, event, .. } => match &**event {
                    Event::NewMessage(m) => {
                        assert_eq!(conns, &vec![ConnId(m.seq.get())]);
                        m.seq.get()
                    }
                    other => panic!("unexpected event {other:?}"),
                },
                other => panic!("unexpected item {other:?}"),
            })
            .collect();
        assert_eq!(seqs, (from..from + 5).collect::<Vec<_>>());
    }
    assert_eq!(consumer.position(), 2);
}

/// Items adding up to more than a broker takes in one record (Kafka's
/// default: about 1 MB) all arrive, in order, whatever records the bus
/// made of them.
pub async fn downstream_items_too_large_for_one_record_arrive_in_order(bus: Arc<dyn Bus>) {
    let gateway = GatewayId::new("conf-large");
    let mut consumer = bus.consume_downstream(&gateway).await.expect("consumer");
    let conversation = ConversationId::generate();
    let items: Vec<DownstreamRecord> = (1..=8)
        .map(|seq| {
            let mut m = message(&conversation, seq);
            m.content = MessageContent::from_stored("y".repeat(200 * 1024));
            DownstreamRecord::Deliver {
                conns: vec![ConnId(seq)],
                event: Arc::new(Event::NewMessage(m)),
                trace: None,
            }
        })
        .collect();
    bus.publish_downstream(&gateway, items)
        .await
        .expect("publish")
        .await
        .expect("durable");
    let mut seqs = Vec::new();
    while seqs.len() < 8 {
        for item in next_items(&mut consumer).await {
            match item {
                DownstreamRecord::Deliver { event, .. } => match &*event {
                    Event::NewMessage(m) => seqs.push(m.seq.get()),
                    other => panic!("unexpected event {other:?}"),
                },
                other => panic!("unexpected item {other:?}"),
            }
        }
    }
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
}

/// Fan-out and push work arrives whole, in order for one conversation.
pub async fn task_records_arrive_whole_and_in_order(bus: Arc<dyn Bus>) {
    let mut consumer = bus.consume_task().await.expect("consumer");
    let conversation = ConversationId::generate();
    let exclude = Route {
        gateway: GatewayId::new("gw-x"),
        conn: ConnId(77),
    };
    let recipients: Vec<UserId> = (0..3).map(|_| UserId::generate()).collect();
    for seq in 1..=20 {
        let message = Arc::new(message(&conversation, seq));
        // Every third message also goes to offline members.
        let record = if seq % 3 == 0 {
            TaskRecord::Push {
                message,
                recipients: recipients.clone(),
            }
        } else {
            TaskRecord::Fanout {
                message,
                exclude: (seq % 2 == 0).then(|| exclude.clone()),
            }
        };
        bus.publish_task(record)
            .await
            .expect("publish")
            .await
            .expect("durable");
    }
    for seq in 1..=20u64 {
        match next(&mut consumer).await {
            TaskRecord::Fanout {
                message,
                exclude: ex,
            } => {
                assert_ne!(seq % 3, 0, "a fan-out where a push was published");
                assert_eq!(message.seq, Seq::new(seq));
                assert_eq!(message.conversation_id, conversation);
                assert_eq!(ex, (seq % 2 == 0).then(|| exclude.clone()));
            }
            TaskRecord::Push {
                message,
                recipients: to,
            } => {
                assert_eq!(seq % 3, 0, "a push where a fan-out was published");
                assert_eq!(message.seq, Seq::new(seq));
                assert_eq!(message.conversation_id, conversation);
                assert_eq!(to, recipients);
            }
        }
    }
    consumer.commit().await.expect("commit");
}

/// `position` counts what `next` returned; committing through any
/// position up to it is accepted.
pub async fn positions_count_returned_records(bus: Arc<dyn Bus>) {
    let mut consumer = bus.consume_upstream().await.expect("consumer");
    assert_eq!(consumer.position(), 0);
    let conversation = ConversationId::generate();
    for i in 0..5 {
        bus.publish_upstream(send_record(&conversation, &format!("q{i}")))
            .await
            .expect("publish")
            .await
            .expect("durable");
    }
    for expected in 1..=5 {
        next(&mut consumer).await;
        assert_eq!(consumer.position(), expected);
    }
    consumer.commit_through(2).await.expect("commit through 2");
    consumer.commit_through(2).await.expect("again");
    consumer.commit().await.expect("commit the rest");
}
