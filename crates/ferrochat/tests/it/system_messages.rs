//! Membership changes as `system` messages: one per change, in seq order,
//! live to every member connection and in history; and a removed member's
//! socket hears nothing more from the group.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{spawn_app, Session, TestApp};
use crate::ws::{system_event, WsClient};

/// (event, actor, user) of a system message, checking from_user_id is the
/// actor.
#[track_caller]
fn summary(m: &Value) -> (String, String, Option<String>) {
    let ev = system_event(m);
    let actor = ev["actor_id"]
        .as_str()
        .unwrap_or_else(|| panic!("actor_id: {ev}"))
        .to_owned();
    assert_eq!(
        m["from_user_id"],
        actor.as_str(),
        "from_user_id is the actor: {m}"
    );
    assert_eq!(m["conversation_type"], "group", "{m}");
    (
        ev["event"].as_str().unwrap().to_owned(),
        actor,
        ev["user_id"].as_str().map(str::to_owned),
    )
}

fn ev(event: &str, actor: &Session, user: Option<&Session>) -> (String, String, Option<String>) {
    (
        event.to_owned(),
        actor.user_id.clone(),
        user.map(|u| u.user_id.clone()),
    )
}

/// The next system message on `ws`.
async fn next_sys(ws: &mut WsClient) -> Value {
    ws.next_system().await
}

