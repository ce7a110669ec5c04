//! Sending over WebSocket and HTTP: fan-out to every connection, acks,
//! gap-free seqs, idempotent resends.

use serde_json::{json, Value};

use crate::support::spawn_app;
use crate::ws::WsClient;

/// Checks a delivered message against the ack its sender got.
#[track_caller]
fn assert_matches_ack(m: &Value, ack: &Value, from: &str, content: &str, kind: &str) {
    for k in [
        "message_id",
        "conversation_id",
        "seq",
        "client_msg_id",
        "created_at",
    ] {
        assert_eq!(m[k], ack[k], "{k}: message {m} vs ack {ack}");
    }
    assert_eq!(m["from_user_id"], from, "{m}");
    assert_eq!(m["content"], content, "{m}");
    assert_eq!(m["conversation_type"], kind, "{m}");
    assert_eq!(m["message_type"], "text", "{m}");
}

/// The next frame must be a `new-message`; returns the message.
pub async fn next_message(ws: &mut WsClient) -> Value {
    ws.expect_type("new-message").await["data"].clone()
}

/// The next `new-message` of `conv` with a seq above `seq`, as a client
/// that drops what it already has by seq sees it.
pub async fn next_message_after(ws: &mut WsClient, conv: &str, seq: u64) -> Value {
    loop {
        let m = next_message(ws).await;
        if m["conversation_id"] != conv || m["seq"].as_u64().unwrap() > seq {
            return m;
        }
    }
}

