//! The task role pushing to phones: push records from the bus, devices
//! and mutes from a real store, and fake FCM and APNs endpoints that
//! speak each protocol (`fakes/`).

use std::sync::Arc;
use std::time::Duration;

use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::push::{AppId, Device, Platform, PushToken};
use ferrochat_domain::{
    ConversationId, ConversationKind, Message, PushDeviceId, SessionId, UserId,
};
use ferrochat_ports::bus::TaskRecord;
use ferrochat_ports::store::{Committed, NewSession};
use ferrochat_ports::{clock, AccountStore, Bus, DeviceStore, MessageStore};
use ferrochat_presence::{MemoryLag, MemoryPresence};
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_task::push::{ApnsConfig, FcmConfig, PushConfig};
use ferrochat_task::{TaskConfig, TaskDeps};
use ferrochat_test_support::conformance::fixtures;
use tokio_util::sync::CancellationToken;

use crate::WAIT;
use ferrochat_task::push::fakes::apns::{FakeApns, KEY_ID, TEAM_ID};
use ferrochat_task::push::fakes::fcm::FakeFcm;

struct Role {
    store: Arc<SqliteStore>,
    bus: Arc<LocalBus>,
    fcm: FakeFcm,
    apns: FakeApns,
    cancel: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Role {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn start(tune: impl FnOnce(&mut PushConfig)) -> Role {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("t.db"), &SqliteOptions::default())
            .await
            .unwrap(),
    );
    let fcm = FakeFcm::start().await;
    let apns = FakeApns::start(dir.path()).await;
    let mut push = PushConfig {
        backoff_initial: Duration::from_millis(1),
        backoff_max: Duration::from_millis(5),
        fcm: Some(FcmConfig {
            service_account_file: fcm.write_account(dir.path()),
            base_url: fcm.base.clone(),
        }),
        apns: Some(ApnsConfig {
            key_file: apns.key_file.clone(),
            key_id: KEY_ID.into(),
            team_id: TEAM_ID.into(),
            base_url: apns.base.clone(),
            ca_file: Some(apns.ca_file.clone()),
            expiration: Duration::from_secs(3600),
        }),
        ..PushConfig::default()
    };
    tune(&mut push);
    assert_eq!(push.check(), Ok(()));
    let bus = LocalBus::new(LocalBusConfig::default());
    let deps = TaskDeps {
        store: store.clone(),
        bus: bus.clone(),
        presence: Arc::new(MemoryPresence::new()),
        lag: Arc::new(MemoryLag::new()),
    };
    let config = TaskConfig {
        push,
        ..TaskConfig::default()
    };
    let cancel = CancellationToken::new();
    tokio::spawn(ferrochat_task::run(deps, config, cancel.clone()));
    Role {
        store,
        bus,
        fcm,
        apns,
        cancel,
        _dir: dir,
    }
}

impl Role {
    async fn user(&self) -> UserId {
        fixtures::user(&*self.store, "phone").await.id
    }

    /// A live session of `user`'s with a device registered.
    async fn device(&self, user: &UserId, platform: Platform, token: &str) {
        let session = SessionId::generate();
        let now = clock::now();
        self.store
            .insert_session(&NewSession {
                id: session.clone(),
                user_id: user.clone(),
                device_id: None,
                created_at: now,
                expires_at: now.plus_millis(3_600_000),
                refresh_hash: format!("hash-{session}"),
            })
            .await
            .unwrap();
        let device = Device {
            id: PushDeviceId::generate(),
            user_id: user.clone(),
            session_id: session,
            platform,
            token: PushToken::parse(token.into(), platform).unwrap(),
            app_id: (platform == Platform::Apns)
                .then(|| AppId::parse("com.example.chat".into()).unwrap()),
            created_at: now,
        };
        self.store.put_device(&device).await.unwrap();
    }

    async fn single(&self, a: &UserId, b: &UserId) -> ConversationId {
        self.store.open_single(a, b, clock::now()).await.unwrap()
    }

    /// Commits a message from `from` (mentioning `mentions`).
    async fn say(
        &self,
        conv: &ConversationId,
        from: &UserId,
        text: &str,
        mentions: &[&UserId],
    ) -> Message {
        let mut m = fixtures::text(conv, ConversationKind::Single, from);
        m.content = ferrochat_domain::MessageContent::from_stored(text.into());
        m.marks.mentions = mentions.iter().map(|u| (*u).clone()).collect();
        match self.store.commit_messages(&[m]).await.unwrap().remove(0) {
            Committed::Stored(m) => m,
            other => panic!("{other:?}"),
        }
    }

