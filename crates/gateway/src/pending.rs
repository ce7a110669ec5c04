//! HTTP sends waiting for their answer from logic. The answer comes back
//! on this gateway's downstream topic, matched by token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ferrochat_domain::Ack;
use ferrochat_ports::ApiError;
use tokio::sync::oneshot;

type Waiter = oneshot::Sender<Result<Ack, ApiError>>;

/// Entries live only while their request waits (it removes its own on
/// timeout), so the map is bounded by concurrent HTTP sends.
#[derive(Default)]
pub(crate) struct Pending {
    next: AtomicU64,
    waiters: Mutex<HashMap<u64, Waiter>>,
}

impl Pending {
    pub(crate) fn register(&self) -> (u64, oneshot::Receiver<Result<Ack, ApiError>>) {
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiters.lock() {
            w.insert(token, tx);
        }
        (token, rx)
    }

    pub(crate) fn complete(&self, token: u64, result: Result<Ack, ApiError>) {
        let waiter = self.waiters.lock().ok().and_then(|mut w| w.remove(&token));
        if let Some(tx) = waiter {
            let _ = tx.send(result);
        }
    }

    pub(crate) fn forget(&self, token: u64) {
        if let Ok(mut w) = self.waiters.lock() {
            w.remove(&token);
        }
    }
}
