//! Accounts over HTTP: register, login, profiles, refresh rotation and
//! reuse detection, logout.

use ferrochat::config::{BusKind, Config};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{sample, spawn_app, spawn_app_with, TestApp};

#[tokio::test]
async fn register_login_and_profile() {
    let app = spawn_app().await;
    let reg = app.register("alice_p", "s3cret-password").await;
    assert_eq!(reg.status.as_u16(), 201);
    let user = reg.ok().clone();
    assert_eq!(user["username"], "alice_p");
    assert_eq!(
        user["nickname"], "alice_p",
        "nickname defaults to the username"
    );
    let user_id = user["user_id"].as_str().unwrap();

    let login = app.login("alice_p", "s3cret-password").await;
    let d = login.ok();
    assert_eq!(d["token_type"], "Bearer");
    assert_eq!(d["expires_in"], 900);
    assert_eq!(d["user"]["user_id"], user_id);
    let token = d["access_token"].as_str().unwrap();

    let me = app.profile(token).await;
    let me = me.ok();
    assert_eq!(me["user_id"], user_id);
    assert_eq!(me["avatar"], "");
    assert!(me["created_at"].as_str().unwrap().ends_with('Z'));

    // Login is case-insensitive on the username, as uniqueness is.
    app.login("ALICE_P", "s3cret-password").await.ok();
}

#[tokio::test]
async fn update_profile_and_read_public_profile() {
    let app = spawn_app().await;
    let a = app.new_user("upd").await;
    let b = app.new_user("viewer").await;

    let updated = app
        .request(
            Method::PUT,
            "/api/v1/users/profile",
            Some(&a.access),
            Some(json!({"nickname": "  Alice A. ", "avatar": "https://example.invalid/a.png"})),
        )
        .await;
    let d = updated.ok();
    assert_eq!(d["nickname"], "Alice A.");
    assert_eq!(d["avatar"], "https://example.invalid/a.png");

    // An empty update changes nothing.
    let same = app
        .request(
            Method::PUT,
            "/api/v1/users/profile",
            Some(&a.access),
            Some(json!({})),
        )
        .await;
    assert_eq!(same.ok()["nickname"], "Alice A.");

    let public = app
        .request(
            Method::GET,
            &format!("/api/v1/users/{}", a.user_id),
            Some(&b.access),
            None,
        )
        .await;
    let p = public.ok();
    assert_eq!(p["nickname"], "Alice A.");
    assert_eq!(p["username"], a.username);

    let bad = app
        .request(
            Method::PUT,
            "/api/v1/users/profile",
            Some(&a.access),
            Some(json!({"nickname": ""})),
        )
        .await;
    assert!(bad.err(1001).contains("nickname"));
}

#[tokio::test]
async fn duplicate_username_is_a_conflict_regardless_of_case() {
    let app = spawn_app().await;
    app.register("dupe_name", "password-1").await.ok();
    let again = app.register("dupe_name", "password-2").await;
    assert!(again.err(1006).contains("taken"));
    app.register("DUPE_NAME", "password-3").await.err(1006);
}

