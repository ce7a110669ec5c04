//! The send path inside logic (design.md, "The message path"):
//!
//! ```text
//! bus upstream -> check (permission) -> commit (group commit) -> fan-out
//! ```
//!
//! Three tasks joined by bounded queues, each FIFO, so a conversation's
//! messages leave in the order they were committed. A send is answered
//! only after its batch committed (invariant 1). On shutdown the checker
//! stops reading upstream and drops its queue; the committer commits what
//! it already holds and stops; the fan-out answers and delivers that, and
//! stops. Nothing uncommitted is ever acknowledged.

use std::sync::Arc;

use ferrochat_domain::{Ack, ConversationKind, Message, MessageId};
use ferrochat_ports::bus::{
    deliver, Consumer, DownstreamRecord, Event, ReplyTo, SendRecord, TaskRecord,
};
use ferrochat_ports::store::{Committed, NewMessage};
use ferrochat_ports::{ApiError, Bus, Presence, Store};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::access;
use super::audience::{Audience, AudienceCache};
use super::config::MessagingConfig;
use crate::clock;

struct Job {
    message: NewMessage,
    reply_to: ReplyTo,
}

enum Outcome {
    Committed(Committed, ReplyTo),
    Failed(ReplyTo),
}

#[derive(Clone)]
pub(crate) struct Pipeline {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) bus: Arc<dyn Bus>,
    pub(crate) presence: Arc<dyn Presence>,
    pub(crate) audience: Arc<AudienceCache>,
    pub(crate) config: MessagingConfig,
}

impl Pipeline {
    /// Starts the three stages on `tasks`; they stop after `cancel`.
    pub(crate) fn spawn(
        self,
        upstream: Box<dyn Consumer<SendRecord>>,
        tasks: &TaskTracker,
        cancel: CancellationToken,
    ) {
        let cap = self.config.queue_capacity.max(1);
        let (jobs_tx, jobs_rx) = mpsc::channel(cap);
        let (out_tx, out_rx) = mpsc::channel(cap);
        tasks.spawn(self.clone().check(upstream, jobs_tx, cancel));
        tasks.spawn(self.clone().commit(jobs_rx, out_tx));
        tasks.spawn(self.fan_out(out_rx));
    }

    async fn check(
        self,
        mut upstream: Box<dyn Consumer<SendRecord>>,
        jobs: mpsc::Sender<Job>,
        cancel: CancellationToken,
    ) {
        loop {
            let record = tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                r = upstream.next() => match r {
                    Some(r) => r,
                    None => break,
                },
            };
            let now = clock::now();
            match access::may_send(&*self.store, &record.sender, &record.conversation_id, now).await
            {
                Ok(conv) => {
                    let message = NewMessage {
                        id: MessageId::generate(),
                        conversation_id: record.conversation_id,
                        conversation_kind: conv.kind,
                        from: record.sender,
                        client_msg_id: record.client_msg_id,
                        message_type: record.message_type,
                        content: record.content,
                        created_at: now,
                    };
                    let job = Job {
                        message,
                        reply_to: record.reply_to,
                    };
                    if jobs.send(job).await.is_err() {
                        break;
                    }
                }
                Err(e) => self.reply(record.reply_to, Err(e)).await,
            }
        }
        tracing::debug!("upstream consumer stopped");
    }

    async fn commit(self, mut jobs: mpsc::Receiver<Job>, out: mpsc::Sender<Outcome>) {
        let max = self.config.commit_batch_max.max(1);
        let mut batch: Vec<Job> = Vec::with_capacity(max);
        while let Some(first) = jobs.recv().await {
            batch.push(first);
            while batch.len() < max {
                match jobs.try_recv() {
                    Ok(j) => batch.push(j),
                    Err(_) => break,
                }
            }
            let messages: Vec<NewMessage> = batch.iter().map(|j| j.message.clone()).collect();
            let started = std::time::Instant::now();
            let result = self.store.commit_messages(&messages).await;
            metrics::histogram!("ferrochat_logic_commit_seconds")
                .record(started.elapsed().as_secs_f64());
            metrics::histogram!("ferrochat_logic_commit_batch_size").record(messages.len() as f64);
            let outcomes: Vec<Outcome> = match result {
                Ok(committed) if committed.len() == batch.len() => batch
                    .drain(..)
                    .zip(committed)
                    .map(|(j, c)| Outcome::Committed(c, j.reply_to))
                    .collect(),
                Ok(_) => {
                    tracing::error!("store answered a commit with the wrong number of results");
                    batch
                        .drain(..)
                        .map(|j| Outcome::Failed(j.reply_to))
                        .collect()
                }
                Err(e) => {
                    tracing::error!(error = %e, batch.len = messages.len(), "commit failed");
                    batch
                        .drain(..)
                        .map(|j| Outcome::Failed(j.reply_to))
                        .collect()
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

    async fn fan_out(self, mut out: mpsc::Receiver<Outcome>) {
        while let Some(outcome) = out.recv().await {
            match outcome {
                Outcome::Failed(reply_to) => self.reply(reply_to, Err(ApiError::internal())).await,
                Outcome::Committed(Committed::Duplicate(original), reply_to) => {
                    metrics::counter!("ferrochat_logic_duplicate_sends_total").increment(1);
                    self.reply(reply_to, Ok(Ack::from(&original))).await;
                }
                Outcome::Committed(Committed::Stored(message), reply_to) => {
                    metrics::counter!("ferrochat_logic_messages_total").increment(1);
                    let exclude = reply_to.route();
                    self.reply(reply_to, Ok(Ack::from(&message))).await;
                    if let Err(e) = self.deliver(message, exclude).await {
                        // Committed messages are never lost: recipients
                        // resync by seq. Say so loudly all the same.
                        tracing::warn!(error = %e, "fan-out failed");
                    }
                }
            }
        }
        tracing::debug!("fan-out stopped");
    }

    async fn deliver(
        &self,
        message: Message,
        exclude: Option<ferrochat_domain::routing::Route>,
    ) -> Result<(), String> {
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
                let event = Arc::new(Event::NewMessage(message));
                deliver(
                    &*self.bus,
                    routes.into_iter().map(|(_, r)| r),
                    exclude.as_ref(),
                    &event,
                )
                .await
                .map_err(|e| e.to_string())
            }
            Audience::Large => {
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

    async fn reply(&self, reply_to: ReplyTo, result: Result<Ack, ApiError>) {
        let gateway = reply_to.gateway().clone();
        let record = DownstreamRecord::Reply { reply_to, result };
        if let Err(e) = self.bus.publish_downstream(&gateway, record).await {
            tracing::debug!(error = %e, "reply undeliverable (gateway gone)");
        }
    }
}
