//! Exporting one's data: one JSON document in the envelope, streamed,
//! with every conversation's whole history in order.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app_with, TestApp};

async fn export(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/api/v1/users/export", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent")
}

async fn export_json(app: &TestApp, token: &str) -> Value {
    let res = export(app, token).await;
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"ferrochat-export-"),
        "{disposition}"
    );
    let text = res.text().await.unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(doc["code"], 0);
    doc["data"].clone()
}

fn entry<'a>(data: &'a Value, conversation_id: &str) -> &'a Value {
    data["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation"]["conversation_id"] == conversation_id)
        .unwrap_or_else(|| panic!("{conversation_id} exported"))
}

#[tokio::test]
async fn an_export_holds_the_profile_ties_and_every_conversation_whole() {
    let app = spawn_app_with(|c| {
        c.gateway.send_rate_limit.per_second = 1_000_000;
        c.gateway.send_rate_limit.burst = 1_000_000;
    })
    .await;
    let me = app.new_user("exporter").await;
    let friend = app.new_user("pal").await;
    let asker = app.new_user("asker").await;
    app.request(
        Method::PUT,
        "/api/v1/users/profile",
        Some(&me.access),
        Some(json!({"email": "me@example.org", "status_text": "archiving"})),
    )
    .await
    .ok();
    app.make_friends(&me, &friend).await;
    app.friend_request(&asker.access, &me.user_id, Some("hi"))
        .await
        .ok();
    // More than a page of history (200), from both sides.
    let chat = app.open_single(&me.access, &friend.user_id).await;
    for i in 0..250 {
        let from = if i % 3 == 0 {
            &friend.access
        } else {
            &me.access
        };
        app.send_http_ok(
            from,
            json!({"conversation_id": chat, "client_msg_id": format!("m{i}"), "content": format!("line {i}")}),
        )
        .await;
    }
    let (_, group_conv) = app
        .new_group(
            &friend,
            json!({"name": "archive club", "member_ids": [me.user_id]}),
        )
        .await;
    app.send_http_ok(
        &me.access,
        json!({"conversation_id": group_conv, "client_msg_id": "g", "content": "in the group"}),
    )
    .await;
    app.send_http_ok(
        &me.access,
        json!({"conversation_id": "world", "client_msg_id": "w", "content": "to everyone"}),
    )
    .await;

    let data = export_json(&app, &me.access).await;
    assert_eq!(data["format"], "ferrochat-export/1");
    assert_eq!(data["profile"]["user_id"], me.user_id.as_str());
    assert_eq!(data["profile"]["email"], "me@example.org");
    assert_eq!(data["profile"]["status_text"], "archiving");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(data["sessions"][0]["current"], true);
    assert_eq!(data["friends"][0]["user_id"], friend.user_id.as_str());
    assert_eq!(data["friend_requests"]["incoming"][0]["message"], "hi");

    let messages = entry(&data, &chat)["messages"].as_array().unwrap().clone();
    let seqs: Vec<u64> = messages
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (1..=250).collect::<Vec<_>>(),
        "every message once, in order"
    );
    assert_eq!(messages[249]["content"], "line 249");
    assert_eq!(messages[0]["from_user_id"], friend.user_id.as_str());
    let group = entry(&data, &group_conv)["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        group.iter().any(|m| m["content"] == "in the group"),
        "{group:?}"
    );
    // The world room is listed, its history not copied.
    assert_eq!(entry(&data, "world")["messages"], json!([]));

    // Someone else's export is theirs: none of this chat's history.
    let theirs = export_json(&app, &asker.access).await;
    assert!(theirs["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["conversation"]["conversation_id"] != chat.as_str()));
    assert_eq!(theirs["profile"]["email"], Value::Null);
}

#[tokio::test]
async fn an_export_needs_a_token_and_may_be_taken_again() {
    let app = spawn_app_with(|_| {}).await;
    let me = app.new_user("again").await;
    app.request(Method::GET, "/api/v1/users/export", None, None)
        .await
        .err(1002);
    // Read whole, an export frees its slot before its last byte is sent:
    // the next starts at once.
    export_json(&app, &me.access).await;
    export_json(&app, &me.access).await;
}
