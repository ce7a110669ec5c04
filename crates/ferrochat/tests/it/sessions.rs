//! A user's hold on their own account, through HTTP and WebSocket: the
//! list of their sessions, ending one or all the others, changing the
//! password (which ends the others).

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, spawn_app_with, Session, TestApp, PASSWORD, UNKNOWN_ID};

/// Logs `s`'s user in again as `device`: (access, refresh, session id as
/// the list names it).
async fn device(app: &TestApp, s: &Session, device: &str) -> (String, String, String) {
    let d = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": s.username, "password": PASSWORD, "device_id": device})),
        )
        .await
        .ok()
        .clone();
    let access = d["access_token"].as_str().unwrap().to_owned();
    let refresh = d["refresh_token"].as_str().unwrap().to_owned();
    let list = sessions(app, &access).await;
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "one current session: {list:?}");
    assert_eq!(current[0]["device_id"], device);
    let id = current[0]["session_id"].as_str().unwrap().to_owned();
    (access, refresh, id)
}

async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let d = app
        .request(Method::GET, "/api/v1/auth/sessions", Some(token), None)
        .await
        .ok()
        .clone();
    d["sessions"].as_array().unwrap().clone()
}

async fn logout_others(app: &TestApp, token: &str) -> Value {
    app.request(
        Method::POST,
        "/api/v1/auth/logout/others",
        Some(token),
        None,
    )
    .await
    .ok()
    .clone()
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> crate::support::Reply {
    app.request(
        Method::POST,
        "/api/v1/auth/password",
        Some(token),
        Some(json!({"current_password": current, "new_password": new})),
    )
    .await
}

#[tokio::test]
async fn the_list_names_each_live_session_and_marks_the_asking_one() {
    let app = spawn_app().await;
    let s = app.new_user("lister").await;
    let (phone, phone_refresh, phone_id) = device(&app, &s, "phone").await;
    let (laptop, _, laptop_id) = device(&app, &s, "laptop").await;

    let list = sessions(&app, &laptop).await;
    assert_eq!(list.len(), 3, "new_user's session, phone, laptop: {list:?}");
    // Most recently seen first: the laptop logged in last.
    assert_eq!(list[0]["session_id"], laptop_id.as_str());
    assert_eq!(list[0]["current"], true);
    for field in ["created_at", "last_seen_at", "expires_at"] {
        assert!(list[0][field].as_str().unwrap().ends_with('Z'), "{field}");
    }
    assert_eq!(
        list[2]["device_id"],
        Value::Null,
        "new_user named no device"
    );

    // A refresh is the phone being seen: it moves to the top.
    app.refresh(&phone_refresh).await.ok();
    let list = sessions(&app, &laptop).await;
    assert_eq!(list[0]["session_id"], phone_id.as_str());
    assert_eq!(list[0]["current"], false);

    // Logged out: no longer listed.
    app.logout(&phone).await.ok();
    let list = sessions(&app, &laptop).await;
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|x| x["session_id"] != phone_id.as_str()));

    // Someone else sees only theirs.
    let other = app.new_user("stranger").await;
    let theirs = sessions(&app, &other.access).await;
    assert_eq!(theirs.len(), 1);
    app.request(Method::GET, "/api/v1/auth/sessions", None, None)
        .await
        .err(1002);
}

#[tokio::test]
async fn ending_one_session_stops_its_tokens_and_closes_its_sockets_only() {
    let app = spawn_app().await;
    let s = app.new_user("ender").await;
    let (phone, phone_refresh, phone_id) = device(&app, &s, "phone").await;
    let mut phone_ws = app.ws_connect(&phone).await;
    let mut own_ws = app.ws_connect(&s.access).await;

    // Not someone else's, not a malformed or unknown id: all 1003.
    let other = app.new_user("bystander").await;
    let path = format!("/api/v1/auth/sessions/{phone_id}");
    app.request(Method::DELETE, &path, Some(&other.access), None)
        .await
        .err(1003);
    for bad in [UNKNOWN_ID, "not-an-id"] {
        let p = format!("/api/v1/auth/sessions/{bad}");
        app.request(Method::DELETE, &p, Some(&s.access), None)
            .await
            .err(1003);
    }
    app.profile(&phone).await.ok();

    app.request(Method::DELETE, &path, Some(&s.access), None)
        .await
        .ok();
    assert_eq!(phone_ws.close_code().await, Some(4001));
    app.profile(&phone).await.err(1002);
    app.refresh(&phone_refresh).await.err(1002);
    // Ending it again: it is already ended, which is what was asked.
    app.request(Method::DELETE, &path, Some(&s.access), None)
        .await
        .ok();
    own_ws.ping().await;
    app.profile(&s.access).await.ok();
}

