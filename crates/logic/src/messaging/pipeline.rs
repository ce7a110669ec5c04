//! The send path inside logic (design.md, "The message path"):
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
//! Upstream records are committed on the bus only once they are finished
//! (answered, and delivered or handed to the task role): each job carries
//! its record's position, the fan-out stage publishes the last finished
//! one, and the checker, which owns the consumer, commits through it. A
//! logic instance that dies loses nothing: its unfinished records go to
//! the next consumer, and dedup by (sender, client_msg_id) answers any it
//! had already committed with the original ack.
//!
//! On shutdown the checker stops reading upstream; the committer commits
//! what it already holds and stops; the fan-out answers and delivers that,
//! and stops; the checker commits the last position and returns. Nothing
//! uncommitted is ever acknowledged.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use ferrochat_domain::routing::Route;
use ferrochat_domain::{Ack, ConversationKind, Message, MessageId, Timestamp, UserId};
use ferrochat_ports::bus::{
    deliver, offline_members, push_records, wants_push, Consumer, DownstreamRecord, Event, ReplyTo,
    SendRecord, TaskRecord,
};
use ferrochat_ports::store::{Committed, NewMessage};
use ferrochat_ports::{ApiError, Bus, Presence, Store};
use futures::stream::{FuturesOrdered, StreamExt as _};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::access;
use super::access_cache::AccessCache;
use super::audience::{Audience, AudienceCache};
use super::config::MessagingConfig;
use super::measure;
use crate::clock;

/// A send record and what its check found.
struct Checked {
    record: SendRecord,
    position: u64,
    /// When it was read off upstream.
    read_at: Instant,
    now: Timestamp,
    allowed: Result<ConversationKind, ApiError>,
}

/// A finished send with what its delivery read (`None` unless stored).
struct Prepared {
    finished: Finished,
    plan: Option<Result<Plan, String>>,
    reads_took: std::time::Duration,
}

/// Where a stored message goes.
enum Plan {
    /// These routes (of its members) get it now; `offline` are named to
    /// the push webhook.
    Members {
        routes: Vec<(UserId, Route)>,
        offline: Vec<UserId>,
    },
    /// The task role fans it out.
    Large,
}

/// What the fan-out stage reads for a delivery, shareable with the
/// futures that read ahead.
struct Reads {
    store: Arc<dyn Store>,
    presence: Arc<dyn Presence>,
    audience: Arc<AudienceCache>,
    offline_push: bool,
}

impl Reads {
    async fn plan(&self, message: &Message) -> Result<Plan, String> {
        let audience = self
            .audience
            .get(
                &*self.store,
                &message.conversation_id,
                message.conversation_kind,
            )
            .await
            .map_err(|e| e.to_string())?;
        match audience {
            Audience::Members(members) => {
                let routes = self
                    .presence
                    .routes(&members)
                    .await
                    .map_err(|e| e.to_string())?;
                // From the member list already at hand: no store read.
                let offline = if self.offline_push && wants_push(message) {
                    offline_members(&members, &routes, &message.from)
                } else {
                    Vec::new()
                };
                Ok(Plan::Members { routes, offline })
            }
            Audience::Large => Ok(Plan::Large),
        }
    }
}

/// Who hears about a committed message's fate.
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

pub(crate) struct Job {
    message: NewMessage,
    origin: Origin,
    /// The upstream position of the record this job came from.
    position: Option<u64>,
    /// When it entered logic (read off upstream, or handed to `Committer`).
    entered: Instant,
}

enum Outcome {
    Committed(Committed, Origin),
    Failed(Origin),
}

/// What the fan-out stage finished, with the record's upstream position.
struct Finished {
    outcome: Outcome,
    position: Option<u64>,
    entered: Instant,
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
            message,
            origin: Origin::Local(tx),
            position: None,
            entered: Instant::now(),
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
    /// Publish `TaskRecord::Push` for members without a route.
    offline_push: bool,
    committer: Committer,
    /// Taken by `spawn`: the commit stage runs once.
    jobs: Arc<Mutex<Option<mpsc::Receiver<Job>>>>,
}

