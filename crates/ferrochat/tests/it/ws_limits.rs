//! WebSocket edges: bad frames, size and rate limits, slow consumers,
//! keepalive, logout, refused upgrades and shutdown.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{json, Value};

use crate::support::{spawn_app, spawn_app_with};
use crate::ws::{assert_error, Closed};

#[tokio::test]
async fn bad_frames_get_error_1001_and_the_connection_stays_open() {
    let app = spawn_app().await;
    let a = app.new_user("sloppy").await;
    let mut ws = app.ws_connect(&a.access).await;

    for raw in ["not json", "[1, 2, 3]", "{\"data\": {}}", ""] {
        ws.send_text(raw).await;
        let f = ws.recv_frame().await;
        assert_error(&f, 1001);
        assert!(f.get("id").is_none_or(Value::is_null), "{raw:?}: {f}");
    }
    for (id, frame) in [
        (
            "u1",
            json!({"type": "no-such-type", "id": "u1", "data": {}}),
        ),
        ("nt", json!({"id": "nt", "data": {}})),
        (
            "m1",
            json!({"type": "send-message", "id": "m1", "data": {"conversation_id": "world"}}),
        ),
        ("m2", json!({"type": "send-message", "id": "m2"})),
        (
            "m3",
            json!({"type": "message", "id": "m3", "data": {"conversation_id": 7, "client_msg_id": "x", "content": "y"}}),
        ),
        (
            "r1",
            json!({"type": "read", "id": "r1", "data": {"conversation_id": "world"}}),
        ),
        (
            "r2",
            json!({"type": "read", "id": "r2", "data": {"conversation_id": "world", "seq": -1}}),
        ),
        ("t1", json!({"type": "typing", "id": "t1", "data": {}})),
        (
            "s1",
            json!({"type": "sync", "id": "s1", "data": {"cursors": "all"}}),
        ),
        (
            "s2",
            json!({"type": "sync", "id": "s2", "data": {"cursors": {}, "limit": 201}}),
        ),
    ] {
        ws.send_text(frame.to_string()).await;
        let f = ws.recv_frame().await;
        assert_error(&f, 1001);
        assert_eq!(f["id"], id, "the error echoes the id: {f}");
    }
    // Still open and working; `message` is an alias of `send-message`.
    ws.ping().await;
    let f = ws
        .request(
            "message",
            json!({"conversation_id": "world", "client_msg_id": "ok", "content": "fine"}),
        )
        .await;
    assert_eq!(f["type"], "send-ack", "{f}");
    assert_eq!(f["data"]["seq"], 1);
}

#[tokio::test]
async fn content_over_the_limit_is_1008_and_the_connection_is_kept() {
    let app = spawn_app().await;
    let a = app.new_user("verbose").await;
    let mut ws = app.ws_connect(&a.access).await;
    let send = |content: String, id: &str| json!({"conversation_id": "world", "client_msg_id": id, "content": content});

    ws.send_err(send("x".repeat(16_385), "big"), 1008).await;
    // The limit is in bytes, not characters.
    ws.send_err(send("é".repeat(8_193), "accents"), 1008).await;
    app.send_http(&a.access, send("x".repeat(16_385), "big-http"))
        .await
        .err(1008);
    ws.ping().await;
    let ack = ws.send_ok(send("x".repeat(16_384), "max")).await;
    assert_eq!(ack["seq"], 1, "nothing oversize was stored");
    let hist = app.history_all(&a.access, "world").await;
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0]["content"].as_str().unwrap().len(), 16_384);
}

