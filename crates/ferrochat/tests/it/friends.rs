//! Friends: requests (send, accept, reject, mutual), the friend list,
//! removal, and the `friends` direct-message policy.

use ferrochat_logic::DmPolicy;
use serde_json::{json, Value};

use crate::support::{spawn_app, spawn_app_with, TestApp, UNKNOWN_ID};

/// The `request_id`s of a list in GET /friends/requests.
fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|r| r["request_id"].as_str().unwrap())
        .collect()
}

async fn assert_no_pending(app: &TestApp, token: &str) {
    let r = app.friend_requests(token).await;
    assert!(ids(&r["incoming"]).is_empty(), "{r}");
    assert!(ids(&r["outgoing"]).is_empty(), "{r}");
}

#[tokio::test]
async fn a_request_accepted_makes_friends_both_ways() {
    let app = spawn_app().await;
    let a = app.new_user("fa").await;
    let b = app.new_user("fb").await;
    let c = app.new_user("fc").await;

    let r = app
        .friend_request(&a.access, &b.user_id, Some("hi, it's Alice"))
        .await;
    let req = r.ok().clone();
    let rid = req["request_id"].as_str().unwrap().to_owned();
    assert_eq!(req["from_user_id"], a.user_id.as_str());
    assert_eq!(req["to_user_id"], b.user_id.as_str());
    assert_eq!(req["status"], "pending");
    assert_eq!(req["message"], "hi, it's Alice");
    assert!(req["created_at"].as_str().unwrap().ends_with('Z'), "{req}");

    // Pending: outgoing for Alice, incoming for Bob, nothing for Carol.
    let la = app.friend_requests(&a.access).await;
    assert_eq!(ids(&la["outgoing"]), vec![rid.as_str()]);
    assert!(ids(&la["incoming"]).is_empty(), "{la}");
    assert_eq!(la["outgoing"][0], req);
    let lb = app.friend_requests(&b.access).await;
    assert_eq!(ids(&lb["incoming"]), vec![rid.as_str()]);
    assert!(ids(&lb["outgoing"]).is_empty(), "{lb}");
    assert_eq!(lb["incoming"][0], req);
    assert_no_pending(&app, &c.access).await;
    assert!(app.friends(&a.access).await.is_empty());
    assert!(app.friends(&b.access).await.is_empty());

    // Only the recipient may answer.
    for action in ["accept", "reject"] {
        app.answer_request(&a.access, &rid, action).await.err(1003);
        app.answer_request(&c.access, &rid, action).await.err(1003);
    }
    let acc = app.answer_request(&b.access, &rid, "accept").await;
    let d = acc.ok();
    assert_eq!(d["request_id"], rid.as_str());
    assert_eq!(d["status"], "accepted");
    assert_eq!(d["from_user_id"], a.user_id.as_str());
    assert_eq!(d["to_user_id"], b.user_id.as_str());

    let fa = app.friends(&a.access).await;
    assert_eq!(fa.len(), 1, "{fa:?}");
    assert_eq!(fa[0]["user_id"], b.user_id.as_str());
    assert_eq!(fa[0]["username"], b.username.as_str());
    assert!(fa[0]["nickname"].is_string(), "{fa:?}");
    assert_eq!(fa[0]["online"], false, "no socket open: {fa:?}");
    let fb = app.friends(&b.access).await;
    assert_eq!(fb.len(), 1, "{fb:?}");
    assert_eq!(fb[0]["user_id"], a.user_id.as_str());
    assert_eq!(fb[0]["username"], a.username.as_str());
    assert!(app.friends(&c.access).await.is_empty());
    assert_no_pending(&app, &a.access).await;
    assert_no_pending(&app, &b.access).await;

    // No longer pending: answering again is a conflict.
    app.answer_request(&b.access, &rid, "accept")
        .await
        .err(1006);
    app.answer_request(&b.access, &rid, "reject")
        .await
        .err(1006);
    // Already friends, either way round.
    app.friend_request(&a.access, &b.user_id, None)
        .await
        .err(1006);
    app.friend_request(&b.access, &a.user_id, None)
        .await
        .err(1006);
    assert_eq!(app.friends(&a.access).await.len(), 1);
}

