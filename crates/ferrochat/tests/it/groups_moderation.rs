//! Group moderation: muting (until a time, or until unmuted) and
//! dissolving a group.

use std::time::Duration;

use serde_json::json;

use crate::support::{rfc3339_from_now, spawn_app};
use crate::ws::system_event;

const FAR: &str = "2099-01-01T00:00:00Z";

#[tokio::test]
async fn a_muted_member_cannot_send_until_unmuted() {
    let app = spawn_app().await;
    let o = app.new_user("mo").await;
    let a = app.new_user("ma").await;
    let b = app.new_user("mb").await;
    let m = app.new_user("mm").await;
    let ids = [&a.user_id, &b.user_id, &m.user_id];
    let (gid, conv) = app
        .new_group(&o, json!({"name": "quiet", "member_ids": ids}))
        .await;
    for s in [&a, &b] {
        app.update_member(&o.access, &gid, &s.user_id, json!({"role": "admin"}))
            .await
            .ok();
    }
    let mut mw = app.ws_connect(&m.access).await;

    // Who may mute whom.
    app.update_member(&m.access, &gid, &b.user_id, json!({"muted_until": FAR}))
        .await
        .err(1005);
    app.update_member(&a.access, &gid, &b.user_id, json!({"muted_until": FAR}))
        .await
        .err(1005);
    app.update_member(&a.access, &gid, &o.user_id, json!({"muted_until": FAR}))
        .await
        .err(1005);
    app.update_member(&o.access, &gid, &m.user_id, json!({"muted_until": "soon"}))
        .await
        .err(1001);
    mw.send_ok(json!({"group_id": gid, "client_msg_id": "m0", "content": "free"}))
        .await;

    // An admin mutes a member.
    let r = app
        .update_member(&a.access, &gid, &m.user_id, json!({"muted_until": FAR}))
        .await;
    assert_eq!(
        r.ok(),
        &json!({"user_id": m.user_id, "role": "member", "muted_until": FAR})
    );
    let listed = app.member(&o.access, &gid, &m.user_id).await.unwrap();
    assert_eq!(listed["muted_until"], FAR);
    mw.send_err(
        json!({"group_id": gid, "client_msg_id": "m1", "content": "x"}),
        1005,
    )
    .await;
    mw.send_err(
        json!({"conversation_id": conv, "client_msg_id": "m2", "content": "x"}),
        1005,
    )
    .await;
    app.send_http(
        &m.access,
        json!({"group_id": gid, "client_msg_id": "m3", "content": "x"}),
    )
    .await
    .err(1005);
    // Others still talk, and the muted one still hears and reads.
    let ack = app
        .send_http_ok(
            &b.access,
            json!({"group_id": gid, "client_msg_id": "b1", "content": "hi"}),
        )
        .await;
    let f = mw
        .recv_until(|f| f["type"] == "new-message" && f["data"]["message_type"] != "system")
        .await;
    assert_eq!(f["data"]["message_id"], ack["message_id"]);
    let chats: Vec<String> = app
        .history_all(&m.access, &conv)
        .await
        .iter()
        .filter(|x| x["message_type"] != "system")
        .map(|x| x["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(chats, vec!["free", "hi"]);

    // The owner mutes an admin.
    let r = app
        .update_member(&o.access, &gid, &a.user_id, json!({"muted_until": FAR}))
        .await;
    assert_eq!(r.ok()["role"], "admin");
    assert_eq!(r.ok()["muted_until"], FAR);
    app.send_http(
        &a.access,
        json!({"group_id": gid, "client_msg_id": "a1", "content": "x"}),
    )
    .await
    .err(1005);

    // Unmuting (null) restores sending.
    let r = app
        .update_member(&b.access, &gid, &m.user_id, json!({"muted_until": null}))
        .await;
    assert_eq!(
        r.ok(),
        &json!({"user_id": m.user_id, "role": "member", "muted_until": null})
    );
    mw.send_ok(json!({"group_id": gid, "client_msg_id": "m4", "content": "back"}))
        .await;
    app.update_member(&o.access, &gid, &a.user_id, json!({"muted_until": null}))
        .await
        .ok();
    app.send_http_ok(
        &a.access,
        json!({"group_id": gid, "client_msg_id": "a2", "content": "me too"}),
    )
    .await;
}

#[tokio::test]
async fn a_mute_ends_when_its_time_passes() {
    let app = spawn_app().await;
    let o = app.new_user("to").await;
    let m = app.new_user("tm").await;
    let (gid, _) = app
        .new_group(&o, json!({"name": "timer", "member_ids": [m.user_id]}))
        .await;
    let until = rfc3339_from_now(3);
    let r = app
        .update_member(&o.access, &gid, &m.user_id, json!({"muted_until": until}))
        .await;
    assert_eq!(r.ok()["muted_until"], until.as_str());
    app.send_http(
        &m.access,
        json!({"group_id": gid, "client_msg_id": "t0", "content": "x"}),
    )
    .await
    .err(1005);
    // Retries until accepted; fails if still muted after 30 s.
    let poll = async {
        for i in 1.. {
            let r = app
                .send_http(
                    &m.access,
                    json!({"group_id": gid, "client_msg_id": format!("t{i}"), "content": "x"}),
                )
                .await;
            if r.code() == 0 {
                return;
            }
            r.err(1005);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), poll)
        .await
        .expect("the mute ended within 30 s");
}

#[tokio::test]
async fn only_the_owner_dissolves_and_history_outlives_the_group() {
    let app = spawn_app().await;
    let o = app.new_user("do").await;
    let a = app.new_user("da").await;
    let m = app.new_user("dm").await;
    let x = app.new_user("dx").await;
    let (gid, conv) = app
        .new_group(
            &o,
            json!({"name": "doomed", "member_ids": [a.user_id, m.user_id]}),
        )
        .await;
    app.update_member(&o.access, &gid, &a.user_id, json!({"role": "admin"}))
        .await
        .ok();
    app.send_http_ok(
        &m.access,
        json!({"group_id": gid, "client_msg_id": "d1", "content": "last words"}),
    )
    .await;
    let mut ow = app.ws_connect(&o.access).await;
    let mut mw = app.ws_connect(&m.access).await;

    app.dissolve(&m.access, &gid).await.err(1005);
    app.dissolve(&a.access, &gid).await.err(1005);
    app.dissolve(&x.access, &gid).await.err(1005);
    app.group(&m.access, &gid).await.ok();

    assert_eq!(app.dissolve(&o.access, &gid).await.ok(), &json!({}));
    // Members hear of it live.
    for ws in [&mut ow, &mut mw] {
        let msg = ws.next_system().await;
        assert_eq!(msg["conversation_id"], conv.as_str());
        assert_eq!(msg["from_user_id"], o.user_id.as_str());
        let ev = system_event(&msg);
        assert_eq!(ev["event"], "group_dissolved", "{ev}");
        assert_eq!(ev["actor_id"], o.user_id.as_str(), "{ev}");
    }
    // Nobody can send any more.
    mw.send_err(
        json!({"conversation_id": conv, "client_msg_id": "m1", "content": "x"}),
        1005,
    )
    .await;
    app.send_http(
        &a.access,
        json!({"conversation_id": conv, "client_msg_id": "a1", "content": "x"}),
    )
    .await
    .err(1005);
    // Nor type: refused, and told to nobody.
    let typing = mw.request("typing", json!({"conversation_id": conv})).await;
    assert_eq!(typing["data"]["code"], 1005, "{typing}");
    assert_eq!(typing["data"]["message"], "this group was dissolved");
    let heard = ow.settle(Duration::from_millis(300)).await;
    assert!(!heard.iter().any(|f| f["type"] == "typing"), "{heard:?}");
    // The group is gone...
    app.group(&o.access, &gid).await.err(1003);
    app.group(&m.access, &gid).await.err(1003);
    app.group_action(&x.access, &gid, "join").await.err(1003);
    app.dissolve(&o.access, &gid).await.err(1003);
    // ...but its members still read the history, ending with the dissolution.
    for s in [&o, &a, &m] {
        let h = app.history_all(&s.access, &conv).await;
        let chats: Vec<&str> = h
            .iter()
            .filter(|x| x["message_type"] != "system")
            .map(|x| x["content"].as_str().unwrap())
            .collect();
        assert_eq!(chats, vec!["last words"]);
        let last = h.last().unwrap();
        assert_eq!(system_event(last)["event"], "group_dissolved");
        let seqs: Vec<u64> = h.iter().map(|x| x["seq"].as_u64().unwrap()).collect();
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    }
    app.history(&x.access, &format!("conversation_id={conv}"))
        .await
        .err(1005);
    // Sending by group id is refused the same way.
    ow.send_err(
        json!({"group_id": gid, "client_msg_id": "o1", "content": "x"}),
        1005,
    )
    .await;
    app.send_http(
        &m.access,
        json!({"group_id": gid, "client_msg_id": "m2", "content": "x"}),
    )
    .await
    .err(1005);
}
