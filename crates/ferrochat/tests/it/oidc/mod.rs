//! `[auth.oidc]`: logging in through an OpenID provider (authorization
//! code with PKCE), against a real provider process. The test plays the
//! browser: it opens `start`, walks the provider's login pages, and takes
//! the provider's answer to the app's callback with the cookie `start`
//! set, as a browser would.

mod provider;

use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::support::{sample, spawn_app_with, TestApp};
use provider::{browser, walk, Jar, Provider, CLIENT_ID, CLIENT_SECRET, REDIRECT_URL};

async fn app_with(issuer: &str) -> TestApp {
    let issuer = issuer.to_owned();
    spawn_app_with(move |c| {
        c.auth.oidc.issuer = Some(issuer);
        c.auth.oidc.client_id = Some(CLIENT_ID.to_owned());
        c.auth.oidc.client_secret = Some(CLIENT_SECRET.to_owned());
        c.auth.oidc.redirect_url = Some(REDIRECT_URL.to_owned());
        c.auth.oidc.name = "Test ID".to_owned();
    })
    .await
}

/// A login begun at the app: the provider's URL and the browser's cookies.
struct Started {
    authorization: String,
    jar: Jar,
}

async fn start(app: &TestApp, device_id: Option<&str>) -> Started {
    let mut url = Url::parse(&format!("{}/api/v1/auth/oidc/start", app.base)).unwrap();
    if let Some(d) = device_id {
        url.query_pairs_mut().append_pair("device_id", d);
    }
    let res = browser().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    // Only the callback gets it back, and no script reads it.
    assert!(
        cookie.contains("; Path=/api/v1/auth/oidc/callback;"),
        "{cookie}"
    );
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
    let mut jar = Jar::default();
    jar.take(&res);
    Started {
        authorization: res.headers()["location"].to_str().unwrap().to_owned(),
        jar,
    }
}

