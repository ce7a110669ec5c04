//! Administrators: the role granted by the operator, disabling accounts,
//! users' reports, dissolving any group, reset tokens, and the audit log
//! of all of it, through the public API on every store and in the cluster.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, Session, TestApp};
use crate::ws::system_event;

const PASSWORD: &str = "correct horse battery";

async fn get(app: &TestApp, path: &str, token: &str) -> crate::support::Reply {
    app.request(Method::GET, path, Some(token), None).await
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> crate::support::Reply {
    app.request(Method::POST, path, Some(token), Some(body))
        .await
}

/// An administrator, made as the operator makes one.
pub(crate) async fn admin(app: &TestApp) -> Session {
    let a = app.new_user("admin").await;
    app.set_admin(&a.username, true).await;
    a
}

async fn audit(app: &TestApp, admin: &Session) -> Vec<(String, String, String)> {
    let r = get(app, "/api/v1/admin/audit", &admin.access).await;
    r.ok()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            (s("actor"), s("action"), s("target"))
        })
        .collect()
}

/// The role follows the operator's grant at once. That every admin route
/// refuses a user without it (1005) and a request without a token (1002)
/// is checked route by route from the served OpenAPI document
/// (`authorization::a_user_without_the_admin_role_reaches_no_admin_route`).
#[tokio::test]
async fn only_administrators_reach_the_admin_api() {
    let app = spawn_app().await;
    let user = app.new_user("plain").await;
    get(&app, "/api/v1/admin/users", &user.access)
        .await
        .err(1005);
    assert_eq!(app.profile(&user.access).await.ok()["admin"], false);

    // Granted: the next request is an administrator's; taken back: the
    // next is not. (The profile's flag may lag by the profile cache's
    // life: the operator's tool does not reach the servers' caches.)
    app.set_admin(&user.username, true).await;
    get(&app, "/api/v1/admin/users", &user.access).await.ok();
    app.set_admin(&user.username, false).await;
    get(&app, "/api/v1/admin/users", &user.access)
        .await
        .err(1005);
}

#[tokio::test]
async fn a_disabled_account_is_shut_out_at_once_and_let_back_in() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let bob = app.new_user("bob").await;
    let bystander = app.new_user("bystander").await;
    let mut bob_ws = app.ws_connect(&bob.access).await;
    let mut other_ws = app.ws_connect(&bystander.access).await;

    assert_eq!(app.profile(&boss.access).await.ok()["admin"], true);
    // Administrators see every account, discoverable or not.
    app.request(
        Method::PUT,
        "/api/v1/users/profile",
        Some(&bob.access),
        Some(json!({"discoverable": false, "email": "bob@example.com"})),
    )
    .await
    .ok();
    let path = format!("/api/v1/admin/users?q={}", bob.username);
    let page = get(&app, &path, &boss.access).await;
    let listed = &page.ok()["users"][0];
    assert_eq!(listed["user_id"], bob.user_id.as_str());
    assert_eq!(listed["email"], "bob@example.com");
    assert_eq!(listed["disabled"], false);
    assert_eq!(listed["admin"], false);
    get(&app, "/api/v1/admin/users?limit=101", &boss.access)
        .await
        .err(1001);

    let disable = format!("/api/v1/admin/users/{}/disable", bob.user_id);
    let r = post(&app, &disable, &boss.access, json!({})).await;
    assert_eq!(r.ok()["disabled"], true);
    assert_eq!(bob_ws.close_code().await, Some(4001));
    app.profile(&bob.access).await.err(1002);
    app.refresh(&bob.refresh).await.err(1002);
    let refused = app.login(&bob.username, PASSWORD).await;
    assert!(refused.err(1005).contains("disabled"), "{:?}", refused.body);
    // Without the password, nothing is said of the account.
    app.login(&bob.username, "not the password").await.err(1002);
    other_ws.ping().await;
    app.profile(&bystander.access).await.ok();

    // Nobody disables themselves; unknown and malformed ids name nobody.
    let own = format!("/api/v1/admin/users/{}/disable", boss.user_id);
    post(&app, &own, &boss.access, json!({})).await.err(1005);
    for id in [uuid::Uuid::now_v7().to_string(), "nope".to_owned()] {
        let p = format!("/api/v1/admin/users/{id}/disable");
        post(&app, &p, &boss.access, json!({})).await.err(1003);
    }

    let enable = format!("/api/v1/admin/users/{}/enable", bob.user_id);
    let r = post(&app, &enable, &boss.access, json!({})).await;
    assert_eq!(r.ok()["disabled"], false);
    app.login(&bob.username, PASSWORD).await.ok();

    // For a time: a temporary ban, with its end.
    post(&app, &disable, &boss.access, json!({"minutes": 0}))
        .await
        .err(1001);
    let r = post(&app, &disable, &boss.access, json!({"minutes": 60})).await;
    assert_eq!(r.ok()["disabled"], true);
    assert!(r.ok()["disabled_until"].is_string(), "{:?}", r.body);
    app.login(&bob.username, PASSWORD).await.err(1005);
    post(&app, &enable, &boss.access, json!({})).await.ok();
    app.login(&bob.username, PASSWORD).await.ok();

    let operator = "operator".to_owned();
    let log = audit(&app, &boss).await;
    assert_eq!(
        log[2..],
        vec![
            (
                boss.user_id.clone(),
                "user.enable".into(),
                bob.user_id.clone()
            ),
            (
                boss.user_id.clone(),
                "user.disable".into(),
                bob.user_id.clone()
            ),
            (operator, "admin.grant".into(), boss.user_id.clone()),
        ]
    );
}

