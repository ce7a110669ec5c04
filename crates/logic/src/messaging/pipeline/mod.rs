//! The send path inside logic:
//!
//! ```text
//! bus upstream -> check (permission) -> commit (group commit) -> fan-out
//! ```
//!
//! Three tasks joined by bounded queues, each FIFO, so a conversation's
//! messages leave in the order they were committed. A send is answered
//! only after its batch committed (invariant 1). Logic's own messages
//! (group system messages) enter at the commit stage through `Committer`,
//! so they get their seq in the same order as everything else.
//!
//! Acked means pushed: an upstream record is committed on the bus only
//! once everything it caused is durable on the bus too (its answer, its
//! deliveries to the recipients' gateways, its task records), never just
//! handed over. The fan-out stage publishes through an [`Outbox`] that
//! says when each unit of work is durable, in order; the checker, which
//! owns the upstream consumer, commits through the last such record. So a
//! logic instance that dies loses nothing: its unfinished records go to
//! the next consumer, and a record whose message is already stored
//! (dedup by sender and client_msg_id finds it) is answered with the
//! original ack *and delivered again*, so the recipients' push that died
//! with the process is made by the next one. Receivers drop a message
//! they already have by seq; the gateway drops an answer it already gave.
//! A record the bus fails to store is published again, in order, once the
//! bus is healthy (`Outbox::recover`), and a delivery whose reads failed
//! (the store or the route table down) is retried until they answer: the
//! stage waits rather than skipping anyone.
//!
//! On shutdown the checker stops reading upstream; the committer commits
//! what it already holds and stops; the fan-out answers and delivers that,
//! and stops; the checker commits the last durable position and returns.
//! Nothing uncommitted is ever acknowledged.
//!
//! [`Outbox`]: ferrochat_ports::bus::Outbox

mod check;
mod commit;
mod fanout;
mod plan;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ferrochat_domain::routing::Route;
use ferrochat_domain::{Ack, Message};
use ferrochat_ports::bus::{Consumer, ReplyTo, SendRecord, TraceContext};
use ferrochat_ports::store::NewMessage;
use ferrochat_ports::{ApiError, Bus, FanoutLag, Presence, Store};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::access_cache::AccessCache;
use super::audience::AudienceCache;
use super::backpressure::{self, Backpressure};
use super::config::MessagingConfig;
use crate::deps::LogicDeps;
use crate::role::RoleError;

/// Who hears about a send's fate.
pub(crate) enum Origin {
    /// A client, through its gateway.
    Bus(ReplyTo),
    /// Logic itself (a system message), waiting in process.
    Local(oneshot::Sender<Result<Ack, ApiError>>),
}

impl Origin {
    fn sending_route(&self) -> Option<Route> {
        match self {
            Self::Bus(r) => r.route(),
            Self::Local(_) => None,
        }
    }
}

/// What the commit stage is asked to do with a job.
enum Work {
    Commit(NewMessage),
    /// The check refused it: passed through in order, answered by the
    /// fan-out stage like every other outcome.
    Refused(ApiError),
}

pub(crate) struct Job {
    work: Work,
    origin: Origin,
    /// The upstream position of the record this job came from.
    position: Option<u64>,
    /// When it entered logic (read off upstream, or handed to `Committer`).
    entered: Instant,
    /// The send's trace (the gateway's span), while tracing is on.
    trace: Option<TraceContext>,
}

enum Outcome {
    /// Stored now (`fresh`), or before: a duplicate, answered with its
    /// original.
    Committed {
        message: Box<Message>,
        fresh: bool,
    },
    Refused(ApiError),
    /// The store could not commit it; answered with this error.
    Failed(ApiError),
}

/// What the commit stage finished, in upstream order.
struct Finished {
    outcome: Outcome,
    origin: Origin,
    position: Option<u64>,
    entered: Instant,
    trace: Option<TraceContext>,
}

/// Hands logic's own messages to the commit stage and waits for the ack.
#[derive(Clone)]
pub(crate) struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    pub(crate) async fn commit(&self, message: NewMessage) -> Result<Ack, ApiError> {
        let (tx, rx) = oneshot::channel();
        let job = Job {
            work: Work::Commit(message),
            origin: Origin::Local(tx),
            position: None,
            entered: Instant::now(),
            trace: ferrochat_trace::current(),
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| ApiError::internal())?;
        rx.await.map_err(|_| ApiError::internal())?
    }
}

