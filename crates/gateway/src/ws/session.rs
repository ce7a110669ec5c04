//! One WebSocket connection: the reader runs in the session task, the
//! writer in a task of its own fed by the bounded outbox. Either side can
//! end the connection; the close code is decided once, by `Closer`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use bytes::Bytes;
use ferrochat_domain::routing::Route;
use ferrochat_domain::{Principal, Timestamp};
use futures::stream::{FuturesUnordered, SplitSink, SplitStream};
use futures::{SinkExt as _, StreamExt as _};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::{interval_at, sleep, sleep_until, Instant};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::close;
use super::handle::{self, Handled};
use super::per_user::Place;
use super::registry::{Closer, Conn, OutboxBytes};
use crate::send;
use crate::state::AppState;

/// How long a closing connection may take to flush its close frame (a
/// client that stopped reading gets this long to read its 4008).
const CLOSE_GRACE: Duration = Duration::from_secs(10);
/// Frames written per flush when the outbox has a backlog.
const WRITE_BATCH: usize = 64;

/// A connection's place on this gateway and in the route table, made
/// before its upgrade is answered: a client that has its 101 is already
/// routed, so a message committed after it connected, or after the sync
/// it sends once connected, reaches it (were the route recorded only once
/// the socket was up, a message committed in between would be pushed to
/// nobody and not found by that sync either).
pub(crate) struct Registered {
    conn: Conn,
    conn_id: ferrochat_domain::routing::ConnId,
    route: Route,
    rx: mpsc::Receiver<axum::extract::ws::Utf8Bytes>,
    outbox_bytes: Arc<OutboxBytes>,
    closer: Arc<Closer>,
    span: tracing::Span,
}

pub(crate) async fn register(state: &AppState, who: &Principal) -> Registered {
    let (outbox, rx) = mpsc::channel(state.config.ws.outbox_frames.max(1));
    let outbox_bytes = Arc::new(OutboxBytes::new(state.config.ws.outbox_bytes));
    let closer = Arc::new(Closer::default());
    let conn = Conn {
        user: who.user_id.clone(),
        session: who.session_id.clone(),
        outbox,
        outbox_bytes: outbox_bytes.clone(),
        closer: closer.clone(),
        window: Arc::new(Semaphore::new(state.config.ws.send_window.max(1))),
    };
    let conn_id = state.registry.insert(conn.clone());
    let route = Route {
        gateway: state.deps.id.clone(),
        conn: conn_id,
    };
    let span = tracing::debug_span!("ws", conn.id = conn_id.0, user.id = %who.user_id);
    match state.deps.presence.connect(&who.user_id, &route).await {
        Ok(true) => state.deps.social.came_online(&who.user_id).await,
        Ok(false) => {}
        Err(e) => tracing::warn!(parent: &span, error = %e, "cannot record the route"),
    }
    Registered {
        conn,
        conn_id,
        route,
        rx,
        outbox_bytes,
        closer,
        span,
    }
}

impl Registered {
    /// The upgrade failed after all: the connection is forgotten.
    pub(crate) async fn abandon(self, state: &AppState, who: &Principal) {
        state.registry.remove(self.conn_id);
        forget_route(state, who, &self.route, &self.span).await;
    }
}

async fn forget_route(state: &AppState, who: &Principal, route: &Route, span: &tracing::Span) {
    match state.deps.presence.disconnect(&who.user_id, route).await {
        Ok(true) => state.deps.social.went_offline(&who.user_id).await,
        Ok(false) => {}
        Err(e) => tracing::warn!(parent: span, error = %e, "cannot forget the route"),
    }
}

pub(crate) async fn run(
    socket: WebSocket,
    state: AppState,
    who: Principal,
    // When the access token it opened with expires: closed 4001 then,
    // unless an `auth` frame brings a later one.
    expires_at: Timestamp,
    // Held for the session's life: its place in the gateway's and in its
    // user's connection caps.
    _places: (OwnedSemaphorePermit, Place),
    registered: Registered,
) {
    let Registered {
        conn,
        conn_id,
        route,
        rx,
        outbox_bytes,
        closer,
        span,
    } = registered;
    let (sink, stream) = socket.split();
    let dead = CancellationToken::new();
    let mut writer = tokio::spawn(
        write_loop(
            sink,
            Outbox {
                rx,
                bytes: outbox_bytes,
            },
            closer.clone(),
            dead.clone(),
            state.config.ws.ping_interval,
        )
        .instrument(span.clone()),
    );
    read_loop(stream, &state, &who, expires_at, &conn, conn_id)
        .instrument(span.clone())
        .await;

    state.registry.remove(conn_id);
    drop(conn);
    closer.request(close::NORMAL);
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        dead.cancel();
        let _ = writer.await;
    }
    forget_route(&state, &who, &route, &span).await;
    tracing::debug!(parent: &span, code = closer.code(), "closed");
}

