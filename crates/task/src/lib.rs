//! The task role: fan-out of committed messages to the world room and to
//! groups over the fan-out threshold, and offline push ([`push`]).
//!
//! Fan-out takes the records that have arrived as one batch (at most
//! `BATCH_RECORDS`), reads a group's members from an in-memory index
//! (`members.rs`, filled from the store in pages of `TaskConfig::batch`
//! and read again after each membership change) and their routes in
//! chunks of the same size, once per conversation per batch, and sends
//! one record per gateway for the batch, with a `Deliver` item per message
//! naming every local recipient, all sharing one event. With push on, the group's members
//! without a route are pushed from here, 100 to a push; logic hands over
//! the offline members of the conversations it delivers itself as
//! `TaskRecord::Push`.
//!
//! Records are handled in bus order, so a conversation's messages reach
//! each gateway in seq order. A batch's deliveries go out through an
//! `Outbox`, which says when the bus has stored them (and publishes them
//! again, in order, if it failed to); pushes run alongside in a bounded
//! queue that never blocks the loop (`inflight.rs`). A record is committed
//! once its deliveries are stored and its pushes are done, given up or
//! dropped, so at least once: after a crash it comes again (at most one
//! `bus.kafka.commit_interval` of records), clients drop what they
//! already have by seq, and the webhook by message id.

mod behind;
mod fanout;
mod inflight;
mod members;
pub mod push;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrochat_domain::routing::Route;
use ferrochat_domain::Message;
use ferrochat_ports::bus::{Acked, Consumer, Outbox, TaskRecord};
use ferrochat_ports::{Bus, FanoutLag, Presence, Store};
use tokio_util::sync::CancellationToken;

use crate::behind::Behind;
use crate::fanout::{Audiences, Deliveries};
use crate::inflight::{InFlight, Pushers};
use crate::members::MemberIndex;
use crate::push::{Phones, PushConfig, Pusher};

#[derive(Clone)]
pub struct TaskDeps {
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
    /// Where this role says how far behind its fan-out is (logic reads
    /// it to slow senders).
    pub lag: Arc<dyn FanoutLag>,
}

#[derive(Debug, Clone)]
pub struct TaskConfig {
    /// Members read from the store, and routes read, per call.
    pub batch: u32,
    /// Member ids the in-memory index of large groups holds at most.
    pub member_index_cap: usize,
    /// The offline-push webhook; off unless `push.webhook_url` is set.
    pub push: PushConfig,
    /// The name this role's lag is reported under (one per instance).
    pub reporter: String,
    /// How often the lag is reported.
    pub lag_report_interval: Duration,
}

impl Default for TaskConfig {
    fn default() -> Self {
        Self {
            batch: 1000,
            member_index_cap: 2_000_000,
            push: PushConfig::default(),
            reporter: "task".to_owned(),
            lag_report_interval: Duration::from_millis(100),
        }
    }
}

/// Why the task role could not start.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Push(#[from] push::PushSetupError),
    #[error("consuming the task topic: {0}")]
    Bus(#[from] ferrochat_ports::bus::BusError),
}

/// Batches whose deliveries the bus may hold unstored at once.
const WINDOW: usize = 64;

/// Records taken as one batch at most: enough that a queue of a large
/// group's messages costs one read of its routes per this many, few
/// enough that a batch is out in a few milliseconds.
const BATCH_RECORDS: usize = 64;

/// Records taken together, in position order.
#[derive(Default)]
struct Batch {
    /// The fan-outs: (position, message, the sender's connection).
    fanouts: Vec<(u64, Arc<Message>, Option<Route>)>,
    /// How many records were taken, pushes included.
    taken: usize,
    /// The position of the last one.
    last: u64,
}

