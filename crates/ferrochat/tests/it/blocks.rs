//! Blocks: a blocked user cannot message or befriend the blocker;
//! unblocking restores that; blocking is idempotent and keeps friendships.

use std::time::Duration;

use ferrochat_logic::DmPolicy;
use serde_json::json;

use crate::support::{spawn_app, spawn_app_with, UNKNOWN_ID};

#[tokio::test]
async fn a_blocked_user_cannot_message_the_blocker_until_unblocked() {
    let app = spawn_app().await;
    let a = app.new_user("blocker").await;
    let b = app.new_user("blocked").await;
    let conv = app.open_single(&b.access, &a.user_id).await;
    let mut aw = app.ws_connect(&a.access).await;
    let mut bw = app.ws_connect(&b.access).await;
    bw.send_ok(json!({"conversation_id": conv, "client_msg_id": "b0", "content": "before"}))
        .await;
    assert_eq!(
        aw.expect_type("new-message").await["data"]["content"],
        "before"
    );

    let r = app.block(&a.access, &b.user_id).await;
    assert_eq!(r.ok(), &json!({}));
    // Twice is fine.
    assert_eq!(app.block(&a.access, &b.user_id).await.ok(), &json!({}));

    // Bob is refused by every route: WS and HTTP, by id and by user.
    bw.send_err(
        json!({"conversation_id": conv, "client_msg_id": "b1", "content": "x"}),
        1005,
    )
    .await;
    bw.send_err(
        json!({"to_user_id": a.user_id, "client_msg_id": "b2", "content": "x"}),
        1005,
    )
    .await;
    app.send_http(
        &b.access,
        json!({"conversation_id": conv, "client_msg_id": "b3", "content": "x"}),
    )
    .await
    .err(1005);
    app.send_http(
        &b.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "b4", "content": "x"}),
    )
    .await
    .err(1005);
    // Nor can he send a friend request.
    app.friend_request(&b.access, &a.user_id, Some("let me in"))
        .await
        .err(1005);
    assert!(app.friend_requests(&a.access).await["incoming"]
        .as_array()
        .unwrap()
        .is_empty());

    // Alice can still message Bob.
    let ack = aw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "a1", "content": "I can"}))
        .await;
    let got = bw.recv_until(|f| f["type"] == "new-message").await;
    assert_eq!(got["data"]["message_id"], ack["message_id"]);
    app.send_http_ok(
        &a.access,
        json!({"to_user_id": b.user_id, "client_msg_id": "a2", "content": "still"}),
    )
    .await;

    // Nothing of Bob's reached Alice or the history.
    let frames = aw.settle(Duration::from_millis(200)).await;
    assert!(
        frames
            .iter()
            .all(|f| f["type"] != "new-message" || f["data"]["from_user_id"] != b.user_id.as_str()),
        "{frames:?}"
    );
    let contents: Vec<String> = app
        .history_all(&a.access, &conv)
        .await
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(contents, vec!["before", "I can", "still"]);

    // Unblocking restores it; unblocking again is fine.
    assert_eq!(app.unblock(&a.access, &b.user_id).await.ok(), &json!({}));
    assert_eq!(app.unblock(&a.access, &b.user_id).await.ok(), &json!({}));
    let ack = bw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "b5", "content": "after"}))
        .await;
    let got = aw.recv_until(|f| f["type"] == "new-message").await;
    assert_eq!(got["data"]["message_id"], ack["message_id"]);
    app.send_http_ok(
        &b.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "b6", "content": "again"}),
    )
    .await;
    app.friend_request(&b.access, &a.user_id, None).await.ok();
}

#[tokio::test]
async fn blocking_is_one_way_and_keeps_friendships() {
    let app = spawn_app().await;
    let a = app.new_user("ka").await;
    let b = app.new_user("kb").await;
    let c = app.new_user("kc").await;
    app.make_friends(&a, &b).await;

    app.block(&a.access, &b.user_id).await.ok();
    assert_eq!(app.friend_ids(&a.access).await, vec![b.user_id.clone()]);
    assert_eq!(app.friend_ids(&b.access).await, vec![a.user_id.clone()]);
    // Friends or not, the blocked one cannot message the blocker.
    app.send_http(
        &b.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "k1", "content": "x"}),
    )
    .await
    .err(1005);
    app.send_http_ok(
        &a.access,
        json!({"to_user_id": b.user_id, "client_msg_id": "k2", "content": "x"}),
    )
    .await;
    // A third party is unaffected.
    app.send_http_ok(
        &c.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "k3", "content": "x"}),
    )
    .await;
    app.send_http_ok(
        &b.access,
        json!({"to_user_id": c.user_id, "client_msg_id": "k4", "content": "x"}),
    )
    .await;
    app.friend_request(&c.access, &a.user_id, None).await.ok();
}

#[tokio::test]
async fn a_block_wins_under_the_friends_policy_too() {
    let app = spawn_app_with(|c| c.messaging.dm_policy = DmPolicy::Friends).await;
    let a = app.new_user("fpa").await;
    let b = app.new_user("fpb").await;
    app.make_friends(&a, &b).await;
    app.send_http_ok(
        &b.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "f1", "content": "x"}),
    )
    .await;
    app.block(&a.access, &b.user_id).await.ok();
    app.send_http(
        &b.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "f2", "content": "x"}),
    )
    .await
    .err(1005);
    app.send_http_ok(
        &a.access,
        json!({"to_user_id": b.user_id, "client_msg_id": "f3", "content": "x"}),
    )
    .await;
    app.unblock(&a.access, &b.user_id).await.ok();
    app.send_http_ok(
        &b.access,
        json!({"to_user_id": a.user_id, "client_msg_id": "f4", "content": "x"}),
    )
    .await;
}

#[tokio::test]
async fn bad_blocks_are_refused() {
    let app = spawn_app().await;
    let a = app.new_user("xa").await;
    app.block(&a.access, &a.user_id).await.err(1001);
    app.block(&a.access, UNKNOWN_ID).await.err(1003);
    let r = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/blocks/{}", a.user_id),
            None,
            None,
        )
        .await;
    r.err(1002);
}
