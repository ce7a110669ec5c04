//! Groups: create, chat, join, leave and who may send; and 50 members
//! sending 10,000 messages into one group at once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{spawn_app, spawn_app_with, Session, TestApp, UNKNOWN_ID};
use crate::ws::WsClient;

/// The next chat message on `ws`, skipping only group `system` messages
/// (membership changes may appear as those); anything else fails.
async fn next_chat(ws: &mut WsClient) -> Value {
    loop {
        let f = ws.expect_type("new-message").await;
        if f["data"]["message_type"] != "system" {
            return f["data"].clone();
        }
    }
}

async fn create(app: &TestApp, owner: &Session, body: Value) -> Value {
    let r = app.create_group(&owner.access, body).await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    r.ok().clone()
}

#[tokio::test]
async fn members_chat_and_outsiders_are_refused_until_they_join() {
    let app = spawn_app().await;
    let owner = app.new_user("owner").await;
    let member = app.new_user("member").await;
    let outsider = app.new_user("outsider").await;

    let g = create(
        &app,
        &owner,
        json!({"name": "rustaceans", "description": "crabs", "member_ids": [member.user_id]}),
    )
    .await;
    let gid = g["group_id"].as_str().unwrap().to_owned();
    let conv = g["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(g["name"], "rustaceans");
    assert_eq!(g["description"], "crabs");
    assert_eq!(g["owner_id"], owner.user_id.as_str());
    assert_eq!(g["member_count"], 2);
    assert_eq!(g["max_members"], 10_000);
    assert_eq!(g["join_policy"], "open");
    let seen = app.group(&member.access, &gid).await;
    assert_eq!(seen.ok()["my_role"], "member");
    assert_eq!(seen.ok()["conversation_id"], conv.as_str());
    assert_eq!(
        app.group(&owner.access, &gid).await.ok()["my_role"],
        "owner"
    );
    let listed = app.conversation(&member.access, &conv).await;
    assert_eq!(listed["type"], "group");
    assert_eq!(listed["group_id"], gid.as_str());
    assert_eq!(listed["name"], "rustaceans");

    let mut ow = app.ws_connect(&owner.access).await;
    let mut mw = app.ws_connect(&member.access).await;
    let mut xw = app.ws_connect(&outsider.access).await;

    // Send by group_id or by the group's conversation_id.
    let a1 = ow
        .send_ok(json!({"group_id": gid, "client_msg_id": "o1", "content": "welcome"}))
        .await;
    assert_eq!(a1["conversation_id"], conv.as_str());
    let m = next_chat(&mut mw).await;
    assert_eq!(m["message_id"], a1["message_id"]);
    assert_eq!(m["conversation_type"], "group");
    assert_eq!(m["from_user_id"], owner.user_id.as_str());
    assert_eq!(m["content"], "welcome");
    let a2 = mw
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "m1", "content": "thanks"}))
        .await;
    assert_eq!(a2["seq"], a1["seq"].as_u64().unwrap() + 1);
    assert_eq!(next_chat(&mut ow).await["message_id"], a2["message_id"]);

    // An outsider can neither send nor read.
    xw.send_err(
        json!({"group_id": gid, "client_msg_id": "x1", "content": "hi?"}),
        1005,
    )
    .await;
    xw.send_err(
        json!({"conversation_id": conv, "client_msg_id": "x2", "content": "hi?"}),
        1005,
    )
    .await;
    app.send_http(
        &outsider.access,
        json!({"group_id": gid, "client_msg_id": "x3", "content": "hi?"}),
    )
    .await
    .err(1005);
    app.history(&outsider.access, &format!("conversation_id={conv}"))
        .await
        .err(1005);
    let r = xw.request("sync", json!({"cursors": {}})).await;
    assert_eq!(r["type"], "sync");
    assert!(
        r["data"]["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["conversation_id"] != conv.as_str()),
        "an outsider's sync holds nothing of the group: {r}"
    );

    // Joining an open group lets them in; joining twice is a conflict.
    let joined = app.group_action(&outsider.access, &gid, "join").await;
    assert_eq!(joined.ok()["member_count"], 3);
    app.group_action(&outsider.access, &gid, "join")
        .await
        .err(1006);
    app.group_action(&member.access, &gid, "join")
        .await
        .err(1006);
    let a3 = xw
        .send_ok(json!({"group_id": gid, "client_msg_id": "x4", "content": "hello all"}))
        .await;
    assert_eq!(next_chat(&mut ow).await["message_id"], a3["message_id"]);
    assert_eq!(next_chat(&mut mw).await["message_id"], a3["message_id"]);
    let hist = app.history_all(&outsider.access, &conv).await;
    let chats: Vec<&str> = hist
        .iter()
        .filter(|m| m["message_type"] != "system")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(chats, vec!["welcome", "thanks", "hello all"]);
    let hseqs: Vec<u64> = hist.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        hseqs,
        (1..=hseqs.len() as u64).collect::<Vec<_>>(),
        "no gap"
    );

    // The owner cannot leave; a member can, and then cannot send or read.
    app.group_action(&owner.access, &gid, "leave")
        .await
        .err(1005);
    app.group_action(&member.access, &gid, "leave").await.ok();
    mw.send_err(
        json!({"group_id": gid, "client_msg_id": "m2", "content": "still here?"}),
        1005,
    )
    .await;
    app.send_http(
        &member.access,
        json!({"conversation_id": conv, "client_msg_id": "m3", "content": "?"}),
    )
    .await
    .err(1005);
    app.history(&member.access, &format!("conversation_id={conv}"))
        .await
        .err(1005);
    // Those who stayed still chat, and the leaver is not told.
    let a4 = ow
        .send_ok(json!({"group_id": gid, "client_msg_id": "o2", "content": "bye"}))
        .await;
    assert_eq!(next_chat(&mut xw).await["message_id"], a4["message_id"]);
    let after = app.group(&owner.access, &gid).await;
    assert_eq!(after.ok()["member_count"], 2);
    mw.ping().await;
    let leftovers = mw.take_pending();
    assert!(
        leftovers
            .iter()
            .all(|f| f["data"]["message_id"] != a4["message_id"]),
        "{leftovers:?}"
    );
}

