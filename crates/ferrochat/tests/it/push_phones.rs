//! Push to phones end to end: the real app (`serve`, or the cluster's
//! roles under `FERROCHAT_TEST_LOGIC=roles`), devices registered over
//! HTTP, and fake FCM and APNs servers on 127.0.0.1:0 that speak each
//! protocol (`ferrochat_task::push::fakes`).

use std::time::Duration;

use ferrochat_task::push::fakes::apns::{FakeApns, KEY_ID, TEAM_ID};
use ferrochat_task::push::fakes::fcm::FakeFcm;
use ferrochat_task::push::{ApnsConfig, FcmConfig};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app_with, Session, TestApp};

const WAIT: Duration = Duration::from_secs(20);

struct Phones {
    app: TestApp,
    fcm: FakeFcm,
    apns: FakeApns,
    _dir: tempfile::TempDir,
}

async fn start() -> Phones {
    let dir = tempfile::tempdir().unwrap();
    let fcm = FakeFcm::start().await;
    let apns = FakeApns::start(dir.path()).await;
    let fcm_config = FcmConfig {
        service_account_file: fcm.write_account(dir.path()),
        base_url: fcm.base.clone(),
    };
    let apns_config = ApnsConfig {
        key_file: apns.key_file.clone(),
        key_id: KEY_ID.into(),
        team_id: TEAM_ID.into(),
        base_url: apns.base.clone(),
        ca_file: Some(apns.ca_file.clone()),
        expiration: Duration::from_secs(3600),
    };
    let app = spawn_app_with(move |c| {
        c.push.fcm = Some(fcm_config);
        c.push.apns = Some(apns_config);
        // One at a time: a later push proves an earlier one was not made.
        c.push.concurrency = 1;
        c.push.backoff_initial = Duration::from_millis(1);
        c.push.backoff_max = Duration::from_millis(5);
    })
    .await;
    Phones {
        app,
        fcm,
        apns,
        _dir: dir,
    }
}

async fn register(app: &TestApp, who: &Session, body: Value) -> Value {
    app.request(
        Method::POST,
        "/api/v1/devices",
        Some(&who.access),
        Some(body),
    )
    .await
    .ok()
    .clone()
}