#[tokio::test]
async fn reports_reach_the_administrators_and_are_resolved_once() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (bob, carol, dave) = (
        app.new_user("bob").await,
        app.new_user("carol").await,
        app.new_user("dave").await,
    );
    app.make_friends(&bob, &carol).await;
    let conv = app.open_single(&bob.access, &carol.user_id).await;
    let ack = app
        .send_http_ok(
            &bob.access,
            json!({"conversation_id": conv, "client_msg_id": "r1", "content": "buy now"}),
        )
        .await;
    let seq = ack["seq"].as_u64().unwrap();

    let report = |who: &Session, body: Value| {
        let (app, token) = (&app, who.access.clone());
        async move { post(app, "/api/v1/reports", &token, body).await }
    };
    let about_message = report(
        &carol,
        json!({"conversation_id": conv, "seq": seq, "reason": "spam"}),
    )
    .await;
    let about_message = about_message.ok().clone();
    assert_eq!(about_message["reported_user_id"], bob.user_id.as_str());
    assert_eq!(about_message["seq"], seq);
    assert_eq!(about_message["resolution"], Value::Null);
    let about_user = report(&carol, json!({"user_id": bob.user_id, "reason": "rude"})).await;
    let about_user = about_user.ok().clone();

    // Refused: yourself, your own message, a conversation you are not in,
    // a message that is not there, nobody, no reason, two targets.
    report(&bob, json!({"user_id": bob.user_id, "reason": "me"}))
        .await
        .err(1001);
    report(
        &bob,
        json!({"conversation_id": conv, "seq": seq, "reason": "x"}),
    )
    .await
    .err(1001);
    report(
        &dave,
        json!({"conversation_id": conv, "seq": seq, "reason": "x"}),
    )
    .await
    .err(1003);
    report(
        &carol,
        json!({"conversation_id": conv, "seq": 99, "reason": "x"}),
    )
    .await
    .err(1003);
    let nobody = uuid::Uuid::now_v7().to_string();
    report(&carol, json!({"user_id": nobody, "reason": "x"}))
        .await
        .err(1003);
    report(&carol, json!({"user_id": bob.user_id}))
        .await
        .err(1001);
    report(
        &carol,
        json!({"user_id": bob.user_id, "conversation_id": conv, "seq": seq, "reason": "x"}),
    )
    .await
    .err(1001);

    let open = get(&app, "/api/v1/admin/reports", &boss.access).await;
    let ids: Vec<&str> = open.ok()["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["report_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            about_user["report_id"].as_str().unwrap(),
            about_message["report_id"].as_str().unwrap()
        ],
        "newest first"
    );
    get(&app, "/api/v1/admin/reports?status=closed", &boss.access)
        .await
        .err(1001);

    let resolve = format!(
        "/api/v1/admin/reports/{}/resolve",
        about_message["report_id"].as_str().unwrap()
    );
    let r = post(&app, &resolve, &boss.access, json!({"note": "warned"})).await;
    let resolution = r.ok()["resolution"].clone();
    assert_eq!(resolution["resolved_by"], boss.user_id.as_str());
    assert_eq!(resolution["note"], "warned");
    // A second resolution keeps the first.
    let r = post(&app, &resolve, &boss.access, json!({"note": "again"})).await;
    assert_eq!(r.ok()["resolution"], resolution);
    let open = get(&app, "/api/v1/admin/reports", &boss.access).await;
    assert_eq!(open.ok()["reports"].as_array().unwrap().len(), 1);
    let all = get(&app, "/api/v1/admin/reports?status=all", &boss.access).await;
    assert_eq!(all.ok()["reports"].as_array().unwrap().len(), 2);
    let unknown = format!("/api/v1/admin/reports/{}/resolve", uuid::Uuid::now_v7());
    post(&app, &unknown, &boss.access, json!({}))
        .await
        .err(1003);

    let log = audit(&app, &boss).await;
    let resolved: Vec<_> = log.iter().filter(|e| e.1 == "report.resolve").collect();
    assert_eq!(resolved.len(), 1, "{log:?}");

    // At most 20 an hour: dave has made none that counted, so 20 pass.
    for n in 0..20 {
        report(
            &dave,
            json!({"user_id": bob.user_id, "reason": format!("#{n}")}),
        )
        .await
        .ok();
    }
    let r = report(&dave, json!({"user_id": bob.user_id, "reason": "one more"})).await;
    r.err(1007);
}

