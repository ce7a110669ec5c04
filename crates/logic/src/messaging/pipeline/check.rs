//! The first stage: read upstream, check each send (membership, mute,
//! block, DM policy), hand it on in upstream order; and commit upstream
//! through the last record whose output the fan-out stage says is durable.

use std::time::Instant;

use ferrochat_domain::{ConversationKind, MessageId, Timestamp};
use ferrochat_ports::bus::{Consumer, SendRecord};
use ferrochat_ports::store::NewMessage;
use ferrochat_ports::ApiError;
use futures::stream::{FuturesOrdered, StreamExt as _};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{Job, Origin, Pipeline, Work};
use crate::clock;
use crate::messaging::changes::{self, Windows};
use crate::messaging::mentions;
use crate::messaging::{access, measure, Audience};

/// A send record and what its check found.
struct Checked {
    record: SendRecord,
    position: u64,
    /// When it was read off upstream.
    read_at: Instant,
    now: Timestamp,
    allowed: Result<ConversationKind, ApiError>,
}

impl Pipeline {
    /// Reads upstream and checks each send. Checks run concurrently (up
    /// to `check_concurrency`: each may wait on the store, remote in a
    /// cluster), but their outcomes go on to the committer in the order
    /// the records were read, so a conversation keeps its upstream order.
    pub(super) async fn check(
        &self,
        upstream: &mut dyn Consumer<SendRecord>,
        durable: &mut watch::Receiver<u64>,
        cancel: CancellationToken,
    ) {
        let limit = self.config.check_concurrency.max(1);
        let mut checking = FuturesOrdered::new();
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                Ok(()) = durable.changed() => commit_durable(upstream, durable).await,
                Some(checked) = checking.next(), if !checking.is_empty() => {
                    if !self.pass_on(checked).await {
                        return;
                    }
                }
                r = upstream.next(), if checking.len() < limit => match r {
                    Some(record) => {
                        checking.push_back(self.start_check(record, upstream.position()));
                        // Whatever else has arrived starts now too.
                        while checking.len() < limit {
                            let Some(record) = upstream.try_next() else { break };
                            checking.push_back(self.start_check(record, upstream.position()));
                        }
                    }
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
        let audience = self.audience.clone();
        let gate = self.gate.clone();
        let rules = access::Rules {
            dm_policy: self.config.dm_policy,
            world_enabled: self.config.world_enabled,
        };
        let windows = Windows {
            edit: self.config.edit_window,
            recall: self.config.recall_window,
        };
        let read_at = Instant::now();
        let traced = ferrochat_trace::follow("logic.check", record.trace.as_ref());
        async move {
            let now = clock::now();
            // Judged as of the send (a queue ahead of it must not end a
            // mute early), never later than logic's own clock.
            let sent = record.sent_at.map_or(now, |at| at.min(now));
            let allowed = access::may_send(
                &*store,
                &access,
                rules,
                &record.sender,
                &record.conversation_id,
                sent,
            )
            .await;
            // A reply, edit or recall: may this sender make it, now?
            let allowed = match (allowed, record.reference) {
                (Ok(kind), Some(reference)) => changes::may_refer(
                    &*store,
                    windows,
                    &record.sender,
                    &record.conversation_id,
                    kind,
                    reference,
                    sent,
                )
                .await
                .map(|()| kind),
                (allowed, _) => allowed,
            };
            let allowed = match allowed {
                Ok(kind) if record.marks.mention_all => mentions::may_mention_all(
                    &*store,
                    &record.sender,
                    &record.conversation_id,
                    kind,
                )
                .await
                .map(|()| kind),
                allowed => allowed,
            };
            // Only while fan-out lags is the audience asked (cached; a
            // failed read lets the send through: fan-out retries it).
            let allowed = match (allowed, gate.refusal()) {
                (Ok(kind), Some(refusal)) if kind != ConversationKind::Single => {
                    match audience.get(&*store, &record.conversation_id, kind).await {
                        Ok(Audience::Large) => {
                            metrics::counter!("ferrochat_logic_fanout_refused_total").increment(1);
                            Err(refusal)
                        }
                        Ok(Audience::Members(_)) | Err(_) => Ok(kind),
                    }
                }
                (allowed, _) => allowed,
            };
            measure::checked(read_at.elapsed());
            Checked {
                record,
                position,
                read_at,
                now,
                allowed,
            }
        }
        .instrument(traced)
    }

    /// Sends a checked record on to the committer, refused or not. False
    /// once the committer is gone.
    async fn pass_on(&self, checked: Checked) -> bool {
        let Checked {
            record,
            position,
            read_at,
            now,
            allowed,
        } = checked;
        let work = match allowed {
            Ok(kind) => Work::Commit(NewMessage {
                marks: record.marks,
                id: MessageId::generate(),
                conversation_id: record.conversation_id,
                conversation_kind: kind,
                from: record.sender,
                client_msg_id: record.client_msg_id,
                message_type: record.message_type,
                content: record.content,
                created_at: now,
                reference: record.reference,
            }),
            Err(e) => Work::Refused(e),
        };
        let job = Job {
            work,
            origin: Origin::Bus(record.reply_to),
            position: Some(position),
            entered: read_at,
            trace: ferrochat_trace::carried(record.trace),
        };
        self.committer.jobs.send(job).await.is_ok()
    }
}

/// Commits upstream through the last record whose output is durable.
pub(super) async fn commit_durable(
    upstream: &mut dyn Consumer<SendRecord>,
    durable: &watch::Receiver<u64>,
) {
    let position = *durable.borrow();
    if position == 0 {
        return;
    }
    if let Err(e) = upstream.commit_through(position).await {
        // The records come again after a restart or rebalance; dedup
        // answers them with their original acks and delivers them again.
        tracing::warn!(error = %e, "upstream commit failed");
    }
}
