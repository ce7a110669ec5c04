//! Offline push end to end: the real app, a real webhook receiver on
//! 127.0.0.1:0, users online over WebSocket or not.
//!
//! Pushes run one at a time here (`push.concurrency = 1`), so the
//! receiver sees them in send order, and a later push proves an earlier
//! message was not pushed.

use std::collections::BTreeSet;
use std::time::Duration;

use ferrochat_task::push::receiver::{Answer, Receiver};
use serde_json::json;

use crate::support::{spawn_app_with, Session, TestApp};

const WAIT: Duration = Duration::from_secs(20);

async fn app_pushing_to(receiver: &Receiver) -> TestApp {
    let url = receiver.url();
    spawn_app_with(move |c| {
        c.push.webhook_url = Some(url);
        c.push.concurrency = 1;
        // Retries without real waits; never asserted on.
        c.push.backoff_initial = Duration::from_millis(1);
        c.push.backoff_max = Duration::from_millis(5);
        c.messaging.fanout_task_threshold = 5;
    })
    .await
}

/// Sends `content` over HTTP (the sender has no WebSocket); returns the
/// message id.
async fn send(app: &TestApp, from: &Session, conversation: &str, content: &str) -> String {
    let body = json!({
        "conversation_id": conversation,
        "client_msg_id": content.replace(' ', "-"),
        "content": content,
    });
    // As a client does: a send refused while delivery to a large group
    // is behind (1007 with `retry_after_ms`; the group's creation may
    // still be fanning out on a loaded machine) is sent again after that
    // wait, with the same client_msg_id.
    for _ in 0..20 {
        let r = app.send_http(&from.access, body.clone()).await;
        match r.body["retry_after_ms"].as_u64() {
            Some(wait) if r.code() == 1007 => {
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            }
            _ => return r.ok()["message_id"].as_str().unwrap().to_owned(),
        }
    }
    panic!("the send was still refused after 20 waits");
}

#[tokio::test]
async fn an_offline_peer_is_pushed_and_an_online_one_is_not() {
    let receiver = Receiver::start().await;
    let app = app_pushing_to(&receiver).await;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    let carol = app.new_user("carol").await;
    let to_bob = app.open_single(&alice.access, &bob.user_id).await;
    let to_carol = app.open_single(&alice.access, &carol.user_id).await;

    let first = send(&app, &alice, &to_bob, "bob-offline").await;
    let calls = receiver.wait_calls(1, WAIT).await;
    assert_eq!(calls[0].message_id(), first);
    assert_eq!(calls[0].recipients(), vec![bob.user_id.clone()]);
    assert_eq!(calls[0].body["message"]["content"], "bob-offline");
    assert_eq!(calls[0].body["message"]["conversation_id"], to_bob.as_str());
    assert_eq!(
        calls[0].body["message"]["from_user_id"],
        alice.user_id.as_str()
    );
    assert_eq!(calls[0].body["message"]["conversation_type"], "single");

    // Bob online: his message is delivered, not pushed; carol's, sent
    // after it, is the next push.
    let mut bob_ws = app.ws_connect(&bob.access).await;
    let _ = send(&app, &alice, &to_bob, "bob-online").await;
    let got = bob_ws.recv_until(|f| f["type"] == "new-message").await;
    assert_eq!(got["data"]["content"], "bob-online");
    let third = send(&app, &alice, &to_carol, "carol-offline").await;
    let calls = receiver.wait_calls(2, WAIT).await;
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(calls[1].message_id(), third);
    assert_eq!(calls[1].recipients(), vec![carol.user_id.clone()]);
}