#[tokio::test]
async fn an_administrator_dissolves_any_group_and_issues_reset_tokens() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (owner, member) = (app.new_user("owner").await, app.new_user("member").await);
    let (gid, conv) = app
        .new_group(
            &owner,
            json!({"name": "Trouble", "member_ids": [member.user_id]}),
        )
        .await;
    let mut member_ws = app.ws_connect(&member.access).await;

    let path = format!("/api/v1/admin/groups/{gid}/dissolve");
    post(&app, &path, &boss.access, json!({})).await.ok();
    let msg = member_ws.next_system().await;
    assert_eq!(msg["conversation_id"], conv.as_str());
    let ev = system_event(&msg);
    assert_eq!(ev["event"], "group_dissolved", "{ev}");
    assert_eq!(ev["by_admin"], true, "{ev}");
    assert_eq!(ev["actor_id"], boss.user_id.as_str(), "{ev}");
    app.group(&owner.access, &gid).await.err(1003);
    post(&app, &path, &boss.access, json!({})).await.err(1003);

    // A reset token for a user, as `ferrochat admin reset-password` gives.
    let reset = format!("/api/v1/admin/users/{}/password-reset", member.user_id);
    post(&app, &reset, &boss.access, json!({"valid_for_minutes": 0}))
        .await
        .err(1001);
    let r = post(&app, &reset, &boss.access, json!({"valid_for_minutes": 30})).await;
    assert_eq!(r.ok()["valid_for_minutes"], 30);
    let token = r.ok()["token"].as_str().unwrap().to_owned();
    let body = json!({"token": token, "new_password": "a brand new one"});
    app.request(
        Method::POST,
        "/api/v1/auth/password/reset",
        None,
        Some(body.clone()),
    )
    .await
    .ok();
    assert_eq!(member_ws.close_code().await, Some(4001));
    app.login(&member.username, "a brand new one").await.ok();
    // Once.
    app.request(
        Method::POST,
        "/api/v1/auth/password/reset",
        None,
        Some(body),
    )
    .await
    .err(1002);

    let log = audit(&app, &boss).await;
    let actions: Vec<&str> = log.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        actions,
        vec!["user.password_reset", "group.dissolve", "admin.grant"]
    );
    assert_eq!(log[1].2, gid);
}