#[tokio::test]
async fn a_rejected_request_makes_no_friends() {
    let app = spawn_app().await;
    let a = app.new_user("ra").await;
    let b = app.new_user("rb").await;

    let r = app.friend_request(&a.access, &b.user_id, None).await;
    let req = r.ok().clone();
    assert_eq!(req["message"], "", "no message is the empty string");
    let rid = req["request_id"].as_str().unwrap();
    let rej = app.answer_request(&b.access, rid, "reject").await;
    assert_eq!(rej.ok()["status"], "rejected");
    assert_eq!(rej.ok()["request_id"], rid);
    assert!(app.friends(&a.access).await.is_empty());
    assert!(app.friends(&b.access).await.is_empty());
    assert_no_pending(&app, &a.access).await;
    assert_no_pending(&app, &b.access).await;
    app.answer_request(&b.access, rid, "accept").await.err(1006);
    app.answer_request(&b.access, rid, "reject").await.err(1006);

    // A rejected request is not pending, so asking again is allowed.
    let again = app
        .friend_request(&a.access, &b.user_id, Some("please"))
        .await;
    let rid2 = again.ok()["request_id"].as_str().unwrap().to_owned();
    assert_ne!(rid2, rid);
    assert_eq!(again.ok()["status"], "pending");
    app.answer_request(&b.access, &rid2, "accept").await.ok();
    assert_eq!(app.friend_ids(&a.access).await, vec![b.user_id.clone()]);
}

#[tokio::test]
async fn a_request_to_someone_who_asked_you_accepts_theirs() {
    let app = spawn_app().await;
    let a = app.new_user("ma").await;
    let b = app.new_user("mb").await;

    let first = app.friend_request(&a.access, &b.user_id, Some("hey")).await;
    let rid = first.ok()["request_id"].as_str().unwrap().to_owned();
    // A duplicate in the same direction is a conflict...
    app.friend_request(&a.access, &b.user_id, None)
        .await
        .err(1006);
    assert_eq!(
        ids(&app.friend_requests(&a.access).await["outgoing"]),
        vec![rid.as_str()]
    );
    // ...but the other direction accepts the pending one.
    let back = app.friend_request(&b.access, &a.user_id, None).await;
    let d = back.ok();
    assert_eq!(d["request_id"], rid.as_str());
    assert_eq!(d["status"], "accepted");
    assert_eq!(d["from_user_id"], a.user_id.as_str());
    assert_eq!(d["to_user_id"], b.user_id.as_str());
    assert_eq!(d["message"], "hey");
    assert_eq!(app.friend_ids(&a.access).await, vec![b.user_id.clone()]);
    assert_eq!(app.friend_ids(&b.access).await, vec![a.user_id.clone()]);
    assert_no_pending(&app, &a.access).await;
    assert_no_pending(&app, &b.access).await;
    app.answer_request(&b.access, &rid, "accept")
        .await
        .err(1006);
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let app = spawn_app().await;
    let a = app.new_user("ea").await;
    let b = app.new_user("eb").await;

    app.friend_request(&a.access, &a.user_id, None)
        .await
        .err(1001);
    app.friend_request(&a.access, UNKNOWN_ID, None)
        .await
        .err(1003);
    app.friend_request(&a.access, "not-an-id", None)
        .await
        .err(1001);
    app.answer_request(&b.access, UNKNOWN_ID, "accept")
        .await
        .err(1003);
    app.answer_request(&b.access, UNKNOWN_ID, "reject")
        .await
        .err(1003);
    app.unfriend(&a.access, &b.user_id).await.err(1003);
    app.unfriend(&a.access, UNKNOWN_ID).await.err(1003);
    assert_no_pending(&app, &a.access).await;
    assert_no_pending(&app, &b.access).await;
    // Without a token.
    let r = app
        .request(reqwest::Method::GET, "/api/v1/friends", None, None)
        .await;
    r.err(1002);
}