async fn send(
    app: &TestApp,
    from: &Session,
    conversation: &str,
    content: &str,
    mentions: &[&str],
) -> String {
    let body = json!({
        "conversation_id": conversation,
        "client_msg_id": content.replace(' ', "-"),
        "content": content,
        "mentions": mentions,
    });
    app.send_http_ok(&from.access, body).await["message_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until the fake FCM has had `n` sends; answers them.
async fn fcm_sends(p: &Phones, n: usize) -> Vec<(Value, u16)> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let sends = p.fcm.sends();
        if sends.len() >= n {
            return sends;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {n} sends: {sends:?}",
            sends.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn offline_phones_are_pushed_muted_ones_only_when_mentioned_online_and_logged_out_never() {
    let p = start().await;
    let app = &p.app;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    register(app, &bob, json!({"platform": "fcm", "token": "fcm:bob"})).await;
    let conv = app.open_single(&alice.access, &bob.user_id).await;

    let first = send(app, &alice, &conv, "one", &[]).await;
    let sends = fcm_sends(&p, 1).await;
    let m = &sends[0].0["message"];
    assert_eq!(m["token"], "fcm:bob");
    assert_eq!(m["data"]["message_id"], first.as_str());
    assert_eq!(m["data"]["badge"], "1");
    assert_eq!(m["android"]["collapse_key"], conv.as_str());
    assert!(
        !sends[0].0.to_string().contains("\"one\""),
        "no content by default"
    );

    // Muted: nothing, but a mention passes.
    app.request(
        Method::PUT,
        &format!("/api/v1/conversations/{conv}"),
        Some(&bob.access),
        Some(json!({"muted": true})),
    )
    .await
    .ok();
    let _quiet = send(app, &alice, &conv, "two", &[]).await;
    let loud = send(app, &alice, &conv, "three", &[&bob.user_id]).await;
    let sends = fcm_sends(&p, 2).await;
    assert_eq!(sends[1].0["message"]["data"]["message_id"], loud.as_str());
    assert_eq!(sends[1].0["message"]["data"]["badge"], "3");
    assert_eq!(sends[1].0["message"]["data"]["mentioned"], "true");

    // Online: delivered over the socket, not pushed.
    app.request(
        Method::PUT,
        &format!("/api/v1/conversations/{conv}"),
        Some(&bob.access),
        Some(json!({"muted": false})),
    )
    .await
    .ok();
    let ws = app.ws_connect(&bob.access).await;
    let _online = send(app, &alice, &conv, "four", &[]).await;
    drop(ws);
    // Logged out: the device went with the session.
    let carol = app.new_user("carol").await;
    register(
        app,
        &carol,
        json!({"platform": "fcm", "token": "fcm:carol"}),
    )
    .await;
    let to_carol = app.open_single(&alice.access, &carol.user_id).await;
    app.logout(&bob.access).await.ok();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _gone = send(app, &alice, &conv, "five", &[]).await;
    let marker = send(app, &alice, &to_carol, "six", &[]).await;
    let sends = fcm_sends(&p, 3).await;
    assert_eq!(sends.len(), 3, "{sends:?}");
    assert_eq!(sends[2].0["message"]["token"], "fcm:carol");
    assert_eq!(sends[2].0["message"]["data"]["message_id"], marker.as_str());
}

#[tokio::test]
async fn apns_gets_its_headers_and_a_dead_token_is_forgotten() {
    let p = start().await;
    let app = &p.app;
    let alice = app.new_user("alice").await;
    let dan = app.new_user("dan").await;
    let erin = app.new_user("erin").await;
    register(
        app,
        &dan,
        json!({"platform": "apns", "token": "deadbeef", "app_id": "com.example.chat"}),
    )
    .await;
    register(
        app,
        &erin,
        json!({"platform": "apns", "token": "e0e0", "app_id": "com.example.chat"}),
    )
    .await;
    let to_dan = app.open_single(&alice.access, &dan.user_id).await;
    let to_erin = app.open_single(&alice.access, &erin.user_id).await;
    send(app, &alice, &to_dan, "hi dan", &[]).await;
    send(app, &alice, &to_erin, "hi erin", &[]).await;

    let deadline = tokio::time::Instant::now() + WAIT;
    while p.apns.calls().len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            p.apns.calls()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let calls = p.apns.calls();
    assert_eq!(
        (calls[0].device.as_str(), calls[0].status),
        ("deadbeef", 410)
    );
    let erins = &calls[1];
    assert_eq!((erins.device.as_str(), erins.status), ("e0e0", 200));
    assert_eq!(erins.version, reqwest::Version::HTTP_2);
    assert_eq!(erins.headers["apns-topic"], "com.example.chat");
    assert_eq!(erins.headers["apns-push-type"], "alert");
    assert_eq!(erins.headers["apns-collapse-id"], to_erin.as_str());
    assert_eq!(erins.body["aps"]["badge"], 1);

    // Dan's dead token is gone from his list; erin's stays.
    let list = |who: &Session| {
        let who = who.access.clone();
        async move {
            app.request(Method::GET, "/api/v1/devices", Some(&who), None)
                .await
                .ok()["devices"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while list(&dan).await != 0 {
        assert!(tokio::time::Instant::now() < deadline, "dead token kept");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(list(&erin).await, 1);
}

/// The cluster's task role SIGKILLed while a push to a phone is in
/// flight: its record was not committed, so the next task role reads it
/// again and the phone is told (at least once, never lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_role_killed_mid_push_is_repeated_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let fcm = FakeFcm::start().await;
    let account = fcm.write_account(dir.path());
    let account = account.to_str().unwrap().to_owned();
    let cluster = crate::procs::Cluster::new(&[
        ("PUSH__FCM__SERVICE_ACCOUNT_FILE", &account),
        ("PUSH__FCM__BASE_URL", &fcm.base),
        // The hung send must outlast the kill.
        ("PUSH__TIMEOUT", "60s"),
    ])
    .await;
    let mut roles = cluster.full().await;
    let app = roles.gateway(0);
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    register(&app, &bob, json!({"platform": "fcm", "token": "hang-bob"})).await;
    let conv = app.open_single(&alice.access, &bob.user_id).await;
    let id = send(&app, &alice, &conv, "wake up", &[]).await;

    let hung = fcm_sends_on(&fcm, 1).await;
    assert_eq!(hung[0].1, 0, "the first send hangs: {hung:?}");
    // A later push of the same conversation (so the same partition) ends
    // while the first still hangs: the topic may not be committed past
    // the first for it, or the kill would lose the first.
    let later = send(&app, &alice, &conv, "and again", &[]).await;
    let sends = fcm_sends_on(&fcm, 2).await;
    assert_eq!(sends[1].0["message"]["data"]["message_id"], later.as_str());
    assert_eq!(sends[1].1, 200);
    // Time for the role to commit what it may.
    tokio::time::sleep(Duration::from_secs(2)).await;
    roles.task.kill9();
    let _task2 = cluster.start("task", "task-2").await;
    let deadline = tokio::time::Instant::now() + crate::procs::CONVERGE;
    loop {
        let sends = fcm.sends();
        let repeated = sends
            .iter()
            .skip(2)
            .any(|(b, status)| b["message"]["data"]["message_id"] == id.as_str() && *status == 200);
        if repeated {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the hung push was never repeated: {sends:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn fcm_sends_on(fcm: &FakeFcm, n: usize) -> Vec<(Value, u16)> {
    let deadline = tokio::time::Instant::now() + crate::procs::CONVERGE;
    loop {
        let sends = fcm.sends();
        if sends.len() >= n {
            return sends;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {n} sends: {sends:?}",
            sends.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
