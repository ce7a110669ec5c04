//! Backpressure: when the fan-out of a large group falls behind
//! (`messaging.max_fanout_lag`), sends to it are refused with 1007 and a
//! retry hint, never queued without bound; nothing accepted is lost,
//! duplicated or reordered, and sends are taken again once it drains.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;

use crate::support::{sample, spawn_app_with, Session, TestApp};
use crate::ws::WsClient;

const SENDERS: usize = 4;
const RECEIVERS: usize = 30;
/// Sends a sender puts on its connection before reading their answers.
const BURST: usize = 64;
/// A storm that never lags this far has failed to load the server.
const MAX_SENDS_EACH: usize = 6_000;

/// What one sender's storm got back: acked seqs, refusals' `data`.
#[derive(Default)]
struct Answers {
    acked: Vec<u64>,
    refused: Vec<serde_json::Value>,
}

/// Sends bursts into `conv` until a refusal came back and one more burst
/// was answered, or `MAX_SENDS_EACH`.
async fn storm(mut ws: WsClient, conv: String, who: usize) -> Answers {
    let mut out = Answers::default();
    let mut sent = 0;
    let mut bursts_after_refusal = 0;
    while sent < MAX_SENDS_EACH && bursts_after_refusal < 2 {
        let mut ids = Vec::with_capacity(BURST);
        for _ in 0..BURST {
            let id = ws.fresh_id();
            let body = json!({
                "conversation_id": conv,
                "client_msg_id": format!("s{who}-{sent}"),
                "content": format!("m{who}-{sent}"),
            });
            ws.send_json("send-message", &id, body).await;
            ids.push(id);
            sent += 1;
        }
        for id in ids {
            let f = ws.recv_until(|f| f["id"] == id.as_str()).await;
            match f["type"].as_str() {
                Some("send-ack") => out.acked.push(f["data"]["seq"].as_u64().unwrap()),
                Some("error") => {
                    assert_eq!(
                        f["data"]["code"], 1007,
                        "only backpressure refuses here: {f}"
                    );
                    out.refused.push(f["data"].clone());
                }
                _ => panic!("unexpected answer {f}"),
            }
        }
        if !out.refused.is_empty() {
            bursts_after_refusal += 1;
        }
    }
    out
}

/// Reads chat messages in `conv` until it holds every seq in `expected`
/// once it is known; returns them in arrival order.
async fn receive(
    mut ws: WsClient,
    conv: String,
    mut expected: watch::Receiver<Option<usize>>,
) -> Vec<u64> {
    let mut seqs = Vec::new();
    loop {
        if let Some(n) = *expected.borrow() {
            if seqs.len() >= n {
                return seqs;
            }
        }
        tokio::select! {
            f = ws.recv_frame() => {
                let d = &f["data"];
                if f["type"] == "new-message" && d["conversation_id"] == conv.as_str() && d["message_type"] != "system" {
                    seqs.push(d["seq"].as_u64().unwrap());
                }
            }
            Ok(()) = expected.changed() => {}
        }
    }
}

/// Sends into `dest` (a single chat or a small group) one at a time
/// until `stop`; each must be acked: a large group's lag holds back only
/// the conversations the task role fans out. Returns how many were sent.
async fn bystander(mut ws: WsClient, dest: serde_json::Value, stop: Arc<AtomicBool>) -> usize {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) || n == 0 {
        let mut body = dest.clone();
        body["client_msg_id"] = json!(format!("b{n}"));
        body["content"] = json!("x");
        ws.send_ok(body).await;
        n += 1;
    }
    n
}

/// The retry hint of a refusal's `data`, in milliseconds: the field a
/// client reads, which the message says in words too.
fn hint_ms(data: &serde_json::Value) -> u64 {
    let hint = data["retry_after_ms"]
        .as_u64()
        .unwrap_or_else(|| panic!("no retry_after_ms in {data}"));
    let message = data["message"].as_str().unwrap_or_default();
    assert_eq!(
        message,
        format!("delivery to this conversation is behind, retry in {hint} ms"),
        "not a backpressure refusal, or a message that disagrees with its hint"
    );
    hint
}

async fn member(app: &TestApp, i: usize) -> Session {
    app.new_user(&format!("bp{i}")).await
}