#[tokio::test]
async fn invite_only_full_and_unknown_groups_refuse_joins() {
    let app = spawn_app_with(|c| c.groups.max_members = 3).await;
    let owner = app.new_user("inv_owner").await;
    let m1 = app.new_user("inv_m1").await;
    let m2 = app.new_user("inv_m2").await;
    let late = app.new_user("inv_late").await;

    let inv = create(
        &app,
        &owner,
        json!({"name": "closed", "join_policy": "invite"}),
    )
    .await;
    assert_eq!(inv["join_policy"], "invite");
    assert_eq!(inv["member_count"], 1);
    assert_eq!(inv["max_members"], 3);
    let inv_id = inv["group_id"].as_str().unwrap();
    app.group_action(&late.access, inv_id, "join")
        .await
        .err(1005);
    // Nor does it show its name or description to those outside it.
    let hidden = app.group(&late.access, inv_id).await;
    hidden.err(1005);
    assert!(
        !hidden.body.to_string().contains("closed"),
        "{:?}",
        hidden.body
    );
    assert_eq!(
        app.group(&owner.access, inv_id).await.ok()["name"],
        "closed"
    );

    let open = create(
        &app,
        &owner,
        json!({"name": "small", "member_ids": [m1.user_id]}),
    )
    .await;
    let open_id = open["group_id"].as_str().unwrap();
    assert_eq!(
        app.group_action(&m2.access, open_id, "join").await.ok()["member_count"],
        3
    );
    app.group_action(&late.access, open_id, "join")
        .await
        .err(1006);
    let g = app.group(&owner.access, open_id).await;
    assert_eq!(g.ok()["member_count"], 3);

    app.group_action(&late.access, UNKNOWN_ID, "join")
        .await
        .err(1003);
    app.group(&late.access, UNKNOWN_ID).await.err(1003);
    app.group_action(&late.access, "not-an-id", "join")
        .await
        .err(1001);
    app.create_group(&owner.access, json!({"name": ""}))
        .await
        .err(1001);
    app.create_group(
        &owner.access,
        json!({"name": "x", "join_policy": "sometimes"}),
    )
    .await
    .err(1001);
    app.create_group(
        &owner.access,
        json!({"name": "x", "member_ids": [UNKNOWN_ID]}),
    )
    .await
    .err(1003);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_members_send_10_000_messages_into_one_group() {
    const MEMBERS: usize = 50;
    const PER_MEMBER: u64 = 200;
    const TOTAL: u64 = MEMBERS as u64 * PER_MEMBER;
    let app = spawn_app_with(|c| {
        c.gateway.send_rate_limit.per_second = 100_000;
        c.gateway.send_rate_limit.burst = 100_000;
        // Each client reads only after sending its 200: its outbox must
        // hold every frame (about 4 MB), or it is closed as too slow
        // (4008), which is not under test here.
        c.gateway.ws.outbox_frames = 20_000;
        c.gateway.ws.outbox_bytes = 64 * 1024 * 1024;
        // Durability is not under test here: skip the fsync per commit.
        c.store.synchronous = "normal".to_owned();
    })
    .await;
    let mut users = Vec::new();
    for i in 0..MEMBERS {
        users.push(app.new_user(&format!("load{i}")).await);
    }
    let member_ids: Vec<&str> = users[1..].iter().map(|u| u.user_id.as_str()).collect();
    let g = create(
        &app,
        &users[0],
        json!({"name": "load", "member_ids": member_ids}),
    )
    .await;
    assert_eq!(g["member_count"], MEMBERS);
    let conv = g["conversation_id"].as_str().unwrap().to_owned();
    // Creating may have written system messages; ours come after them.
    let before = app.history_all(&users[0].access, &conv).await;
    assert!(
        before.iter().all(|m| m["message_type"] == "system"),
        "{before:?}"
    );
    let base = before.len() as u64;

    let mut clients = Vec::new();
    for u in &users {
        clients.push(app.ws_connect(&u.access).await);
    }
    let run = async {
        let tasks: Vec<_> = clients
            .into_iter()
            .zip(&users)
            .map(|(mut ws, u)| {
                let conv = conv.clone();
                let me = u.user_id.clone();
                tokio::spawn(async move {
                    for i in 0..PER_MEMBER {
                        let id = format!("{me}-{i}");
                        let data =
                            json!({"conversation_id": conv, "client_msg_id": id, "content": id});
                        ws.send_json("send-message", &id, data).await;
                    }
                    // (seq, from, client_msg_id, was an ack), in arrival order.
                    let mut got = Vec::new();
                    while got.len() < TOTAL as usize {
                        let f = ws.recv_frame().await;
                        let d = &f["data"];
                        let seq = d["seq"].as_u64().unwrap_or_else(|| panic!("{f}"));
                        let (from, ack) = match f["type"].as_str().unwrap() {
                            "send-ack" => (me.clone(), true),
                            "new-message" => {
                                (d["from_user_id"].as_str().unwrap().to_owned(), false)
                            }
                            _ => panic!("unexpected frame {f}"),
                        };
                        got.push((
                            seq,
                            from,
                            d["client_msg_id"].as_str().unwrap().to_owned(),
                            ack,
                        ));
                    }
                    (me, got)
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    };
    let results = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("all 10,000 messages delivered (300 s hang guard)");

    let expected: Vec<u64> = (base + 1..=base + TOTAL).collect();
    let mut by_seq: HashMap<u64, String> = HashMap::new();
    for (me, got) in &results {
        let mut acks = 0;
        let mut last_new = 0;
        let mut all_seqs = Vec::new();
        for (seq, from, cmid, ack) in got {
            assert!(
                cmid.starts_with(from.as_str()),
                "client_msg_id {cmid} is {from}'s"
            );
            if *ack {
                acks += 1;
            } else {
                assert_ne!(
                    from, me,
                    "the sending connection gets acks, not new-message"
                );
                assert!(
                    *seq > last_new,
                    "new-message out of seq order: {seq} after {last_new}"
                );
                last_new = *seq;
            }
            // Every member agrees on which message has which seq.
            let prev = by_seq.entry(*seq).or_insert_with(|| cmid.clone());
            assert_eq!(prev, cmid, "seq {seq} names two messages");
            all_seqs.push(*seq);
        }
        assert_eq!(acks, PER_MEMBER);
        all_seqs.sort_unstable();
        assert_eq!(all_seqs, expected, "{me}: each message exactly once");
    }

    let history = app.history_all(&users[1].access, &conv).await;
    assert_eq!(history.len() as u64, base + TOTAL);
    let mut senders: HashMap<String, u64> = HashMap::new();
    let mut cmids = HashSet::new();
    for (i, m) in history.iter().enumerate() {
        assert_eq!(m["seq"], i as u64 + 1, "seq 1..=N with no gap");
        if (i as u64) < base {
            continue;
        }
        let cmid = m["client_msg_id"].as_str().unwrap();
        assert_eq!(by_seq[&(i as u64 + 1)], cmid);
        assert!(cmids.insert(cmid.to_owned()), "{cmid} stored twice");
        *senders
            .entry(m["from_user_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(senders.len(), MEMBERS);
    assert!(senders.values().all(|n| *n == PER_MEMBER), "{senders:?}");
}

#[tokio::test]
async fn users_added_to_a_group_hear_it_live() {
    let app = spawn_app().await;
    let owner = app.new_user("invowner").await;
    let b = app.new_user("invb").await;
    let c = app.new_user("invc").await;
    let mut owner_ws = app.ws_connect(&owner.access).await;
    let mut b_ws = app.ws_connect(&b.access).await;
    let mut c_ws = app.ws_connect(&c.access).await;
    let (gid, conv) = app
        .new_group(
            &owner,
            json!({"name": "Invited", "member_ids": [b.user_id]}),
        )
        .await;
    let f = b_ws.recv_until(|f| f["type"] == "group-invited").await;
    assert_eq!(
        f["data"],
        json!({"group_id": gid, "conversation_id": conv, "name": "Invited", "by_user_id": owner.user_id})
    );
    app.add_members(&owner.access, &gid, &[&c.user_id])
        .await
        .ok();
    let f = c_ws.recv_until(|f| f["type"] == "group-invited").await;
    assert_eq!(f["data"]["group_id"], gid);
    // Not the one who added them.
    owner_ws.ping().await;
    assert!(
        !owner_ws
            .take_pending()
            .iter()
            .any(|f| f["type"] == "group-invited"),
        "the owner was told of their own invitation"
    );
}
