//! The task role consuming push records from the bus: each ends
//! (delivered, refused or given up) and the next one follows.

use std::sync::Arc;

use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{ConversationId, ConversationKind, UserId};
use ferrochat_ports::bus::{DownstreamRecord, Event, TaskRecord};
use ferrochat_ports::{Bus, Presence};
use ferrochat_presence::{MemoryLag, MemoryPresence};
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_task::push::receiver::{Answer, Receiver};
use ferrochat_task::push::PushConfig;
use ferrochat_task::{TaskConfig, TaskDeps};
use tokio_util::sync::CancellationToken;

use crate::{config, message, WAIT};

struct Role {
    bus: Arc<LocalBus>,
    presence: Arc<MemoryPresence>,
    cancel: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Role {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn start(push: PushConfig) -> Role {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db"), &SqliteOptions::default())
        .await
        .unwrap();
    let bus = LocalBus::new(LocalBusConfig::default());
    let presence = Arc::new(MemoryPresence::new());
    let deps = TaskDeps {
        store: Arc::new(store),
        bus: bus.clone(),
        presence: presence.clone(),
        lag: Arc::new(MemoryLag::new()),
    };
    let config = TaskConfig {
        push,
        ..TaskConfig::default()
    };
    let cancel = CancellationToken::new();
    tokio::spawn(ferrochat_task::run(deps, config, cancel.clone()));
    Role {
        bus,
        presence,
        cancel,
        _dir: dir,
    }
}

impl Role {
    /// Publishes a push of a new message to one new user; returns both.
    async fn push(&self, seq: u64) -> (String, String) {
        let m = message(seq);
        let to = UserId::generate();
        let ids = (m.id.to_string(), to.to_string());
        let record = TaskRecord::Push {
            message: Arc::new(m),
            recipients: vec![to],
        };
        self.bus.publish_task(record).await.unwrap().await.unwrap();
        ids
    }
}

impl Role {
    /// Publishes a fan-out of a new world-room message; returns its id.
    async fn world(&self, seq: u64) -> ferrochat_domain::MessageId {
        let mut world = message(seq);
        world.conversation_id = ConversationId::world();
        world.conversation_kind = ConversationKind::World;
        let id = world.id.clone();
        self.bus
            .publish_task(TaskRecord::Fanout {
                message: Arc::new(world),
                exclude: None,
            })
            .await
            .unwrap()
            .await
            .unwrap();
        id
    }
}

/// One push at a time, so calls arrive in record order.
fn serial(url: String) -> PushConfig {
    PushConfig {
        concurrency: 1,
        ..config(url)
    }
}

#[tokio::test]
async fn a_refused_push_is_tried_once_and_the_next_record_follows() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(400)]);
    let role = start(serial(receiver.url())).await;
    let (m1, u1) = role.push(1).await;
    let (m2, u2) = role.push(2).await;
    let calls = receiver.wait_calls(2, WAIT).await;
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!((calls[0].message_id(), calls[0].status), (&*m1, Some(400)));
    assert_eq!(calls[0].recipients(), vec![u1]);
    assert_eq!(calls[1].message_id(), m2);
    assert_eq!(calls[1].recipients(), vec![u2]);
    assert!(calls[1].delivered());
}

#[tokio::test]
async fn retried_pushes_land_and_none_is_lost() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(503), Answer::Status(503)]);
    let role = start(serial(receiver.url())).await;
    let (m1, _) = role.push(1).await;
    let (m2, _) = role.push(2).await;
    let calls = receiver.wait_calls(4, WAIT).await;
    let ids: Vec<&str> = calls.iter().map(|c| c.message_id()).collect();
    assert_eq!(ids, vec![&*m1, &*m1, &*m1, &*m2]);
    let statuses: Vec<_> = calls.iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(503), Some(200), Some(200)]);
}