#[tokio::test]
async fn removing_a_friend_ends_it_for_both() {
    let app = spawn_app().await;
    let a = app.new_user("da").await;
    let b = app.new_user("db").await;
    let c = app.new_user("dc").await;
    app.make_friends(&a, &b).await;
    app.make_friends(&c, &a).await;
    let mut both = vec![b.user_id.clone(), c.user_id.clone()];
    both.sort();
    assert_eq!(app.friend_ids(&a.access).await, both);

    let r = app.unfriend(&b.access, &a.user_id).await;
    assert_eq!(r.ok(), &json!({}));
    assert_eq!(app.friend_ids(&a.access).await, vec![c.user_id.clone()]);
    assert!(app.friends(&b.access).await.is_empty());
    assert_eq!(app.friend_ids(&c.access).await, vec![a.user_id.clone()]);
    app.unfriend(&b.access, &a.user_id).await.err(1003);
    app.unfriend(&a.access, &b.user_id).await.err(1003);
    // They may become friends again.
    app.make_friends(&a, &b).await;
    assert_eq!(app.friend_ids(&b.access).await, vec![a.user_id.clone()]);
}

#[tokio::test]
async fn friends_policy_refuses_direct_messages_to_non_friends_only() {
    let app = spawn_app_with(|c| c.messaging.dm_policy = DmPolicy::Friends).await;
    let a = app.new_user("pa").await;
    let b = app.new_user("pb").await;
    let mut aw = app.ws_connect(&a.access).await;
    let mut bw = app.ws_connect(&b.access).await;

    // Strangers: refused both ways, over HTTP and WebSocket.
    app.send_http(
        &a.access,
        json!({"to_user_id": b.user_id, "client_msg_id": "h1", "content": "hi"}),
    )
    .await
    .err(1005);
    aw.send_err(
        json!({"to_user_id": b.user_id, "client_msg_id": "w1", "content": "hi"}),
        1005,
    )
    .await;
    bw.send_err(
        json!({"to_user_id": a.user_id, "client_msg_id": "w1", "content": "hi"}),
        1005,
    )
    .await;
    // Nor can a chat be opened, to sit empty in the other's list.
    let opened = app
        .request(
            reqwest::Method::POST,
            "/api/v1/conversations/create",
            Some(&a.access),
            Some(json!({"peer_user_id": b.user_id})),
        )
        .await;
    assert_eq!(opened.err(1005), "you can only message your friends");
    for s in [&a, &b] {
        let list = app.conversations(&s.access).await;
        assert!(list.iter().all(|c| c["type"] != "single"), "{list:?}");
    }
    // Group chat is not affected.
    let (gid, _) = app
        .new_group(&a, json!({"name": "pg", "member_ids": [b.user_id]}))
        .await;
    bw.send_ok(json!({"group_id": gid, "client_msg_id": "g1", "content": "group ok"}))
        .await;
    // The world room neither.
    bw.send_ok(json!({"conversation_id": "world", "client_msg_id": "x1", "content": "hello"}))
        .await;

    // Friends: allowed, both ways.
    app.make_friends(&a, &b).await;
    let ack = app
        .send_http_ok(
            &a.access,
            json!({"to_user_id": b.user_id, "client_msg_id": "h2", "content": "friend"}),
        )
        .await;
    let conv = ack["conversation_id"].as_str().unwrap().to_owned();
    bw.send_ok(json!({"conversation_id": conv, "client_msg_id": "w2", "content": "yes"}))
        .await;
    aw.send_ok(json!({"to_user_id": b.user_id, "client_msg_id": "w3", "content": "ok"}))
        .await;
    let contents: Vec<String> = app
        .history_all(&b.access, &conv)
        .await
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(contents, vec!["friend", "yes", "ok"]);

    // No longer friends: refused again, even in the existing conversation.
    app.unfriend(&a.access, &b.user_id).await.ok();
    app.send_http(
        &b.access,
        json!({"conversation_id": conv, "client_msg_id": "h3", "content": "?"}),
    )
    .await
    .err(1005);
    aw.send_err(
        json!({"conversation_id": conv, "client_msg_id": "w4", "content": "?"}),
        1005,
    )
    .await;
    assert_eq!(app.history_all(&a.access, &conv).await.len(), 3);
}

