//! Read state and presence-ish signals: unread counts, read cursors and
//! receipts, typing, and sync by cursors.

use serde_json::{json, Value};

use crate::messaging::next_message;
use crate::support::spawn_app;
use crate::ws::{only, WsClient};

#[tokio::test]
async fn unread_rises_with_incoming_messages_and_the_read_cursor_clears_it() {
    let app = spawn_app().await;
    let a = app.new_user("writer").await;
    let b = app.new_user("reader").await;
    // A new user's world unread starts at 0.
    let u = app.unread(&b.access).await;
    assert_eq!(u, json!({"total": 0, "conversations": []}));

    let mut conv = String::new();
    for i in 1..=3 {
        let ack = app
            .send_http_ok(
                &a.access,
                json!({"to_user_id": b.user_id, "client_msg_id": format!("u{i}"), "content": "x"}),
            )
            .await;
        conv = ack["conversation_id"].as_str().unwrap().to_owned();
    }
    let u = app.unread(&b.access).await;
    assert_eq!(
        u,
        json!({"total": 3, "conversations": [{"conversation_id": conv, "unread": 3}]})
    );
    // Your own messages never count.
    assert_eq!(app.unread(&a.access).await["total"], 0);
    let view = app.conversation(&a.access, &conv).await;
    assert_eq!(
        (view["read_seq"].clone(), view["unread"].clone()),
        (json!(3), json!(0))
    );

    let r = app
        .update_conversation(&b.access, &conv, json!({"read_seq": 2}))
        .await;
    let d = r.ok();
    assert_eq!(
        (
            d["read_seq"].clone(),
            d["unread"].clone(),
            d["last_seq"].clone()
        ),
        (json!(2), json!(1), json!(3))
    );
    assert_eq!(app.unread(&b.access).await["total"], 1);
    // Only forward...
    let r = app
        .update_conversation(&b.access, &conv, json!({"read_seq": 1}))
        .await;
    assert_eq!(r.ok()["read_seq"], 2);
    // ...and capped at last_seq.
    let r = app
        .update_conversation(&b.access, &conv, json!({"read_seq": 99}))
        .await;
    assert_eq!(
        (r.ok()["read_seq"].clone(), r.ok()["unread"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(
        app.unread(&b.access).await,
        json!({"total": 0, "conversations": []})
    );
    // A later message counts again.
    app.send_http_ok(
        &a.access,
        json!({"conversation_id": conv, "client_msg_id": "u4", "content": "x"}),
    )
    .await;
    assert_eq!(app.unread(&b.access).await["total"], 1);
    assert_eq!(app.conversation(&b.access, &conv).await["unread"], 1);
    // Replying moves Bob's own cursor past everything before his message.
    app.send_http_ok(
        &b.access,
        json!({"conversation_id": conv, "client_msg_id": "r1", "content": "y"}),
    )
    .await;
    assert_eq!(app.unread(&b.access).await["total"], 0);
    assert_eq!(app.unread(&a.access).await["total"], 1);
}

#[tokio::test]
async fn a_read_frame_clears_unread_and_the_peer_gets_a_read_receipt() {
    let app = spawn_app().await;
    let a = app.new_user("sender").await;
    let b = app.new_user("reader").await;
    let conv = app.open_single(&b.access, &a.user_id).await;
    let mut aw = app.ws_connect(&a.access).await;
    let mut bw = app.ws_connect(&b.access).await;
    for i in 1..=4 {
        aw.send_ok(
            json!({"conversation_id": conv, "client_msg_id": format!("m{i}"), "content": "x"}),
        )
        .await;
        next_message(&mut bw).await;
    }
    assert_eq!(app.unread(&b.access).await["total"], 4);

    // Reads in the world room tell nobody; `read` has no reply.
    bw.send_json("read", "w", json!({"conversation_id": "world", "seq": 0}))
        .await;
    bw.send_json("read", "r1", json!({"conversation_id": conv, "seq": 3}))
        .await;
    bw.ping().await;
    assert!(bw.take_pending().is_empty(), "read has no reply");
    let f = aw.expect_type("read-receipt").await;
    assert_eq!(
        only(&f["data"], &["conversation_id", "user_id", "seq"]),
        json!({"conversation_id": conv, "user_id": b.user_id, "seq": 3})
    );
    let u = app.unread(&b.access).await;
    assert_eq!(
        u,
        json!({"total": 1, "conversations": [{"conversation_id": conv, "unread": 1}]})
    );

    bw.send_json("read", "r2", json!({"conversation_id": conv, "seq": 4}))
        .await;
    bw.ping().await;
    let f = aw.expect_type("read-receipt").await;
    assert_eq!(f["data"]["seq"], 4);
    assert_eq!(app.unread(&b.access).await["total"], 0);
    assert_eq!(app.conversation(&b.access, &conv).await["read_seq"], 4);

    // Alice's read reaches Bob and not Alice: after Bob's next receipt
    // there is nothing else queued on her socket.
    let ack5 = bw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "b5", "content": "y"}))
        .await;
    assert_eq!(ack5["seq"], 5);
    assert_eq!(next_message(&mut aw).await["seq"], 5);
    aw.send_json("read", "ra", json!({"conversation_id": conv, "seq": 5}))
        .await;
    let f = bw.expect_type("read-receipt").await;
    assert_eq!(
        only(&f["data"], &["conversation_id", "user_id", "seq"]),
        json!({"conversation_id": conv, "user_id": a.user_id, "seq": 5})
    );
    aw.send_ok(json!({"conversation_id": conv, "client_msg_id": "m6", "content": "z"}))
        .await;
    assert_eq!(next_message(&mut bw).await["seq"], 6);
    bw.send_json("read", "rb", json!({"conversation_id": conv, "seq": 6}))
        .await;
    let f = aw.expect_type("read-receipt").await;
    assert_eq!(
        only(&f["data"], &["conversation_id", "user_id", "seq"]),
        json!({"conversation_id": conv, "user_id": b.user_id, "seq": 6})
    );
}