#[tokio::test]
async fn a_push_given_up_does_not_stall_the_role() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(500); 2]);
    let role = start(PushConfig {
        max_attempts: 2,
        ..serial(receiver.url())
    })
    .await;
    let (m1, _) = role.push(1).await;
    let (m2, _) = role.push(2).await;
    let calls = receiver.wait_calls(3, WAIT).await;
    let ids: Vec<&str> = calls.iter().map(|c| c.message_id()).collect();
    assert_eq!(ids, vec![&*m1, &*m1, &*m2]);
    assert!(calls[2].delivered());
}

#[tokio::test]
async fn concurrent_pushes_all_land() {
    let receiver = Receiver::start().await;
    let role = start(config(receiver.url())).await;
    let mut sent = Vec::new();
    for seq in 1..=20 {
        sent.push(role.push(seq).await.0);
    }
    let calls = receiver.wait_calls(20, WAIT).await;
    let mut got: Vec<String> = calls.iter().map(|c| c.message_id().to_owned()).collect();
    got.sort();
    sent.sort();
    assert_eq!(got, sent);
}

/// A full queue drops the new push instead of holding up the role: a
/// fan-out published behind it is delivered while the first push still
/// hangs, and the dropped push never reaches the webhook.
#[tokio::test]
async fn a_full_queue_drops_pushes_and_fan_out_goes_on() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Hang]);
    // One call at a time, two pushes held: the first calls, the second
    // waits, a third has no room.
    let role = start(PushConfig {
        concurrency: 1,
        queue: 2,
        timeout: std::time::Duration::from_secs(3),
        ..config(receiver.url())
    })
    .await;
    let gateway = GatewayId::new("gw");
    let mut downstream = role.bus.consume_downstream(&gateway).await.unwrap();
    let user = UserId::generate();
    let route = Route {
        gateway: gateway.clone(),
        conn: ConnId(1),
    };
    role.presence.connect(&user, &route).await.unwrap();

    let (hung, _) = role.push(1).await;
    receiver.wait_calls(1, WAIT).await;
    let (queued, _) = role.push(2).await;
    let (dropped, _) = role.push(3).await;
    let world_id = role.world(4).await;
    match tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("the world fan-out in time")
        .expect("bus open")
        .items()
        .expect("nothing lost")
        .as_slice()
    {
        [DownstreamRecord::Deliver { event, .. }] => {
            assert!(matches!(&**event, Event::NewMessage(m) if m.id == world_id));
        }
        other => panic!("expected a delivery, got {other:?}"),
    }
    // The hung call times out and its retry lands, then the queued push;
    // a push published after them comes next: the dropped one never.
    receiver.wait_calls(3, WAIT).await;
    let (later, _) = role.push(5).await;
    let calls = receiver.wait_calls(4, WAIT).await;
    let ids: Vec<&str> = calls.iter().map(|c| c.message_id()).collect();
    assert_eq!(ids, vec![&*hung, &*hung, &*queued, &*later]);
    assert!(!ids.contains(&dropped.as_str()));
}

/// With push off, a push record (from a node with push on) is dropped and
/// the role goes on with the next record.
#[tokio::test]
async fn push_off_drops_push_records_and_goes_on() {
    let role = start(PushConfig::default()).await;
    let gateway = GatewayId::new("gw");
    let mut downstream = role.bus.consume_downstream(&gateway).await.unwrap();
    let user = UserId::generate();
    let route = Route {
        gateway: gateway.clone(),
        conn: ConnId(1),
    };
    role.presence.connect(&user, &route).await.unwrap();
    role.push(1).await;
    let world_id = role.world(2).await;
    let record = tokio::time::timeout(WAIT, downstream.next())
        .await
        .expect("the world fan-out in time")
        .expect("bus open");
    match record.items().expect("nothing lost").as_slice() {
        [DownstreamRecord::Deliver { conns, event, .. }] => {
            assert_eq!(conns, &vec![ConnId(1)]);
            assert!(matches!(&**event, Event::NewMessage(m) if m.id == world_id));
        }
        other => panic!("expected a delivery, got {other:?}"),
    }
}