#[tokio::test]
async fn a_frame_over_the_limit_closes_with_1009() {
    let app = spawn_app().await;
    let a = app.new_user("huge").await;
    let mut big = app.ws_connect(&a.access).await;
    let mut other = app.ws_connect(&a.access).await;
    let frame = json!({"type": "send-message", "id": "huge", "data": {
        "conversation_id": "world", "client_msg_id": "huge", "content": "x".repeat(70_000)}});
    big.send_text(frame.to_string()).await;
    assert_eq!(
        big.closed_within(Duration::from_secs(10)).await,
        Closed::Code(1009)
    );
    // Other connections are unaffected, and nothing was stored.
    other.ping().await;
    let ack = other
        .send_ok(json!({"conversation_id": "world", "client_msg_id": "small", "content": "ok"}))
        .await;
    assert_eq!(ack["seq"], 1);
}

#[tokio::test]
async fn sends_over_the_rate_limit_get_1007_and_the_connection_is_kept() {
    let app = spawn_app_with(|c| {
        c.gateway.send_rate_limit.per_second = 1;
        c.gateway.send_rate_limit.burst = 5;
    })
    .await;
    let a = app.new_user("spammer").await;
    let b = app.new_user("calm").await;
    let mut ws = app.ws_connect(&a.access).await;
    let mut replies = Vec::new();
    for i in 0..20 {
        let f = ws
            .send_message(json!({"to_user_id": b.user_id, "client_msg_id": format!("s{i}"), "content": "spam"}))
            .await;
        let limited = f["type"] == "error";
        replies.push(f);
        if limited {
            break;
        }
    }
    assert!(
        replies[..5].iter().all(|f| f["type"] == "send-ack"),
        "the burst passes: {replies:?}"
    );
    assert_error(replies.last().unwrap(), 1007);
    // The limit is per user, over HTTP too...
    app.send_http(
        &a.access,
        json!({"to_user_id": b.user_id, "client_msg_id": "h", "content": "spam"}),
    )
    .await
    .err(1007);
    // ...the connection stays open, and other users are not limited.
    ws.ping().await;
    let ack = app
        .send_http_ok(
            &b.access,
            json!({"to_user_id": a.user_id, "client_msg_id": "b", "content": "hi"}),
        )
        .await;
    assert_eq!(ack["seq"], replies.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_stops_reading_is_closed_with_4008() {
    const COUNT: usize = 30;
    let app = spawn_app_with(|c| {
        c.gateway.ws.outbox_frames = 8;
        c.gateway.send_rate_limit.per_second = 100_000;
        c.gateway.send_rate_limit.burst = 100_000;
        // Few, large messages: the storm is over (and the client reads)
        // well within the server's grace for flushing the close frame
        // (about 8 frames fill the socket buffers here, 8 more the outbox).
        c.messaging.max_content_bytes = 600_000;
        c.gateway.max_body_bytes = 1 << 20;
    })
    .await;
    let a = app.new_user("firehose").await;
    let b = app.new_user("sleepy").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    // Connected, then never polled until the storm is over.
    let mut slow = app.ws_connect(&b.access).await;

    // 15 MB toward it: more than the socket buffers and outbox hold.
    let content = "z".repeat(512 * 1024);
    let storm = futures::stream::iter(0..COUNT)
        .map(|i| {
            let body = json!({"conversation_id": conv, "client_msg_id": format!("f{i}"), "content": content});
            let app = &app;
            let token = a.access.as_str();
            async move { app.send_http(token, body).await.code() }
        })
        .buffer_unordered(4)
        .collect::<Vec<i64>>();
    let codes = tokio::time::timeout(Duration::from_secs(120), storm)
        .await
        .expect("a slow reader does not hold up senders");
    assert!(codes.iter().all(|c| *c == 0), "every send acked");

    assert_eq!(
        slow.closed_within(Duration::from_secs(60)).await,
        Closed::Code(4008)
    );

    // The server keeps serving: B reconnects and catches up by seq.
    let mut again = app.ws_connect(&b.access).await;
    // Each message weighs about 512 KiB, a sync reply's byte bound: one
    // message per reply, and `has_more` until the last.
    let mut got: Vec<u64> = Vec::new();
    loop {
        let cursor = got.last().copied().unwrap_or(COUNT as u64 - 2);
        let r = again
            .request("sync", json!({"cursors": {conv.clone(): cursor}}))
            .await;
        let entry = &r["data"]["conversations"][0];
        got.extend(
            entry["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["seq"].as_u64().unwrap()),
        );
        if entry["has_more"] == false {
            break;
        }
        assert!(got.len() < COUNT, "sync pages never end: {got:?}");
    }
    assert_eq!(got, vec![COUNT as u64 - 1, COUNT as u64]);
    let ack = app
        .send_http_ok(
            &a.access,
            json!({"conversation_id": conv, "client_msg_id": "after", "content": "still there?"}),
        )
        .await;
    let m = again.expect_type("new-message").await;
    assert_eq!(m["data"]["message_id"], ack["message_id"]);
}

#[tokio::test]
async fn the_server_pings_and_closes_connections_silent_past_the_idle_timeout() {
    let app = spawn_app_with(|c| {
        c.gateway.ws.ping_interval = Duration::from_secs(1);
        c.gateway.ws.idle_timeout = Duration::from_secs(3);
    })
    .await;
    let a = app.new_user("idle").await;
    let mut active = app.ws_connect(&a.access).await;
    let mut silent = app.ws_connect(&a.access).await;

    // Reading answers the server's pings (tungstenite pongs automatically),
    // which counts as activity; the silent socket answers nothing.
    let frames = active.pump(Duration::from_secs(6)).await;
    assert!(frames.is_empty(), "{frames:?}");
    assert!(
        active.pings_seen >= 2,
        "pings every second: saw {}",
        active.pings_seen
    );
    active.ping().await;

    let ended = silent.closed_within(Duration::from_secs(10)).await;
    // Any close code (or none) will do; it must just be closed.
    eprintln!("silent connection ended: {ended:?}");
    active.ping().await;
}

#[tokio::test]
async fn logout_closes_that_sessions_sockets_with_4001_only() {
    let app = spawn_app().await;
    let a = app.new_user("leaving").await;
    let other = app.second_session(&a).await;
    let mut s1 = app.ws_connect(&a.access).await;
    let mut s1b = app.ws_connect_bearer(&a.access).await;
    let mut s2 = app.ws_connect(&other).await;

    app.logout(&a.access).await.ok();
    assert_eq!(s1.close_code().await, Some(4001));
    assert_eq!(s1b.close_code().await, Some(4001));
    s2.ping().await;
    assert_eq!(app.ws_refused_status(Some(&a.access)).await, 401);
    app.ws_upgrade_reply(Some(&a.access)).await.err(1002);
    // The other session still sends and receives.
    let ack = app
        .send_http_ok(
            &other,
            json!({"conversation_id": "world", "client_msg_id": "w", "content": "still here"}),
        )
        .await;
    let m = s2.expect_type("new-message").await;
    assert_eq!(m["data"]["message_id"], ack["message_id"]);
}

#[tokio::test]
async fn upgrades_without_a_valid_token_get_401_with_an_envelope() {
    let app = spawn_app().await;
    let a = app.new_user("tokens").await;
    let mut forged = a.access.clone();
    forged.pop();
    forged.push(if a.access.ends_with('A') { 'B' } else { 'A' });
    for token in [None, Some("garbage"), Some(""), Some(forged.as_str())] {
        assert_eq!(app.ws_refused_status(token).await, 401, "{token:?}");
        let r = app.ws_upgrade_reply(token).await;
        assert_eq!(r.status.as_u16(), 401, "{token:?}");
        r.err(1002);
    }
    // The header works as well as the query parameter.
    let mut ws = app.ws_connect_bearer(&a.access).await;
    ws.ping().await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_1001() {
    let app = spawn_app().await;
    let a = app.new_user("goodbye").await;
    let mut ws = app.ws_connect(&a.access).await;
    let (code, res) = tokio::join!(ws.close_code(), app.shutdown());
    res.unwrap();
    assert_eq!(code, Some(1001));
}