#[tokio::test]
async fn typing_reaches_the_other_member_only_and_not_in_the_world_room() {
    let app = spawn_app().await;
    let a = app.new_user("typist").await;
    let b = app.new_user("watcher").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut aw = app.ws_connect(&a.access).await;
    let mut bw = app.ws_connect(&b.access).await;

    aw.send_json("typing", "t0", json!({"conversation_id": "world"}))
        .await;
    aw.send_json("typing", "t1", json!({"conversation_id": conv}))
        .await;
    aw.ping().await;
    assert!(aw.take_pending().is_empty(), "typing has no reply");
    let f = bw.expect_type("typing").await;
    assert_eq!(
        only(&f["data"], &["conversation_id", "user_id"]),
        json!({"conversation_id": conv, "user_id": a.user_id})
    );

    // Alice is not told about her own typing: Bob's is the next frame.
    bw.send_json("typing", "t2", json!({"conversation_id": conv}))
        .await;
    let f = aw.expect_type("typing").await;
    assert_eq!(
        only(&f["data"], &["conversation_id", "user_id"]),
        json!({"conversation_id": conv, "user_id": b.user_id})
    );
}

/// `(conversation_id, [seq], has_more)` of a sync reply, in reply order.
fn sync_summary(reply: &Value) -> Vec<(String, Vec<u64>, bool)> {
    assert_eq!(reply["type"], "sync", "{reply}");
    reply["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let seqs = c["messages"].as_array().unwrap();
            (
                c["conversation_id"].as_str().unwrap().to_owned(),
                seqs.iter().map(|m| m["seq"].as_u64().unwrap()).collect(),
                c["has_more"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn sorted(mut v: Vec<(String, Vec<u64>, bool)>) -> Vec<(String, Vec<u64>, bool)> {
    v.sort();
    v
}

#[tokio::test]
async fn sync_returns_exactly_what_the_cursors_miss() {
    let app = spawn_app().await;
    let a = app.new_user("busy").await;
    let b = app.new_user("offline").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut acks = Vec::new();
    for i in 1..=5 {
        let ack = app
            .send_http_ok(
                &a.access,
                json!({"conversation_id": conv, "client_msg_id": format!("s{i}"), "content": format!("m{i}")}),
            )
            .await;
        acks.push(ack);
    }
    let mut bw = app.ws_connect(&b.access).await;

    let r = bw
        .request("sync", json!({"cursors": {conv.clone(): 2}}))
        .await;
    assert_eq!(sync_summary(&r), vec![(conv.clone(), vec![3, 4, 5], false)]);
    let m = &r["data"]["conversations"][0]["messages"][0];
    assert_eq!(m["message_id"], acks[2]["message_id"]);
    assert_eq!(m["content"], "m3");
    assert_eq!(m["from_user_id"], a.user_id.as_str());

    // Nothing new: omitted.
    let r = bw
        .request("sync", json!({"cursors": {conv.clone(): 5}}))
        .await;
    assert_eq!(sync_summary(&r), vec![]);

    // The world room counts as cursor 0 when absent.
    app.send_http_ok(
        &a.access,
        json!({"conversation_id": "world", "client_msg_id": "w1", "content": "hi all"}),
    )
    .await;
    assert_eq!(next_world(&mut bw).await["content"], "hi all");
    let r = bw
        .request("sync", json!({"cursors": {conv.clone(): 5}}))
        .await;
    assert_eq!(sync_summary(&r), vec![("world".to_owned(), vec![1], false)]);
    let r = bw.request("sync", json!({"cursors": {}})).await;
    assert_eq!(
        sorted(sync_summary(&r)),
        sorted(vec![
            (conv.clone(), vec![1, 2, 3, 4, 5], false),
            ("world".to_owned(), vec![1], false)
        ])
    );

    // A limit pages each conversation.
    let r = bw
        .request(
            "sync",
            json!({"cursors": {conv.clone(): 0, "world": 1}, "limit": 2}),
        )
        .await;
    assert_eq!(sync_summary(&r), vec![(conv.clone(), vec![1, 2], true)]);
    let r = bw
        .request(
            "sync",
            json!({"cursors": {conv.clone(): 2, "world": 1}, "limit": 2}),
        )
        .await;
    assert_eq!(sync_summary(&r), vec![(conv.clone(), vec![3, 4], true)]);
    let r = bw
        .request(
            "sync",
            json!({"cursors": {conv.clone(): 4, "world": 1}, "limit": 2}),
        )
        .await;
    assert_eq!(sync_summary(&r), vec![(conv.clone(), vec![5], false)]);
    let r = bw
        .request("sync", json!({"cursors": {conv.clone(): 5, "world": 1}}))
        .await;
    assert_eq!(sync_summary(&r), vec![]);
}

/// The next frame must be a world-room `new-message`.
async fn next_world(ws: &mut WsClient) -> Value {
    let m = next_message(ws).await;
    assert_eq!(m["conversation_id"], "world");
    assert_eq!(m["conversation_type"], "world");
    m
}