async fn read_loop(
    mut stream: SplitStream<WebSocket>,
    state: &AppState,
    who: &Principal,
    expires_at: Timestamp,
    conn: &Conn,
    conn_id: ferrochat_domain::routing::ConnId,
) {
    let idle = state.config.ws.idle_timeout;
    let deadline = sleep(idle);
    tokio::pin!(deadline);
    let expiry = sleep_until(instant_of(expires_at));
    tokio::pin!(expiry);
    // This connection's sends the bus took but has not stored yet: their
    // answers come through the dispatcher; a record the bus fails to store
    // is answered here. Bounded by the send window.
    let mut publishing = FuturesUnordered::new();
    loop {
        let next = tokio::select! {
            biased;
            _ = conn.closer.requested() => break,
            _ = state.shutdown.cancelled() => {
                conn.closer.request(close::GOING_AWAY);
                break;
            }
            Some((token, stored)) = publishing.next(), if !publishing.is_empty() => {
                if let Err(e) = stored {
                    send::failed(state, token, &e);
                }
                continue;
            }
            _ = &mut deadline => {
                tracing::debug!("idle timeout");
                conn.closer.request(close::GOING_AWAY);
                break;
            }
            _ = &mut expiry => {
                tracing::debug!("access token expired");
                conn.closer.request(close::UNAUTHORIZED);
                break;
            }
            m = stream.next() => m,
        };
        deadline.as_mut().reset(Instant::now() + idle);
        match next {
            None | Some(Ok(Message::Close(_))) => break,
            Some(Err(e)) => {
                // axum does not expose tungstenite's error type, only its
                // message: an over-limit frame is a capacity error ("...
                // too long ..."), invalid UTF-8 in a text frame "UTF-8
                // encoding error", and an unmasked frame, a reserved
                // opcode or reserved bits "WebSocket protocol error".
                let text = e.to_string();
                if text.contains("too long") {
                    conn.closer.request(close::TOO_BIG);
                } else if text.contains("UTF-8") {
                    conn.closer.request(close::INVALID_DATA);
                } else if text.contains("protocol error") {
                    conn.closer.request(close::PROTOCOL_ERROR);
                } else {
                    tracing::debug!(error = %e, "read failed");
                }
                break;
            }
            Some(Ok(Message::Text(text))) => {
                // Boxed: inline, the handler's state (the largest of any
                // frame's) would be part of every idle session's task.
                let handled =
                    Box::pin(handle::frame(state, who, conn, conn_id, text.as_str())).await;
                match handled {
                    Handled::Done => {}
                    Handled::Submitted(s) => {
                        publishing.push(async move { (s.token, s.published.await) });
                    }
                    Handled::Renewed(until) => expiry.as_mut().reset(instant_of(until)),
                }
            }
            Some(Ok(Message::Binary(_))) => handle::binary(conn),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
        }
    }
    // Sends still in `publishing` are left to the bus: the connection
    // that would hear of them is closing, and their waiters go with the
    // answer or the timeout.
}

/// How long until a wall-clock time: zero if it has passed, at most about
/// thirty years ("never" for a connection).
pub(super) fn time_left(at: Timestamp) -> Duration {
    let now_ms = ferrochat_ports::clock::now().millis();
    let left = u64::try_from(at.millis().saturating_sub(now_ms)).unwrap_or(0);
    Duration::from_millis(left.min(1 << 40))
}

/// The monotonic instant of a wall-clock time.
fn instant_of(at: Timestamp) -> Instant {
    Instant::now() + time_left(at)
}

/// The receiving end of a connection's outbox, releasing each frame's
/// bytes once the socket took it.
struct Outbox {
    rx: mpsc::Receiver<axum::extract::ws::Utf8Bytes>,
    bytes: Arc<OutboxBytes>,
}

async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut outbox: Outbox,
    closer: Arc<Closer>,
    dead: CancellationToken,
    ping_every: Duration,
) {
    let mut ping = interval_at(Instant::now() + ping_every, ping_every);
    loop {
        let first = tokio::select! {
            biased;
            _ = dead.cancelled() => return,
            _ = closer.requested() => {
                // What was queued goes first, then the close frame
                // (docs/protocol.md, "Limits and closing"); the session
                // bounds both by its grace period through `dead`.
                let frame = CloseFrame { code: closer.code(), reason: "".into() };
                let flushed = async {
                    while let Ok(text) = outbox.rx.try_recv() {
                        let len = text.len();
                        sink.feed(Message::Text(text)).await?;
                        outbox.bytes.release(len);
                    }
                    sink.send(Message::Close(Some(frame))).await
                };
                tokio::select! {
                    _ = dead.cancelled() => {}
                    _ = flushed => {}
                }
                return;
            }
            f = outbox.rx.recv() => match f {
                Some(text) => Message::Text(text),
                None => {
                    closer.request(close::NORMAL);
                    continue;
                }
            },
            _ = ping.tick() => Message::Ping(Bytes::new()),
        };
        // Write the backlog in one flush rather than a syscall per frame.
        let mut taken = first_len(&first);
        let written = async {
            sink.feed(first).await?;
            for _ in 1..WRITE_BATCH {
                match outbox.rx.try_recv() {
                    Ok(text) => {
                        taken += text.len();
                        sink.feed(Message::Text(text)).await?;
                    }
                    Err(_) => break,
                }
            }
            sink.flush().await
        };
        tokio::select! {
            _ = dead.cancelled() => return,
            r = written => if r.is_err() { return },
        }
        outbox.bytes.release(taken);
    }
}

/// The outbox bytes a frame counted for (pings are not queued).
fn first_len(m: &Message) -> usize {
    match m {
        Message::Text(t) => t.len(),
        _ => 0,
    }
}