#[tokio::test]
async fn every_membership_change_is_a_system_message_in_seq_order() {
    let app = spawn_app().await;
    let o = app.new_user("so").await;
    let m = app.new_user("sm").await;
    let j = app.new_user("sj").await;
    let x = app.new_user("sx").await;
    let mut ow = app.ws_connect(&o.access).await;
    let mut mw = app.ws_connect(&m.access).await;

    let (gid, conv) = app
        .new_group(&o, json!({"name": "events", "member_ids": [m.user_id]}))
        .await;
    let until = "2099-01-01T00:00:00Z";
    let mut expected = vec![ev("group_created", &o, None)];
    // Interleave a chat message to check the seqs are shared.
    app.send_http_ok(
        &o.access,
        json!({"group_id": gid, "client_msg_id": "c1", "content": "hello"}),
    )
    .await;
    app.group_action(&j.access, &gid, "join").await.ok();
    expected.push(ev("member_joined", &j, Some(&j)));
    app.add_members(&o.access, &gid, &[&x.user_id]).await.ok();
    expected.push(ev("member_added", &o, Some(&x)));
    app.update_member(&o.access, &gid, &m.user_id, json!({"role": "admin"}))
        .await
        .ok();
    expected.push(ev("role_changed", &o, Some(&m)));
    app.update_member(&m.access, &gid, &x.user_id, json!({"muted_until": until}))
        .await
        .ok();
    expected.push(ev("member_muted", &m, Some(&x)));
    app.update_member(&o.access, &gid, &x.user_id, json!({"muted_until": null}))
        .await
        .ok();
    expected.push(ev("member_unmuted", &o, Some(&x)));
    app.kick(&m.access, &gid, &x.user_id).await.ok();
    expected.push(ev("member_removed", &m, Some(&x)));
    app.group_action(&j.access, &gid, "leave").await.ok();
    expected.push(ev("member_left", &j, Some(&j)));
    app.transfer(&o.access, &gid, &m.user_id).await.ok();
    expected.push(ev("owner_transferred", &o, Some(&m)));
    app.dissolve(&m.access, &gid).await.ok();
    expected.push(ev("group_dissolved", &m, None));

    let h = app.history_all(&o.access, &conv).await;
    let seqs: Vec<u64> = h.iter().map(|x| x["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=h.len() as u64).collect::<Vec<_>>(), "{h:?}");
    let chats: Vec<&Value> = h.iter().filter(|x| x["message_type"] != "system").collect();
    assert_eq!(chats.len(), 1, "{h:?}");
    assert_eq!(chats[0]["seq"], 2, "after group_created: {h:?}");
    let sys: Vec<&Value> = h.iter().filter(|x| x["message_type"] == "system").collect();
    let got: Vec<_> = sys.iter().map(|x| summary(x)).collect();
    // group_created and group_dissolved may or may not name a user.
    let norm = |v: Vec<(String, String, Option<String>)>| -> Vec<(String, String, Option<String>)> {
        v.into_iter()
            .map(|(e, a, u)| {
                if e == "group_created" || e == "group_dissolved" {
                    (e, a, None)
                } else {
                    (e, a, u)
                }
            })
            .collect()
    };
    assert_eq!(norm(got), norm(expected.clone()), "{sys:?}");
    assert_eq!(h[0]["seq"], 1);
    assert_eq!(system_event(sys[3])["role"], "admin", "{}", sys[3]);
    assert_eq!(system_event(sys[4])["muted_until"], until, "{}", sys[4]);

    // Live: the owner and the first member heard each one, in seq order,
    // the same messages as history.
    for ws in [&mut ow, &mut mw] {
        let mut live = Vec::new();
        for _ in 0..sys.len() {
            live.push(next_sys(ws).await);
        }
        let live_ids: Vec<&Value> = live.iter().map(|x| &x["message_id"]).collect();
        let hist_ids: Vec<&Value> = sys.iter().map(|x| &x["message_id"]).collect();
        assert_eq!(live_ids, hist_ids);
        for (l, s) in live.iter().zip(&sys) {
            assert_eq!(l, *s, "a live system message equals its history entry");
        }
    }
}

/// Sends a chat message from `from` and waits until `listener` has it.
async fn chat(
    app: &TestApp,
    from: &Session,
    gid: &str,
    cmid: &str,
    listener: &mut WsClient,
) -> Value {
    let ack = app
        .send_http_ok(
            &from.access,
            json!({"group_id": gid, "client_msg_id": cmid, "content": cmid}),
        )
        .await;
    let f = listener
        .recv_until(|f| f["type"] == "new-message" && f["data"]["message_id"] == ack["message_id"])
        .await;
    f["data"].clone()
}

#[tokio::test]
async fn a_removed_members_socket_hears_nothing_more_from_the_group() {
    let app = spawn_app().await;
    let o = app.new_user("ro").await;
    let k = app.new_user("rk").await;
    let l = app.new_user("rl").await;
    let s = app.new_user("rs").await;
    let ids = [&k.user_id, &l.user_id, &s.user_id];
    let (gid, conv) = app
        .new_group(&o, json!({"name": "exit", "member_ids": ids}))
        .await;
    let mut kw = app.ws_connect(&k.access).await;
    let mut lw = app.ws_connect(&l.access).await;
    let mut sw = app.ws_connect(&s.access).await;
    // Before: everyone hears; then the queues are emptied.
    let before = app
        .send_http_ok(
            &o.access,
            json!({"group_id": gid, "client_msg_id": "before", "content": "before"}),
        )
        .await;
    for ws in [&mut kw, &mut lw, &mut sw] {
        let f = ws
            .recv_until(|f| {
                f["type"] == "new-message" && f["data"]["message_id"] == before["message_id"]
            })
            .await;
        assert_eq!(f["data"]["content"], "before");
        ws.take_pending();
    }

    app.kick(&o.access, &gid, &k.user_id).await.ok();
    // The leaver, still a member, hears of the kick; then leaves.
    let kicked = next_sys(&mut lw).await;
    assert_eq!(system_event(&kicked)["event"], "member_removed");
    lw.take_pending();
    app.group_action(&l.access, &gid, "leave").await.ok();
    // The stayer hears both changes...
    let removed = next_sys(&mut sw).await;
    assert_eq!(system_event(&removed)["event"], "member_removed");
    assert_eq!(system_event(&removed)["user_id"], k.user_id.as_str());
    let left = next_sys(&mut sw).await;
    assert_eq!(system_event(&left)["event"], "member_left");
    // ...and more chat, a role change and a mute.
    chat(&app, &o, &gid, "after", &mut sw).await;
    chat(&app, &s, &gid, "after2", &mut sw).await;
    app.update_member(&o.access, &gid, &s.user_id, json!({"role": "admin"}))
        .await
        .ok();
    next_sys(&mut sw).await;
    chat(&app, &s, &gid, "after3", &mut sw).await;

    // The removed sockets got nothing of the group after the removal, not
    // even the removal message; they are still open.
    for (ws, who) in [(&mut kw, "kicked"), (&mut lw, "left")] {
        let frames = ws.settle(Duration::from_millis(300)).await;
        let from_group: Vec<&Value> = frames
            .iter()
            .filter(|f| f["data"]["conversation_id"] == conv.as_str())
            .collect();
        assert!(from_group.is_empty(), "the {who} member got {from_group:?}");
        ws.ping().await;
    }
    // And they can neither send nor read there.
    for (ws, who) in [(&mut kw, &k), (&mut lw, &l)] {
        ws.send_err(
            json!({"group_id": gid, "client_msg_id": "z", "content": "?"}),
            1005,
        )
        .await;
        app.history(&who.access, &format!("conversation_id={conv}"))
            .await
            .err(1005);
    }
    // Re-added, the kicked member hears the group again.
    app.add_members(&o.access, &gid, &[&k.user_id]).await.ok();
    let back = chat(&app, &o, &gid, "welcome_back", &mut kw).await;
    assert_eq!(back["content"], "welcome_back");
}
