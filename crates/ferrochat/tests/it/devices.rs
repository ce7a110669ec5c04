//! Push devices over HTTP: a session registers its token, the user lists
//! theirs and removes one, and a device goes with its session (logout,
//! revocation), whatever the store or mode.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp, UNKNOWN_ID};

async fn register(app: &TestApp, token: &str, body: Value) -> crate::support::Reply {
    app.request(Method::POST, "/api/v1/devices", Some(token), Some(body))
        .await
}

async fn devices(app: &TestApp, token: &str) -> Vec<Value> {
    let d = app
        .request(Method::GET, "/api/v1/devices", Some(token), None)
        .await
        .ok()
        .clone();
    d["devices"].as_array().unwrap().clone()
}

async fn remove(app: &TestApp, token: &str, id: &str) -> crate::support::Reply {
    app.request(
        Method::DELETE,
        &format!("/api/v1/devices/{id}"),
        Some(token),
        None,
    )
    .await
}

fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|d| d["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_session_registers_one_device_and_its_user_lists_and_removes_them() {
    let app = spawn_app().await;
    let s = app.new_user("phone").await;
    let tablet = app.second_session(&s).await;

    let phone = register(
        &app,
        &s.access,
        json!({"platform": "apns", "token": "00ff00ff", "app_id": "com.example.chat"}),
    )
    .await
    .ok()
    .clone();
    assert_eq!(phone["platform"], "apns");
    assert_eq!(phone["token"], "00ff00ff");
    assert_eq!(phone["app_id"], "com.example.chat");
    assert_eq!(phone["current"], true);
    assert!(phone["created_at"].as_str().unwrap().ends_with('Z'));

    // Registering again from the same session replaces its device.
    let phone = register(
        &app,
        &s.access,
        json!({"platform": "fcm", "token": "fcm:tok-1"}),
    )
    .await
    .ok()
    .clone();
    assert_eq!(phone["app_id"], Value::Null);
    let pad = register(
        &app,
        &tablet,
        json!({"platform": "webhook", "token": "pad-1"}),
    )
    .await
    .ok()
    .clone();
    let list = devices(&app, &s.access).await;
    assert_eq!(
        ids(&list),
        vec![phone["id"].as_str().unwrap(), pad["id"].as_str().unwrap()]
    );
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[1]["current"], false);
    assert_eq!(list[0]["session_id"], phone["session_id"]);

    // Others see none of them and cannot remove them.
    let other = app.new_user("other").await;
    assert!(devices(&app, &other.access).await.is_empty());
    remove(&app, &other.access, pad["id"].as_str().unwrap())
        .await
        .err(1003);

    // Removing: any of one's own, once; unknown and malformed ids are 1003.
    remove(&app, &s.access, pad["id"].as_str().unwrap())
        .await
        .ok();
    remove(&app, &s.access, pad["id"].as_str().unwrap())
        .await
        .err(1003);
    remove(&app, &s.access, UNKNOWN_ID).await.err(1003);
    remove(&app, &s.access, "not-an-id").await.err(1003);
    assert_eq!(
        ids(&devices(&app, &tablet).await),
        vec![phone["id"].as_str().unwrap()]
    );

    // A token moves to the last session to register it.
    let taken = register(
        &app,
        &other.access,
        json!({"platform": "fcm", "token": "fcm:tok-1"}),
    )
    .await
    .ok()
    .clone();
    assert!(devices(&app, &s.access).await.is_empty());
    assert_eq!(
        ids(&devices(&app, &other.access).await),
        vec![taken["id"].as_str().unwrap()]
    );

    app.request(Method::GET, "/api/v1/devices", None, None)
        .await
        .err(1002);
}

#[tokio::test]
async fn bad_registrations_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let s = app.new_user("badreg").await;
    for (body, field) in [
        (json!({"token": "t"}), "platform"),
        (json!({"platform": "gcm", "token": "t"}), "platform"),
        (json!({"platform": "fcm"}), "token"),
        (json!({"platform": "fcm", "token": ""}), "token"),
        (json!({"platform": "fcm", "token": "a b"}), "token"),
        (
            json!({"platform": "fcm", "token": "x".repeat(513)}),
            "token",
        ),
        (
            json!({"platform": "apns", "token": "zz", "app_id": "com.x"}),
            "token",
        ),
        (json!({"platform": "apns", "token": "00"}), "app_id"),
        (
            json!({"platform": "fcm", "token": "t", "app_id": ""}),
            "app_id",
        ),
        (json!({"platform": 1, "token": "t"}), "platform"),
    ] {
        let r = register(&app, &s.access, body.clone()).await;
        let message = r.err(1001);
        assert!(message.contains(field), "{body}: {message}");
    }
    assert!(devices(&app, &s.access).await.is_empty());
}

#[tokio::test]
async fn a_device_goes_with_its_session() {
    let app = spawn_app().await;
    let s = app.new_user("ends").await;
    let second = app.second_session(&s).await;
    let third = app.second_session(&s).await;
    for (i, token) in [&s.access, &second, &third].into_iter().enumerate() {
        register(
            &app,
            token,
            json!({"platform": "fcm", "token": format!("t{i}")}),
        )
        .await
        .ok();
    }
    assert_eq!(devices(&app, &s.access).await.len(), 3);

    app.logout(&third).await.ok();
    let list = devices(&app, &s.access).await;
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list.iter().all(|d| d["token"] != "t2"));

    // Ending another session by id, then every other one.
    let sessions = app
        .request(Method::GET, "/api/v1/auth/sessions", Some(&s.access), None)
        .await
        .ok()
        .clone();
    let second_id = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == false)
        .unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.request(
        Method::DELETE,
        &format!("/api/v1/auth/sessions/{second_id}"),
        Some(&s.access),
        None,
    )
    .await
    .ok();
    let list = devices(&app, &s.access).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["token"], "t0");
}
