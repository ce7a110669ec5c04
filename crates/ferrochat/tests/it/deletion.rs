//! Deleting one's account, through HTTP and WebSocket: what is gone (the
//! profile, the name, every session and socket, friendships and blocks,
//! group memberships, the world room) and what stays (what the account
//! wrote, under "Deleted user").

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, Reply, TestApp, PASSWORD};
use crate::ws::system_event;

async fn delete_account(app: &TestApp, token: &str, password: Option<&str>) -> Reply {
    let body = match password {
        Some(p) => json!({"password": p}),
        None => json!({}),
    };
    app.request(
        Method::POST,
        "/api/v1/users/delete",
        Some(token),
        Some(body),
    )
    .await
}

async fn public_profile(app: &TestApp, token: &str, id: &str) -> Value {
    app.request(
        Method::GET,
        &format!("/api/v1/users/{id}"),
        Some(token),
        None,
    )
    .await
    .ok()
    .clone()
}

#[tokio::test]
async fn a_deleted_account_is_gone_but_what_it_wrote_stays() {
    let app = spawn_app().await;
    let alice = app.new_user("doomed").await;
    let bob = app.new_user("friend").await;
    let carol = app.new_user("blocked").await;
    app.make_friends(&alice, &bob).await;
    app.block(&alice.access, &carol.user_id).await.ok();
    let conv = app.open_single(&bob.access, &alice.user_id).await;
    app.send_http_ok(
        &alice.access,
        json!({"conversation_id": conv, "client_msg_id": "last", "content": "goodbye"}),
    )
    .await;
    let (group, _) = app
        .new_group(&bob, json!({"name": "club", "member_ids": [alice.user_id]}))
        .await;
    let second = app.second_session(&alice).await;
    let mut ws = app.ws_connect(&alice.access).await;
    let mut ws2 = app.ws_connect(&second).await;
    let mut bob_ws = app.ws_connect(&bob.access).await;

    // The password proves it is the user, not just their token.
    let msg = delete_account(&app, &alice.access, Some("not the password"))
        .await
        .err(1005)
        .to_owned();
    assert!(msg.contains("password"), "{msg}");
    let msg = delete_account(&app, &alice.access, None)
        .await
        .err(1001)
        .to_owned();
    assert!(msg.contains("password"), "{msg}");
    app.profile(&alice.access).await.ok();

    delete_account(&app, &alice.access, Some(PASSWORD))
        .await
        .ok();
    assert_eq!(ws.close_code().await, Some(4001));
    assert_eq!(ws2.close_code().await, Some(4001));
    app.profile(&alice.access).await.err(1002);
    app.profile(&second).await.err(1002);
    app.refresh(&alice.refresh).await.err(1002);
    app.login(&alice.username, PASSWORD).await.err(1002);

    // Out of the group, told to its members as a leave.
    let left = bob_ws.next_system().await;
    let event = system_event(&left);
    assert_eq!(event["event"], "member_left", "{left}");
    assert_eq!(event["user_id"], alice.user_id.as_str());
    let members = app
        .request(
            Method::GET,
            &format!("/api/v1/groups/{group}/members"),
            Some(&bob.access),
            None,
        )
        .await;
    let ids: Vec<&str> = members.ok()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![bob.user_id.as_str()]);

    // The profile is erased; the id still names someone.
    let p = public_profile(&app, &bob.access, &alice.user_id).await;
    assert_eq!(p["deleted"], true);
    assert_eq!(p["nickname"], "Deleted user");
    assert_eq!(p["avatar"], "");
    assert_ne!(p["username"], alice.username.as_str());
    assert_eq!(
        public_profile(&app, &bob.access, &bob.user_id).await["deleted"],
        false
    );

    // No longer a friend, not found, not to be named in a rule.
    assert!(app.friends(&bob.access).await.is_empty());
    let found = app
        .request(
            Method::GET,
            &format!("/api/v1/users/search?q={}", alice.username),
            Some(&bob.access),
            None,
        )
        .await;
    assert!(found.ok()["users"].as_array().unwrap().is_empty());
    app.request(
        Method::POST,
        "/api/v1/friends/requests",
        Some(&bob.access),
        Some(json!({"to_user_id": alice.user_id})),
    )
    .await
    .err(1003);
    app.request(
        Method::POST,
        "/api/v1/conversations/create",
        Some(&bob.access),
        Some(json!({"peer_user_id": alice.user_id})),
    )
    .await
    .err(1003);
    // Their chat is read-only, its history whole.
    let msg = app
        .send_http(
            &bob.access,
            json!({"conversation_id": conv, "client_msg_id": "late", "content": "hello?"}),
        )
        .await
        .err(1005)
        .to_owned();
    assert!(msg.contains("deleted"), "{msg}");
    let history = app
        .request(
            Method::GET,
            &format!("/api/v1/messages/history?conversation_id={conv}"),
            Some(&bob.access),
            None,
        )
        .await;
    let texts: Vec<&str> = history.ok()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(texts, vec!["goodbye"]);
    // The block is gone: carol may name alice's id no more than anyone.
    app.block(&carol.access, &alice.user_id).await.err(1003);

    // The name is free again, for someone else.
    app.register(&alice.username, "another passphrase")
        .await
        .ok();
    let newcomer = app.login(&alice.username, "another passphrase").await;
    assert_ne!(newcomer.ok()["user"]["user_id"], alice.user_id.as_str());
}

#[tokio::test]
async fn an_owner_hands_their_groups_on_before_leaving() {
    let app = spawn_app().await;
    let owner = app.new_user("owner").await;
    let member = app.new_user("member").await;
    let (group, _) = app
        .new_group(
            &owner,
            json!({"name": "my band", "member_ids": [member.user_id]}),
        )
        .await;
    let msg = delete_account(&app, &owner.access, Some(PASSWORD))
        .await
        .err(1006)
        .to_owned();
    assert!(msg.contains("my band"), "{msg}");
    app.profile(&owner.access).await.ok();

    app.request(
        Method::POST,
        &format!("/api/v1/groups/{group}/transfer"),
        Some(&owner.access),
        Some(json!({"user_id": member.user_id})),
    )
    .await
    .ok();
    delete_account(&app, &owner.access, Some(PASSWORD))
        .await
        .ok();
    let g = app.group(&member.access, &group).await;
    assert_eq!(g.ok()["owner_id"], member.user_id.as_str());
    assert_eq!(g.ok()["member_count"], 1);
}