/// The app's callback with the provider's answer (`back`'s query) and the
/// browser's cookies: the fragment the browser is sent to, decoded.
async fn callback(app: &TestApp, back: &Url, jar: &Jar) -> Vec<(String, String)> {
    let url = format!(
        "{}/api/v1/auth/oidc/callback?{}",
        app.base,
        back.query().unwrap_or("")
    );
    let res = browser()
        .get(url)
        .header("cookie", jar.header())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["cache-control"], "no-store");
    // The login's cookie is spent, whatever came of it.
    let cleared = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("ferrochat_oidc=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let to = res.headers()["location"].to_str().unwrap();
    let fragment = to
        .strip_prefix("/#")
        .unwrap_or_else(|| panic!("to the web client: {to}"));
    form_urlencoded::parse(fragment.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(fragment: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fragment
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The error a callback's fragment carries, as code and words.
fn refused(fragment: &[(String, String)]) -> (u32, String) {
    assert_eq!(field(fragment, "access_token"), None, "{fragment:?}");
    (
        field(fragment, "oidc_error")
            .unwrap_or_else(|| panic!("an error: {fragment:?}"))
            .parse()
            .unwrap(),
        field(fragment, "oidc_message").unwrap().to_owned(),
    )
}

/// A whole login as `name` at the provider: the tokens' fragment.
async fn log_in(app: &TestApp, name: &str, device_id: Option<&str>) -> Vec<(String, String)> {
    let started = start(app, device_id).await;
    let back = walk(&started.authorization, name, false).await;
    callback(app, &back, &started.jar).await
}

#[tokio::test]
async fn a_provider_login_makes_an_account_on_first_sight_and_finds_it_after() {
    let provider = Provider::start().await;
    let app = app_with(&provider.issuer).await;
    assert_eq!(
        app.request(reqwest::Method::GET, "/api/v1/auth/oidc", None, None)
            .await
            .ok()["name"],
        "Test ID"
    );

    let first = log_in(&app, "alice", Some("rust-test-1")).await;
    assert_eq!(field(&first, "token_type"), Some("Bearer"), "{first:?}");
    let access = field(&first, "access_token").unwrap();
    let me: Value = app.profile(access).await.ok().clone();
    // The provider's preferred_username became the username.
    assert_eq!(me["username"], "alice");
    let user_id = me["user_id"].as_str().unwrap().to_owned();
    let sessions = app
        .request(
            reqwest::Method::GET,
            "/api/v1/auth/sessions",
            Some(access),
            None,
        )
        .await;
    assert_eq!(sessions.ok()["sessions"][0]["device_id"], "rust-test-1");

    // A session like a password login's: its refresh token rotates.
    let refreshed = app.refresh(field(&first, "refresh_token").unwrap()).await;
    assert!(refreshed.ok()["access_token"].is_string());

    // The same subject again: the same account, a second session.
    let second = log_in(&app, "alice", None).await;
    let again = app.profile(field(&second, "access_token").unwrap()).await;
    assert_eq!(again.ok()["user_id"], user_id.as_str());

    // Another subject: another account. And the accounts have no password
    // anyone knows: a password login as alice is refused as any wrong one.
    let bob = log_in(&app, "bob", None).await;
    let bob_me = app.profile(field(&bob, "access_token").unwrap()).await;
    assert_ne!(bob_me.ok()["user_id"], user_id.as_str());
    app.login("alice", "anything").await.err(1002);
}

#[tokio::test]
async fn the_provider_answer_counts_only_in_the_browser_that_started_the_login() {
    let provider = Provider::start().await;
    let app = app_with(&provider.issuer).await;

    // No cookie: the answer came to a browser that did not start a login
    // (an attacker's code pushed at a victim).
    let started = start(&app, None).await;
    let back = walk(&started.authorization, "carol", false).await;
    let (code, message) = refused(&callback(&app, &back, &Jar::default()).await);
    assert_eq!(code, 1002);
    assert!(message.contains("not started in this browser"), "{message}");

    // Another login's cookie: its state is not this answer's (refused
    // before the code is redeemed, which its verifier would fail too).
    let other = start(&app, None).await;
    let (code, message) = refused(&callback(&app, &back, &other.jar).await);
    assert_eq!(code, 1002);
    assert!(message.contains("not started in this browser"), "{message}");

    // The right cookie: logged in. The same answer again: the code is
    // spent, the provider refuses it.
    let ok = callback(&app, &back, &started.jar).await;
    assert!(field(&ok, "access_token").is_some(), "{ok:?}");
    let (code, message) = refused(&callback(&app, &back, &started.jar).await);
    assert_eq!(code, 1002);
    assert!(
        message.contains("identity provider did not confirm"),
        "{message}"
    );
}

#[tokio::test]
async fn a_changed_verifier_or_nonce_fails_the_login() {
    let provider = Provider::start().await;
    let app = app_with(&provider.issuer).await;
    let forged = |jar: &Jar, part: usize| {
        let mut parts: Vec<String> = jar
            .get("ferrochat_oidc")
            .unwrap()
            .split('.')
            .map(str::to_owned)
            .collect();
        parts[part] = "Z".repeat(43);
        let mut forged = jar.clone();
        forged.set("ferrochat_oidc", &parts.join("."));
        forged
    };

    // PKCE: the provider will not redeem the code for another verifier.
    let started = start(&app, None).await;
    let back = walk(&started.authorization, "dave", false).await;
    let (code, _) = refused(&callback(&app, &back, &forged(&started.jar, 2)).await);
    assert_eq!(code, 1002);

    // The nonce: the provider's ID token names the login's own, not this.
    let started = start(&app, None).await;
    let back = walk(&started.authorization, "dave", false).await;
    let (code, _) = refused(&callback(&app, &back, &forged(&started.jar, 1)).await);
    assert_eq!(code, 1002);

    // Neither left an account behind.
    let started = start(&app, None).await;
    let back = walk(&started.authorization, "dave", false).await;
    let ok = callback(&app, &back, &started.jar).await;
    let me = app.profile(field(&ok, "access_token").unwrap()).await;
    assert_eq!(me.ok()["username"], "dave");
}

#[tokio::test]
async fn a_login_cancelled_at_the_provider_is_said_so() {
    let provider = Provider::start().await;
    let app = app_with(&provider.issuer).await;
    let started = start(&app, None).await;
    let back = walk(&started.authorization, "erin", true).await;
    assert!(
        back.query().unwrap().contains("error=access_denied"),
        "{back}"
    );
    let (code, message) = refused(&callback(&app, &back, &started.jar).await);
    assert_eq!(code, 1002);
    assert_eq!(message, "the identity provider did not log you in");
}

/// `GET /api/v1/auth/oidc/start{query}` as a browser opens it.
async fn open_start(app: &TestApp, query: &str) -> reqwest::Response {
    browser()
        .get(format!("{}/api/v1/auth/oidc/start{query}", app.base))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn without_a_provider_the_routes_say_so() {
    let plain = spawn_app_with(|_| {}).await;
    let info = plain
        .request(reqwest::Method::GET, "/api/v1/auth/oidc", None, None)
        .await;
    assert!(info.err(1003).contains("not configured"));
    let res = open_start(&plain, "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Configured, but the provider is not there: try again later.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = app_with(&issuer).await;
    let res = open_start(&app, "").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], 1009);
    // Logins right after are told so from that failure, without asking
    // the provider again (each would wait for it in turn).
    let failed = "ferrochat_logic_oidc_discoveries_total{outcome=\"failed\"}";
    let before = sample(&app.metrics_text().await, failed);
    for _ in 0..3 {
        let res = open_start(&app, "").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(sample(&app.metrics_text().await, failed), before);
    let bad = open_start(&app, "?device_id=a%20b").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
