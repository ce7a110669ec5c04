//! Replies, edits and recalls, as clients see them: each is a message of
//! its own with the next seq (acked, delivered live, replayed by sync in
//! order), history shows each message as it is now, and who may change
//! what, until when, is enforced with the contract's codes.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::messaging::next_message;
use crate::support::{spawn_app, spawn_app_with, Reply, TestApp};
use crate::ws::assert_error;

impl TestApp {
    /// POST /api/v1/messages/{edit,recall}.
    async fn change(&self, token: &str, action: &str, body: Value) -> Reply {
        let path = format!("/api/v1/messages/{action}");
        self.request(Method::POST, &path, Some(token), Some(body))
            .await
    }
}

/// Every message of the conversation, by seq, as history shows it now.
async fn by_seq(app: &TestApp, token: &str, conv: &str) -> BTreeMap<u64, Value> {
    app.history_all(token, conv)
        .await
        .into_iter()
        .map(|m| (m["seq"].as_u64().unwrap(), m))
        .collect()
}

#[tokio::test]
async fn a_reply_names_a_message_of_its_conversation() {
    let app = spawn_app().await;
    let a = app.new_user("asker").await;
    let b = app.new_user("answerer").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut a_ws = app.ws_connect(&a.access).await;
    let mut b_ws = app.ws_connect(&b.access).await;
    a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": "q", "content": "lunch?"}))
        .await;
    next_message(&mut b_ws).await;

    let ack = b_ws
        .send_ok(json!({
            "conversation_id": conv, "client_msg_id": "a", "content": "yes", "reply_to": 1
        }))
        .await;
    assert_eq!(ack["seq"], 2);
    let live = next_message(&mut a_ws).await;
    assert_eq!(
        (live["reply_to"].clone(), live["content"].clone()),
        (json!(1), json!("yes"))
    );
    assert!(live.get("target_seq").is_none(), "{live}");
    assert_eq!(by_seq(&app, &a.access, &conv).await[&2]["reply_to"], 1);

    // A seq the conversation does not have yet, and ones that cannot be.
    let f = b_ws
        .send_message(json!({
            "conversation_id": conv, "client_msg_id": "a2", "content": "x", "reply_to": 3
        }))
        .await;
    assert_error(&f, 1003);
    for bad in [json!(0), json!(-1), json!("1")] {
        let r = app
            .send_http(
                &b.access,
                json!({"conversation_id": conv, "client_msg_id": "a3", "content": "x", "reply_to": bad}),
            )
            .await;
        r.err(1001);
    }
    // Nothing of the refused ones was stored.
    assert_eq!(by_seq(&app, &a.access, &conv).await.len(), 2);
    // The server's own types are not a client's to send.
    for reserved in ["edit", "recall", "system"] {
        let r = app
            .send_http(
                &a.access,
                json!({"conversation_id": conv, "client_msg_id": "t", "content": "x", "message_type": reserved}),
            )
            .await;
        assert!(r.err(1001).contains("reserved"), "{:?}", r.body);
    }
}