#[tokio::test]
async fn a_reply_is_pushed_but_edits_and_recalls_are_not() {
    let receiver = Receiver::start().await;
    let app = app_pushing_to(&receiver).await;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    let to_bob = app.open_single(&alice.access, &bob.user_id).await;
    let first = send(&app, &alice, &to_bob, "first").await;
    for (action, body) in [
        (
            "edit",
            json!({"seq": 1, "client_msg_id": "e", "content": "first!"}),
        ),
        ("recall", json!({"seq": 1, "client_msg_id": "r"})),
    ] {
        let mut body = body;
        body["conversation_id"] = json!(to_bob);
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/messages/{action}"),
            Some(&alice.access),
            Some(body),
        )
        .await
        .ok();
    }
    let reply = app
        .send_http_ok(
            &alice.access,
            json!({"conversation_id": to_bob, "client_msg_id": "re", "content": "sorry", "reply_to": 1}),
        )
        .await;
    // Pushes go out in send order: the reply's is the second.
    let calls = receiver.wait_calls(2, WAIT).await;
    assert_eq!(calls[0].message_id(), first);
    assert_eq!(calls[1].message_id(), reply["message_id"].as_str().unwrap());
    assert_eq!(calls[1].body["message"]["reply_to"], 1);
}

#[tokio::test]
async fn a_large_group_pushes_exactly_its_offline_members_in_batches() {
    let receiver = Receiver::start().await;
    let app = app_pushing_to(&receiver).await;
    let owner = app.new_user("owner").await;
    let mut members = Vec::new();
    for _ in 0..6 {
        let joined = futures::future::join_all((0..25).map(|_| app.new_user("member"))).await;
        members.extend(joined);
    }
    let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    let (_, conv) = app
        .new_group(&owner, json!({"name": "crowd", "member_ids": ids}))
        .await;
    // Three members online; the owner sends over HTTP without a socket.
    let mut online = Vec::new();
    for m in &members[..3] {
        online.push(app.ws_connect(&m.access).await);
    }
    let message = send(&app, &owner, &conv, "hello crowd").await;

    // 150 members in pages of 100: two pushes, the offline of each page.
    let calls = receiver.wait_calls(2, WAIT).await;
    let expected: BTreeSet<String> = members[3..].iter().map(|m| m.user_id.clone()).collect();
    let mut pushed = Vec::new();
    for c in &calls {
        assert_eq!(c.message_id(), message, "only the chat message is pushed");
        let batch = c.recipients();
        assert!(!batch.is_empty() && batch.len() <= 100, "{}", batch.len());
        pushed.extend(batch);
    }
    let unique: BTreeSet<String> = pushed.iter().cloned().collect();
    assert_eq!(unique.len(), pushed.len(), "nobody is pushed twice");
    assert_eq!(unique, expected);
    for ws in &mut online {
        let got = ws
            .recv_until(|f| f["type"] == "new-message" && f["data"]["content"] == "hello crowd")
            .await;
        assert_eq!(got["data"]["conversation_id"], conv.as_str());
    }
}

#[tokio::test]
async fn two_503s_then_the_third_attempt_lands() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(503), Answer::Status(503)]);
    let app = app_pushing_to(&receiver).await;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    let dm = app.open_single(&alice.access, &bob.user_id).await;

    let first = send(&app, &alice, &dm, "one").await;
    let second = send(&app, &alice, &dm, "two").await;
    let calls = receiver.wait_calls(4, WAIT).await;
    let seen: Vec<(&str, Option<u16>)> = calls.iter().map(|c| (c.message_id(), c.status)).collect();
    assert_eq!(
        seen,
        vec![
            (first.as_str(), Some(503)),
            (first.as_str(), Some(503)),
            (first.as_str(), Some(200)),
            (second.as_str(), Some(200)),
        ]
    );
}

#[tokio::test]
async fn a_400_is_tried_once_counted_and_the_next_push_follows() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(400)]);
    let app = app_pushing_to(&receiver).await;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    let dm = app.open_single(&alice.access, &bob.user_id).await;

    let first = send(&app, &alice, &dm, "refused").await;
    let second = send(&app, &alice, &dm, "accepted").await;
    let calls = receiver.wait_calls(2, WAIT).await;
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(
        (calls[0].message_id(), calls[0].status),
        (first.as_str(), Some(400))
    );
    assert_eq!(
        (calls[1].message_id(), calls[1].status),
        (second.as_str(), Some(200))
    );

    let text = app.metrics_text().await;
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let count = |name: &str| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name)
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => 0.0,
            })
            .unwrap_or(0.0)
    };
    assert!(count("ferrochat_push_failed_permanently_total") >= 1.0);
    assert!(count("ferrochat_push_delivered_total") >= 1.0);
}
