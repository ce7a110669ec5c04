//! Pushes in flight, and how far the task topic may be committed: through
//! the last record whose pushes (and those of every record before it)
//! are finished.
//!
//! At most `concurrency` pushes call the webhook at once; at most
//! `queue` are waiting or calling. Past that a new push is dropped and
//! counted rather than waited for: the record loop never blocks on the
//! webhook, so a slow or broken one cannot hold up fan-out to online
//! members (nor, in one process, logic's sends behind a full task topic).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ferrochat_domain::push::{Device, Platform};
use ferrochat_domain::{Message, UserId};
use ferrochat_ports::store::MAX_PUSH_DEVICES;
use ferrochat_ports::{clock, Store};
use tokio::sync::Semaphore;
use tokio::task::{Id, JoinSet};

use crate::push::{self, Phones, Pusher};

/// Where a push goes: the webhook, the phones, or both.
pub(crate) struct Pushers {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) webhook: Option<Pusher>,
    pub(crate) phones: Option<Phones>,
}

impl Pushers {
    /// The recipients' devices, read once: the webhook's go in its body,
    /// the others to their providers. Both at once: a slow webhook does
    /// not hold up the phones. A store that cannot be read leaves the
    /// phones untold (logged and counted: the message is in history for
    /// the app's next sync) and the webhook called without devices.
    async fn push(&self, message: &Message, recipients: &[UserId]) {
        let devices = match self.store.push_devices(recipients, clock::now()).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, msg.id = %message.id, "push: devices not read");
                push::meter::store_error();
                Vec::new()
            }
        };
        if devices.len() >= MAX_PUSH_DEVICES as usize {
            tracing::warn!(msg.id = %message.id, "push: device list cut at its bound");
        }
        let (hooked, phones): (Vec<Device>, Vec<Device>) = devices
            .into_iter()
            .partition(|d| d.platform == Platform::Webhook);
        let webhook = async {
            if let Some(w) = &self.webhook {
                w.push_with(message, recipients, &hooked).await;
            }
        };
        let phones = async {
            if let Some(p) = &self.phones {
                p.push(message, &phones).await;
            }
        };
        tokio::join!(webhook, phones);
    }
}

pub(crate) struct InFlight {
    pusher: Arc<Pushers>,
    /// One per webhook call in progress.
    calls: Arc<Semaphore>,
    /// Most pushes waiting or calling.
    queue: usize,
    running: JoinSet<()>,
    /// The record position each running push belongs to.
    owners: HashMap<Id, u64>,
    /// Unfinished pushes per record position.
    open: BTreeMap<u64, usize>,
    /// Dropping since the last push that fit: warn once per episode, not
    /// once per push.
    full: bool,
}

impl InFlight {
    pub(crate) fn new(pusher: Arc<Pushers>, concurrency: usize, queue: usize) -> Self {
        Self {
            pusher,
            calls: Arc::new(Semaphore::new(concurrency.max(1))),
            queue: queue.max(1),
            running: JoinSet::new(),
            owners: HashMap::new(),
            open: BTreeMap::new(),
            full: false,
        }
    }

    /// Queues a push for the record at `position`; drops it (counted) when
    /// `queue` pushes are already waiting or calling.
    pub(crate) fn start(&mut self, position: u64, message: Arc<Message>, recipients: Vec<UserId>) {
        if self.running.len() >= self.queue {
            if !self.full {
                tracing::warn!(queue = self.queue, "push queue full; dropping pushes");
                self.full = true;
            }
            push::dropped(&message, recipients.len());
            return;
        }
        if self.full {
            tracing::info!("push queue has room again");
            self.full = false;
        }
        let pusher = self.pusher.clone();
        let calls = self.calls.clone();
        let handle = self.running.spawn(async move {
            // Never closed, so this waits for a turn and never fails.
            let _turn = calls.acquire_owned().await;
            pusher.push(&message, &recipients).await;
        });
        self.owners.insert(handle.id(), position);
        *self.open.entry(position).or_default() += 1;
    }

    /// Waits for one push to finish; never returns while none runs (for
    /// `select!`, guarded by `is_idle`).
    pub(crate) async fn reap(&mut self) {
        let Some(done) = self.running.join_next_with_id().await else {
            return std::future::pending().await;
        };
        let id = match done {
            Ok((id, ())) => id,
            Err(e) => {
                tracing::error!(error = %e, "a push task failed");
                e.id()
            }
        };
        let Some(position) = self.owners.remove(&id) else {
            return;
        };
        if let Some(left) = self.open.get_mut(&position) {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.open.remove(&position);
            }
        }
    }

    pub(crate) fn is_idle(&self) -> bool {
        self.running.is_empty()
    }

    /// The last position that may be committed, given that `read`
    /// records have been read and handed out.
    pub(crate) fn committable(&self, read: u64) -> u64 {
        match self.open.keys().next() {
            Some(first_open) => first_open.saturating_sub(1),
            None => read,
        }
    }

    /// Stops every running push (shutdown); their records stay
    /// uncommitted and come again on a persistent bus.
    pub(crate) async fn abandon(&mut self) -> usize {
        let n = self.running.len();
        self.running.shutdown().await;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::PushConfig;

    async fn inflight(dir: &std::path::Path) -> InFlight {
        let config = PushConfig {
            webhook_url: Some("http://127.0.0.1:9/push".into()),
            ..PushConfig::default()
        };
        let pusher = Pusher::build(&config).expect("builds").expect("on");
        let store = ferrochat_store_sql::SqliteStore::open(
            &dir.join("t.db"),
            &ferrochat_store_sql::SqliteOptions::default(),
        )
        .await
        .expect("opens");
        let pushers = Pushers {
            store: Arc::new(store),
            webhook: Some(pusher),
            phones: None,
        };
        InFlight::new(Arc::new(pushers), 1, 8)
    }

    #[tokio::test]
    async fn commits_stop_before_the_first_record_with_an_open_push() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut i = inflight(dir.path()).await;
        assert_eq!(i.committable(7), 7, "nothing open: all read");
        i.open.insert(3, 1);
        i.open.insert(5, 2);
        assert_eq!(i.committable(7), 2);
        i.open.remove(&3);
        assert_eq!(i.committable(7), 4);
        i.open.remove(&5);
        assert_eq!(i.committable(7), 7);
    }
}
