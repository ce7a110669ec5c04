//! The live stream: one WebSocket that reconnects with backoff and, on
//! every (re)connect, sends `sync` with the last seq it has of each
//! conversation, so nothing sent meanwhile is lost. A message at or below
//! that seq is a repeat (delivery is at least once on the wire) and is
//! dropped; a live message that skips seqs means something was missed, and
//! it is fetched by `sync` rather than shown out of order
//! (docs/protocol.md, "Within a conversation...").

use std::collections::HashMap;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::{header::AUTHORIZATION, HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message as Frame};

use crate::error::{ChatError, Result};
use crate::model::Message;
use crate::session::Session;

/// Events the stream hands over, at most this many waiting: a consumer
/// that falls behind holds the socket back, the server may then drop it
/// (close 4008), and the next connect's `sync` fetches what was missed.
const QUEUE: usize = 256;
/// Messages per conversation per `sync` page.
const SYNC_LIMIT: u32 = 200;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest frame read: a `sync` answer is at most 512 KiB of messages
/// plus about 100 bytes per conversation listed.
const MAX_FRAME: usize = 16 << 20;

/// What the stream reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// Connected; the opening `sync` follows.
    Connected,
    /// Every conversation is caught up (the opening `sync` answered in full).
    Synced,
    /// A message not seen before, in seq order within its conversation.
    Message(Box<Message>),
    /// The connection dropped (why); it is being opened again.
    Disconnected(String),
    /// The session is gone (logged out, revoked): the stream stopped.
    Ended(String),
}

/// A running live stream; dropping it closes the connection.
pub struct Live {
    rx: mpsc::Receiver<LiveEvent>,
    task: JoinHandle<()>,
}

impl Live {
    /// Starts the stream; `cursors` are the last seqs already seen (from the
    /// conversation list or history), a conversation missing from them is
    /// taken from its start.
    pub fn start(session: Session, cursors: HashMap<String, u64>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(session, Cursors::new(cursors), tx));
        Self { rx, task }
    }

    /// The next event; `None` once the stream has stopped.
    pub async fn next(&mut self) -> Option<LiveEvent> {
        self.rx.recv().await
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The last seq delivered per conversation.
struct Cursors(HashMap<String, u64>);

/// What to do with a message.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Deliver,
    Repeat,
    /// Seqs before it are missing: fetch them with `sync`.
    Gap,
}

impl Cursors {
    fn new(c: HashMap<String, u64>) -> Self {
        Self(c)
    }

    /// Judges a message that came live (`synced` false) or in a `sync`
    /// page (which may skip seqs the reader hid, so no gap check), and
    /// moves the cursor when it is delivered.
    fn judge(&mut self, conversation_id: &str, seq: u64, synced: bool) -> Verdict {
        let verdict = match self.0.get(conversation_id) {
            Some(&last) if seq <= last => Verdict::Repeat,
            Some(&last) if !synced && seq > last + 1 => Verdict::Gap,
            _ => Verdict::Deliver,
        };
        if verdict == Verdict::Deliver {
            self.0.insert(conversation_id.to_owned(), seq);
        }
        verdict
    }

    fn sync_frame(&self) -> String {
        json!({"type": "sync", "id": "sync", "data": {"cursors": self.0, "limit": SYNC_LIMIT}})
            .to_string()
    }
}

#[derive(Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    data: Value,
}

#[derive(Deserialize)]
struct SyncPage {
    conversations: Vec<SyncConversation>,
}

#[derive(Deserialize)]
struct SyncConversation {
    messages: Vec<Message>,
    #[serde(default)]
    has_more: bool,
}

/// Why a connection ended.
enum Ending {
    /// The consumer went away.
    Stop,
    /// The access token was refused (HTTP 401, close 4001): refresh first.
    Unauthorized(String),
    Lost(String),
}

async fn run(session: Session, mut cursors: Cursors, tx: mpsc::Sender<LiveEvent>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let token = session.access_token();
        let ended = match connect(&session, &token).await {
            Ok(ws) => {
                backoff = FIRST_BACKOFF;
                if tx.send(LiveEvent::Connected).await.is_err() {
                    return;
                }
                serve(ws, &session, &mut cursors, &tx).await
            }
            Err(ChatError::WebSocket(tungstenite::Error::Http(resp)))
                if resp.status() == StatusCode::UNAUTHORIZED =>
            {
                Ending::Unauthorized("the server refused the access token".into())
            }
            Err(e) => Ending::Lost(e.to_string()),
        };
        let why = match ended {
            Ending::Stop => return,
            Ending::Lost(why) => why,
            Ending::Unauthorized(why) => match session.refresh(&token).await {
                Ok(()) => why,
                Err(e @ ChatError::Api { code: 1002, .. }) => {
                    let _ = tx
                        .send(LiveEvent::Ended(format!("session ended: {e}")))
                        .await;
                    return;
                }
                Err(e) => format!("{why}; refresh failed: {e}"),
            },
        };
        if tx.send(LiveEvent::Disconnected(why)).await.is_err() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(session: &Session, token: &str) -> Result<Ws> {
    let mut req = session.api().ws_url().into_client_request()?;
    // The token in a header rather than the query: URLs end up in logs.
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|e| ChatError::Protocol(format!("access token: {e}")))?;
    req.headers_mut().insert(AUTHORIZATION, bearer);
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME));
    let connect = tokio_tungstenite::connect_async_with_config(req, Some(config), false);
    match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(ChatError::Protocol("WebSocket connect timed out".into())),
    }
}