async fn say_in_world(app: &TestApp, who: &Session, id: &str) -> crate::support::Reply {
    app.send_http(
        &who.access,
        json!({"conversation_id": "world", "client_msg_id": id, "content": id}),
    )
    .await
}

#[tokio::test]
async fn administrators_mute_in_the_world_room_and_recall_its_messages() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (bob, carol) = (app.new_user("bob").await, app.new_user("carol").await);
    let ack = say_in_world(&app, &bob, "w1").await;
    let seq = ack.ok()["seq"].as_u64().unwrap();

    let mute = format!("/api/v1/admin/world/mutes/{}", bob.user_id);
    app.request(
        Method::PUT,
        &mute,
        Some(&carol.access),
        Some(json!({"minutes": 5})),
    )
    .await
    .err(1005);
    app.request(
        Method::PUT,
        &mute,
        Some(&boss.access),
        Some(json!({"minutes": 0})),
    )
    .await
    .err(1001);
    let r = app
        .request(
            Method::PUT,
            &mute,
            Some(&boss.access),
            Some(json!({"minutes": 5})),
        )
        .await;
    assert!(r.ok()["muted_until"].is_string(), "{:?}", r.body);
    let refused = say_in_world(&app, &bob, "w2").await;
    assert!(refused.err(1005).contains("muted"), "{:?}", refused.body);
    // Only the world room: a single chat is as before.
    let conv = app.open_single(&bob.access, &carol.user_id).await;
    app.send_http_ok(
        &bob.access,
        json!({"conversation_id": conv, "client_msg_id": "dm", "content": "still here"}),
    )
    .await;
    let nobody = format!("/api/v1/admin/world/mutes/{}", uuid::Uuid::now_v7());
    app.request(
        Method::PUT,
        &nobody,
        Some(&boss.access),
        Some(json!({"minutes": 5})),
    )
    .await
    .err(1003);

    let r = app
        .request(Method::DELETE, &mute, Some(&boss.access), None)
        .await;
    assert_eq!(r.ok()["muted_until"], Value::Null);
    say_in_world(&app, &bob, "w3").await.ok();

    // Administrators own the world room: they recall anyone's message in
    // it, at any time; other users only their own, within the window.
    let recall = |who: &Session, id: &str| {
        let body = json!({"conversation_id": "world", "seq": seq, "client_msg_id": id});
        let (app, token) = (&app, who.access.clone());
        async move { post(app, "/api/v1/messages/recall", &token, body).await }
    };
    recall(&carol, "c-recall").await.err(1005);
    recall(&boss, "b-recall").await.ok();
    let page = app
        .history(&carol.access, "conversation_id=world&limit=200")
        .await;
    let original = page.ok()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["seq"] == seq)
        .cloned()
        .expect("still in the history");
    assert!(original["recalled_at"].is_string(), "{original}");

    let actions: Vec<String> = audit(&app, &boss).await.into_iter().map(|e| e.1).collect();
    assert_eq!(actions, vec!["world.unmute", "world.mute", "admin.grant"]);
}