#[tokio::test]
async fn invalid_username_and_password_are_1001_naming_the_field() {
    let app = spawn_app().await;
    for bad in ["ab", "has space", "x".repeat(33).as_str(), "ünïcode"] {
        let r = app.register(bad, "long-enough-password").await;
        assert!(r.err(1001).contains("username"), "{bad}");
    }
    let short = app.register("okname", "short").await;
    assert!(short.err(1001).contains("password"));
    let long = app.register("okname", &"p".repeat(129)).await;
    assert!(long.err(1001).contains("password"));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_answer_identically() {
    let app = spawn_app().await;
    app.register("known_user", "right-password").await.ok();
    let wrong = app.login("known_user", "wrong-password").await;
    let unknown = app.login("nobody_here", "wrong-password").await;
    let malformed = app.login("x", "y").await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, malformed.body);
    wrong.err(1002);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_stops_working() {
    let app = spawn_app().await;
    let s = app.new_user("rot").await;

    let r1 = app.refresh(&s.refresh).await;
    let d1 = r1.ok().clone();
    let access2 = d1["access_token"].as_str().unwrap();
    let refresh2 = d1["refresh_token"].as_str().unwrap();
    assert_ne!(refresh2, s.refresh);
    assert_eq!(d1["token_type"], "Bearer");
    app.profile(access2).await.ok();

    // The rotated token is refused...
    app.refresh(&s.refresh).await.err(1002);
    // ...and that reuse revoked the whole session: the newest tokens die too.
    app.refresh(refresh2).await.err(1002);
    app.profile(access2).await.err(1002);
    app.profile(&s.access).await.err(1002);
}

#[tokio::test]
async fn refresh_chain_keeps_working_when_each_token_is_used_once() {
    let app = spawn_app().await;
    let s = app.new_user("chain").await;
    let mut refresh = s.refresh.clone();
    for _ in 0..3 {
        let r = app.refresh(&refresh).await;
        let d = r.ok();
        app.profile(d["access_token"].as_str().unwrap()).await.ok();
        refresh = d["refresh_token"].as_str().unwrap().to_owned();
    }
    app.refresh("not-a-token-we-issued").await.err(1002);
}

#[tokio::test]
async fn logout_revokes_access_and_refresh_at_once_but_not_other_sessions() {
    let app = spawn_app().await;
    let s = app.new_user("bye").await;
    let other = app.login(&s.username, "correct horse battery").await;
    let other_access = other.ok()["access_token"].as_str().unwrap().to_owned();

    app.logout(&s.access).await.ok();
    app.profile(&s.access).await.err(1002);
    app.refresh(&s.refresh).await.err(1002);
    app.logout(&s.access).await.err(1002);
    // The same user's other device keeps its session.
    app.profile(&other_access).await.ok();
}

/// Who answers session checks in an app so configured: this process's
/// table (one logic instance), the shared cache (Kafka and Redis: several
/// may share the bus and the cache), or, with Kafka and no Redis, nobody
/// but the store, since one instance could not make the others forget.
fn session_cache(c: &Config) -> &'static str {
    match (c.bus.kind, &c.presence.redis_url) {
        (BusKind::Local, _) => "memory",
        (BusKind::Kafka, Some(_)) => "shared",
        (BusKind::Kafka, None) => "store",
    }
}

async fn session_checks(app: &TestApp, source: &str) -> f64 {
    let text = app.metrics_text().await;
    sample(
        &text,
        &format!("ferrochat_session_checks_total{{source=\"{source}\"}}"),
    )
}

#[tokio::test]
async fn session_checks_are_answered_by_the_cache_and_a_logout_empties_it_at_once() {
    let mut config = None;
    let app = spawn_app_with(|c| config = Some(c.clone())).await;
    let cache = session_cache(&config.unwrap());
    let s = app.new_user("cached").await;
    let before = session_checks(&app, cache).await;
    for _ in 0..3 {
        app.profile(&s.access).await.ok();
    }
    let answered = session_checks(&app, cache).await - before;
    if cache == "store" {
        assert!(answered >= 3.0);
        assert_eq!(session_checks(&app, "memory").await, 0.0);
        assert_eq!(session_checks(&app, "shared").await, 0.0);
    } else {
        // The first check may have read the store and filled the cache.
        assert!(answered >= 2.0, "{cache} answered {answered} of 3 checks");
    }

    app.logout(&s.access).await.ok();
    app.profile(&s.access).await.err(1002);
    app.ws_upgrade_reply(Some(&s.access)).await.err(1002);
}