/// Serves one connection: the opening `sync`, then frames until it drops.
/// When to renew the access token of a connection: a third into what it
/// has left (expiries are in whole seconds, and a busy machine may be slow
/// to refresh), so the server never closes the socket for an expired token
/// (4001) while the session lives.
fn renewal(session: &Session) -> Option<Instant> {
    session
        .access_expires_in()
        .map(|left| Instant::now() + left / 3)
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

async fn serve(
    ws: Ws,
    session: &Session,
    cursors: &mut Cursors,
    tx: &mpsc::Sender<LiveEvent>,
) -> Ending {
    let (mut sink, mut stream) = ws.split();
    let mut renew = renewal(session);
    if let Err(e) = sink.send(Frame::text(cursors.sync_frame())).await {
        return Ending::Lost(format!("writing failed: {e}"));
    }
    // A `sync` is out; a gap seen meanwhile asks for one more after it.
    let mut syncing = true;
    let mut again = false;
    let mut caught_up = false;
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            () = until(renew) => {
                // A fresh token, handed to this connection with `auth`. If
                // the refresh fails, the close at expiry (4001) leads to a
                // refresh and a reconnect instead.
                let old = session.access_token();
                renew = None;
                if session.refresh(&old).await.is_ok() {
                    let token = session.access_token();
                    let auth = json!({"type": "auth", "id": "auth", "data": {"token": token}});
                    if let Err(e) = sink.send(Frame::text(auth.to_string())).await {
                        return Ending::Lost(format!("writing failed: {e}"));
                    }
                    renew = renewal(session);
                }
                continue;
            }
        };
        let Some(frame) = frame else {
            return Ending::Lost("connection ended".into());
        };
        let text = match frame {
            Ok(Frame::Text(t)) => t,
            Ok(Frame::Close(c)) => {
                let why = format!("server closed the connection: {c:?}");
                return match c {
                    Some(c) if c.code == CloseCode::Library(4001) => Ending::Unauthorized(why),
                    _ => Ending::Lost(why),
                };
            }
            Ok(_) => continue,
            Err(e) => return Ending::Lost(format!("connection failed: {e}")),
        };
        let Ok(f) = serde_json::from_str::<Incoming>(text.as_str()) else {
            continue;
        };
        let mut out = Vec::new();
        let mut ask = false;
        match f.kind.as_str() {
            "new-message" => {
                let Ok(m) = serde_json::from_value::<Message>(f.data) else {
                    continue;
                };
                match cursors.judge(&m.conversation_id, m.seq, false) {
                    Verdict::Deliver => out.push(LiveEvent::Message(Box::new(m))),
                    Verdict::Repeat => {}
                    Verdict::Gap if syncing => again = true,
                    Verdict::Gap => ask = true,
                }
            }
            "sync" => {
                let Ok(page) = serde_json::from_value::<SyncPage>(f.data) else {
                    continue;
                };
                let mut more = false;
                for c in page.conversations {
                    more |= c.has_more;
                    for m in c.messages {
                        if cursors.judge(&m.conversation_id, m.seq, true) == Verdict::Deliver {
                            out.push(LiveEvent::Message(Box::new(m)));
                        }
                    }
                }
                if more || std::mem::take(&mut again) {
                    ask = true;
                } else {
                    syncing = false;
                    if !std::mem::replace(&mut caught_up, true) {
                        out.push(LiveEvent::Synced);
                    }
                }
            }
            // A refused `sync` (rate limited): ask again after the pause
            // the server names, bounded.
            "error" if f.id.as_deref() == Some("sync") => {
                let ms = f
                    .data
                    .get("retry_after_ms")
                    .and_then(Value::as_u64)
                    .unwrap_or(1000);
                tokio::time::sleep(Duration::from_millis(ms).min(MAX_BACKOFF)).await;
                ask = true;
            }
            _ => {}
        }
        for ev in out {
            if tx.send(ev).await.is_err() {
                return Ending::Stop;
            }
        }
        if ask {
            syncing = true;
            if let Err(e) = sink.send(Frame::text(cursors.sync_frame())).await {
                return Ending::Lost(format!("writing failed: {e}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_dropped_and_gaps_are_not_shown_out_of_order() {
        let mut c = Cursors::new(HashMap::from([("a".to_owned(), 3)]));
        assert_eq!(c.judge("a", 3, false), Verdict::Repeat);
        assert_eq!(c.judge("a", 5, false), Verdict::Gap);
        assert_eq!(c.judge("a", 4, false), Verdict::Deliver);
        assert_eq!(c.judge("a", 5, false), Verdict::Deliver);
        assert_eq!(c.judge("a", 5, true), Verdict::Repeat);
        // A sync page may skip seqs (messages the reader hid).
        assert_eq!(c.judge("a", 9, true), Verdict::Deliver);
        // A conversation not known yet starts where its first message is.
        assert_eq!(c.judge("new", 7, false), Verdict::Deliver);
        assert_eq!(c.judge("new", 7, false), Verdict::Repeat);
    }
}
