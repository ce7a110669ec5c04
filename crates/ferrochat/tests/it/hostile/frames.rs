//! Frame floods: every frame kind that is not a send takes from the
//! user's frame bucket (`gateway.frame_rate_limit`), `sync` also from its
//! own (`gateway.sync_rate_limit`); past them a frame is answered 1007 and
//! does nothing. A blocked user's typing and receipts never reach the
//! blocker.

use std::time::Instant;

use serde_json::json;

use super::client::{recv_json, send_text, until_pong, Client};
use crate::binary::Server;

const FLOOD: usize = 200;
const PER_SECOND: u64 = 2;
const BURST: u64 = 10;

/// What a bucket may let through in `elapsed`: its burst and its refill.
fn allowed(started: Instant) -> u64 {
    BURST + PER_SECOND * (started.elapsed().as_secs() + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_sync_floods_are_answered_1007_and_reach_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let (ps, burst) = (PER_SECOND.to_string(), BURST.to_string());
    let server = Server::start_with(
        dir.path(),
        &[
            ("FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__PER_SECOND", &ps),
            ("FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__BURST", &burst),
        ],
    );
    let c = Client::new(&server);
    let (_, a) = c.user("flooder").await;
    let (b_id, b) = c.user("target").await;
    let r = c
        .call(
            reqwest::Method::POST,
            "/api/v1/messages/send",
            Some(&a),
            Some(json!({"to_user_id": b_id, "client_msg_id": "hi", "content": "hi"})),
        )
        .await;
    let conv = r["data"]["conversation_id"].as_str().unwrap().to_owned();
    let mut wa = c.ws(&a).await;
    let mut wb = c.ws(&b).await;

    let started = Instant::now();
    for i in 0..FLOOD {
        let f = json!({"type": "typing", "id": format!("t{i}"), "data": {"conversation_id": conv}});
        send_text(&mut wa, f).await;
    }
    // Only refusals answer a typing frame; a last frame marks the end
    // (a pong, or its own refusal).
    send_text(&mut wa, json!({"type": "ping", "id": "end"})).await;
    let mut refused = 0;
    loop {
        let f = recv_json(&mut wa).await;
        if f["id"] == "end" {
            break;
        }
        assert_eq!(f["type"], "error", "{f}");
        assert_eq!(f["data"]["code"], 1007, "{f}");
        refused += 1;
    }
    let accepted = FLOOD - refused;
    assert!(
        (accepted as u64) <= allowed(started),
        "{accepted} typing frames went through"
    );
    // The target hears exactly the accepted ones.
    for _ in 0..accepted {
        let f = recv_json(&mut wb).await;
        assert_eq!(f["type"], "typing", "{f}");
    }

    // sync too: the same bucket, each refused one answered by id.
    let started = Instant::now();
    for i in 0..FLOOD {
        send_text(
            &mut wb,
            json!({"type": "sync", "id": format!("s{i}"), "data": {"cursors": {}}}),
        )
        .await;
    }
    let (mut synced, mut refused) = (0u64, 0u64);
    for _ in 0..FLOOD {
        let f = recv_json(&mut wb).await;
        match f["type"].as_str() {
            Some("sync") => synced += 1,
            Some("error") => {
                assert_eq!(f["data"]["code"], 1007, "{f}");
                refused += 1;
            }
            _ => {}
        }
    }
    assert_eq!(synced + refused, FLOOD as u64);
    assert!(synced <= allowed(started), "{synced} syncs were served");
    assert!(synced >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_users_typing_and_receipts_do_not_reach_the_blocker() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = Client::new(&server);
    let (_, a) = c.user("blocker").await;
    let (b_id, b) = c.user("blocked").await;
    let (c_id, cc) = c.user("bystander").await;
    let g = c
        .call(
            reqwest::Method::POST,
            "/api/v1/groups/create",
            Some(&a),
            Some(json!({"name": "three", "member_ids": [b_id, c_id]})),
        )
        .await;
    assert_eq!(g["code"], 0, "{g}");
    let conv = g["data"]["conversation_id"].as_str().unwrap().to_owned();
    let r = c
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/blocks/{b_id}"),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(r["code"], 0, "{r}");
    c.send(&cc, &conv, "m1", "hello").await;
    let seq = c
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/messages/history?conversation_id={conv}"),
            Some(&cc),
            None,
        )
        .await["data"]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["seq"]
        .as_u64()
        .unwrap();

    let mut wa = c.ws(&a).await;
    let mut wc = c.ws(&cc).await;
    let mut wb = c.ws(&b).await;
    until_pong(&mut wa, "a0").await;
    until_pong(&mut wc, "c0").await;
    send_text(
        &mut wb,
        json!({"type": "typing", "data": {"conversation_id": conv}}),
    )
    .await;
    send_text(
        &mut wb,
        json!({"type": "read", "data": {"conversation_id": conv, "seq": seq}}),
    )
    .await;
    assert!(until_pong(&mut wb, "b0").await.is_empty());

    // The bystander hears both; one delivery names every connection of a
    // gateway, so the blocker's frames, had they been sent, would now be
    // queued ahead of its pong.
    let mut heard = Vec::new();
    while heard.len() < 2 {
        let f = recv_json(&mut wc).await;
        assert_eq!(f["data"]["user_id"], b_id, "{f}");
        heard.push(f["type"].as_str().unwrap().to_owned());
    }
    heard.sort();
    assert_eq!(heard, ["read-receipt", "typing"]);
    let to_blocker = until_pong(&mut wa, "a1").await;
    assert!(
        to_blocker.iter().all(|f| f["data"]["user_id"] != b_id),
        "the blocker heard of the blocked user: {to_blocker:?}"
    );
}
