//! A WebSocket test client: `app.ws_connect(&token)` gives a `WsClient`
//! that sends `{"type", "id", "data"}` frames and reads them back with a
//! timeout, skipping WebSocket ping/pong control frames.

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{decode, Reply, TestApp};

/// How long to wait for a frame before failing the test.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(10);

pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames read while looking for a reply to a request, in arrival order.
    pending: VecDeque<Value>,
    next_id: u64,
    /// WebSocket Ping control frames seen so far.
    pub pings_seen: usize,
}

/// How a connection ended, as seen by the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    /// A close frame with this code.
    Code(u16),
    /// A close frame without a code.
    NoCode,
    /// The stream ended (or failed) without a close frame.
    NoFrame(String),
}

impl Closed {
    pub fn code(&self) -> Option<u16> {
        match self {
            Closed::Code(c) => Some(*c),
            _ => None,
        }
    }
}

impl TestApp {
    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.base.replacen("http://", "ws://", 1))
    }

    /// Opens a WebSocket with `?token=`; panics if the upgrade is refused.
    /// Returns after a ping/pong round trip, so the server is serving the
    /// connection (and will deliver to it) by then.
    pub async fn ws_connect(&self, token: &str) -> WsClient {
        let url = format!("{}?token={token}", self.ws_url());
        let (stream, resp) =
            tokio::time::timeout(RECV_TIMEOUT, tokio_tungstenite::connect_async(url.as_str()))
                .await
                .expect("ws handshake within timeout")
                .unwrap_or_else(|e| panic!("ws upgrade refused: {e:?}"));
        assert_eq!(resp.status().as_u16(), 101);
        let mut client = WsClient::new(stream);
        client.ping().await;
        client
    }

    /// Opens a WebSocket authenticated by the Authorization header.
    pub async fn ws_connect_bearer(&self, token: &str) -> WsClient {
        let mut req = self.ws_url().into_client_request().unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (stream, _) = tokio::time::timeout(RECV_TIMEOUT, tokio_tungstenite::connect_async(req))
            .await
            .expect("ws handshake within timeout")
            .unwrap_or_else(|e| panic!("ws upgrade refused: {e:?}"));
        let mut client = WsClient::new(stream);
        client.ping().await;
        client
    }

    /// Attempts an upgrade that must be refused; returns the HTTP status the
    /// WebSocket client saw.
    pub async fn ws_refused_status(&self, token: Option<&str>) -> u16 {
        let url = match token {
            Some(t) => format!("{}?token={t}", self.ws_url()),
            None => self.ws_url(),
        };
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok(_) => panic!("upgrade with token {token:?} was accepted"),
            Err(tungstenite::Error::Http(resp)) => resp.status().as_u16(),
            Err(e) => panic!("expected an HTTP refusal, got {e:?}"),
        }
    }

    /// Sends a genuine upgrade request over plain HTTP and decodes the
    /// (refusal) envelope, so the body can be checked in full.
    pub async fn ws_upgrade_reply(&self, token: Option<&str>) -> Reply {
        let url = match token {
            Some(t) => format!("{}/ws?token={t}", self.base),
            None => format!("{}/ws", self.base),
        };
        let res = self
            .client
            .get(url)
            .header("connection", "Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .send()
            .await
            .expect("request sent");
        decode(res).await
    }
}

impl WsClient {
    fn new(stream: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self {
            stream,
            pending: VecDeque::new(),
            next_id: 0,
            pings_seen: 0,
        }
    }