#[derive(Clone)]
pub(crate) struct Pipeline {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) bus: Arc<dyn Bus>,
    pub(crate) presence: Arc<dyn Presence>,
    pub(crate) audience: Arc<AudienceCache>,
    pub(crate) access: Arc<AccessCache>,
    pub(crate) config: MessagingConfig,
    /// Refuses sends to large conversations while fan-out lags.
    gate: Arc<Backpressure>,
    lag: Arc<dyn FanoutLag>,
    /// Publish `TaskRecord::Push` for members without a route.
    offline_push: bool,
    /// The commit stage on a thread of its own (`LogicConfig::commit_thread`).
    commit_thread: bool,
    committer: Committer,
    /// Taken by `spawn`: the commit stage runs once.
    jobs: Arc<Mutex<Option<mpsc::Receiver<Job>>>>,
}

impl Pipeline {
    pub(crate) fn new(
        deps: &LogicDeps,
        audience: Arc<AudienceCache>,
        access: Arc<AccessCache>,
        config: MessagingConfig,
        offline_push: bool,
        commit_thread: bool,
    ) -> Self {
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        Self {
            gate: Arc::new(Backpressure::new(config.max_fanout_lag)),
            lag: deps.lag.clone(),
            store: deps.store.clone(),
            bus: deps.bus.clone(),
            presence: deps.presence.clone(),
            audience,
            access,
            config,
            offline_push,
            commit_thread,
            committer: Committer { jobs: tx },
            jobs: Arc::new(Mutex::new(Some(rx))),
        }
    }

    pub(crate) fn committer(&self) -> Committer {
        self.committer.clone()
    }

    /// Starts the three stages on `tasks`; they stop after `cancel`.
    pub(crate) fn spawn(
        self,
        upstream: Box<dyn Consumer<SendRecord>>,
        tasks: &TaskTracker,
        cancel: CancellationToken,
    ) -> Result<(), RoleError> {
        // A poisoned lock: a start that panicked, so it is running too.
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| RoleError::AlreadyRunning)?
            .take()
            .ok_or(RoleError::AlreadyRunning)?;
        let (out_tx, out_rx) = mpsc::channel(self.config.queue_capacity.max(1));
        // The committer stops once the checker has stopped and the queue
        // is empty (system messages may still hold a sender).
        let checked = CancellationToken::new();
        let (durable_tx, durable_rx) = watch::channel(0);
        let checker = self.clone();
        let done = checked.clone();
        let stop = cancel.clone();
        tasks.spawn(backpressure::follow(
            self.gate.clone(),
            self.lag.clone(),
            cancel.clone(),
        ));
        tasks.spawn(async move {
            let mut upstream = upstream;
            let mut durable = durable_rx;
            checker.check(&mut *upstream, &mut durable, cancel).await;
            done.cancel();
            // The later stages finish what they hold; commit it once the
            // fan-out stage has stopped (its sender is dropped).
            while durable.changed().await.is_ok() {}
            check::commit_durable(&mut *upstream, &durable).await;
        });
        let stage = tasks.track_future(self.clone().commit(jobs, out_tx, checked));
        if self.commit_thread {
            on_own_thread(stage)?;
        } else {
            tokio::spawn(stage);
        }
        tasks.spawn(self.fan_out(out_rx, durable_tx, stop));
        Ok(())
    }
}

/// Runs the commit stage to its end on a new thread, on a runtime of its
/// own (`LogicConfig::commit_thread`): its statements' answers wake it at
/// once instead of queueing behind the shared runtime's tasks. The stage
/// talks to the others through channels, which work across runtimes.
fn on_own_thread(stage: impl Future<Output = ()> + Send + 'static) -> Result<(), RoleError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Its blocking threads, if any, apart from the shared runtime's.
        .thread_name("commit-blocking")
        .build()
        .map_err(RoleError::CommitThread)?;
    std::thread::Builder::new()
        .name("ferrochat-commit".into())
        .spawn(move || runtime.block_on(stage))
        .map_err(RoleError::CommitThread)?;
    Ok(())
}