#[tokio::test]
async fn a_lagging_large_group_refuses_sends_with_a_hint_and_loses_nothing() {
    // Every group here goes through the task role, and any fan-out still
    // in hand counts as behind: the storm must be refused.
    let app = spawn_app_with(|c| {
        c.messaging.fanout_task_threshold = 2;
        c.messaging.max_fanout_lag = Duration::from_millis(1);
        c.gateway.send_rate_limit.per_second = 1_000_000;
        c.gateway.send_rate_limit.burst = 1_000_000;
        // A sender reads only between its bursts, so the storm's messages
        // from the others wait in its outbox meanwhile: room for all of
        // them (a slow reader's close, 4008, is tested elsewhere; once,
        // under a loaded machine, the default 256 frames filled).
        c.gateway.ws.outbox_frames = 20_000;
        c.gateway.ws.outbox_bytes = 64 * 1024 * 1024;
    })
    .await;
    let owner = member(&app, 0).await;
    let mut others = Vec::new();
    for i in 1..=SENDERS + RECEIVERS {
        others.push(member(&app, i).await);
    }
    let ids: Vec<&str> = others.iter().map(|s| s.user_id.as_str()).collect();
    let (_, conv) = app
        .new_group(&owner, json!({"name": "storm", "member_ids": ids}))
        .await;
    let (tx, rx) = watch::channel(None);
    let mut receivers = Vec::new();
    for s in &others[SENDERS..] {
        let ws = app.ws_connect(&s.access).await;
        receivers.push(tokio::spawn(receive(ws, conv.clone(), rx.clone())));
    }
    // Beside the storm: a single chat and a small group (owner-made,
    // 2 members: under the threshold), never refused.
    let a = member(&app, 1000).await;
    let b = member(&app, 1001).await;
    let (_, small) = app
        .new_group(&a, json!({"name": "small", "member_ids": [b.user_id]}))
        .await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut bystanders = Vec::new();
    for dest in [
        json!({"to_user_id": b.user_id}),
        json!({"conversation_id": small}),
    ] {
        let ws = app.ws_connect(&a.access).await;
        bystanders.push(tokio::spawn(bystander(ws, dest, stop.clone())));
    }
    let mut senders = Vec::new();
    for (who, s) in others[..SENDERS].iter().enumerate() {
        let ws = app.ws_connect(&s.access).await;
        senders.push(tokio::spawn(storm(ws, conv.clone(), who)));
    }
    let mut acked = Vec::new();
    let mut refused = Vec::new();
    for s in senders {
        let a = s.await.unwrap();
        acked.extend(a.acked);
        refused.extend(a.refused);
    }
    stop.store(true, Ordering::Relaxed);
    for b in bystanders {
        assert!(b.await.unwrap() > 0);
    }
    assert!(
        !refused.is_empty(),
        "a storm into a lagging group was never refused"
    );
    for m in &refused {
        assert!(hint_ms(m) >= 100, "hint below the floor: {m}");
    }

    // Every accepted message reaches every receiver once, in seq order;
    // nothing refused was stored.
    acked.sort_unstable();
    tx.send_replace(Some(acked.len()));
    for r in receivers {
        let got = r.await.unwrap();
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "out of order or repeated"
        );
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted, acked,
            "a receiver's messages differ from the acked ones"
        );
    }
    let history = app.history_all(&owner.access, &conv).await;
    let stored = history
        .iter()
        .filter(|m| m["message_type"] != "system")
        .count();
    assert_eq!(stored, acked.len(), "refused sends must not be stored");

    // Drained, the group takes sends again: a client that waits out the
    // hint gets through with the same client_msg_id.
    let mut ws = app.ws_connect(&others[0].access).await;
    let body = json!({"conversation_id": conv, "client_msg_id": "after", "content": "after"});
    let mut tries = 0;
    loop {
        let f = ws.send_message(body.clone()).await;
        if f["type"] == "send-ack" {
            break;
        }
        assert_eq!(f["data"]["code"], 1007, "{f}");
        tries += 1;
        assert!(tries < 100, "still refused after {tries} waits");
        let wait = hint_ms(&f["data"]);
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }

    let text = app.metrics_text().await;
    assert!(sample(&text, "ferrochat_logic_fanout_refused_total") >= refused.len() as f64);
    for gauge in [
        "ferrochat_logic_fanout_lag_seconds",
        "ferrochat_task_fanout_lag_seconds",
        "ferrochat_gateway_delivery_lag_seconds",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(gauge)),
            "{gauge} is not exported"
        );
    }
}