#[tokio::test]
async fn an_edit_replaces_the_content_for_everyone_and_only_its_sender_may_make_it() {
    let app = spawn_app().await;
    let a = app.new_user("editor").await;
    let b = app.new_user("watcher").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut a_ws = app.ws_connect(&a.access).await;
    let mut b_ws = app.ws_connect(&b.access).await;
    a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": "m1", "content": "teh plan"}))
        .await;
    next_message(&mut b_ws).await;

    let edit =
        json!({"conversation_id": conv, "seq": 1, "client_msg_id": "e1", "content": "the plan"});
    let f = a_ws.request("edit-message", edit.clone()).await;
    assert_eq!(f["type"], "send-ack", "{f}");
    assert_eq!(f["data"]["seq"], 2, "an edit has its own seq");
    let live = next_message(&mut b_ws).await;
    assert_eq!(
        (
            live["seq"].clone(),
            live["message_type"].clone(),
            live["target_seq"].clone(),
            live["content"].clone()
        ),
        (json!(2), json!("edit"), json!(1), json!("the plan"))
    );
    // The same client_msg_id again: the same ack, nothing new stored.
    let again = a_ws.request("edit-message", edit).await;
    assert_eq!(again["data"], f["data"]);

    let now = by_seq(&app, &b.access, &conv).await;
    assert_eq!(now.len(), 2);
    assert_eq!(now[&1]["content"], "the plan");
    assert!(now[&1]["edited_at"].is_string(), "{}", now[&1]);
    assert!(now[&1].get("recalled_at").is_none());
    // The conversation list shows the last event.
    let view = app.conversation(&b.access, &conv).await;
    assert_eq!(view["last_message"]["message_type"], "edit");

    // Over HTTP too; and what may not be edited.
    let r = app
        .change(
            &a.access,
            "edit",
            json!({"conversation_id": conv, "seq": 1, "client_msg_id": "e2", "content": "the plan!"}),
        )
        .await;
    assert_eq!(r.ok()["seq"], 3);
    let cases = [
        (&b.access, json!({"seq": 1, "content": "mine now"}), 1005),
        (
            &a.access,
            json!({"seq": 2, "content": "an edit's edit"}),
            1005,
        ),
        (&a.access, json!({"seq": 9, "content": "not there"}), 1003),
        (&a.access, json!({"seq": 1, "content": ""}), 1001),
        (&a.access, json!({"seq": 0, "content": "x"}), 1001),
        (&a.access, json!({"content": "x"}), 1001),
    ];
    for (i, (token, fields, code)) in cases.into_iter().enumerate() {
        let mut body = json!({"conversation_id": conv, "client_msg_id": format!("bad{i}")});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        app.change(token, "edit", body).await.err(code);
    }
    // The same refusal over the WebSocket.
    let f = b_ws
        .request(
            "edit-message",
            json!({"conversation_id": conv, "seq": 1, "client_msg_id": "ws", "content": "mine"}),
        )
        .await;
    assert_error(&f, 1005);
    let too_long = "x".repeat(16 * 1024 + 1);
    app.change(
        &a.access,
        "edit",
        json!({"conversation_id": conv, "seq": 1, "client_msg_id": "big", "content": too_long}),
    )
    .await
    .err(1008);
    assert_eq!(
        by_seq(&app, &a.access, &conv).await.len(),
        3,
        "refusals store nothing"
    );
}

#[tokio::test]
async fn a_recall_erases_the_message_and_its_edits() {
    let app = spawn_app().await;
    let a = app.new_user("regret").await;
    let b = app.new_user("witness").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut b_ws = app.ws_connect(&b.access).await;
    let send = |id: &str, content: &str| json!({"conversation_id": conv, "client_msg_id": id, "content": content});
    app.send_http_ok(&a.access, send("m1", "a secret")).await;
    app.send_http_ok(&b.access, send("m2", "what?")).await;
    app.change(
        &a.access,
        "edit",
        json!({"conversation_id": conv, "seq": 1, "client_msg_id": "e1", "content": "a secret!"}),
    )
    .await
    .ok();
    // Someone else's message is not theirs to recall in a single chat.
    app.change(
        &b.access,
        "recall",
        json!({"conversation_id": conv, "seq": 1, "client_msg_id": "x"}),
    )
    .await
    .err(1005);
    let r = app
        .change(
            &a.access,
            "recall",
            json!({"conversation_id": conv, "seq": 1, "client_msg_id": "r1"}),
        )
        .await;
    assert_eq!(r.ok()["seq"], 4);
    let mut seen = Vec::new();
    while seen.len() < 4 {
        seen.push(next_message(&mut b_ws).await);
    }
    let recall = &seen[3];
    assert_eq!(
        (
            recall["message_type"].clone(),
            recall["target_seq"].clone(),
            recall["content"].clone()
        ),
        (json!("recall"), json!(1), json!(""))
    );

    let now = by_seq(&app, &b.access, &conv).await;
    assert_eq!(
        now[&1]["content"], "",
        "the recalled message keeps its place"
    );
    assert!(now[&1]["recalled_at"].is_string(), "{}", now[&1]);
    assert_eq!(now[&3]["content"], "", "its edit is erased too");
    assert_eq!(now[&2]["content"], "what?");
    // Nothing more can be done to it.
    for (action, extra) in [("edit", json!("again")), ("recall", Value::Null)] {
        let mut body =
            json!({"conversation_id": conv, "seq": 1, "client_msg_id": format!("late-{action}")});
        if !extra.is_null() {
            body["content"] = extra;
        }
        let msg = app
            .change(&a.access, action, body)
            .await
            .err(1003)
            .to_owned();
        assert!(msg.contains("recalled"), "{msg}");
    }
}

