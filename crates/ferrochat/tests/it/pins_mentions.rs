//! Pins, mentions, forwards and "delete for me", as clients see them:
//! pins are events with their own seq and a list per conversation, set by
//! a group's owner and admins (both users of a single chat); a mention
//! flags the members it names in their conversation list until they read
//! past it (everyone: owner and admins only); a forward copies messages
//! the caller may read into a conversation they may write to, marked
//! forwarded; "delete for me" hides messages from the caller's history
//! and sync only. Every refusal has the contract's code.

use reqwest::Method;
use serde_json::{json, Value};

use crate::messaging::next_message;
use crate::support::{spawn_app, Reply, TestApp};
use crate::ws::assert_error;

impl TestApp {
    async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    /// The seqs of GET /api/v1/conversations/{id}/pins.
    async fn pinned(&self, token: &str, conv: &str) -> Vec<u64> {
        let r = self
            .request(
                Method::GET,
                &format!("/api/v1/conversations/{conv}/pins"),
                Some(token),
                None,
            )
            .await;
        r.ok()["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_u64().unwrap())
            .collect()
    }

    /// (mentioned, mention_seq) in the caller's conversation list.
    async fn mention(&self, token: &str, conv: &str) -> (bool, u64) {
        let list = self.conversations(token).await;
        let v = list
            .iter()
            .find(|c| c["conversation_id"] == conv)
            .expect("listed");
        (
            v["mentioned"].as_bool().unwrap(),
            v["mention_seq"].as_u64().unwrap(),
        )
    }

    /// The seqs of the caller's whole history of `conv`.
    async fn seqs(&self, token: &str, conv: &str) -> Vec<u64> {
        self.history_all(token, conv)
            .await
            .iter()
            .map(|m| m["seq"].as_u64().unwrap())
            .collect()
    }
}

#[tokio::test]
async fn pins_are_events_listed_per_conversation_and_set_by_a_groups_leaders() {
    let app = spawn_app().await;
    let owner = app.new_user("pinowner").await;
    let member = app.new_user("pinmember").await;
    let (gid, conv) = app
        .new_group(
            &owner,
            json!({"name": "pins", "member_ids": [member.user_id]}),
        )
        .await;
    let mut m_ws = app.ws_connect(&member.access).await;
    let mut o_ws = app.ws_connect(&owner.access).await;
    let first = o_ws
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "m1", "content": "rules"}))
        .await;
    let target = first["seq"].as_u64().unwrap();
    next_message(&mut m_ws).await;

    // A member may not pin; the owner may, and members see the event.
    let pin = json!({"conversation_id": conv, "seq": target, "client_msg_id": "p1"});
    let r = app
        .post(&member.access, "/api/v1/messages/pin", pin.clone())
        .await;
    r.err(1005);
    let f = m_ws.request("pin-message", pin.clone()).await;
    assert_error(&f, 1005);
    let ack = app
        .post(&owner.access, "/api/v1/messages/pin", pin.clone())
        .await;
    let pin_seq = ack.ok()["seq"].as_u64().unwrap();
    assert_eq!(pin_seq, target + 1, "a pin has its own seq");
    let live = next_message(&mut m_ws).await;
    assert_eq!(
        (live["message_type"].clone(), live["target_seq"].clone()),
        (json!("pin"), json!(target))
    );
    // The same client_msg_id: the same ack, nothing new.
    let again = app.post(&owner.access, "/api/v1/messages/pin", pin).await;
    assert_eq!(again.ok()["seq"], pin_seq);
    assert_eq!(app.pinned(&member.access, &conv).await, [target]);

    // An admin may; an event and an unknown seq cannot be pinned.
    app.update_member(
        &owner.access,
        &gid,
        &member.user_id,
        json!({"role": "admin"}),
    )
    .await
    .ok();
    let event = json!({"conversation_id": conv, "seq": pin_seq, "client_msg_id": "p2"});
    app.post(&member.access, "/api/v1/messages/pin", event)
        .await
        .err(1005);
    let unknown = json!({"conversation_id": conv, "seq": 999, "client_msg_id": "p3"});
    app.post(&member.access, "/api/v1/messages/pin", unknown)
        .await
        .err(1003);
    for bad in [json!(0), json!(-2), json!("1"), Value::Null] {
        let body = json!({"conversation_id": conv, "seq": bad, "client_msg_id": "p4"});
        app.post(&member.access, "/api/v1/messages/pin", body)
            .await
            .err(1001);
    }
    let f = m_ws
        .request(
            "unpin-message",
            json!({"conversation_id": conv, "seq": target, "client_msg_id": "u1"}),
        )
        .await;
    assert_eq!(f["type"], "send-ack", "{f}");
    assert!(app.pinned(&owner.access, &conv).await.is_empty());
    // A non-member reads no pins.
    let outsider = app.new_user("pinoutsider").await;
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/conversations/{conv}/pins"),
            Some(&outsider.access),
            None,
        )
        .await;
    r.err(1005);

    // The world room has no pins.
    let w = app
        .send_http_ok(
            &owner.access,
            json!({"conversation_id": "world", "client_msg_id": "w1", "content": "hi"}),
        )
        .await;
    let body = json!({"conversation_id": "world", "seq": w["seq"], "client_msg_id": "wp"});
    app.post(&owner.access, "/api/v1/messages/pin", body)
        .await
        .err(1005);
}

