//! A WebSocket does not outlive its access token: it is closed 4001 when
//! the token expires, unless the client sends an `auth` frame with a fresh
//! token of the same session (after a refresh). Another session's token
//! is refused and the socket keeps its expiry.

use std::time::Duration;

use futures::StreamExt as _;
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::client::{recv_json, send_text, until_pong, Client, Ws};
use crate::binary::Server;

/// The close code the server ends `ws` with, reading past other frames.
async fn close_code(ws: &mut Ws) -> u16 {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(Some(f)))) => return u16::from(f.code),
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return 0,
                Some(Ok(_)) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("closed within a minute")
}

async fn login(client: &Client<'_>) -> Value {
    let r = client
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "expiring", "password": "hostile-test-pw"})),
        )
        .await;
    assert_eq!(r["code"], 0, "{r}");
    r["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_is_closed_4001_when_its_token_expires_unless_renewed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("FERROCHAT_AUTH__ACCESS_TTL", "4s")]);
    let client = Client::new(&server);
    client.user("expiring").await;
    let first = login(&client).await;
    let token = first["access_token"].as_str().unwrap();
    let mut plain = client.ws(token).await;
    let mut renewed = client.ws(token).await;

    // A refresh two seconds on gives a token that expires (at least) two
    // seconds after the first: tokens carry whole seconds.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let pair = client
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": first["refresh_token"]})),
        )
        .await;
    assert_eq!(pair["code"], 0, "{pair}");
    let fresh = pair["data"]["access_token"].as_str().unwrap();
    send_text(
        &mut renewed,
        json!({"type": "auth", "id": "a1", "data": {"token": fresh}}),
    )
    .await;
    let reply = recv_json(&mut renewed).await;
    assert_eq!(reply["type"], "auth", "{reply}");
    assert_eq!(reply["id"], "a1");
    assert!(
        reply["data"]["expires_in"].as_u64().unwrap() >= 2,
        "{reply}"
    );

    // Another session's token (a second login) is not this socket's.
    let other = login(&client).await;
    let frame = json!({"type": "auth", "id": "a2", "data": {"token": other["access_token"]}});
    send_text(&mut renewed, frame).await;
    let refused = recv_json(&mut renewed).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "a2");
    assert_eq!(refused["data"]["code"], 1002, "{refused}");

    assert_eq!(
        close_code(&mut plain).await,
        4001,
        "the first token expired"
    );
    // The renewed socket is still served after the first token's expiry...
    assert!(until_pong(&mut renewed, "p").await.is_empty());
    // ...and closed in its turn when the fresh token expires.
    assert_eq!(close_code(&mut renewed).await, 4001);
}
