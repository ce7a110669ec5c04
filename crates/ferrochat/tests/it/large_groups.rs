//! Groups the task role fans out (over `messaging.fanout_task_threshold`):
//! their members come from an in-memory index, so a membership change
//! must reach delivery from the message that announces it on: a member
//! added hears the group from then, one removed hears nothing more.

use serde_json::{json, Value};

use crate::support::{spawn_app_with, Session, TestApp};
use crate::ws::{system_event, WsClient};

async fn chat(app: &TestApp, from: &Session, gid: &str, cmid: &str) -> Value {
    app.send_http_ok(
        &from.access,
        json!({"group_id": gid, "client_msg_id": cmid, "content": cmid}),
    )
    .await
}

/// Reads `ws` until the message `ack` names; returns the chat messages
/// (not system ones) that came before it, by content. A user added to
/// the group is told so first (`group-invited`).
async fn until(ws: &mut WsClient, ack: &Value) -> Vec<String> {
    let mut before = Vec::new();
    loop {
        let f = ws.recv_frame().await;
        if f["type"] == "group-invited" {
            continue;
        }
        assert_eq!(f["type"], "new-message", "unexpected frame {f}");
        let d = &f["data"];
        if d["message_id"] == ack["message_id"] {
            return before;
        }
        if d["message_type"] != "system" {
            before.push(d["content"].as_str().unwrap().to_owned());
        }
    }
}

#[tokio::test]
async fn membership_changes_reach_the_fan_out_of_a_large_group_at_once() {
    let app = spawn_app_with(|c| c.messaging.fanout_task_threshold = 2).await;
    let o = app.new_user("lo").await;
    let a = app.new_user("la").await;
    let b = app.new_user("lb").await;
    let k = app.new_user("lk").await;
    let n = app.new_user("ln").await;
    let ids = [&a.user_id, &b.user_id, &k.user_id];
    let (gid, _) = app
        .new_group(&o, json!({"name": "big", "member_ids": ids}))
        .await;
    let mut aw = app.ws_connect(&a.access).await;
    let mut kw = app.ws_connect(&k.access).await;
    let mut nw = app.ws_connect(&n.access).await;

    // The index is filled by the first message.
    let first = chat(&app, &o, &gid, "first").await;
    assert!(until(&mut aw, &first).await.is_empty());
    assert!(until(&mut kw, &first).await.is_empty());

    // Added: hears its own join and everything after.
    let r = app
        .add_members(&o.access, &gid, &[n.user_id.as_str()])
        .await;
    r.ok();
    let joined = nw.next_system().await;
    assert_eq!(system_event(&joined)["event"], "member_added", "{joined}");
    let second = chat(&app, &o, &gid, "second").await;
    assert!(until(&mut nw, &second).await.is_empty());

    // Removed: hears nothing more, while the others go on hearing.
    app.kick(&o.access, &gid, &k.user_id).await.ok();
    let third = chat(&app, &b, &gid, "third").await;
    assert!(until(&mut aw, &third).await.contains(&"second".to_owned()));
    assert!(until(&mut nw, &third).await.is_empty());
    // The third reached a's and n's connections from one record for this
    // gateway, which would have named k's too: a ping answered now comes
    // after anything that record queued for k.
    let after = kw.request("ping", json!({})).await;
    assert_eq!(after["type"], "pong");
    let heard: Vec<Value> = kw.take_pending();
    assert!(
        heard.iter().all(|f| f["data"]["content"] != "third"),
        "a removed member heard the group: {heard:?}"
    );
}