#[tokio::test]
async fn both_users_of_a_single_chat_pin_and_a_recall_unpins() {
    let app = spawn_app().await;
    let a = app.new_user("pina").await;
    let b = app.new_user("pinb").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    for (i, who) in [&a, &b].into_iter().enumerate() {
        app.send_http_ok(
            &who.access,
            json!({"conversation_id": conv, "client_msg_id": format!("m{i}"), "content": "x"}),
        )
        .await;
    }
    for (who, seq) in [(&b, 1), (&a, 2)] {
        let body = json!({"conversation_id": conv, "seq": seq, "client_msg_id": "p"});
        app.post(&who.access, "/api/v1/messages/pin", body)
            .await
            .ok();
    }
    assert_eq!(app.pinned(&a.access, &conv).await, [1, 2]);
    let recall = json!({"conversation_id": conv, "seq": 1, "client_msg_id": "r"});
    app.post(&a.access, "/api/v1/messages/recall", recall)
        .await
        .ok();
    assert_eq!(app.pinned(&b.access, &conv).await, [2], "a recall unpins");
    let again = json!({"conversation_id": conv, "seq": 1, "client_msg_id": "p2"});
    app.post(&b.access, "/api/v1/messages/pin", again)
        .await
        .err(1003);
}

#[tokio::test]
async fn a_mention_flags_the_named_members_until_they_read_past_it() {
    let app = spawn_app().await;
    let owner = app.new_user("menowner").await;
    let b = app.new_user("menb").await;
    let c = app.new_user("menc").await;
    let (_, conv) = app
        .new_group(
            &owner,
            json!({"name": "mentions", "member_ids": [b.user_id, c.user_id]}),
        )
        .await;
    let mut b_ws = app.ws_connect(&b.access).await;
    let ack = app
        .send_http_ok(
            &c.access,
            json!({
                "conversation_id": conv, "client_msg_id": "m1", "content": "@b look",
                "mentions": [b.user_id, b.user_id]
            }),
        )
        .await;
    let s1 = ack["seq"].as_u64().unwrap();
    let live = next_message(&mut b_ws).await;
    assert_eq!(live["mentions"], json!([b.user_id]), "deduplicated: {live}");
    assert!(live.get("mention_all").is_none(), "{live}");
    assert_eq!(app.mention(&b.access, &conv).await, (true, s1));
    assert_eq!(app.mention(&owner.access, &conv).await, (false, 0));
    assert_eq!(app.mention(&c.access, &conv).await, (false, 0));
    let history = app.history_all(&owner.access, &conv).await;
    let stored = history.iter().find(|m| m["seq"] == s1).unwrap();
    assert_eq!(stored["mentions"], json!([b.user_id]));

    // Reading past it clears the flag.
    app.update_conversation(&b.access, &conv, json!({"read_seq": s1}))
        .await
        .ok();
    assert_eq!(app.mention(&b.access, &conv).await, (false, s1));

    // Everyone: not a member's to mention; the owner's.
    let all = |id: &str| json!({"conversation_id": conv, "client_msg_id": id, "content": "all", "mention_all": true});
    app.send_http(&c.access, all("a1")).await.err(1005);
    let s2 = app.send_http_ok(&owner.access, all("a2")).await["seq"]
        .as_u64()
        .unwrap();
    assert_eq!(next_message(&mut b_ws).await["mention_all"], true);
    assert_eq!(app.mention(&b.access, &conv).await, (true, s2));
    assert_eq!(app.mention(&c.access, &conv).await, (true, s2));
    assert!(!app.mention(&owner.access, &conv).await.0);

    // Bad mentions are the request's fault.
    let many: Vec<String> = (0..51)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    for bad in [json!(["nobody"]), json!("x"), json!(many)] {
        let body = json!({"conversation_id": conv, "client_msg_id": "b1", "content": "x", "mentions": bad});
        assert!(
            app.send_http(&c.access, body)
                .await
                .err(1001)
                .contains("mentions"),
            "{bad}"
        );
    }
    // The world room: nobody mentions everyone.
    let w = json!({"conversation_id": "world", "client_msg_id": "w", "content": "x", "mention_all": true});
    app.send_http(&owner.access, w).await.err(1005);
}

