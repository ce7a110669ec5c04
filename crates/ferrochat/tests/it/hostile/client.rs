//! What the hostile tests share: an HTTP caller, users, WebSockets, the
//! served metrics and the child's memory from /proc.

use std::time::Duration;

use futures::SinkExt as _;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::binary::Server;

pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) struct Client<'a> {
    pub(crate) server: &'a Server,
    http: reqwest::Client,
}

impl<'a> Client<'a> {
    pub(crate) fn new(server: &'a Server) -> Self {
        Self {
            server,
            http: reqwest::Client::new(),
        }
    }

    /// The envelope of a call.
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        crate::binary::call(&self.http, &self.server.base, method, path, token, body).await
    }

    /// Registers and logs in; returns (user_id, access token).
    pub(crate) async fn user(&self, name: &str) -> (String, String) {
        let body = json!({"username": name, "password": "hostile-test-pw"});
        let r = self
            .call(
                reqwest::Method::POST,
                "/api/v1/users/register",
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r["code"], 0, "register: {r}");
        let d = self
            .call(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(body),
            )
            .await;
        assert_eq!(d["code"], 0, "login: {d}");
        (
            d["data"]["user"]["user_id"].as_str().unwrap().to_owned(),
            d["data"]["access_token"].as_str().unwrap().to_owned(),
        )
    }

    pub(crate) async fn send(&self, token: &str, conversation: &str, id: &str, content: &str) {
        let body =
            json!({"conversation_id": conversation, "client_msg_id": id, "content": content});
        let r = self
            .call(
                reqwest::Method::POST,
                "/api/v1/messages/send",
                Some(token),
                Some(body),
            )
            .await;
        assert_eq!(r["code"], 0, "send: {r}");
    }

    pub(crate) async fn ws(&self, token: &str) -> Ws {
        let url = format!("ws://{}/ws?token={token}", self.server.addr);
        tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap()
            .0
    }

    /// The value of an unlabelled metric as served on /metrics (0 when
    /// not yet recorded).
    pub(crate) async fn metric(&self, name: &str) -> f64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .find_map(|l| {
                let (k, v) = l.split_once(' ')?;
                (k == name).then(|| v.trim().parse().unwrap())
            })
            .unwrap_or(0.0)
    }

    /// Waits until `name` satisfies `ok`, polling; panics after `within`.
    pub(crate) async fn wait_metric(&self, name: &str, within: Duration, ok: impl Fn(f64) -> bool) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let v = self.metric(name).await;
            if ok(v) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name} is still {v} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub(crate) async fn send_text(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// A field of /proc/<pid>/status in KiB (`VmRSS`, `RssAnon`).
pub(crate) fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix(field)?.strip_prefix(':')?;
            rest.trim().trim_end_matches("kB").trim().parse().ok()
        })
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// The memory the process holds itself (`RssAnon`: its heap and
/// stacks), not the pages of its files it has mapped (`RssFile`: the
/// SQLite readers map the database, and those pages are the kernel's
/// page cache, shared and reclaimable).
pub(crate) fn own_memory_kib(pid: u32) -> u64 {
    status_kib(pid, "RssAnon")
}

/// Samples `own_memory_kib` every 10 ms until the returned sender is
/// dropped or sent to; the task answers the highest it saw.
pub(crate) fn own_memory_peak(
    pid: u32,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<u64>,
) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let sampler = tokio::spawn(async move {
        let mut peak = own_memory_kib(pid);
        loop {
            tokio::select! {
                _ = &mut stopped => return peak,
                () = tokio::time::sleep(Duration::from_millis(10)) => {
                    peak = peak.max(own_memory_kib(pid));
                }
            }
        }
    });
    (stop, sampler)
}

/// The next text frame as JSON (30 s at most).
pub(crate) async fn recv_json(ws: &mut Ws) -> Value {
    use futures::StreamExt as _;
    loop {
        let m = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("a frame within 30 s")
            .expect("stream open")
            .expect("frame read");
        if let Message::Text(t) = m {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// Sends a ping and reads up to its pong; returns the frames before it.
pub(crate) async fn until_pong(ws: &mut Ws, id: &str) -> Vec<Value> {
    send_text(ws, json!({"type": "ping", "id": id})).await;
    let mut before = Vec::new();
    loop {
        let f = recv_json(ws).await;
        if f["type"] == "pong" && f["id"] == id {
            return before;
        }
        before.push(f);
    }
}
