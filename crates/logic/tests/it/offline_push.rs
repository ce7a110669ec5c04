//! Which `TaskRecord::Push` logic writes for the conversations it
//! delivers itself: members with no route, never the sender, only with
//! push on, never for a message no member misses.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_domain::commands::Register;
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{
    Ack, ClientMsgId, ConversationId, MessageContent, MessageType, Password, UserId, Username,
};
use ferrochat_logic::{Logic, LogicConfig, LogicDeps};
use ferrochat_ports::api::{AccountsApi as _, MessagingApi as _};
use ferrochat_ports::bus::{
    Consumer, Downstream, DownstreamRecord, ReplyTo, SendRecord, TaskRecord,
};
use ferrochat_ports::{Bus, Presence};
use ferrochat_presence::MemoryPresence;
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);

struct Harness {
    _dir: tempfile::TempDir,
    bus: Arc<LocalBus>,
    presence: Arc<MemoryPresence>,
    logic: Arc<Logic>,
    cancel: CancellationToken,
    replies: Box<dyn Consumer<Downstream>>,
    tasks: Box<dyn Consumer<TaskRecord>>,
    next_token: u64,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn gateway() -> GatewayId {
    GatewayId::new("gw-test")
}

async fn start(offline_push: bool) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("t.db"), &SqliteOptions::default())
            .await
            .unwrap(),
    );
    let bus = LocalBus::new(LocalBusConfig::default());
    let presence = Arc::new(MemoryPresence::new());
    let mut config = LogicConfig {
        offline_push,
        ..LogicConfig::default()
    };
    config.auth.password_hash.memory_kib = 64;
    config.auth.password_hash.iterations = 1;
    let deps = LogicDeps {
        store,
        bus: bus.clone(),
        presence: presence.clone(),
        lag: Arc::new(ferrochat_presence::MemoryLag::new()),
        cache: None,
    };
    let logic = Arc::new(Logic::build(deps, &config, &[7; 32]).unwrap());
    let cancel = CancellationToken::new();
    {
        let logic = logic.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move { logic.run(cancel).await });
    }
    let replies = bus.consume_downstream(&gateway()).await.unwrap();
    let tasks = bus.consume_task().await.unwrap();
    Harness {
        _dir: dir,
        bus,
        presence,
        logic,
        cancel,
        replies,
        tasks,
        next_token: 0,
    }
}

impl Harness {
    async fn user(&self, name: &str) -> UserId {
        let cmd = Register {
            username: Username::parse(name.to_owned()).unwrap(),
            password: Password::parse("correct horse".to_owned()).unwrap(),
            nickname: None,
        };
        self.logic.accounts.register(cmd).await.unwrap().id
    }

    async fn dm(&self, a: &UserId, b: &UserId) -> ConversationId {
        self.logic.messaging.open_single(a, b).await.unwrap().id
    }

    async fn online(&self, user: &UserId, conn: u64) {
        let route = Route {
            gateway: gateway(),
            conn: ConnId(conn),
        };
        self.presence.connect(user, &route).await.unwrap();
    }

    /// Sends through the bus as a gateway would; returns the ack.
    async fn send(&mut self, from: &UserId, to: &ConversationId) -> Ack {
        self.next_token += 1;
        let token = self.next_token;
        let record = SendRecord {
            marks: Default::default(),
            sender: from.clone(),
            conversation_id: to.clone(),
            client_msg_id: ClientMsgId::parse(format!("c-{token}")).unwrap(),
            message_type: MessageType::text(),
            content: MessageContent::from_stored("hello".into()),
            reply_to: ReplyTo {
                gateway: gateway(),
                token,
                conn: None,
            },
            reference: None,
            sent_at: None,
            trace: None,
        };
        self.bus
            .publish_upstream(record)
            .await
            .unwrap()
            .await
            .unwrap();
        loop {
            let items = tokio::time::timeout(WAIT, self.replies.next())
                .await
                .expect("a reply in time")
                .expect("bus open")
                .items()
                .expect("nothing lost");
            for item in items {
                if let DownstreamRecord::Reply {
                    reply_to, result, ..
                } = item
                {
                    assert_eq!(reply_to.token, token);
                    return result.expect("the send is accepted");
                }
            }
        }
    }

    async fn next_task(&mut self) -> TaskRecord {
        tokio::time::timeout(WAIT, self.tasks.next())
            .await
            .expect("a task record in time")
            .expect("bus open")
    }

    /// A message to the world room: logic always hands it to the task
    /// role, after everything sent before it (the fan-out stage is FIFO),
    /// so it marks the end of what earlier sends published.
    async fn mark(&mut self, from: &UserId) -> Ack {
        self.send(from, &ConversationId::world()).await
    }

    async fn expect_mark(&mut self, mark: &Ack) {
        match self.next_task().await {
            TaskRecord::Fanout { message, .. } => assert_eq!(message.id, mark.message_id),
            other => panic!("expected the world fan-out, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn offline_peer_is_handed_to_push_and_online_peer_is_not() {
    let mut h = start(true).await;
    let alice = h.user("alice").await;
    let bob = h.user("bob").await;
    let dm = h.dm(&alice, &bob).await;

    // Neither is connected: bob gets a push, alice (the sender) does not.
    let ack = h.send(&alice, &dm).await;
    match h.next_task().await {
        TaskRecord::Push {
            message,
            recipients,
        } => {
            assert_eq!(message.id, ack.message_id);
            assert_eq!(message.from, alice);
            assert_eq!(recipients, vec![bob.clone()]);
        }
        other => panic!("expected a push, got {other:?}"),
    }

    // Bob connected: nothing to push.
    h.online(&bob, 1).await;
    h.send(&alice, &dm).await;
    let mark = h.mark(&alice).await;
    h.expect_mark(&mark).await;
}

#[tokio::test]
async fn push_off_publishes_no_push_record() {
    let mut h = start(false).await;
    let alice = h.user("alice").await;
    let bob = h.user("bob").await;
    let dm = h.dm(&alice, &bob).await;

    h.send(&alice, &dm).await;
    let mark = h.mark(&alice).await;
    h.expect_mark(&mark).await;
}
