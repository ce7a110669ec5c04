//! This gateway's open connections: an index from connection id to its
//! outbox and close signal. The session owns its socket; the registry only
//! indexes, so a stale entry can never close a newer connection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::ws::Utf8Bytes;
use ferrochat_domain::routing::ConnId;
use ferrochat_domain::{SessionId, UserId};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use super::close;

/// Asks a session to close with a code; the first code asked wins.
#[derive(Default)]
pub(crate) struct Closer {
    code: AtomicU16,
    token: CancellationToken,
}

impl Closer {
    pub(crate) fn request(&self, code: u16) {
        let _ = self
            .code
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire);
        self.token.cancel();
    }

    pub(crate) fn code(&self) -> u16 {
        match self.code.load(Ordering::Acquire) {
            0 => close::NORMAL,
            c => c,
        }
    }

    pub(crate) fn is_requested(&self) -> bool {
        self.token.is_cancelled()
    }

    pub(crate) async fn requested(&self) {
        self.token.cancelled().await;
    }
}

/// The bytes a connection's outbox holds, frames queued and frames its
/// writer took but the socket has not yet accepted, against their bound
/// (`gateway.ws.outbox_bytes`).
pub(crate) struct OutboxBytes {
    queued: AtomicUsize,
    max: usize,
}

impl OutboxBytes {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            queued: AtomicUsize::new(0),
            max,
        }
    }

    /// Counts `len` more bytes if they fit; a frame finding the outbox
    /// empty always fits, so one large reply never closes a reader that
    /// keeps up.
    fn reserve(&self, len: usize) -> bool {
        let before = self.queued.fetch_add(len, Ordering::AcqRel);
        if before == 0 || before.saturating_add(len) <= self.max {
            return true;
        }
        self.release(len);
        false
    }

    /// The writer handed `len` bytes to the socket (or they were dropped).
    pub(crate) fn release(&self, len: usize) {
        self.queued.fetch_sub(len, Ordering::AcqRel);
    }
}

#[derive(Clone)]
pub(crate) struct Conn {
    pub(crate) user: UserId,
    pub(crate) session: SessionId,
    pub(crate) outbox: mpsc::Sender<Utf8Bytes>,
    pub(crate) outbox_bytes: Arc<OutboxBytes>,
    pub(crate) closer: Arc<Closer>,
    /// Places for sends awaiting their answer (`gateway.ws.send_window`).
    pub(crate) window: Arc<Semaphore>,
}

impl Conn {
    /// Queues a frame; a queue full in frames or in bytes closes the
    /// connection with 4008 (the client resyncs by seq), so no queue ever
    /// grows past its bounds. Nothing is queued once the connection is
    /// closing: what is queued then is flushed before the close frame, and
    /// the client resyncs anyway.
    pub(crate) fn send(&self, frame: Utf8Bytes) {
        if self.closer.is_requested() {
            return;
        }
        let len = frame.len();
        if !self.outbox_bytes.reserve(len) {
            self.too_slow();
            return;
        }
        match self.outbox.try_send(frame) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.outbox_bytes.release(len);
                self.too_slow();
            }
            Err(mpsc::error::TrySendError::Closed(_)) => self.outbox_bytes.release(len),
        }
    }

    fn too_slow(&self) {
        if !self.closer.is_requested() {
            metrics::counter!("ferrochat_gateway_slow_closes_total").increment(1);
        }
        self.closer.request(close::TOO_SLOW);
    }
}

pub(crate) struct Registry {
    next: AtomicU64,
    conns: RwLock<HashMap<ConnId, Conn>>,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self {
            // Ids of a restarted gateway never repeat its previous run's,
            // so a record still addressed to an old connection finds none.
            next: AtomicU64::new(first_id()),
            conns: RwLock::new(HashMap::new()),
        }
    }

    pub(crate) fn insert(&self, conn: Conn) -> ConnId {
        let id = ConnId(self.next.fetch_add(1, Ordering::Relaxed));
        if let Ok(mut m) = self.conns.write() {
            m.insert(id, conn);
            metrics::gauge!("ferrochat_gateway_connections").set(m.len() as f64);
        }
        id
    }

    pub(crate) fn remove(&self, id: ConnId) {
        if let Ok(mut m) = self.conns.write() {
            m.remove(&id);
            metrics::gauge!("ferrochat_gateway_connections").set(m.len() as f64);
        }
    }

    /// Queues a frame on one connection, if it is still open. Under the
    /// read lock rather than cloning the entry out: this runs once per
    /// send (its answer), and a clone copies the session id.
    pub(crate) fn send_to(&self, id: ConnId, frame: Utf8Bytes) {
        if let Ok(m) = self.conns.read() {
            if let Some(c) = m.get(&id) {
                c.send(frame);
            }
        }
    }

    /// Queues one frame on many connections, under one read lock.
    pub(crate) fn send_many(&self, ids: &[ConnId], frame: &Utf8Bytes) {
        if let Ok(m) = self.conns.read() {
            for id in ids {
                if let Some(c) = m.get(id) {
                    c.send(frame.clone());
                }
            }
        }
    }

    /// Every connection with its user, for rebuilding the route table.
    pub(crate) fn snapshot(&self) -> Vec<(UserId, ConnId)> {
        self.conns
            .read()
            .map(|m| m.iter().map(|(id, c)| (c.user.clone(), *id)).collect())
            .unwrap_or_default()
    }

    pub(crate) fn close_all(&self, code: u16) {
        if let Ok(m) = self.conns.read() {
            for c in m.values() {
                c.closer.request(code);
            }
        }
    }

    pub(crate) fn close_session(&self, session: &SessionId, code: u16) {
        if let Ok(m) = self.conns.read() {
            for c in m.values().filter(|c| &c.session == session) {
                c.closer.request(code);
            }
        }
    }
}

/// Microseconds since the epoch: ahead of any id a previous run of this
/// gateway handed out, unless it opened over a million connections (or
/// sends) a second.
pub(crate) fn first_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX / 2))
        .unwrap_or(1)
}
