//! An ordered outbox over the bus, for a stage whose input may be
//! committed only once its output is durable (logic's fan-out, the task
//! role).
//!
//! Each `push` is one unit of work: the records it publishes, in order,
//! and a mark the caller gets back from `next_ack` once every one of them
//! is durable, marks in push order. So a consumer that commits its input
//! through the last mark it got back never commits work whose output could
//! still be lost: a crash replays it instead.
//!
//! A record the bus fails to store is not skipped: `next_ack` says
//! `Failed`, and `recover` waits for the bus to be healthy again and
//! publishes every unit not yet acknowledged once more, in order. The
//! bus's promise (a failed record makes every later one on its topic and
//! key fail too) means that never reorders a topic; what was stored before
//! the failure is stored again, and readers drop it by seq (messages) or
//! by token (answers).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::GatewayId;
use futures::stream::{FuturesOrdered, StreamExt as _};
use tokio_util::sync::CancellationToken;

use super::{Bus, BusError, DownstreamRecord, Published, TaskRecord};

/// How long `recover` waits before publishing again, doubled after each
/// recovery in a row that failed, up to `MAX_RECOVER_PAUSE`.
const RECOVER_PAUSE: Duration = Duration::from_millis(200);
const MAX_RECOVER_PAUSE: Duration = Duration::from_secs(5);

/// One record of a unit.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Downstream(GatewayId, Vec<DownstreamRecord>),
    Task(TaskRecord),
}

/// What `next_ack` found.
#[derive(Debug)]
pub enum Acked<M> {
    /// Every record of the oldest unit is durable; here is its mark.
    Done(M),
    /// A record failed: call `recover` before anything else.
    Failed(BusError),
}

struct Unit<M> {
    id: u64,
    records: Vec<Outgoing>,
    mark: M,
}

pub struct Outbox<M> {
    bus: Arc<dyn Bus>,
    /// Units not yet acknowledged, oldest first.
    unacked: VecDeque<Unit<M>>,
    /// The acknowledgement of each unit in `unacked`, in the same order.
    acking: FuturesOrdered<futures::future::BoxFuture<'static, (u64, Result<(), BusError>)>>,
    next_id: u64,
    /// The next recovery's pause; back to `RECOVER_PAUSE` once a unit is
    /// acknowledged.
    pause: Duration,
}

impl<M> Outbox<M> {
    pub fn new(bus: Arc<dyn Bus>) -> Self {
        Self {
            bus,
            unacked: VecDeque::new(),
            acking: FuturesOrdered::new(),
            next_id: 0,
            pause: RECOVER_PAUSE,
        }
    }

    /// Units published and not yet acknowledged.
    pub fn len(&self) -> usize {
        self.unacked.len()
    }

    pub fn is_empty(&self) -> bool {
        self.unacked.is_empty()
    }

    /// Publishes a unit's records in order (waiting only for the bus to
    /// take them). A record the bus refuses now is treated like one it
    /// failed to store: `next_ack` will say `Failed`.
    pub async fn push(&mut self, records: Vec<Outgoing>, mark: M) {
        let id = self.next_id;
        self.next_id += 1;
        let published = publish(&*self.bus, &records).await;
        self.acking
            .push_back(Box::pin(async move { (id, published.await) }));
        self.unacked.push_back(Unit { id, records, mark });
    }

    /// The next acknowledgement, in push order. Cancel-safe; pending
    /// forever while nothing is unacknowledged.
    pub async fn next_ack(&mut self) -> Acked<M> {
        loop {
            let Some((id, result)) = self.acking.next().await else {
                return std::future::pending().await;
            };
            match result {
                Ok(()) => {
                    // Acks come back in push order, so this is the front.
                    match self.unacked.front() {
                        Some(front) if front.id == id => {}
                        _ => continue,
                    }
                    if let Some(unit) = self.unacked.pop_front() {
                        self.pause = RECOVER_PAUSE;
                        return Acked::Done(unit.mark);
                    }
                }
                Err(e) => return Acked::Failed(e),
            }
        }
    }

    /// After a failure: lets every acknowledgement still out come back,
    /// pauses (longer after each failed recovery in a row), and publishes
    /// every unit not yet acknowledged again, in order; their
    /// acknowledgements come through `next_ack` as before. Returns false,
    /// doing nothing more, if `stop` fires during the pause: the caller
    /// stops, and what it did not get acknowledged is replayed from its
    /// input after a restart.
    pub async fn recover(&mut self, stop: &CancellationToken) -> bool {
        while self.acking.next().await.is_some() {}
        metrics::counter!("ferrochat_bus_outbox_recoveries_total").increment(1);
        tokio::select! {
            _ = stop.cancelled() => return false,
            _ = tokio::time::sleep(self.pause) => {}
        }
        self.pause = (self.pause * 2).min(MAX_RECOVER_PAUSE);
        tracing::warn!(
            units = self.unacked.len(),
            "publishing again what the bus did not store"
        );
        for unit in &self.unacked {
            let id = unit.id;
            let published = publish(&*self.bus, &unit.records).await;
            self.acking
                .push_back(Box::pin(async move { (id, published.await) }));
        }
        true
    }
}

/// Publishes `records` in order; resolves once all are durable, with the
/// first failure if any. A gateway nobody consumes any more is skipped:
/// its clients resync by seq when they reconnect.
async fn publish(bus: &dyn Bus, records: &[Outgoing]) -> Published {
    let mut all = Vec::with_capacity(records.len());
    for record in records {
        let taken = match record {
            Outgoing::Downstream(gateway, items) => {
                bus.publish_downstream(gateway, items.clone()).await
            }
            Outgoing::Task(task) => bus.publish_task(task.clone()).await,
        };
        match taken {
            Ok(p) => all.push(p),
            Err(BusError::Unroutable(_)) => {}
            Err(e) => {
                all.push(Published::new(std::future::ready(Err(e))));
                // Later records would only fail the same way; the unit is
                // published again whole by `recover`.
                break;
            }
        }
    }
    Published::all(all)
}