#[tokio::test]
async fn the_default_policy_lets_anyone_message_anyone() {
    let app = spawn_app().await;
    let a = app.new_user("na").await;
    let b = app.new_user("nb").await;
    app.send_http_ok(
        &a.access,
        json!({"to_user_id": b.user_id, "client_msg_id": "n1", "content": "hi stranger"}),
    )
    .await;
    let mut bw = app.ws_connect(&b.access).await;
    bw.send_ok(json!({"to_user_id": a.user_id, "client_msg_id": "n2", "content": "hi"}))
        .await;
}

/// Frames of `type` among what arrives until a ping's answer.
async fn frames_of(ws: &mut crate::ws::WsClient, ty: &str) -> Vec<Value> {
    ws.ping().await;
    ws.take_pending()
        .into_iter()
        .filter(|f| f["type"] == ty)
        .collect()
}

#[tokio::test]
async fn requests_and_acceptances_arrive_live_and_rejections_do_not() {
    let app = spawn_app().await;
    let a = app.new_user("livea").await;
    let b = app.new_user("liveb").await;
    let c = app.new_user("livec").await;
    let mut a_ws = app.ws_connect(&a.access).await;
    let mut b_ws = app.ws_connect(&b.access).await;

    // b hears of a's request at once, with what the list would show.
    let r = app
        .friend_request(&a.access, &b.user_id, Some("hi b"))
        .await;
    let request_id = r.ok()["request_id"].as_str().unwrap().to_owned();
    let f = b_ws.recv_until(|f| f["type"] == "friend-request").await;
    assert_eq!(
        (
            f["data"]["request_id"].clone(),
            f["data"]["from_user_id"].clone()
        ),
        (json!(request_id), json!(a.user_id))
    );
    assert_eq!(
        (f["data"]["status"].clone(), f["data"]["message"].clone()),
        (json!("pending"), json!("hi b"))
    );
    // a hears that b accepted.
    app.answer_request(&b.access, &request_id, "accept")
        .await
        .ok();
    let f = a_ws.recv_until(|f| f["type"] == "friend-accepted").await;
    assert_eq!(
        (f["data"]["request_id"].clone(), f["data"]["status"].clone()),
        (json!(request_id), json!("accepted"))
    );
    assert!(
        frames_of(&mut b_ws, "friend-accepted").await.is_empty(),
        "the one who accepted knows"
    );

    // A rejection is told to nobody.
    let r = app.friend_request(&a.access, &c.user_id, None).await;
    let rejected = r.ok()["request_id"].as_str().unwrap().to_owned();
    app.answer_request(&c.access, &rejected, "reject")
        .await
        .ok();
    assert!(frames_of(&mut a_ws, "friend-accepted").await.is_empty());
    assert!(frames_of(&mut a_ws, "friend-request").await.is_empty());

    // Asking back accepts: the first asker hears it.
    let mut c_ws = app.ws_connect(&c.access).await;
    app.friend_request(&c.access, &b.user_id, None).await.ok();
    b_ws.recv_until(|f| f["type"] == "friend-request").await;
    app.friend_request(&b.access, &c.user_id, None).await.ok();
    let f = c_ws.recv_until(|f| f["type"] == "friend-accepted").await;
    assert_eq!(f["data"]["to_user_id"], b.user_id);
}