    /// Hands the task role a push of `message` to `recipients`.
    async fn push(&self, message: Message, recipients: &[&UserId]) {
        let record = TaskRecord::Push {
            message: Arc::new(message),
            recipients: recipients.iter().map(|u| (*u).clone()).collect(),
        };
        self.bus.publish_task(record).await.unwrap().await.unwrap();
    }

    async fn mute(&self, user: &UserId, conv: &ConversationId) {
        let update = UpdateConversation {
            read_seq: None,
            muted: Some(true),
            pinned: None,
            hide: Vec::new(),
        };
        assert!(self.store.update_cursor(user, conv, update).await.unwrap());
    }
}

/// Polls `done` until it holds or `WAIT` passes.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn offline_members_phones_are_told_through_fcm_and_apns() {
    let role = start(|_| {}).await;
    let (alice, bob) = (role.user().await, role.user().await);
    role.device(&bob, Platform::Fcm, "fcm:bob-phone").await;
    role.device(&bob, Platform::Apns, "00aa11bb").await;
    let conv = role.single(&alice, &bob).await;
    role.say(&conv, &alice, "first", &[]).await;
    let m = role.say(&conv, &alice, "secret text", &[]).await;
    role.push(m.clone(), &[&bob]).await;

    until("one send to each provider", || {
        role.fcm.sends().len() == 1 && role.apns.calls().len() == 1
    })
    .await;
    let (fcm, status) = role.fcm.sends().remove(0);
    assert_eq!(status, 200);
    let msg = &fcm["message"];
    assert_eq!(msg["token"], "fcm:bob-phone");
    assert_eq!(msg["notification"]["title"], "New message");
    assert!(
        msg["notification"].get("body").is_none(),
        "no content by default: {msg}"
    );
    assert!(!fcm.to_string().contains("secret text"));
    assert_eq!(msg["data"]["conversation_id"], conv.as_str());
    assert_eq!(msg["data"]["message_id"], m.id.as_str());
    assert_eq!(msg["data"]["badge"], "2", "bob has two unread");
    assert_eq!(msg["android"]["collapse_key"], conv.as_str());
    assert_eq!(role.fcm.exchanges(), 1);

    let call = role.apns.calls().remove(0);
    assert_eq!(call.status, 200);
    assert_eq!(call.version, axum::http::Version::HTTP_2);
    assert_eq!(call.device, "00aa11bb");
    let header = |name: &str| call.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("apns-topic"), "com.example.chat");
    assert_eq!(header("apns-push-type"), "alert");
    assert_eq!(header("apns-collapse-id"), conv.as_str());
    let expires: u64 = header("apns-expiration").parse().unwrap();
    assert!(expires > 1_700_000_000, "{expires}");
    assert_eq!(call.body["aps"]["badge"], 2);
    assert!(call.body["aps"]["alert"].get("body").is_none());
    assert!(!call.body.to_string().contains("secret text"));

    // The access token is kept: the next push makes no exchange.
    let m3 = role.say(&conv, &alice, "third", &[]).await;
    role.push(m3, &[&bob]).await;
    until("a second send", || {
        role.fcm.sends().len() == 2 && role.apns.calls().len() == 2
    })
    .await;
    assert_eq!(role.fcm.exchanges(), 1);
    assert_eq!(role.fcm.sends()[1].0["message"]["data"]["badge"], "3");
}

