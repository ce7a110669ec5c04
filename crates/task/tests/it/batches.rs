//! Fan-out records that wait together are fanned out as one batch: each
//! audience is read once for the batch and each gateway gets one record
//! for it, and still every message reaches every route once, in seq
//! order, but the sender's own connection.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{ConversationId, ConversationKind, Message, UserId};
use ferrochat_ports::bus::{Consumer, Downstream, DownstreamRecord, Event, TaskRecord};
use ferrochat_ports::{Bus, Presence, Store};
use ferrochat_presence::{MemoryLag, MemoryPresence};
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_task::{TaskConfig, TaskDeps};
use ferrochat_test_support::conformance::fixtures;
use tokio_util::sync::CancellationToken;

use crate::{message, WAIT};

/// More than one batch holds, so the records arrive in several.
const MESSAGES: u64 = 150;

/// What a gateway was handed: per connection, the seqs in arrival order;
/// and how many records it took.
#[derive(Default, Debug)]
struct Got {
    seqs: BTreeMap<u64, Vec<u64>>,
    records: usize,
}

async fn read(downstream: &mut Box<dyn Consumer<Downstream>>, deliveries: usize) -> Got {
    let mut got = Got::default();
    let mut seen = 0;
    while seen < deliveries {
        let items = tokio::time::timeout(WAIT, downstream.next())
            .await
            .expect("every delivery in time")
            .expect("bus open")
            .items()
            .expect("nothing lost");
        got.records += 1;
        for item in items {
            let DownstreamRecord::Deliver { conns, event, .. } = item else {
                panic!("only deliveries: {item:?}");
            };
            let Event::NewMessage(m) = &*event else {
                panic!("a new message: {event:?}");
            };
            for c in conns {
                got.seqs.entry(c.0).or_default().push(m.seq.get());
                seen += 1;
            }
        }
    }
    got
}

fn route(gateway: &GatewayId, conn: u64) -> Route {
    Route {
        gateway: gateway.clone(),
        conn: ConnId(conn),
    }
}

/// Publishes `MESSAGES` fan-outs of `conversation` before the role runs
/// (so they wait together), message `seq` sent by `senders[seq % n]`
/// from that sender's connection; then starts the role.
async fn publish_then_run(
    deps: TaskDeps,
    conversation: &ConversationId,
    kind: ConversationKind,
    senders: &[(UserId, Route)],
) -> CancellationToken {
    for seq in 1..=MESSAGES {
        let (from, conn) = &senders[usize::try_from(seq).unwrap() % senders.len()];
        let m = Message {
            conversation_id: conversation.clone(),
            conversation_kind: kind,
            from: from.clone(),
            ..message(seq)
        };
        deps.bus
            .publish_task(TaskRecord::Fanout {
                message: Arc::new(m),
                exclude: Some(conn.clone()),
            })
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let cancel = CancellationToken::new();
    tokio::spawn(ferrochat_task::run(
        deps,
        TaskConfig::default(),
        cancel.clone(),
    ));
    cancel
}

/// Every conn of `expected` got `1..=MESSAGES` in order, but the
/// messages sent from it.
fn check(got: &Got, expected: &[(u64, u64)]) {
    for (conn, sender_index) in expected {
        let want: Vec<u64> = (1..=MESSAGES)
            .filter(|seq| Some(seq % 3) != Some(*sender_index))
            .collect();
        assert_eq!(got.seqs.get(conn), Some(&want), "conn {conn}");
    }
    assert_eq!(got.seqs.len(), expected.len(), "only the audience: {got:?}");
    assert!(
        got.records < usize::try_from(MESSAGES).unwrap(),
        "the waiting records went out in batches, not one record each: {}",
        got.records
    );
}

fn deps(bus: &Arc<LocalBus>, presence: &Arc<MemoryPresence>, store: Arc<dyn Store>) -> TaskDeps {
    TaskDeps {
        store,
        bus: bus.clone(),
        presence: presence.clone(),
        lag: Arc::new(MemoryLag::new()),
    }
}

async fn sqlite(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    Arc::new(
        SqliteStore::open(&dir.path().join("t.db"), &SqliteOptions::default())
            .await
            .unwrap(),
    )
}

/// A bus with one gateway's reader, and an empty route table.
async fn one_gateway() -> (
    Arc<LocalBus>,
    Arc<MemoryPresence>,
    GatewayId,
    Box<dyn Consumer<Downstream>>,
) {
    let bus = LocalBus::new(LocalBusConfig::default());
    let presence = Arc::new(MemoryPresence::new());
    let gateway = GatewayId::new("gw-1");
    let downstream = bus.consume_downstream(&gateway).await.unwrap();
    (bus, presence, gateway, downstream)
}

#[tokio::test]
async fn waiting_world_room_messages_go_out_in_batches_each_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let bus = LocalBus::new(LocalBusConfig::default());
    let presence = Arc::new(MemoryPresence::new());
    let (g1, g2) = (GatewayId::new("gw-1"), GatewayId::new("gw-2"));
    let mut d1 = bus.consume_downstream(&g1).await.unwrap();
    let mut d2 = bus.consume_downstream(&g2).await.unwrap();
    // Three online users, the third with a connection on each gateway.
    let users: Vec<UserId> = (0..3).map(|_| UserId::generate()).collect();
    let routes = [
        (users[0].clone(), route(&g1, 10)),
        (users[1].clone(), route(&g2, 20)),
        (users[2].clone(), route(&g1, 30)),
        (users[2].clone(), route(&g2, 31)),
    ];
    for (u, r) in &routes {
        presence.connect(u, r).await.unwrap();
    }
    // Sender i % 3 sends from its first connection.
    let senders = [routes[2].clone(), routes[0].clone(), routes[1].clone()];
    let _stop = publish_then_run(
        deps(&bus, &presence, sqlite(&dir).await),
        &ConversationId::world(),
        ConversationKind::World,
        &senders,
    )
    .await
    .drop_guard();
    let per_conn = usize::try_from(MESSAGES).unwrap();
    // Each conn misses a third of the messages: its own (conn 31 none).
    let g1_deliveries = 2 * (per_conn - per_conn / 3);
    let g2_deliveries = (per_conn - per_conn / 3) + per_conn;
    let got1 = read(&mut d1, g1_deliveries).await;
    let got2 = read(&mut d2, g2_deliveries).await;
    check(&got1, &[(10, 1), (30, 0)]);
    check(&got2, &[(20, 2), (31, 3)]);
}