/// The next world-room message `ws` receives: its content.
async fn next_world_message(ws: &mut crate::ws::WsClient) -> String {
    let f = ws
        .recv_until(|f| f["type"] == "new-message" && f["data"]["conversation_id"] == "world")
        .await;
    f["data"]["content"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_world_ban_closes_the_room_to_one_user_until_lifted() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (bob, carol) = (app.new_user("bob").await, app.new_user("carol").await);
    let mut bob_ws = app.ws_connect(&bob.access).await;
    say_in_world(&app, &carol, "before").await.ok();
    assert_eq!(next_world_message(&mut bob_ws).await, "before");

    let ban = format!("/api/v1/admin/world/bans/{}", bob.user_id);
    let put = |who: &Session, minutes: i64| {
        let (app, token, path) = (&app, who.access.clone(), ban.clone());
        async move {
            app.request(
                Method::PUT,
                &path,
                Some(&token),
                Some(json!({"minutes": minutes})),
            )
            .await
        }
    };
    put(&carol, 5).await.err(1005);
    put(&boss, 0).await.err(1001);
    let r = put(&boss, 5).await;
    let answer = r.ok();
    assert_eq!(answer["sanction"], "world_ban");
    assert_eq!(answer["active"], true);
    assert!(answer["until"].is_string(), "{answer}");

    // Neither writing nor reading, and the room leaves the lists.
    let refused = say_in_world(&app, &bob, "during").await;
    assert!(refused.err(1005).contains("banned"), "{:?}", refused.body);
    app.history(&bob.access, "conversation_id=world&limit=10")
        .await
        .err(1005);
    let listed = app.conversations(&bob.access).await;
    assert!(
        listed.iter().all(|c| c["conversation_id"] != "world"),
        "{listed:?}"
    );
    let found = get(&app, "/api/v1/messages/search?q=before", &bob.access).await;
    assert_eq!(found.ok()["results"], json!([]), "{:?}", found.body);
    // Only the world room: a single chat is as before.
    let conv = app.open_single(&bob.access, &carol.user_id).await;
    app.send_http_ok(
        &bob.access,
        json!({"conversation_id": conv, "client_msg_id": "dm", "content": "still here"}),
    )
    .await;
    // What the room says while the ban lasts does not reach bob.
    say_in_world(&app, &carol, "unseen").await.ok();

    let r = app
        .request(Method::DELETE, &ban, Some(&boss.access), None)
        .await;
    assert_eq!(r.ok()["active"], false);
    say_in_world(&app, &carol, "after").await.ok();
    // In order: had "unseen" reached bob, it would come before "after".
    assert_eq!(next_world_message(&mut bob_ws).await, "after");
    say_in_world(&app, &bob, "back").await.ok();
    app.history(&bob.access, "conversation_id=world&limit=10")
        .await
        .ok();
    let found = get(&app, "/api/v1/messages/search?q=before", &bob.access).await;
    assert_eq!(found.ok()["results"][0]["message"]["content"], "before");

    let listed = get(
        &app,
        &format!("/api/v1/admin/users?q={}", bob.username),
        &boss.access,
    )
    .await;
    assert_eq!(listed.ok()["users"][0]["world_banned"], false);
    let actions: Vec<String> = audit(&app, &boss).await.into_iter().map(|e| e.1).collect();
    assert_eq!(actions, vec!["world.unban", "world.ban", "admin.grant"]);
}

#[tokio::test]
async fn a_mute_by_an_administrator_silences_a_user_everywhere_for_a_time() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (bob, carol) = (app.new_user("bob").await, app.new_user("carol").await);
    let conv = app.open_single(&bob.access, &carol.user_id).await;
    let group = app
        .create_group(
            &bob.access,
            json!({"name": "g", "member_ids": [carol.user_id]}),
        )
        .await;
    let group_conv = group.ok()["conversation_id"].as_str().unwrap().to_owned();
    let mut bob_ws = app.ws_connect(&bob.access).await;

    let mute = format!("/api/v1/admin/users/{}/mute", bob.user_id);
    let r = app
        .request(
            Method::PUT,
            &mute,
            Some(&boss.access),
            Some(json!({"minutes": 60})),
        )
        .await;
    assert_eq!(r.ok()["active"], true);
    let listed = get(
        &app,
        &format!("/api/v1/admin/users?q={}", bob.username),
        &boss.access,
    )
    .await;
    let listed = listed.ok()["users"][0].clone();
    assert_eq!(listed["muted"], true);
    assert!(listed["muted_until"].is_string(), "{listed}");

    // Every conversation, over HTTP and the socket alike.
    for (target, id) in [
        (conv.as_str(), "dm"),
        (group_conv.as_str(), "group"),
        ("world", "world"),
    ] {
        let refused = app
            .send_http(
                &bob.access,
                json!({"conversation_id": target, "client_msg_id": id, "content": "x"}),
            )
            .await;
        assert!(
            refused.err(1005).contains("muted by an administrator"),
            "{:?}",
            refused.body
        );
    }
    bob_ws
        .send_err(
            json!({"conversation_id": conv, "client_msg_id": "ws", "content": "x"}),
            1005,
        )
        .await;
    // Reading goes on.
    app.history(&bob.access, &format!("conversation_id={conv}&limit=10"))
        .await
        .ok();
    // Others are not touched.
    app.send_http_ok(
        &carol.access,
        json!({"conversation_id": conv, "client_msg_id": "c1", "content": "hi bob"}),
    )
    .await;

    let unknown = format!("/api/v1/admin/users/{}/mute", uuid::Uuid::now_v7());
    app.request(
        Method::PUT,
        &unknown,
        Some(&boss.access),
        Some(json!({"minutes": 5})),
    )
    .await
    .err(1003);
    app.request(Method::PUT, &mute, Some(&boss.access), Some(json!({})))
        .await
        .err(1001);

    app.request(Method::DELETE, &mute, Some(&boss.access), None)
        .await
        .ok();
    bob_ws
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "ws2", "content": "free"}))
        .await;
    let actions: Vec<String> = audit(&app, &boss).await.into_iter().map(|e| e.1).collect();
    assert_eq!(actions, vec!["user.unmute", "user.mute", "admin.grant"]);
}