/// Consumes the `task` topic until `cancel`. Pushes still running then
/// are stopped; their records stay uncommitted.
pub async fn run(
    deps: TaskDeps,
    config: TaskConfig,
    cancel: CancellationToken,
) -> Result<(), TaskError> {
    let pushers = Pushers {
        store: deps.store.clone(),
        webhook: Pusher::build(&config.push)?,
        phones: Phones::build(&config.push, deps.store.clone())?,
    };
    let mut consumer: Box<dyn Consumer<TaskRecord>> = deps.bus.consume_task().await?;
    let mut inflight = (pushers.webhook.is_some() || pushers.phones.is_some()).then(|| {
        InFlight::new(
            Arc::new(pushers),
            config.push.concurrency,
            config.push.queue,
        )
    });
    let mut outbox: Outbox<u64> = Outbox::new(deps.bus.clone());
    let mut index = MemberIndex::new(config.member_index_cap);
    let mut progress = Progress::default();
    let behind = Behind::default();
    let reporting = cancel.child_token();
    let reporter = tokio::spawn(behind::report(
        behind.clone(),
        deps.lag.clone(),
        config.reporter.clone(),
        config.lag_report_interval,
        reporting.clone(),
    ));
    let mut reading = true;
    let mut recount = tokio::time::interval(config.lag_report_interval);
    recount.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while reading || !outbox.is_empty() {
        tokio::select! {
            biased;
            _ = recount.tick(), if reading => behind.waiting(consumer.waiting()),
            ack = outbox.next_ack(), if !outbox.is_empty() => {
                match ack {
                    Acked::Done(position) => {
                        progress.durable = position;
                        behind.stored_through(position);
                    }
                    Acked::Failed(e) => {
                        tracing::warn!(error = %e, "the bus did not store a fan-out; publishing again");
                        if !outbox.recover(&cancel).await {
                            break;
                        }
                    }
                }
                progress.commit(&mut *consumer, inflight.as_ref()).await;
            }
            _ = cancel.cancelled(), if reading => reading = false,
            _ = reap(inflight.as_mut()) => {
                progress.commit(&mut *consumer, inflight.as_ref()).await;
            }
            r = consumer.next(), if reading && outbox.len() < WINDOW => {
                let Some(first) = r else {
                    reading = false;
                    continue;
                };
                // What else has arrived goes with it: the audiences are
                // read once for the batch, and its deliveries leave as one
                // record per gateway.
                let mut batch = Batch::default();
                let mut record = Some(first);
                while let Some(r) = record {
                    let position = consumer.position();
                    behind.waiting(consumer.waiting());
                    match r {
                        TaskRecord::Fanout { message, exclude } => {
                            behind.taken(position, message.created_at);
                            batch.fanouts.push((position, message, exclude));
                        }
                        TaskRecord::Push {
                            message,
                            recipients,
                        } => match inflight.as_mut() {
                            Some(i) => i.start(position, message, recipients),
                            // Another node with push on published it; this
                            // one has nowhere to send it.
                            None => tracing::warn!(
                                msg.id = %message.id,
                                "push record dropped: push is not configured here"
                            ),
                        },
                    }
                    batch.last = position;
                    batch.taken += 1;
                    record = if batch.taken < BATCH_RECORDS { consumer.try_next() } else { None };
                }
                let started = Instant::now();
                let mut audiences = Audiences::default();
                let mut out = Deliveries::default();
                let mut stopped = false;
                for (position, message, exclude) in &batch.fanouts {
                    let pushes = inflight.as_mut().map(|i| (i, *position));
                    if fanout::fan_out(&deps, &config, &mut index, &mut audiences, message, exclude.as_ref(), pushes, &cancel, &mut out).await.is_err() {
                        stopped = true;
                        break;
                    }
                }
                // Stopped: these records stay uncommitted.
                if stopped {
                    break;
                }
                if !batch.fanouts.is_empty() {
                    let n = u32::try_from(batch.fanouts.len()).unwrap_or(u32::MAX);
                    behind.fanned_out(started.elapsed() / n);
                    metrics::histogram!("ferrochat_task_batch_records").record(f64::from(n));
                }
                outbox.push(out.into_outgoing(), batch.last).await;
            }
        }
    }
    if let Some(i) = inflight.as_mut() {
        let stopped = i.abandon().await;
        if stopped > 0 {
            tracing::info!(pushes = stopped, "unfinished pushes stopped by shutdown");
        }
    }
    progress.commit(&mut *consumer, inflight.as_ref()).await;
    reporting.cancel();
    let _ = reporter.await;
    tracing::debug!("task role stopped");
    Ok(())
}

/// How far the topic may be committed.
#[derive(Default)]
struct Progress {
    /// Through this position every record's deliveries are stored.
    durable: u64,
    committed: u64,
}

impl Progress {
    /// Commits through the last record whose deliveries are stored and
    /// whose pushes (and every earlier record's) are done, if further
    /// than before.
    async fn commit(
        &mut self,
        consumer: &mut dyn Consumer<TaskRecord>,
        inflight: Option<&InFlight>,
    ) {
        let through = inflight.map_or(self.durable, |i| i.committable(self.durable));
        if through <= self.committed {
            return;
        }
        match consumer.commit_through(through).await {
            Ok(()) => self.committed = through,
            Err(e) => tracing::warn!(error = %e, "task commit failed"),
        }
    }
}

/// Waits for a running push to finish; pending when none runs.
async fn reap(inflight: Option<&mut InFlight>) {
    match inflight {
        Some(i) if !i.is_idle() => i.reap().await,
        _ => std::future::pending().await,
    }
}