#[tokio::test]
async fn a_send_reaches_the_peer_and_the_senders_other_device_in_seq_order() {
    let app = spawn_app().await;
    let a = app.new_user("alice").await;
    let a_phone = app.second_session(&a).await;
    let b = app.new_user("bob").await;
    let conv = app.open_single(&a.access, &b.user_id).await;

    let mut a1 = app.ws_connect(&a.access).await;
    let mut a2 = app.ws_connect(&a_phone).await;
    let mut bw = app.ws_connect(&b.access).await;

    let mut acks = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for i in 1..=5u64 {
        let reply = a1
            .send_message(json!({
                "conversation_id": conv,
                "client_msg_id": format!("a1-{i}"),
                "content": format!("hello {i}"),
            }))
            .await;
        assert_eq!(reply["type"], "send-ack", "{reply}");
        let ack = reply["data"].clone();
        assert_eq!(ack["seq"], i, "seqs are 1, 2, 3, ... with no gap");
        assert_eq!(ack["conversation_id"], conv.as_str());
        assert_eq!(ack["client_msg_id"], format!("a1-{i}"));
        assert!(ack["created_at"].as_str().unwrap().ends_with('Z'), "{ack}");
        assert!(ids.insert(ack["message_id"].as_str().unwrap().to_owned()));
        acks.push(ack);
    }

    // The peer and the sender's other device get every message, in order.
    for ws in [&mut a2, &mut bw] {
        for (i, ack) in acks.iter().enumerate() {
            let m = next_message(ws).await;
            assert_matches_ack(&m, ack, &a.user_id, &format!("hello {}", i + 1), "single");
        }
    }

    // The sending socket got acks, not new-message: Bob's reply (seq 6) is
    // the next thing it sees, and new-message frames come in seq order.
    let ack6 = bw
        .send_ok(json!({"to_user_id": a.user_id, "client_msg_id": "b-1", "content": "hi"}))
        .await;
    assert_eq!(ack6["seq"], 6);
    assert_eq!(
        ack6["conversation_id"],
        conv.as_str(),
        "same pair, same conversation"
    );
    for ws in [&mut a1, &mut a2] {
        let m = next_message(ws).await;
        assert_matches_ack(&m, &ack6, &b.user_id, "hi", "single");
    }

    // An HTTP send has no sending connection: all of Alice's sockets get it.
    let ack7 = app
        .send_http_ok(
            &a.access,
            json!({"conversation_id": conv, "client_msg_id": "http-1", "content": "via http"}),
        )
        .await;
    assert_eq!(ack7["seq"], 7);
    for ws in [&mut a1, &mut a2, &mut bw] {
        let m = next_message(ws).await;
        assert_matches_ack(&m, &ack7, &a.user_id, "via http", "single");
    }

    // Pipelined sends: every one acked, seqs 8..=27 with no gap, and the
    // peer sees them in ascending seq.
    for i in 0..20 {
        let id = format!("p{i}");
        a1.send_json(
            "send-message",
            &id,
            json!({"conversation_id": conv, "client_msg_id": id, "content": "burst"}),
        )
        .await;
    }
    let mut seqs = Vec::new();
    for _ in 0..20 {
        let f = a1.expect_type("send-ack").await;
        assert_eq!(
            f["id"], f["data"]["client_msg_id"],
            "the reply echoes the id"
        );
        seqs.push(f["data"]["seq"].as_u64().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (8..=27).collect::<Vec<_>>());
    for ws in [&mut a2, &mut bw] {
        for seq in 8..=27u64 {
            assert_eq!(next_message(ws).await["seq"], seq);
        }
    }
    let history = app.history_all(&b.access, &conv).await;
    let hseqs: Vec<u64> = history.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(hseqs, (1..=27).collect::<Vec<_>>());
    assert_eq!(history[0]["message_id"], acks[0]["message_id"]);
}

#[tokio::test]
async fn resending_a_client_msg_id_returns_the_original_ack_and_stores_nothing() {
    let app = spawn_app().await;
    let a = app.new_user("resend").await;
    let b = app.new_user("receiver").await;
    let mut aw = app.ws_connect(&a.access).await;
    let mut bw = app.ws_connect(&b.access).await;

    let first = aw
        .send_ok(json!({"to_user_id": b.user_id, "client_msg_id": "dup-1", "content": "once"}))
        .await;
    assert_eq!(first["seq"], 1);
    let conv = first["conversation_id"].as_str().unwrap().to_owned();
    let again = aw
        .send_ok(json!({"to_user_id": b.user_id, "client_msg_id": "dup-1", "content": "once"}))
        .await;
    assert_eq!(again, first, "the identical ack");
    // Via the conversation id, and over HTTP: still the same message.
    let again = aw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "dup-1", "content": "once"}))
        .await;
    assert_eq!(again, first);
    let http = app
        .send_http_ok(
            &a.access,
            json!({"conversation_id": conv, "client_msg_id": "dup-1", "content": "once"}),
        )
        .await;
    assert_eq!(http, first);

    // Bob got the one message: each resend delivers it again (whether the
    // first delivery was made is not known to the server), always the
    // same message at seq 1, and the next he sees after it is seq 2.
    let m = next_message(&mut bw).await;
    assert_eq!(m["message_id"], first["message_id"]);
    let second = aw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "dup-2", "content": "twice"}))
        .await;
    assert_eq!(second["seq"], 2);
    loop {
        let m = next_message(&mut bw).await;
        if m["seq"] == 1 {
            assert_eq!(
                m["message_id"], first["message_id"],
                "a resend is the original"
            );
            continue;
        }
        assert_eq!(m["seq"], 2);
        break;
    }

    // The same client_msg_id from another sender is another message.
    let bobs = bw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "dup-1", "content": "mine"}))
        .await;
    assert_eq!(bobs["seq"], 3);
    assert_ne!(bobs["message_id"], first["message_id"]);
    // (Alice's socket also got seq 1 again from the HTTP resend.)
    assert_eq!(
        next_message_after(&mut aw, &conv, 2).await["message_id"],
        bobs["message_id"]
    );

    let history = app.history_all(&a.access, &conv).await;
    let got: Vec<(u64, &str)> = history
        .iter()
        .map(|m| (m["seq"].as_u64().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(got, vec![(1, "once"), (2, "twice"), (3, "mine")]);
}