#[tokio::test]
async fn a_forward_copies_messages_marked_forwarded_in_order() {
    let app = spawn_app().await;
    let a = app.new_user("fwda").await;
    let b = app.new_user("fwdb").await;
    let c = app.new_user("fwdc").await;
    let ab = app.open_single(&a.access, &b.user_id).await;
    let (gid, group) = app
        .new_group(&a, json!({"name": "fwd", "member_ids": [c.user_id]}))
        .await;
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        app.send_http_ok(
            &b.access,
            json!({"conversation_id": ab, "client_msg_id": format!("m{i}"), "content": text}),
        )
        .await;
    }
    let mut c_ws = app.ws_connect(&c.access).await;
    let fwd = json!({
        "conversation_id": ab, "seqs": [3, 1], "to_group_id": gid, "client_msg_id": "f1"
    });
    let r = app
        .post(&a.access, "/api/v1/messages/forward", fwd.clone())
        .await;
    let acks = r.ok()["acks"].as_array().unwrap().clone();
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0]["client_msg_id"], "f1/1");
    for (want, ack) in ["three", "one"].iter().zip(&acks) {
        let live = next_message(&mut c_ws).await;
        assert_eq!(live["seq"], ack["seq"]);
        assert_eq!(
            (live["content"].clone(), live["forwarded"].clone()),
            (json!(want), json!(true)),
            "{live}"
        );
        assert_eq!(live["from_user_id"], a.user_id, "sent by the forwarder");
    }
    // A resend stores nothing twice.
    let again = app.post(&a.access, "/api/v1/messages/forward", fwd).await;
    assert_eq!(again.ok()["acks"], json!(acks));
    assert_eq!(app.seqs(&c.access, &group).await.len(), 3, "creation + 2");

    // Over the socket, into a single conversation named by its user.
    let mut a_ws = app.ws_connect(&a.access).await;
    let f = a_ws
        .request(
            "forward-messages",
            json!({"conversation_id": group, "seqs": [2], "to_user_id": b.user_id, "client_msg_id": "f2"}),
        )
        .await;
    assert_eq!(f["type"], "forwarded", "{f}");
    let seq = f["data"]["acks"][0]["seq"].as_u64().unwrap();
    let copy = app.history_all(&b.access, &ab).await;
    let copy = copy.iter().find(|m| m["seq"] == seq).unwrap();
    assert_eq!(
        (copy["content"].clone(), copy["forwarded"].clone()),
        (json!("three"), json!(true))
    );

    // Refused: what the caller cannot read, what is not there, what is
    // not a user's message, a target they cannot write, bad requests.
    let body = |from: &str, seqs: Value, to: Value, id: &str| {
        let mut b = json!({"conversation_id": from, "seqs": seqs, "client_msg_id": id});
        b.as_object_mut()
            .unwrap()
            .extend(to.as_object().unwrap().clone());
        b
    };
    let to_group = json!({"to_group_id": gid});
    app.post(
        &c.access,
        "/api/v1/messages/forward",
        body(&ab, json!([1]), to_group.clone(), "x1"),
    )
    .await
    .err(1005);
    app.post(
        &a.access,
        "/api/v1/messages/forward",
        body(&ab, json!([99]), to_group.clone(), "x2"),
    )
    .await
    .err(1003);
    app.post(
        &a.access,
        "/api/v1/messages/forward",
        body(&group, json!([1]), to_group.clone(), "x3"),
    )
    .await
    .err(1005);
    app.post(
        &b.access,
        "/api/v1/messages/forward",
        body(&ab, json!([1]), to_group.clone(), "x4"),
    )
    .await
    .err(1005);
    let recall = json!({"conversation_id": ab, "seq": 2, "client_msg_id": "r"});
    app.post(&b.access, "/api/v1/messages/recall", recall)
        .await
        .ok();
    app.post(
        &a.access,
        "/api/v1/messages/forward",
        body(&ab, json!([2]), to_group.clone(), "x5"),
    )
    .await
    .err(1003);
    for (seqs, to, id) in [
        (json!([]), to_group.clone(), "y1"),
        (json!([1, 1]), to_group.clone(), "y2"),
        (json!([0]), to_group.clone(), "y3"),
        (json!((1..=21).collect::<Vec<_>>()), to_group.clone(), "y4"),
        (json!([1]), json!({}), "y5"),
        (
            json!([1]),
            json!({"to_group_id": gid, "to_user_id": b.user_id}),
            "y6",
        ),
        (json!([1]), to_group.clone(), &"z".repeat(63)),
    ] {
        app.post(
            &a.access,
            "/api/v1/messages/forward",
            body(&ab, seqs.clone(), to, id),
        )
        .await
        .err(1001);
    }
    assert_eq!(
        app.seqs(&c.access, &group).await.len(),
        3,
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn delete_for_me_hides_messages_from_the_callers_history_only() {
    let app = spawn_app().await;
    let a = app.new_user("dela").await;
    let b = app.new_user("delb").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    for i in 0..3 {
        app.send_http_ok(
            &b.access,
            json!({"conversation_id": conv, "client_msg_id": format!("m{i}"), "content": "x"}),
        )
        .await;
    }
    let r = app
        .post(
            &a.access,
            "/api/v1/messages/delete",
            json!({"conversation_id": conv, "seqs": [2, 2]}),
        )
        .await;
    assert_eq!(r.ok()["seqs"], json!([2]));
    assert_eq!(app.seqs(&a.access, &conv).await, [1, 3]);
    assert_eq!(app.seqs(&b.access, &conv).await, [1, 2, 3], "b keeps it");
    // Sync skips it too, on every device of the caller.
    let mut ws = app.ws_connect(&a.access).await;
    let f = ws.request("sync", json!({"cursors": {}})).await;
    let entry = f["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation_id"] == conv.as_str())
        .unwrap()
        .clone();
    let synced: Vec<u64> = entry["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(synced, [1, 3]);
    let f = ws
        .request(
            "delete-messages",
            json!({"conversation_id": conv, "seqs": [1]}),
        )
        .await;
    assert_eq!(f["type"], "deleted", "{f}");
    assert_eq!(app.seqs(&a.access, &conv).await, [3]);
    // The list's preview of the last message goes with it, for a only.
    app.post(
        &a.access,
        "/api/v1/messages/delete",
        json!({"conversation_id": conv, "seqs": [3]}),
    )
    .await
    .ok();
    assert_eq!(
        app.conversation(&a.access, &conv).await["last_message"],
        Value::Null
    );
    assert_eq!(
        app.conversation(&b.access, &conv).await["last_message"]["seq"],
        3
    );
    assert!(app.seqs(&a.access, &conv).await.is_empty());

    // A seq the conversation lacks; bad lists; a conversation not one's own.
    let del = |seqs: Value| json!({"conversation_id": conv, "seqs": seqs});
    app.post(&a.access, "/api/v1/messages/delete", del(json!([4])))
        .await
        .err(1003);
    let many: Vec<u64> = (1..=101).collect();
    for bad in [
        json!([]),
        json!([0]),
        json!(["1"]),
        json!(many),
        Value::Null,
    ] {
        app.post(&a.access, "/api/v1/messages/delete", del(bad.clone()))
            .await
            .err(1001);
    }
    let c = app.new_user("delc").await;
    app.post(&c.access, "/api/v1/messages/delete", del(json!([1])))
        .await
        .err(1005);
    assert_eq!(app.seqs(&b.access, &conv).await, [1, 2, 3]);
}