#[tokio::test]
async fn windows_close_a_senders_changes_but_not_a_group_admins_recall() {
    let app = spawn_app_with(|c| {
        c.messaging.edit_window = Duration::from_millis(1);
        c.messaging.recall_window = Duration::from_millis(1);
    })
    .await;
    let owner = app.new_user("owner").await;
    let member = app.new_user("member").await;
    let other = app.new_user("other").await;
    let group = app
        .create_group(
            &owner.access,
            json!({"name": "windows", "member_ids": [member.user_id, other.user_id]}),
        )
        .await;
    let conv = group.ok()["conversation_id"].as_str().unwrap().to_owned();
    let ack = app
        .send_http_ok(
            &member.access,
            json!({"conversation_id": conv, "client_msg_id": "m", "content": "oops"}),
        )
        .await;
    let seq = ack["seq"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let target = |id: &str| json!({"conversation_id": conv, "seq": seq, "client_msg_id": id});
    let mut edit = target("e");
    edit["content"] = json!("fixed");
    let msg = app
        .change(&member.access, "edit", edit)
        .await
        .err(1005)
        .to_owned();
    assert!(msg.contains("edited for"), "{msg}");
    app.change(&member.access, "recall", target("r1"))
        .await
        .err(1005);
    app.change(&other.access, "recall", target("r2"))
        .await
        .err(1005);
    // The owner moderates: any message, any time.
    app.change(&owner.access, "recall", target("r3")).await.ok();
    let now = by_seq(&app, &member.access, &conv).await;
    assert_eq!(now[&seq]["content"], "");
    // A system message is no one's to change.
    let first = now.values().next().unwrap();
    assert_eq!(first["message_type"], "system");
    let system = json!({"conversation_id": conv, "seq": first["seq"], "client_msg_id": "r4"});
    app.change(&owner.access, "recall", system).await.err(1005);
}

/// A message as a client keeps it: its content, and its reactions by
/// emoji as (count, mine).
type Kept = (String, BTreeMap<String, (u64, bool)>);

/// A message as it comes.
fn kept(m: &Value) -> Kept {
    let reactions = m["reactions"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    let emoji = r["emoji"].as_str().unwrap().to_owned();
                    (emoji, (r["count"].as_u64().unwrap(), r["mine"] == true))
                })
                .collect()
        })
        .unwrap_or_default();
    (m["content"].as_str().unwrap().to_owned(), reactions)
}

/// What a client makes of the messages it is given, in seq order, as
/// docs/protocol.md says: a message is taken as it comes (with its
/// reactions), then each edit replaces its target's content, each recall
/// erases it and its reactions, each reaction event sets its emoji's
/// count on the target to the event's `reaction_count` (and `mine`, if it
/// is the reader's own).
fn replay(me: &str, messages: &[Value]) -> BTreeMap<u64, Kept> {
    let mut state: BTreeMap<u64, Kept> = BTreeMap::new();
    for m in messages {
        let seq = m["seq"].as_u64().unwrap();
        let (content, reactions) = kept(m);
        let target = m["target_seq"].as_u64();
        let kind = m["message_type"].as_str().unwrap();
        if let Some(t) = target.and_then(|t| state.get_mut(&t).map(|k| (t, k))) {
            let (_, kept) = t;
            match kind {
                "edit" => kept.0 = content.clone(),
                "recall" => *kept = (String::new(), BTreeMap::new()),
                "react" | "unreact" => {
                    let n = m["reaction_count"].as_u64().unwrap();
                    let entry = kept.1.entry(content.clone()).or_insert((0, false));
                    entry.0 = n;
                    if m["from_user_id"] == me {
                        entry.1 = kind == "react";
                    }
                    kept.1.retain(|_, (n, _)| *n > 0);
                }
                _ => {}
            }
        }
        state.insert(seq, (content, reactions));
    }
    state
}

