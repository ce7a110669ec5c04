//! The task role: fan-out of committed messages to the world room and to
//! groups over the fan-out threshold, and offline push ([`push`]).
//!
//! Fan-out pages through the audience in batches (`TaskConfig::batch`,
//! 100 by default), so no loop over users is unbounded, and sends one
//! `Deliver` record per gateway per batch. With push on, each group page's
//! members without a route are pushed from here; logic hands over the
//! offline members of the conversations it delivers itself as
//! `TaskRecord::Push`.
//!
//! Records are handled in bus order, so a conversation's messages reach
//! each gateway in seq order. Pushes run alongside in a bounded queue
//! that never blocks the loop (`inflight.rs`), and a record is committed
//! once it is delivered and its pushes are done, given up or dropped, so
//! at least once: after a crash
//! it comes again, clients drop what they already have by seq, and the
//! webhook by message id.

mod fanout;
mod inflight;
pub mod push;

use std::sync::Arc;

use ferrochat_ports::bus::{Consumer, TaskRecord};
use ferrochat_ports::{Bus, Presence, Store};
use tokio_util::sync::CancellationToken;

use crate::inflight::InFlight;
use crate::push::{PushConfig, Pusher};

#[derive(Clone)]
pub struct TaskDeps {
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
}

#[derive(Debug, Clone)]
pub struct TaskConfig {
    /// Members expanded per step (at most 100: one push per page).
    pub batch: u32,
    /// The offline-push webhook; off unless `push.webhook_url` is set.
    pub push: PushConfig,
}

impl Default for TaskConfig {
    fn default() -> Self {
        Self {
            batch: 100,
            push: PushConfig::default(),
        }
    }
}

/// Consumes the `task` topic until `cancel`. Pushes still running then
/// are stopped; their records stay uncommitted.
pub async fn run(
    deps: TaskDeps,
    config: TaskConfig,
    cancel: CancellationToken,
) -> Result<(), String> {
    let pusher = Pusher::build(&config.push)?;
    let mut consumer: Box<dyn Consumer<TaskRecord>> =
        deps.bus.consume_task().await.map_err(|e| e.to_string())?;
    let mut inflight =
        pusher.map(|p| InFlight::new(Arc::new(p), config.push.concurrency, config.push.queue));
    let mut committed = 0;
    loop {
        let record = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            _ = reap(inflight.as_mut()) => {
                commit(&mut *consumer, inflight.as_ref(), &mut committed).await;
                continue;
            }
            r = consumer.next() => match r {
                Some(r) => r,
                None => break,
            },
        };
        let position = consumer.position();
        match record {
            TaskRecord::Fanout { message, exclude } => {
                let pushes = inflight.as_mut().map(|i| (i, position));
                let done =
                    fanout::fan_out(&deps, &config, &message, exclude.as_ref(), pushes).await;
                if let Err(e) = done {
                    tracing::warn!(error = %e, conv.id = %message.conversation_id, "task fan-out failed");
                }
            }
            TaskRecord::Push {
                message,
                recipients,
            } => match inflight.as_mut() {
                Some(i) => i.start(position, message, recipients),
                // Another node with push on published it; this one has
                // nowhere to send it.
                None => tracing::warn!(
                    msg.id = %message.id,
                    "push record dropped: push.webhook_url is not set here"
                ),
            },
        }
        commit(&mut *consumer, inflight.as_ref(), &mut committed).await;
    }
    if let Some(i) = inflight.as_mut() {
        let stopped = i.abandon().await;
        if stopped > 0 {
            tracing::info!(pushes = stopped, "unfinished pushes stopped by shutdown");
        }
    }
    commit(&mut *consumer, inflight.as_ref(), &mut committed).await;
    tracing::debug!("task role stopped");
    Ok(())
}

/// Waits for a running push to finish; pending when none runs.
async fn reap(inflight: Option<&mut InFlight>) {
    match inflight {
        Some(i) if !i.is_idle() => i.reap().await,
        _ => std::future::pending().await,
    }
}

/// Commits through the last record whose work is all done, if further
/// than before.
async fn commit(
    consumer: &mut dyn Consumer<TaskRecord>,
    inflight: Option<&InFlight>,
    committed: &mut u64,
) {
    let read = consumer.position();
    let through = inflight.map_or(read, |i| i.committable(read));
    if through <= *committed {
        return;
    }
    match consumer.commit_through(through).await {
        Ok(()) => *committed = through,
        Err(e) => tracing::warn!(error = %e, "task commit failed"),
    }
}
