//! Sends waiting for their answer from logic, HTTP and WebSocket alike.
//! The answer comes back on this gateway's downstream topic, matched by
//! the token the send carried on the bus.
//!
//! A token is answered once: the entry goes with the first answer, so an
//! answer logic sends again (it replays records after a crash, and a
//! replayed send is answered with its original ack) reaches no one twice.
//! A send that gets no answer within `gateway.send_timeout` is answered
//! here with 1009 (resend with the same `client_msg_id`), which also
//! frees its place in the connection's window.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use ferrochat_domain::routing::ConnId;
use ferrochat_domain::Ack;
use ferrochat_ports::ApiError;
use tokio::sync::{oneshot, OwnedSemaphorePermit};
use tokio::time::Instant;

/// Who waits for an answer.
pub(crate) enum Waiter {
    /// An HTTP request, in its handler.
    Http(oneshot::Sender<Result<Ack, ApiError>>),
    /// A WebSocket frame: the answer goes to `conn`, echoing `request_id`;
    /// `slot` is its place in the connection's send window, freed with
    /// the entry.
    Ws {
        conn: ConnId,
        request_id: Option<String>,
        slot: OwnedSemaphorePermit,
    },
}

struct Entry {
    waiter: Waiter,
    deadline: Instant,
}

/// Entries live until answered or overdue, so the map is bounded by the
/// sends in flight: the WebSocket windows and concurrent HTTP sends.
pub(crate) struct Pending {
    next: AtomicU64,
    timeout: Duration,
    /// By token, which grows with time: the overdue are at the front.
    waiters: Mutex<BTreeMap<u64, Entry>>,
}

impl Pending {
    pub(crate) fn new(timeout: Duration) -> Self {
        Self {
            // Tokens of a restarted gateway never repeat its last run's,
            // so an answer for the old run finds no one here.
            next: AtomicU64::new(crate::ws::first_id()),
            timeout,
            waiters: Mutex::new(BTreeMap::new()),
        }
    }

    pub(crate) fn register(&self, waiter: Waiter) -> u64 {
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            waiter,
            deadline: Instant::now() + self.timeout,
        };
        if let Ok(mut w) = self.waiters.lock() {
            w.insert(token, entry);
        }
        token
    }

    /// The waiter of `token`, if it still waits; it is answered by the
    /// caller.
    pub(crate) fn take(&self, token: u64) -> Option<Waiter> {
        self.waiters
            .lock()
            .ok()
            .and_then(|mut w| w.remove(&token))
            .map(|e| e.waiter)
    }

    /// Every waiter whose deadline has passed, taken out.
    pub(crate) fn overdue(&self) -> Vec<Waiter> {
        let now = Instant::now();
        let Ok(mut w) = self.waiters.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while let Some(entry) = w.first_entry() {
            if entry.get().deadline > now {
                break;
            }
            out.push(entry.remove().waiter);
        }
        out
    }

    /// Every waiter, taken out.
    pub(crate) fn take_all(&self) -> Vec<Waiter> {
        self.waiters
            .lock()
            .map(|mut w| {
                std::mem::take(&mut *w)
                    .into_values()
                    .map(|e| e.waiter)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn len(&self) -> usize {
        self.waiters.lock().map(|w| w.len()).unwrap_or(0)
    }
}