#[tokio::test]
async fn tokens_are_checked() {
    let app = spawn_app().await;
    app.request(Method::GET, "/api/v1/users/profile", None, None)
        .await
        .err(1002);
    app.profile("garbage").await.err(1002);
    let s = app.new_user("tamper").await;
    let mut forged = s.access.clone();
    forged.pop();
    forged.push(if s.access.ends_with('A') { 'B' } else { 'A' });
    app.profile(&forged).await.err(1002);
    // Far longer than any token issued: a bad token like the others, in
    // every mode (logic in process or behind gRPC), not a malformed field.
    app.profile(&"x".repeat(1_500)).await.err(1002);
    app.profile(&format!("{}{}", s.access, "A".repeat(1_500)))
        .await
        .err(1002);
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_ip() {
    let app = crate::support::spawn_app_with(|c| {
        c.gateway.auth_rate_limit.per_second = 1;
        c.gateway.auth_rate_limit.burst = 3;
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(app.login("someone", "some-password").await.code());
    }
    assert_eq!(&codes[..3], &[1002, 1002, 1002]);
    assert!(codes[3..].iter().all(|c| *c == 1007), "{codes:?}");
    app.register("limited", "some-password").await.err(1007);
    // Other endpoints are not limited by it.
    app.request(Method::GET, "/health", None, None).await;
}

async fn put_profile(app: &TestApp, token: &str, body: Value) -> crate::support::Reply {
    app.request(
        Method::PUT,
        "/api/v1/users/profile",
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn email_is_private_and_one_per_account_and_status_is_public() {
    let app = spawn_app().await;
    let a = app.new_user("mailer").await;
    let b = app.new_user("looker").await;
    let own = app.profile(&a.access).await;
    assert_eq!(own.ok()["email"], Value::Null);
    assert_eq!(own.ok()["status_text"], "");

    let d = put_profile(
        &app,
        &a.access,
        json!({"email": " Ana@Example.org ", "status_text": "  in a meeting "}),
    )
    .await;
    assert_eq!(d.ok()["email"], "Ana@Example.org");
    assert_eq!(d.ok()["status_text"], "in a meeting");
    // Others see the status, never the address: by id, in the directory,
    // as a friend.
    let public = app
        .request(
            Method::GET,
            &format!("/api/v1/users/{}", a.user_id),
            Some(&b.access),
            None,
        )
        .await;
    assert_eq!(public.ok()["status_text"], "in a meeting");
    assert!(public.ok().get("email").is_none(), "{:?}", public.body);
    let found = app
        .request(
            Method::GET,
            &format!("/api/v1/users/search?q={}", a.username),
            Some(&b.access),
            None,
        )
        .await;
    let users = found.ok()["users"].as_array().unwrap().clone();
    assert_eq!(users.len(), 1);
    assert!(users[0].get("email").is_none(), "{users:?}");
    app.make_friends(&a, &b).await;
    let friends = app.friends(&b.access).await;
    assert!(
        friends
            .iter()
            .all(|f| f.to_string().find("Example.org").is_none()),
        "{friends:?}"
    );

    // One address, one account, whatever its case.
    let taken = put_profile(&app, &b.access, json!({"email": "ana@EXAMPLE.org"})).await;
    assert!(taken.err(1006).contains("email"), "{:?}", taken.body);
    for bad in ["not-an-address", "a@b", "a b@c.org"] {
        let r = put_profile(&app, &b.access, json!({"email": bad})).await;
        assert!(r.err(1001).contains("email"), "{bad}: {:?}", r.body);
    }
    let r = put_profile(&app, &b.access, json!({"status_text": "x".repeat(141)})).await;
    assert!(r.err(1001).contains("status_text"));
    let r = put_profile(&app, &b.access, json!({"status_text": "bad\u{202E}"})).await;
    assert!(r.err(1001).contains("status_text"));

    // Absent keeps, empty removes: then the address is free for another.
    let d = put_profile(&app, &a.access, json!({"nickname": "Ana"})).await;
    assert_eq!(d.ok()["email"], "Ana@Example.org");
    let d = put_profile(&app, &a.access, json!({"email": "", "status_text": ""})).await;
    assert_eq!(d.ok()["email"], Value::Null);
    assert_eq!(d.ok()["status_text"], "");
    let d = put_profile(&app, &b.access, json!({"email": "ana@example.org"})).await;
    assert_eq!(d.ok()["email"], "ana@example.org");
}
