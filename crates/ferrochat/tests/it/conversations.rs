//! Conversations over HTTP: the list, its order and fields, the world
//! room, opening single chats, history paging, and who may read or send.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, UNKNOWN_ID};
use crate::ws::assert_error;

fn position(list: &[Value], id: &str) -> usize {
    list.iter()
        .position(|c| c["conversation_id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list:?}"))
}

#[tokio::test]
async fn the_list_holds_world_and_single_chats_most_recent_first() {
    let app = spawn_app().await;
    let a = app.new_user("lister").await;
    let b = app.new_user("peer_b").await;
    let c = app.new_user("peer_c").await;

    // A new user sees the world room, and nothing unread in it.
    let list = app.conversations(&a.access).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let world = &list[0];
    assert_eq!(world["conversation_id"], "world");
    assert_eq!(world["type"], "world");
    assert!(world["name"].is_string());
    assert_eq!(world["unread"], 0);
    assert!(world["updated_at"].is_string());

    // An HTTP send with to_user_id creates the single conversation.
    let ack = app
        .send_http_ok(
            &a.access,
            json!({"to_user_id": b.user_id, "client_msg_id": "1", "content": "to b"}),
        )
        .await;
    assert_eq!(ack["seq"], 1);
    let conv_b = ack["conversation_id"].as_str().unwrap().to_owned();
    assert_ne!(conv_b, "world");
    // Opening it again, from either side, gives the same conversation.
    assert_eq!(app.open_single(&a.access, &b.user_id).await, conv_b);
    assert_eq!(app.open_single(&b.access, &a.user_id).await, conv_b);
    // Opening a new one gives an empty conversation.
    let conv_c = app.open_single(&c.access, &a.user_id).await;
    assert_ne!(conv_c, conv_b);
    let view = app.conversation(&a.access, &conv_c).await;
    assert_eq!(view["last_seq"], 0);
    assert_eq!(view["last_message"], Value::Null);

    let mine = app.conversation(&a.access, &conv_b).await;
    assert_eq!(mine["type"], "single");
    assert_eq!(mine["peer_user_id"], b.user_id.as_str());
    assert!(mine["name"].is_string());
    assert!(mine.get("group_id").is_none_or(Value::is_null), "{mine}");
    assert_eq!(mine["last_seq"], 1);
    assert_eq!(mine["read_seq"], 1, "sending moves my own cursor");
    assert_eq!(mine["unread"], 0);
    assert!(mine["updated_at"].as_str().unwrap().ends_with('Z'));
    let last = &mine["last_message"];
    for k in [
        "message_id",
        "conversation_id",
        "seq",
        "client_msg_id",
        "created_at",
    ] {
        assert_eq!(last[k], ack[k], "{k}");
    }
    assert_eq!(last["content"], "to b");
    assert_eq!(last["from_user_id"], a.user_id.as_str());
    assert_eq!(last["conversation_type"], "single");
    assert_eq!(last["message_type"], "text");
    let theirs = app.conversation(&b.access, &conv_b).await;
    assert_eq!(theirs["peer_user_id"], a.user_id.as_str());
    assert_eq!(
        (theirs["read_seq"].clone(), theirs["unread"].clone()),
        (json!(0), json!(1))
    );

    // Order follows activity: c, then world, then b.
    app.send_http_ok(
        &a.access,
        json!({"conversation_id": conv_c, "client_msg_id": "2", "content": "to c"}),
    )
    .await;
    app.send_http_ok(
        &a.access,
        json!({"conversation_id": "world", "client_msg_id": "3", "content": "all"}),
    )
    .await;
    let list = app.conversations(&a.access).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(position(&list, "world"), 0, "{list:?}");
    assert_eq!(position(&list, &conv_c), 1, "{list:?}");
    assert_eq!(position(&list, &conv_b), 2, "{list:?}");
    app.send_http_ok(
        &b.access,
        json!({"conversation_id": conv_b, "client_msg_id": "4", "content": "back"}),
    )
    .await;
    let list = app.conversations(&a.access).await;
    let order: Vec<&str> = list
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec![conv_b.as_str(), "world", conv_c.as_str()]);
    assert_eq!(list[0]["unread"], 1);
    assert_eq!(list[0]["last_message"]["content"], "back");
    // Bob and Carol each see the world message as unread; a newcomer does not.
    assert_eq!(app.conversation(&c.access, "world").await["unread"], 1);
    let d = app.new_user("newcomer").await;
    let w = app.conversation(&d.access, "world").await;
    assert_eq!(
        (w["last_seq"].clone(), w["unread"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(app.unread(&d.access).await["total"], 0);
    app.send_http_ok(
        &a.access,
        json!({"conversation_id": "world", "client_msg_id": "5", "content": "again"}),
    )
    .await;
    let u = app.unread(&d.access).await;
    assert_eq!(
        u,
        json!({"total": 1, "conversations": [{"conversation_id": "world", "unread": 1}]})
    );

    // muted and pinned are kept.
    let r = app
        .update_conversation(&a.access, &conv_c, json!({"muted": true, "pinned": true}))
        .await;
    assert_eq!(r.ok()["conversation_id"], conv_c.as_str());
    let r = app
        .update_conversation(&a.access, UNKNOWN_ID, json!({"read_seq": 1}))
        .await;
    r.err(1003);
    let r = app
        .update_conversation(&a.access, "not-an-id", json!({"read_seq": 1}))
        .await;
    r.err(1001);
    let r = app
        .update_conversation(&d.access, &conv_b, json!({"read_seq": 1}))
        .await;
    r.err(1005);
}

fn seqs(d: &Value) -> (Vec<u64>, bool) {
    let msgs = d["messages"].as_array().unwrap();
    (
        msgs.iter().map(|m| m["seq"].as_u64().unwrap()).collect(),
        d["has_more"].as_bool().unwrap(),
    )
}

#[tokio::test]
async fn history_pages_by_after_seq_and_before_seq() {
    let app = spawn_app().await;
    let a = app.new_user("hist_a").await;
    let b = app.new_user("hist_b").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut ids = Vec::new();
    for i in 1..=12 {
        let (who, tag) = if i % 3 == 0 { (&b, "b") } else { (&a, "a") };
        let ack = app
            .send_http_ok(
                &who.access,
                json!({"conversation_id": conv, "client_msg_id": format!("{tag}{i}"), "content": format!("c{i}")}),
            )
            .await;
        assert_eq!(ack["seq"], i);
        ids.push(ack["message_id"].clone());
    }
    let page = |q: String| {
        let app = &app;
        let token = a.access.clone();
        async move { seqs(app.history(&token, &q).await.ok()) }
    };
    let c = &conv;
    let all = app
        .history(&b.access, &format!("conversation_id={c}"))
        .await;
    let d = all.ok();
    assert_eq!(seqs(d), ((1..=12).collect(), false));
    for (i, m) in d["messages"].as_array().unwrap().iter().enumerate() {
        assert_eq!(m["message_id"], ids[i]);
        assert_eq!(m["content"], format!("c{}", i + 1));
        assert_eq!(m["conversation_type"], "single");
    }
    let r = |v: std::ops::RangeInclusive<u64>, more| (v.collect::<Vec<_>>(), more);
    assert_eq!(
        page(format!("conversation_id={c}&after_seq=0&limit=5")).await,
        r(1..=5, true)
    );
    assert_eq!(
        page(format!("conversation_id={c}&after_seq=5&limit=5")).await,
        r(6..=10, true)
    );
    assert_eq!(
        page(format!("conversation_id={c}&after_seq=10&limit=5")).await,
        r(11..=12, false)
    );
    assert_eq!(
        page(format!("conversation_id={c}&after_seq=12")).await,
        (vec![], false)
    );
    // before_seq pages backwards: the newest messages before it, ascending.
    assert_eq!(
        page(format!("conversation_id={c}&before_seq=13&limit=5")).await,
        r(8..=12, true)
    );
    assert_eq!(
        page(format!("conversation_id={c}&before_seq=8&limit=5")).await,
        r(3..=7, true)
    );
    assert_eq!(
        page(format!("conversation_id={c}&before_seq=3&limit=5")).await,
        r(1..=2, false)
    );
    assert_eq!(
        page(format!("conversation_id={c}&after_seq=3&before_seq=8")).await,
        r(4..=7, false)
    );
    assert_eq!(
        page(format!("conversation_id={c}&limit=200")).await,
        r(1..=12, false)
    );

    for bad in [
        format!("conversation_id={c}&limit=201"),
        format!("conversation_id={c}&limit=0"),
        format!("conversation_id={c}&after_seq=-1"),
        format!("conversation_id={c}&limit=lots"),
        "conversation_id=not-an-id".to_owned(),
        String::new(),
    ] {
        let reply = app.history(&a.access, &bad).await;
        reply.err(1001);
    }
    let r = app
        .history(&a.access, &format!("conversation_id={UNKNOWN_ID}"))
        .await;
    r.err(1003);
    let outsider = app.new_user("outsider").await;
    let r = app
        .history(&outsider.access, &format!("conversation_id={c}"))
        .await;
    r.err(1005);
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/messages/history?conversation_id={c}"),
            None,
            None,
        )
        .await;
    r.err(1002);
}

#[tokio::test]
async fn non_members_are_refused_and_unknown_targets_are_not_found() {
    let app = spawn_app().await;
    let a = app.new_user("mem_a").await;
    let b = app.new_user("mem_b").await;
    let c = app.new_user("intruder").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut cw = app.ws_connect(&c.access).await;

    let body = json!({"conversation_id": conv, "client_msg_id": "x", "content": "let me in"});
    cw.send_err(body.clone(), 1005).await;
    app.send_http(&c.access, body).await.err(1005);

    for (field, code) in [
        ("conversation_id", 1003),
        ("to_user_id", 1003),
        ("group_id", 1003),
    ] {
        let body = json!({field: UNKNOWN_ID, "client_msg_id": "u", "content": "?"});
        cw.send_err(body.clone(), code).await;
        app.send_http(&c.access, body).await.err(code);
        let body = json!({field: "not-an-id", "client_msg_id": "m", "content": "?"});
        cw.send_err(body.clone(), 1001).await;
        app.send_http(&c.access, body).await.err(1001);
    }
    // Missing or empty fields, each sent where the sender is a member
    // (Carol over WebSocket to the world room, Alice over HTTP to Bob).
    let bad = |target: &str| {
        let t = target.to_owned();
        vec![
            json!({"client_msg_id": "n", "content": "no target"}),
            json!({"conversation_id": t, "content": "no client_msg_id"}),
            json!({"conversation_id": t, "client_msg_id": "n"}),
            json!({"conversation_id": t, "client_msg_id": "n", "content": ""}),
            json!({"conversation_id": t, "client_msg_id": "n", "content": "x", "message_type": "system"}),
            json!({"conversation_id": t, "client_msg_id": "n", "content": "x", "message_type": "Not OK"}),
        ]
    };
    for body in bad("world") {
        let f = cw.send_message(body.clone()).await;
        assert_error(&f, 1001);
        assert!(f["id"].is_string(), "the error echoes the id: {f}");
    }
    for body in bad(&conv) {
        app.send_http(&a.access, body).await.err(1001);
    }
    // Nothing was stored, and the connection still works.
    cw.ping().await;
    assert!(app.history_all(&a.access, &conv).await.is_empty());
    assert!(app.history_all(&c.access, "world").await.is_empty());
    let ok = cw
        .send_ok(
            json!({"conversation_id": "world", "client_msg_id": "w", "content": "hello world"}),
        )
        .await;
    assert_eq!(ok["seq"], 1);
}