#[tokio::test]
async fn waiting_group_messages_go_out_in_batches_each_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let (bus, presence, gateway, mut downstream) = one_gateway().await;
    let members = fixtures::users(&*store, "batch", 4).await;
    let outsider = fixtures::user(&*store, "outsider").await;
    let ids: Vec<UserId> = members.iter().map(|u| u.id.clone()).collect();
    let group = fixtures::group(&*store, &ids[0], &ids[1..], 10).await;
    // Three members online; the fourth is not; the outsider is online
    // but no member.
    let routes: Vec<(UserId, Route)> = (0..3)
        .map(|i| {
            (
                ids[i].clone(),
                route(&gateway, 100 + u64::try_from(i).unwrap()),
            )
        })
        .collect();
    for (u, r) in &routes {
        presence.connect(u, r).await.unwrap();
    }
    presence
        .connect(&outsider.id, &route(&gateway, 999))
        .await
        .unwrap();
    let _stop = publish_then_run(
        deps(&bus, &presence, store),
        &group.conversation_id,
        ConversationKind::Group,
        &routes,
    )
    .await
    .drop_guard();
    let per_conn = usize::try_from(MESSAGES).unwrap();
    let got = read(&mut downstream, 3 * (per_conn - per_conn / 3)).await;
    check(&got, &[(100, 0), (101, 1), (102, 2)]);
}

/// A member added and one removed between messages that wait together:
/// from its system message on, the newcomer gets what the group gets and
/// the removed member nothing, each message once; before it, the member
/// list the role already held decides.
#[tokio::test]
async fn membership_changes_inside_a_batch_apply_from_their_system_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let (bus, presence, gateway, mut downstream) = one_gateway().await;
    let users = fixtures::users(&*store, "change", 4).await;
    let [owner, stays, leaves, newcomer] = [0, 1, 2, 3].map(|i| users[i].id.clone());
    let group = fixtures::group(&*store, &owner, &[stays.clone(), leaves.clone()], 10).await;
    let conv = group.conversation_id.clone();
    for (i, u) in [&owner, &stays, &leaves, &newcomer].into_iter().enumerate() {
        presence
            .connect(u, &route(&gateway, u64::try_from(i).unwrap()))
            .await
            .unwrap();
    }
    let _stop = {
        let cancel = CancellationToken::new();
        tokio::spawn(ferrochat_task::run(
            deps(&bus, &presence, store.clone()),
            TaskConfig::default(),
            cancel.clone(),
        ));
        cancel.drop_guard()
    };
    let publish = |m: Message| {
        let bus = bus.clone();
        async move {
            bus.publish_task(TaskRecord::Fanout {
                message: Arc::new(m),
                exclude: None,
            })
            .await
            .unwrap()
            .await
            .unwrap();
        }
    };
    let text = |seq: u64| Message {
        conversation_id: conv.clone(),
        conversation_kind: ConversationKind::Group,
        from: owner.clone(),
        ..message(seq)
    };
    let system = |seq: u64, event: &str, user: &UserId| Message {
        message_type: ferrochat_domain::MessageType::system(),
        content: ferrochat_domain::MessageContent::from_stored(format!(
            r#"{{"event":"{event}","user_id":"{user}"}}"#
        )),
        ..text(seq)
    };
    // Seq 1 loads the member list: owner, stays, leaves.
    publish(text(1)).await;
    let first = read(&mut downstream, 3).await;
    assert_eq!(
        first.seqs.keys().copied().collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    // Both changes are stored, then announced among messages published
    // back to back, which the role takes as one batch.
    store
        .add_member(
            &group.id,
            &newcomer,
            ferrochat_domain::groups::Role::Member,
            fixtures::T0,
        )
        .await
        .unwrap();
    assert!(store.remove_member(&group.id, &leaves).await.unwrap());
    publish(text(2)).await;
    publish(system(3, "member_added", &newcomer)).await;
    publish(text(4)).await;
    publish(system(5, "member_removed", &leaves)).await;
    publish(text(6)).await;
    // owner and stays: 2-6; leaves: 2-4; newcomer: 3-6.
    let got = read(&mut downstream, 5 + 5 + 3 + 4).await;
    assert_eq!(got.seqs.get(&0), Some(&vec![2, 3, 4, 5, 6]), "owner");
    assert_eq!(got.seqs.get(&1), Some(&vec![2, 3, 4, 5, 6]), "stays");
    assert_eq!(got.seqs.get(&2), Some(&vec![2, 3, 4]), "leaves");
    assert_eq!(got.seqs.get(&3), Some(&vec![3, 4, 5, 6]), "newcomer");
    // Nothing more arrives for anyone.
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(300), downstream.next())
            .await
            .is_err(),
        "no delivery beyond these"
    );
}