#[tokio::test]
async fn logging_out_the_others_keeps_only_the_asking_session() {
    let app = spawn_app().await;
    let s = app.new_user("lonely").await;
    let (phone, phone_refresh, _) = device(&app, &s, "phone").await;
    let (tablet, _, _) = device(&app, &s, "tablet").await;
    let mut phone_ws = app.ws_connect(&phone).await;
    let mut tablet_ws = app.ws_connect(&tablet).await;
    let mut own_ws = app.ws_connect(&s.access).await;
    let bystander = app.new_user("unaffected").await;

    let d = logout_others(&app, &s.access).await;
    assert_eq!(d["revoked"], 2);
    assert_eq!(phone_ws.close_code().await, Some(4001));
    assert_eq!(tablet_ws.close_code().await, Some(4001));
    app.profile(&phone).await.err(1002);
    app.profile(&tablet).await.err(1002);
    app.refresh(&phone_refresh).await.err(1002);
    app.ws_upgrade_reply(Some(&tablet)).await.err(1002);

    own_ws.ping().await;
    let list = sessions(&app, &s.access).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["current"], true);
    app.profile(&bystander.access).await.ok();
    // Nothing left to end.
    let d = logout_others(&app, &s.access).await;
    assert_eq!(d["revoked"], 0);
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_every_other_session() {
    let app = spawn_app().await;
    let s = app.new_user("rotor").await;
    let (phone, phone_refresh, _) = device(&app, &s, "phone").await;
    let mut phone_ws = app.ws_connect(&phone).await;
    let new = "a much better passphrase";

    let msg = change_password(&app, &s.access, "not the password", new)
        .await
        .err(1005)
        .to_owned();
    assert!(msg.contains("current password"), "{msg}");
    let msg = change_password(&app, &s.access, PASSWORD, "short")
        .await
        .err(1001)
        .to_owned();
    assert!(msg.contains("new_password"), "{msg}");
    let msg = app
        .request(
            Method::POST,
            "/api/v1/auth/password",
            Some(&s.access),
            Some(json!({"new_password": new})),
        )
        .await
        .err(1001)
        .to_owned();
    assert!(msg.contains("current_password"), "{msg}");
    // Refused changes changed nothing.
    app.profile(&phone).await.ok();
    app.login(&s.username, PASSWORD).await.ok();

    let d = change_password(&app, &s.access, PASSWORD, new)
        .await
        .ok()
        .clone();
    assert_eq!(d["revoked"], 2, "the phone and the login just above");
    assert_eq!(phone_ws.close_code().await, Some(4001));
    app.profile(&phone).await.err(1002);
    app.refresh(&phone_refresh).await.err(1002);
    app.profile(&s.access).await.ok();
    app.login(&s.username, PASSWORD).await.err(1002);
    app.login(&s.username, new).await.ok();
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_wrong_logins() {
    let app = spawn_app_with(|c| {
        c.gateway.login_throttle.free_failures = 2;
        // Long enough that no lock lapses while the test runs.
        c.gateway.login_throttle.first_backoff = std::time::Duration::from_secs(600);
        c.gateway.login_throttle.max_backoff = std::time::Duration::from_secs(600);
    })
    .await;
    let s = app.new_user("guessed").await;
    let mut codes = Vec::new();
    for i in 0..4 {
        let r = change_password(
            &app,
            &s.access,
            &format!("guess number {i}"),
            "whatever it is",
        )
        .await;
        codes.push(r.code());
    }
    assert_eq!(&codes[..2], &[1005, 1005], "{codes:?}");
    assert_eq!(codes[3], 1007, "{codes:?}");
    // The lock is the account's: a login guess from here is refused too.
    app.login(&s.username, PASSWORD).await.err(1007);
}

#[tokio::test]
async fn a_login_past_the_cap_ends_the_session_seen_least_recently() {
    let app = spawn_app_with(|c| c.auth.max_sessions = 2).await;
    let s = app.new_user("looper").await;
    let mut first_ws = app.ws_connect(&s.access).await;
    let (second, _, second_id) = device(&app, &s, "second").await;
    app.profile(&s.access).await.ok();
    let (third, _, third_id) = device(&app, &s, "third").await;

    // new_user's session, seen least recently, made room for the third.
    assert_eq!(first_ws.close_code().await, Some(4001));
    app.profile(&s.access).await.err(1002);
    app.refresh(&s.refresh).await.err(1002);
    let ids: Vec<String> = sessions(&app, &third)
        .await
        .iter()
        .map(|x| x["session_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec![third_id, second_id]);
    app.profile(&second).await.ok();
}