#[tokio::test]
async fn a_client_offline_during_changes_syncs_to_the_servers_state() {
    let app = spawn_app().await;
    let a = app.new_user("busy").await;
    let b = app.new_user("away").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    // B saw the first message, then went offline.
    let ack = app
        .send_http_ok(
            &a.access,
            json!({"conversation_id": conv, "client_msg_id": "m1", "content": "one"}),
        )
        .await;
    assert_eq!(ack["seq"], 1);
    let mut a_ws = app.ws_connect(&a.access).await;
    for (i, content) in ["two", "three"].iter().enumerate() {
        a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": format!("m{}", i + 2), "content": content}))
            .await;
    }
    let edit = |seq: u64, id: &str, content: &str| json!({"conversation_id": conv, "seq": seq, "client_msg_id": id, "content": content});
    for f in [
        a_ws.request("edit-message", edit(1, "e1", "one, edited")).await,
        a_ws.request("edit-message", edit(2, "e2", "two, edited")).await,
        a_ws.request(
            "recall-message",
            json!({"conversation_id": conv, "seq": 2, "client_msg_id": "r2"}),
        )
        .await,
        a_ws.request("edit-message", edit(3, "e3", "three, edited")).await,
        a_ws.send_message(json!({"conversation_id": conv, "client_msg_id": "m4", "content": "four", "reply_to": 3}))
            .await,
    ] {
        assert_eq!(f["type"], "send-ack", "{f}");
    }
    // Reactions meanwhile, B's own from another device among them.
    let b_phone = app.second_session(&b).await;
    let react = |id: &str, emoji: &str, seq: u64| json!({"conversation_id": conv, "seq": seq, "client_msg_id": id, "emoji": emoji});
    for (token, action, body) in [
        (&a.access, "react", react("x1", "🎉", 1)),
        (&b_phone, "react", react("x2", "🎉", 1)),
        (&a.access, "react", react("x3", "👍", 3)),
        (&b_phone, "react", react("x4", "👍", 3)),
        (&a.access, "unreact", react("x5", "👍", 3)),
        (&b_phone, "react", react("x6", "😂", 2)),
        (&a.access, "react", react("x7", "😂", 3)),
        (&a.access, "react", react("x8", "🎉", 1)),
    ] {
        let r = app.change(token, action, body).await;
        let code = r.code();
        assert!(code == 0 || code == 1003, "{:?}", r.body);
    }

    // B comes back with what it had (seq 1, as first written) and syncs.
    let mut b_ws = app.ws_connect(&b.access).await;
    let f = b_ws
        .request("sync", json!({"cursors": {conv.clone(): 1}}))
        .await;
    let entry = f["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation_id"] == conv.as_str())
        .cloned()
        .expect("the conversation has news");
    let mut had = vec![json!({"seq": 1, "message_type": "text", "content": "one"})];
    let missed = entry["messages"].as_array().unwrap();
    let seqs: Vec<u64> = missed.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (2..=15).collect::<Vec<_>>(), "every event, in order");
    had.extend(missed.iter().cloned());
    let client = replay(&b.user_id, &had);

    // The server's state: each message as history shows it now.
    let server: BTreeMap<u64, Kept> = by_seq(&app, &b.access, &conv)
        .await
        .into_iter()
        .map(|(seq, m)| (seq, kept(&m)))
        .collect();
    assert_eq!(client, server, "the client ends with the server's state");
    assert_eq!(server[&1].0, "one, edited");
    assert_eq!(server[&2].0, "");
    assert_eq!(server[&3].0, "three, edited");
    let reactions = |seq: u64| server[&seq].1.clone().into_iter().collect::<Vec<_>>();
    assert_eq!(reactions(1), [("🎉".to_owned(), (2, true))]);
    assert!(
        reactions(2).is_empty(),
        "a recalled message takes no reaction"
    );
    assert_eq!(
        reactions(3),
        [("👍".to_owned(), (1, true)), ("😂".to_owned(), (1, false))]
    );
}

