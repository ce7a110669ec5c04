//! A served binary (`binary::Server`) as a client sees it: HTTP calls,
//! a registered user, history, a WebSocket and its frames. Shared by the
//! tests that drive the built binary.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::binary::Server;

impl Server {
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let http = reqwest::Client::new();
        crate::binary::call(&http, &self.base, method, path, token, body).await
    }

    pub(crate) async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let v = self.call(method, path, token, body).await;
        assert_eq!(v["code"], 0, "{path}: {v}");
        v["data"].clone()
    }

    /// Registers and logs in; returns (user_id, access token).
    pub(crate) async fn user(&self, name: &str) -> (String, String) {
        let body = json!({"username": name, "password": "crash-test-pw"});
        self.ok(
            reqwest::Method::POST,
            "/api/v1/users/register",
            None,
            Some(body.clone()),
        )
        .await;
        let d = self
            .ok(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(body),
            )
            .await;
        (
            d["user"]["user_id"].as_str().unwrap().to_owned(),
            d["access_token"].as_str().unwrap().to_owned(),
        )
    }

    /// The one-to-one conversation of `token`'s user with `peer_id`.
    pub(crate) async fn conversation(&self, token: &str, peer_id: &str) -> String {
        self.ok(
            reqwest::Method::POST,
            "/api/v1/conversations/create",
            Some(token),
            Some(json!({"peer_user_id": peer_id})),
        )
        .await["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn history_all(&self, token: &str, conv: &str) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let after = all.last().map_or(0, |m| m["seq"].as_u64().unwrap());
            let path = format!(
                "/api/v1/messages/history?conversation_id={conv}&after_seq={after}&limit=200"
            );
            let d = self
                .ok(reqwest::Method::GET, &path, Some(token), None)
                .await;
            all.extend(d["messages"].as_array().unwrap().iter().cloned());
            if d["has_more"] == false {
                return all;
            }
        }
    }

    /// Every message a search for `word` finds, newest first, page after
    /// page by `next`.
    pub(crate) async fn search_all(&self, token: &str, word: &str) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        let mut before = String::new();
        loop {
            let path = format!("/api/v1/messages/search?q={word}&limit=50{before}");
            let d = self
                .ok(reqwest::Method::GET, &path, Some(token), None)
                .await;
            all.extend(
                d["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["message"].clone()),
            );
            match d["next"].as_str() {
                Some(next) => before = format!("&before={next}"),
                None => return all,
            }
        }
    }

    pub(crate) async fn ws(&self, token: &str) -> Ws {
        let url = format!("ws://{}/ws?token={token}", self.addr);
        tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap()
            .0
    }
}

pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// ping -> pong, so the server is serving the connection before we go on.
/// A sender's later device may first get the new-messages its earlier
/// devices already sent (the contract delivers them to every device).
pub(crate) async fn ping(ws: &mut Ws) {
    let req = json!({"type": "ping", "id": "ready"});
    ws.send(Message::text(req.to_string())).await.unwrap();
    let mut f = next_json(ws).await;
    while f["type"] == "new-message" {
        f = next_json(ws).await;
    }
    assert_eq!(f["type"], "pong", "{f}");
}

/// The next text frame as JSON (10 s at most).
pub(crate) async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("stream open")
            .expect("frame read");
        if let Some(f) = text_json(m) {
            return f;
        }
    }
}

pub(crate) fn text_json(m: Message) -> Option<Value> {
    match m {
        Message::Text(t) => Some(serde_json::from_str(t.as_str()).unwrap()),
        _ => None,
    }
}
