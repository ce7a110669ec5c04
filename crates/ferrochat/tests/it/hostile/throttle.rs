//! Throttles that answer 1007 with `Retry-After`: wrong passwords counted
//! per account across addresses (the owner at an address it logged in
//! from keeps its own count), and every `/api` route per caller.

use std::net::IpAddr;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::client::Client;
use crate::binary::Server;

/// A client whose connections leave from `local` (127.0.0.x).
fn from(local: &str) -> reqwest::Client {
    let ip: IpAddr = local.parse().unwrap();
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .unwrap()
}

async fn login(http: &reqwest::Client, server: &Server, password: &str) -> reqwest::Response {
    http.post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "victim", "password": password}))
        .send()
        .await
        .unwrap()
}

/// The `Retry-After` of a 429, checked to be whole seconds above 0.
fn retry_after(r: &reqwest::Response) -> u64 {
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let secs: u64 = r
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .expect("a 429 says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(secs >= 1, "Retry-After: {secs}");
    secs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_from_many_addresses_lock_the_account_but_not_its_owner_at_home() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[
            ("FERROCHAT_GATEWAY__LOGIN_THROTTLE__FREE_FAILURES", "3"),
            // Long enough that no test machine outruns it.
            ("FERROCHAT_GATEWAY__LOGIN_THROTTLE__FIRST_BACKOFF", "10m"),
            ("FERROCHAT_GATEWAY__LOGIN_THROTTLE__MAX_BACKOFF", "1h"),
        ],
    );
    let home = from("127.0.0.1");
    let r = home
        .post(format!("{}/api/v1/users/register", server.base))
        .json(&json!({"username": "victim", "password": "the-right-one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        login(&home, &server, "the-right-one").await.status(),
        StatusCode::OK
    );

    // Four guesses from four addresses: three free, the fourth locks.
    for n in 2..=5 {
        let r = login(
            &from(&format!("127.0.0.{n}")),
            &server,
            &format!("wrong-guess-{n}"),
        )
        .await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "guess from 127.0.0.{n}"
        );
    }
    // A fifth address, even with the right password, waits: the lock is
    // the account's, and a guess is refused before it is checked.
    let r = login(&from("127.0.0.6"), &server, "the-right-one").await;
    let secs = retry_after(&r);
    assert!(secs > 60, "the first lock is 10 min: Retry-After {secs}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 1007, "{body}");

    // The owner, from the address it logged in from, is let in.
    let r = login(&home, &server, "the-right-one").await;
    assert_eq!(r.status(), StatusCode::OK, "the owner is locked out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_routes_are_limited_per_caller_not_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[
            ("FERROCHAT_GATEWAY__HTTP_RATE_LIMIT__PER_SECOND", "1"),
            ("FERROCHAT_GATEWAY__HTTP_RATE_LIMIT__BURST", "3"),
        ],
    );
    let client = Client::new(&server);
    let (_, greedy) = client.user("greedy").await;
    let (_, modest) = client.user("modest").await;
    let http = reqwest::Client::new();
    let list = |token: &str| {
        http.get(format!("{}/api/v1/conversations", server.base))
            .bearer_auth(token)
            .send()
    };
    for n in 0..3 {
        assert_eq!(
            list(&greedy).await.unwrap().status(),
            StatusCode::OK,
            "call {n}"
        );
    }
    let r = list(&greedy).await.unwrap();
    retry_after(&r);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 1007, "{body}");
    // Another user at the same address has a budget of its own.
    assert_eq!(list(&modest).await.unwrap().status(), StatusCode::OK);
    // The operations routes are not counted.
    for _ in 0..5 {
        let r = http
            .get(format!("{}/health", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}