#[tokio::test]
async fn reactions_are_events_and_history_counts_them_per_reader() {
    let app = spawn_app().await;
    let a = app.new_user("poster").await;
    let b = app.new_user("fan").await;
    let outsider = app.new_user("outsider").await;
    let conv = app.open_single(&a.access, &b.user_id).await;
    let mut a_ws = app.ws_connect(&a.access).await;
    let mut b_ws = app.ws_connect(&b.access).await;
    a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": "m", "content": "shipped!"}))
        .await;
    next_message(&mut b_ws).await;
    let react = |id: &str, emoji: &str| json!({"conversation_id": conv, "seq": 1, "client_msg_id": id, "emoji": emoji});

    let f = b_ws.request("react-message", react("r1", "🎉")).await;
    assert_eq!(
        (f["type"].clone(), f["data"]["seq"].clone()),
        (json!("send-ack"), json!(2))
    );
    let live = next_message(&mut a_ws).await;
    assert_eq!(
        (
            live["message_type"].clone(),
            live["target_seq"].clone(),
            live["content"].clone()
        ),
        (json!("react"), json!(1), json!("🎉"))
    );
    app.change(&a.access, "react", react("r2", "🎉")).await.ok();
    app.change(&b.access, "react", react("r3", "👍")).await.ok();
    let seen_by = |reader: &str| {
        let reader = reader.to_owned();
        let app = &app;
        let conv = conv.clone();
        async move { by_seq(app, &reader, &conv).await[&1]["reactions"].clone() }
    };
    assert_eq!(
        seen_by(&a.access).await,
        json!([{"emoji": "🎉", "count": 2, "mine": true}, {"emoji": "👍", "count": 1, "mine": false}])
    );
    assert_eq!(
        seen_by(&b.access).await,
        json!([{"emoji": "🎉", "count": 2, "mine": true}, {"emoji": "👍", "count": 1, "mine": true}])
    );
    // Sync shows them too.
    let f = b_ws
        .request("sync", json!({"cursors": {conv.clone(): 0}}))
        .await;
    let synced = f["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation_id"] == conv.as_str())
        .unwrap()["messages"][0]["reactions"]
        .clone();
    assert_eq!(synced, seen_by(&b.access).await);

    let f = b_ws.request("unreact-message", react("u1", "🎉")).await;
    assert_eq!(f["type"], "send-ack", "{f}");
    assert_eq!(
        seen_by(&b.access).await,
        json!([{"emoji": "🎉", "count": 1, "mine": false}, {"emoji": "👍", "count": 1, "mine": true}])
    );

    // What is refused.
    for (token, body, code) in [
        (&b.access, react("x1", "a"), 1001),
        (&b.access, react("x2", "🎉🎉"), 1001),
        (
            &b.access,
            json!({"conversation_id": conv, "seq": 1, "client_msg_id": "x3"}),
            1001,
        ),
        (
            &b.access,
            json!({"conversation_id": conv, "seq": 99, "client_msg_id": "x4", "emoji": "🎉"}),
            1003,
        ),
        (
            &b.access,
            json!({"conversation_id": conv, "seq": 2, "client_msg_id": "x5", "emoji": "🎉"}),
            1005,
        ),
        (&outsider.access, react("x6", "🎉"), 1005),
    ] {
        app.change(token, "react", body).await.err(code);
    }
    let more = "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚";
    for (i, e) in more.chars().enumerate() {
        app.change(
            &a.access,
            "react",
            react(&format!("many{i}"), &e.to_string()),
        )
        .await
        .ok();
    }
    let msg = app
        .change(&a.access, "react", react("one-too-many", "🙂"))
        .await
        .err(1006)
        .to_owned();
    assert!(msg.contains("20"), "{msg}");
    // A recalled message keeps none, and takes no more.
    app.change(
        &a.access,
        "recall",
        json!({"conversation_id": conv, "seq": 1, "client_msg_id": "rc"}),
    )
    .await
    .ok();
    assert!(by_seq(&app, &b.access, &conv).await[&1]
        .get("reactions")
        .is_none());
    app.change(&b.access, "react", react("late", "🎉"))
        .await
        .err(1003);
}