    /// A fresh correlation id.
    pub fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        format!("c{}", self.next_id)
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.stream
            .send(Message::text(text))
            .await
            .expect("ws frame sent");
    }

    /// Sends `{"type": ty, "id": id, "data": data}`.
    pub async fn send_json(&mut self, ty: &str, id: &str, data: Value) {
        let frame = json!({"type": ty, "id": id, "data": data});
        self.send_text(frame.to_string()).await;
    }

    /// Reads the next text frame off the socket (not the pending queue).
    async fn read_raw(&mut self, wait: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("no frame within {wait:?}"));
            match next {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(t.as_str())
                        .unwrap_or_else(|e| panic!("frame is not JSON ({e}): {t}"));
                }
                Some(Ok(Message::Ping(_))) => self.pings_seen += 1,
                Some(Ok(Message::Pong(_))) => {}
                Some(Ok(Message::Close(f))) => panic!("connection closed: {f:?}"),
                Some(Ok(other)) => panic!("unexpected ws message: {other:?}"),
                Some(Err(e)) => panic!("ws read failed: {e}"),
                None => panic!("ws stream ended"),
            }
        }
    }

    /// The next frame, failing the test if none arrives within 10 s.
    pub async fn recv_frame(&mut self) -> Value {
        if let Some(f) = self.pending.pop_front() {
            return f;
        }
        self.read_raw(RECV_TIMEOUT).await
    }

    /// The next frame, which must be of type `ty`; returns the whole frame.
    #[track_caller]
    pub fn expect_type<'a>(
        &'a mut self,
        ty: &'a str,
    ) -> impl std::future::Future<Output = Value> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let f = self.recv_frame().await;
            assert_eq!(f["type"], ty, "at {caller}: unexpected frame {f}");
            f
        }
    }

    /// Reads frames until one matches; earlier frames stay queued for later
    /// `recv_frame` calls, in order.
    pub async fn recv_until(&mut self, mut pred: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&mut pred) {
            return self.pending.remove(i).unwrap();
        }
        let deadline = tokio::time::Instant::now() + RECV_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let f = self.read_raw(left).await;
            if pred(&f) {
                return f;
            }
            self.pending.push_back(f);
        }
    }

    /// Sends a frame with a fresh id and returns the reply echoing it.
    pub async fn request(&mut self, ty: &str, data: Value) -> Value {
        let id = self.fresh_id();
        self.send_json(ty, &id, data).await;
        let reply = self.recv_until(|f| f["id"] == id.as_str()).await;
        reply
    }

    /// `send-message`; returns the reply frame (`send-ack` or `error`).
    pub async fn send_message(&mut self, data: Value) -> Value {
        self.request("send-message", data).await
    }

    /// `send-message` that must be acked; returns the ack data.
    pub async fn send_ok(&mut self, data: Value) -> Value {
        let f = self.send_message(data).await;
        assert_eq!(f["type"], "send-ack", "send refused: {f}");
        f["data"].clone()
    }

    /// `send-message` that must fail with `code`; returns the error data.
    pub async fn send_err(&mut self, data: Value, code: i64) -> Value {
        let f = self.send_message(data).await;
        assert_error(&f, code);
        f["data"].clone()
    }

    /// `ping` -> `pong` (frames that arrive first stay queued).
    pub async fn ping(&mut self) {
        let f = self.request("ping", json!({})).await;
        assert_eq!(f["type"], "pong", "{f}");
    }

    /// Keeps reading (and so answering the server's pings) for `dur`;
    /// returns the frames read. Fails if the connection ends meanwhile.
    pub async fn pump(&mut self, dur: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + dur;
        let mut frames: Vec<Value> = self.pending.drain(..).collect();
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return frames,
                Ok(Some(Ok(Message::Text(t)))) => {
                    frames.push(serde_json::from_str(t.as_str()).unwrap());
                }
                Ok(Some(Ok(Message::Ping(_)))) => self.pings_seen += 1,
                Ok(Some(Ok(Message::Pong(_)))) => {}
                Ok(other) => panic!("connection ended while pumping: {other:?}"),
            }
        }
    }

    /// Frames already read but not yet consumed.
    pub fn take_pending(&mut self) -> Vec<Value> {
        self.pending.drain(..).collect()
    }

    /// Reads (and discards) everything until the connection ends; returns
    /// how it ended. Fails if it has not ended within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> Closed {
        self.pending.clear();
        let read_all = async {
            loop {
                match self.stream.next().await {
                    Some(Ok(Message::Close(Some(f)))) => return Closed::Code(u16::from(f.code)),
                    Some(Ok(Message::Close(None))) => return Closed::NoCode,
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Closed::NoFrame(e.to_string()),
                    None => return Closed::NoFrame("stream ended".to_owned()),
                }
            }
        };
        tokio::time::timeout(wait, read_all)
            .await
            .unwrap_or_else(|_| panic!("connection still open after {wait:?}"))
    }

    /// The close code the server sent, reading (and discarding) whatever
    /// frames come before it. `None` if the stream ended without a code.
    pub async fn close_code(&mut self) -> Option<u16> {
        self.closed_within(Duration::from_secs(30)).await.code()
    }
}

/// Asserts a frame is `error` with `code` and a message.
#[track_caller]
pub fn assert_error(f: &Value, code: i64) {
    assert_eq!(f["type"], "error", "expected error {code}, got {f}");
    assert_eq!(f["data"]["code"], code, "{f}");
    assert!(
        f["data"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error frames carry a message: {f}"
    );
}

/// `v` with only `keys`: frames and replies may carry more fields than the
/// contract names, so tests compare the named ones whole.
pub fn only(v: &Value, keys: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for k in keys {
        out.insert((*k).to_owned(), v[*k].clone());
    }
    Value::Object(out)
}

/// Closing, silence and system messages (issue 5).
impl WsClient {
    /// Closes the connection cleanly and waits for the server's close reply.
    pub async fn close(mut self) {
        self.stream.close(None).await.expect("close frame sent");
        let drain = async { while let Some(Ok(_)) = self.stream.next().await {} };
        tokio::time::timeout(RECV_TIMEOUT, drain)
            .await
            .expect("the server finishes the close within 10 s");
    }

    /// Everything that arrives within `dur` after a ping round trip: a
    /// settle-and-collect for "nothing more arrives" checks.
    pub async fn settle(&mut self, dur: Duration) -> Vec<Value> {
        self.ping().await;
        self.pump(dur).await
    }

    /// The next `new-message` whose message is a `system` one; returns the
    /// message. Other frames stay queued.
    pub async fn next_system(&mut self) -> Value {
        let f = self
            .recv_until(|f| f["type"] == "new-message" && f["data"]["message_type"] == "system")
            .await;
        f["data"].clone()
    }
}

/// The decoded `content` of a `system` message.
#[track_caller]
pub fn system_event(m: &Value) -> Value {
    assert_eq!(m["message_type"], "system", "not a system message: {m}");
    let c = m["content"]
        .as_str()
        .unwrap_or_else(|| panic!("content is a string: {m}"));
    serde_json::from_str(c).unwrap_or_else(|e| panic!("system content is JSON ({e}): {m}"))
}