#[tokio::test]
async fn the_world_room_can_be_switched_off() {
    let app = crate::support::spawn_app_with(|c| c.messaging.world_enabled = false).await;
    let bob = app.new_user("bob").await;
    let refused = say_in_world(&app, &bob, "w1").await;
    assert!(
        refused.err(1005).contains("switched off"),
        "{:?}",
        refused.body
    );
    let listed = app.conversations(&bob.access).await;
    assert!(
        listed.iter().all(|c| c["conversation_id"] != "world"),
        "{listed:?}"
    );
}

#[tokio::test]
async fn an_administrator_removes_a_message_anywhere_and_members_are_told() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (bob, carol) = (app.new_user("bob").await, app.new_user("carol").await);
    app.make_friends(&bob, &carol).await;
    let conv = app.open_single(&bob.access, &carol.user_id).await;
    let ack = app
        .send_http_ok(
            &bob.access,
            json!({"conversation_id": conv, "client_msg_id": "bad", "content": "something vile"}),
        )
        .await;
    let seq = ack["seq"].as_u64().unwrap();
    let mut carol_ws = app.ws_connect(&carol.access).await;

    let remove = |who: &Session, body: Value| {
        let (app, token) = (&app, who.access.clone());
        async move { post(app, "/api/v1/admin/messages/remove", &token, body).await }
    };
    remove(&carol, json!({"conversation_id": conv, "seq": seq}))
        .await
        .err(1005);
    remove(&boss, json!({"conversation_id": conv}))
        .await
        .err(1001);
    remove(&boss, json!({"conversation_id": conv, "seq": 42}))
        .await
        .err(1003);
    let unknown = uuid::Uuid::now_v7().to_string();
    remove(&boss, json!({"conversation_id": unknown, "seq": 1}))
        .await
        .err(1003);

    // Not a member of the chat, and still: removed, and its members told.
    let r = remove(&boss, json!({"conversation_id": conv, "seq": seq})).await;
    assert_eq!(r.ok()["seq"], seq + 1);
    let told = carol_ws
        .recv_until(|f| f["type"] == "new-message" && f["data"]["message_type"] == "recall")
        .await;
    assert_eq!(told["data"]["target_seq"], seq, "{told}");
    assert_eq!(
        told["data"]["from_user_id"],
        boss.user_id.as_str(),
        "{told}"
    );
    let history = app.history_all(&carol.access, &conv).await;
    let original = history.iter().find(|m| m["seq"] == seq).unwrap();
    assert!(original["recalled_at"].is_string(), "{original}");
    assert_ne!(original["content"], "something vile");
    // Already removed.
    remove(&boss, json!({"conversation_id": conv, "seq": seq}))
        .await
        .err(1003);

    let log = audit(&app, &boss).await;
    assert_eq!(log[0].1, "message.remove");
    assert_eq!(log[0].2, format!("{conv}/{seq}"));
}