#[tokio::test]
async fn mutes_hold_but_for_mentions_dead_tokens_go_and_busy_ones_retry() {
    let role = start(|_| {}).await;
    let alice = role.user().await;
    let (carol, dave, erin) = (role.user().await, role.user().await, role.user().await);
    role.device(&carol, Platform::Fcm, "tok-carol").await;
    role.device(&dave, Platform::Fcm, "dead-dave").await;
    role.device(&dave, Platform::Apns, "deadbeef").await;
    role.device(&erin, Platform::Fcm, "busy-erin").await;
    let ac = role.single(&alice, &carol).await;
    role.mute(&carol, &ac).await;
    let ad = role.single(&alice, &dave).await;
    let ae = role.single(&alice, &erin).await;

    let quiet = role.say(&ac, &alice, "hi", &[]).await;
    role.push(quiet, &[&carol]).await;
    let loud = role.say(&ac, &alice, "hi @carol", &[&carol]).await;
    role.push(loud.clone(), &[&carol]).await;
    role.push(role.say(&ad, &alice, "hi", &[]).await, &[&dave])
        .await;
    role.push(role.say(&ae, &alice, "hi", &[]).await, &[&erin])
        .await;

    until("every send", || {
        role.fcm.sends().len() == 4 && role.apns.calls().len() == 1
    })
    .await;
    let sends = role.fcm.sends();
    let to = |token: &str| -> Vec<(serde_json::Value, u16)> {
        sends
            .iter()
            .filter(|(b, _)| b["message"]["token"] == token)
            .cloned()
            .collect()
    };
    let carols = to("tok-carol");
    assert_eq!(
        carols.len(),
        1,
        "only the mention passes the mute: {carols:?}"
    );
    assert_eq!(
        carols[0].0["message"]["data"]["message_id"],
        loud.id.as_str()
    );
    assert_eq!(carols[0].0["message"]["data"]["mentioned"], "true");
    assert_eq!(
        carols[0].0["message"]["notification"]["title"],
        "You were mentioned"
    );
    let statuses = |token: &str| to(token).iter().map(|(_, s)| *s).collect::<Vec<_>>();
    assert_eq!(statuses("dead-dave"), vec![404]);
    assert_eq!(
        statuses("busy-erin"),
        vec![503, 200],
        "retried after Retry-After"
    );
    assert_eq!(role.apns.calls()[0].status, 410);

    // Both of dave's dead tokens are forgotten; the others stay.
    let store = role.store.clone();
    let dave2 = dave.clone();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = store
            .push_devices(std::slice::from_ref(&dave2), clock::now())
            .await
            .unwrap();
        if left.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "dead tokens kept: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let kept = store
        .push_devices(&[carol, erin], clock::now())
        .await
        .unwrap();
    assert_eq!(kept.len(), 2);
}

#[tokio::test]
async fn content_is_sent_cut_only_when_configured_and_mutes_can_hold_mentions_too() {
    let role = start(|p| {
        p.include_content = true;
        p.content_max_chars = 5;
        p.mentions_break_mute = false;
    })
    .await;
    let (alice, bob, carol) = (role.user().await, role.user().await, role.user().await);
    role.device(&bob, Platform::Apns, "0b0b").await;
    role.device(&carol, Platform::Fcm, "tok-carol").await;
    let ab = role.single(&alice, &bob).await;
    let ac = role.single(&alice, &carol).await;
    role.mute(&carol, &ac).await;
    role.push(
        role.say(&ac, &alice, "hi @carol", &[&carol]).await,
        &[&carol],
    )
    .await;
    role.push(role.say(&ab, &alice, "hello world", &[]).await, &[&bob])
        .await;
    until("bob's push", || role.apns.calls().len() == 1).await;
    assert_eq!(role.apns.calls()[0].body["aps"]["alert"]["body"], "hello…");
    // The muted mention was handled before bob's (one record at a time
    // per... any order): give it the time bob's took, then check.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(role.fcm.sends().is_empty(), "{:?}", role.fcm.sends());
}

#[tokio::test]
async fn webhook_devices_ride_in_the_webhook_body_and_phones_are_told_beside_it() {
    let receiver = ferrochat_task::push::receiver::Receiver::start().await;
    let url = receiver.url();
    let role = start(move |p| p.webhook_url = Some(url)).await;
    let (alice, bob, carol) = (role.user().await, role.user().await, role.user().await);
    role.device(&bob, Platform::Webhook, "hook-bob").await;
    role.device(&bob, Platform::Fcm, "fcm-bob").await;
    let conv = role.single(&alice, &bob).await;
    let m = role.say(&conv, &alice, "hi", &[]).await;
    // Carol has no device: named a recipient all the same.
    role.push(m.clone(), &[&bob, &carol]).await;

    let calls = receiver.wait_calls(1, WAIT).await;
    assert_eq!(calls[0].message_id(), m.id.as_str());
    assert_eq!(calls[0].recipients().len(), 2);
    assert_eq!(
        calls[0].body["devices"],
        serde_json::json!([{"user_id": bob.as_str(), "token": "hook-bob"}])
    );
    until("bob's phone", || role.fcm.sends().len() == 1).await;
    assert_eq!(role.fcm.sends()[0].0["message"]["token"], "fcm-bob");
}