impl Pipeline {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        presence: Arc<dyn Presence>,
        audience: Arc<AudienceCache>,
        access: Arc<AccessCache>,
        config: MessagingConfig,
        offline_push: bool,
    ) -> Self {
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        Self {
            store,
            bus,
            presence,
            audience,
            access,
            config,
            offline_push,
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
    ) -> Result<(), String> {
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| "pipeline lock poisoned".to_owned())?
            .take()
            .ok_or_else(|| "the pipeline is already running".to_owned())?;
        let (out_tx, out_rx) = mpsc::channel(self.config.queue_capacity.max(1));
        // The committer stops once the checker has stopped and the queue
        // is empty (system messages may still hold a sender).
        let checked = CancellationToken::new();
        let (finished_tx, finished_rx) = watch::channel(0);
        let checker = self.clone();
        let done = checked.clone();
        tasks.spawn(async move {
            let mut upstream = upstream;
            let mut finished = finished_rx;
            checker.check(&mut *upstream, &mut finished, cancel).await;
            done.cancel();
            // The later stages finish what they hold; commit it once the
            // fan-out stage has stopped (its sender is dropped).
            while finished.changed().await.is_ok() {}
            commit_finished(&mut *upstream, &finished).await;
        });
        tasks.spawn(self.clone().commit(jobs, out_tx, checked));
        tasks.spawn(self.fan_out(out_rx, finished_tx));
        Ok(())
    }

    /// Reads upstream and checks each send. Checks run concurrently (up
    /// to `check_concurrency`: each may wait on the store, remote in a
    /// cluster), but their outcomes go on to the committer in the order
    /// the records were read, so a conversation keeps its upstream order.
    async fn check(
        &self,
        upstream: &mut dyn Consumer<SendRecord>,
        finished: &mut watch::Receiver<u64>,
        cancel: CancellationToken,
    ) {
        let limit = self.config.check_concurrency.max(1);
        let mut checking = FuturesOrdered::new();
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                Ok(()) = finished.changed() => commit_finished(upstream, finished).await,
                Some(checked) = checking.next(), if !checking.is_empty() => {
                    if !self.pass_on(checked).await {
                        return;
                    }
                }
                r = upstream.next(), if checking.len() < limit => match r {
                    Some(record) => checking.push_back(self.start_check(record, upstream.position())),
                    None => break,
                },
            }
        }
        // What was read is checked and passed on before the stage stops.
        while let Some(checked) = checking.next().await {
            if !self.pass_on(checked).await {
                return;
            }
        }
        tracing::debug!("upstream consumer stopped");
    }

    /// The check of one send, as a future that owns what it needs.
    fn start_check(
        &self,
        record: SendRecord,
        position: u64,
    ) -> impl std::future::Future<Output = Checked> + Send + 'static {
        let store = self.store.clone();
        let access = self.access.clone();
        let policy = self.config.dm_policy;
        let read_at = Instant::now();
        async move {
            let now = clock::now();
            let allowed = access::may_send(
                &*store,
                &access,
                policy,
                &record.sender,
                &record.conversation_id,
                now,
            )
            .await;
            measure::checked(read_at.elapsed());
            Checked {
                record,
                position,
                read_at,
                now,
                allowed,
            }
        }
    }

    /// Sends a checked record on to the committer, or answers its refusal.
    /// False once the committer is gone.
    async fn pass_on(&self, checked: Checked) -> bool {
        let Checked {
            record,
            position,
            read_at,
            now,
            allowed,
        } = checked;
        match allowed {
            Ok(kind) => {
                let message = NewMessage {
                    id: MessageId::generate(),
                    conversation_id: record.conversation_id,
                    conversation_kind: kind,
                    from: record.sender,
                    client_msg_id: record.client_msg_id,
                    message_type: record.message_type,
                    content: record.content,
                    created_at: now,
                };
                let job = Job {
                    message,
                    origin: Origin::Bus(record.reply_to),
                    position: Some(position),
                    entered: read_at,
                };
                self.committer.jobs.send(job).await.is_ok()
            }
            Err(e) => {
                self.reply(Origin::Bus(record.reply_to), Err(e)).await;
                measure::answered(read_at.elapsed());
                true
            }
        }
    }

    async fn commit(
        self,
        mut jobs: mpsc::Receiver<Job>,
        out: mpsc::Sender<Finished>,
        checked: CancellationToken,
    ) {
        let max = self.config.commit_batch_max.max(1);
        let mut batch: Vec<Job> = Vec::with_capacity(max);
        loop {
            let first = tokio::select! {
                biased;
                j = jobs.recv() => match j {
                    Some(j) => j,
                    None => break,
                },
                _ = checked.cancelled() => match jobs.try_recv() {
                    Ok(j) => j,
                    Err(_) => break,
                },
            };
            batch.push(first);
            while batch.len() < max {
                match jobs.try_recv() {
                    Ok(j) => batch.push(j),
                    Err(_) => break,
                }
            }
            let messages: Vec<NewMessage> = batch.iter().map(|j| j.message.clone()).collect();
            let started = Instant::now();
            let result = self.store.commit_messages(&messages).await;
            measure::committed(started.elapsed(), messages.len());
            let failed = |j: Job| Finished {
                outcome: Outcome::Failed(j.origin),
                position: j.position,
                entered: j.entered,
            };
            let outcomes: Vec<Finished> = match result {
                Ok(committed) if committed.len() == batch.len() => batch
                    .drain(..)
                    .zip(committed)
                    .map(|(j, c)| Finished {
                        outcome: Outcome::Committed(c, j.origin),
                        position: j.position,
                        entered: j.entered,
                    })
                    .collect(),
                Ok(_) => {
                    tracing::error!("store answered a commit with the wrong number of results");
                    batch.drain(..).map(failed).collect()
                }
                Err(e) => {
                    tracing::error!(error = %e, batch.len = messages.len(), "commit failed");
                    batch.drain(..).map(failed).collect()
                }
            };
            for o in outcomes {
                if out.send(o).await.is_err() {
                    return;
                }
            }
        }
        tracing::debug!("committer stopped");
    }

    /// Answers and delivers each committed message, in commit order. The
    /// reads a delivery needs (the audience, its routes) are made for up
    /// to `fanout_concurrency` messages at once, ahead of their turn;
    /// everything a message publishes still goes out after everything the
    /// one before it published, and its position is finished after that.
    async fn fan_out(self, mut out: mpsc::Receiver<Finished>, finished: watch::Sender<u64>) {
        let limit = self.config.fanout_concurrency.max(1);
        let mut looking = FuturesOrdered::new();
        let mut open = true;
        loop {
            tokio::select! {
                biased;
                Some(prepared) = looking.next(), if !looking.is_empty() => {
                    self.finish(prepared, &finished).await;
                }
                f = out.recv(), if open && looking.len() < limit => match f {
                    Some(f) => looking.push_back(self.prepare(f)),
                    None => open = false,
                },
                else => break,
            }
        }
        tracing::debug!("fan-out stopped");
    }

    /// The reads of one finished send's delivery, as a future that owns
    /// what it needs; nothing is published here.
    fn prepare(
        &self,
        finished: Finished,
    ) -> impl std::future::Future<Output = Prepared> + Send + 'static {
        let reads = Reads {
            store: self.store.clone(),
            presence: self.presence.clone(),
            audience: self.audience.clone(),
            offline_push: self.offline_push,
        };
        async move {
            let started = Instant::now();
            let plan = match &finished.outcome {
                Outcome::Committed(Committed::Stored(message), _) => {
                    Some(reads.plan(message).await)
                }
                _ => None,
            };
            Prepared {
                finished,
                plan,
                reads_took: started.elapsed(),
            }
        }
    }

    /// Answers one send and publishes its delivery, then marks its
    /// upstream record finished.
    async fn finish(&self, prepared: Prepared, finished: &watch::Sender<u64>) {
        let Prepared {
            finished:
                Finished {
                    outcome,
                    position,
                    entered,
                },
            plan,
            reads_took,
        } = prepared;
        match outcome {
            Outcome::Failed(origin) => {
                self.reply(origin, Err(ApiError::internal())).await;
                measure::answered(entered.elapsed());
            }
            Outcome::Committed(Committed::Duplicate(original), origin) => {
                metrics::counter!("ferrochat_logic_duplicate_sends_total").increment(1);
                self.reply(origin, Ok(Ack::from(&original))).await;
                measure::answered(entered.elapsed());
            }
            Outcome::Committed(Committed::Stored(message), origin) => {
                metrics::counter!("ferrochat_logic_messages_total").increment(1);
                let exclude = origin.sending_route();
                self.reply(origin, Ok(Ack::from(&message))).await;
                measure::answered(entered.elapsed());
                let started = Instant::now();
                let delivered = match plan {
                    Some(Ok(plan)) => self.deliver(message, plan, exclude).await,
                    Some(Err(e)) => Err(e),
                    None => Err("no delivery plan".to_owned()),
                };
                if let Err(e) = delivered {
                    // Committed messages are never lost: recipients
                    // resync by seq. Say so loudly all the same.
                    tracing::warn!(error = %e, "fan-out failed");
                }
                measure::delivered(reads_took + started.elapsed());
            }
        }
        if let Some(p) = position {
            // Only the checker reads it; it may have stopped already.
            finished.send_replace(p);
        }
    }

    async fn deliver(
        &self,
        message: Message,
        plan: Plan,
        exclude: Option<Route>,
    ) -> Result<(), String> {
        match plan {
            Plan::Members { routes, offline } => {
                let pushed = (!offline.is_empty()).then(|| Arc::new(message.clone()));
                let event = Arc::new(Event::NewMessage(message));
                deliver(
                    &*self.bus,
                    routes.into_iter().map(|(_, r)| r),
                    exclude.as_ref(),
                    &event,
                )
                .await
                .map_err(|e| e.to_string())?;
                for record in pushed.iter().flat_map(|m| push_records(m, &offline)) {
                    self.bus
                        .publish_task(record)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok(())
            }
            Plan::Large => {
                debug_assert!(
                    message.conversation_kind != ConversationKind::Single,
                    "single conversations have two members"
                );
                let record = TaskRecord::Fanout {
                    message: Arc::new(message),
                    exclude,
                };
                self.bus
                    .publish_task(record)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }

    async fn reply(&self, origin: Origin, result: Result<Ack, ApiError>) {
        let reply_to = match origin {
            Origin::Bus(r) => r,
            Origin::Local(tx) => {
                let _ = tx.send(result);
                return;
            }
        };
        let gateway = reply_to.gateway().clone();
        let record = DownstreamRecord::Reply { reply_to, result };
        if let Err(e) = self.bus.publish_downstream(&gateway, record).await {
            tracing::debug!(error = %e, "reply undeliverable (gateway gone)");
        }
    }
}

/// Commits upstream through the last record the fan-out stage finished.
async fn commit_finished(upstream: &mut dyn Consumer<SendRecord>, finished: &watch::Receiver<u64>) {
    let position = *finished.borrow();
    if position == 0 {
        return;
    }
    if let Err(e) = upstream.commit_through(position).await {
        // The records come again after a restart or rebalance; dedup
        // answers them with their original acks.
        tracing::warn!(error = %e, "upstream commit failed");
    }
}
