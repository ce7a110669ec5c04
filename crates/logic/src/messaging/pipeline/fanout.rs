//! The third stage: answer and deliver each finished send, in commit
//! order, and say which upstream records are done once all of that is
//! durable.
//!
//! Finished sends are taken in groups (as many as are waiting, up to
//! `commit_batch_max`); a group's reads (`plan.rs`) are made for up to
//! `fanout_concurrency` groups ahead of their turn. Its output is one
//! record per gateway (the answers and deliveries for that gateway's
//! connections, in commit order) plus the task role's records, published
//! as one unit of an [`Outbox`]; up to `fanout_window` units wait for the
//! bus at once. A unit's upstream position is reported done only once
//! the bus has stored all of it, in order.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{Ack, ConversationKind, Message};
use ferrochat_ports::bus::{
    push_records, Acked, DownstreamRecord, Event, Outbox, Outgoing, TaskRecord, TraceContext,
};
use ferrochat_ports::ApiError;
use futures::stream::{FuturesOrdered, StreamExt as _};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::plan::{Plan, Reads, Unplanned};
use super::{Finished, Origin, Outcome, Pipeline};
use crate::messaging::measure;

/// The longest a failed delivery read waits before it is tried again.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(1);

/// A group of finished sends with the plan of each.
struct Planned {
    group: Vec<Finished>,
    plans: Vec<Option<Plan>>,
    reads_took: Duration,
}

/// The group was given up (shutdown while its reads kept failing): its
/// records stay unfinished and are replayed after a restart.
struct Abandoned;

impl Pipeline {
    pub(super) async fn fan_out(
        self,
        mut out: mpsc::Receiver<Finished>,
        durable: watch::Sender<u64>,
        stop: CancellationToken,
    ) {
        let ahead = self.config.fanout_concurrency.max(1);
        let window = self.config.fanout_window.max(1);
        let max_group = self.config.commit_batch_max.max(1);
        let reads = Reads {
            store: self.store.clone(),
            presence: self.presence.clone(),
            audience: self.audience.clone(),
            offline_push: self.offline_push,
        };
        let mut outbox: Outbox<Option<u64>> = Outbox::new(self.bus.clone());
        let mut planning = FuturesOrdered::new();
        let mut open = true;
        loop {
            tokio::select! {
                biased;
                ack = outbox.next_ack(), if !outbox.is_empty() => match ack {
                    Acked::Done(Some(position)) => {
                        // Only the checker reads it; it may have stopped.
                        durable.send_replace(position);
                    }
                    Acked::Done(None) => {}
                    Acked::Failed(e) => {
                        tracing::warn!(error = %e, "the bus did not store a delivery; publishing again");
                        if !outbox.recover(&stop).await {
                            break;
                        }
                    }
                },
                Some(planned) = planning.next(), if !planning.is_empty() && outbox.len() < window => {
                    match planned {
                        Ok(planned) => self.publish(planned, &mut outbox).await,
                        Err(Abandoned) => break,
                    }
                }
                f = out.recv(), if open && planning.len() < ahead => match f {
                    Some(first) => {
                        let mut group = vec![first];
                        while group.len() < max_group {
                            match out.try_recv() {
                                Ok(f) => group.push(f),
                                Err(_) => break,
                            }
                        }
                        planning.push_back(plan(reads.clone(), group, stop.clone()));
                    }
                    None => open = false,
                },
                else => break,
            }
        }
        tracing::debug!("fan-out stopped");
    }

    /// Answers and delivers a planned group as one outbox unit.
    async fn publish(&self, planned: Planned, outbox: &mut Outbox<Option<u64>>) {
        let started = Instant::now();
        let Planned {
            group,
            plans,
            reads_took,
        } = planned;
        // The group's records are one outbox unit: the span of a group of
        // several sends' traces; each record still carries its own send's.
        let traced = ferrochat_trace::shared(
            "logic.fanout",
            group.iter().filter_map(|f| f.trace.as_ref()),
        );
        let mut unit = Unit::default();
        let mut mark = None;
        for (finished, plan) in group.into_iter().zip(plans) {
            let Finished {
                outcome,
                origin,
                position,
                entered,
                trace,
            } = finished;
            mark = mark.max(position);
            match outcome {
                Outcome::Refused(e) | Outcome::Failed(e) => unit.answer(origin, Err(e), &trace),
                Outcome::Committed { message, fresh } => {
                    if fresh {
                        metrics::counter!("ferrochat_logic_messages_total").increment(1);
                    } else {
                        // Stored before: answered with the original ack,
                        // and delivered again (a replay after a crash, or a
                        // client's resend), since whether the first
                        // delivery was made is not known here.
                        metrics::counter!("ferrochat_logic_duplicate_sends_total").increment(1);
                    }
                    let exclude = origin.sending_route();
                    unit.answer(origin, Ok(Ack::from(&*message)), &trace);
                    if let Some(plan) = plan {
                        unit.deliver(*message, plan, exclude, &trace);
                    }
                }
            }
            measure::answered(entered.elapsed());
        }
        outbox.push(unit.records(), mark).instrument(traced).await;
        measure::delivered(reads_took + started.elapsed());
    }
}

/// Makes a group's plan, retrying failed reads until they answer: a
/// committed message is never left undelivered because the store or the
/// route table was briefly away. Gives up only if `stop` fires.
async fn plan(
    reads: Reads,
    group: Vec<Finished>,
    stop: CancellationToken,
) -> Result<Planned, Abandoned> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        match reads.plan(&group).await {
            Ok(plans) => {
                return Ok(Planned {
                    group,
                    plans,
                    reads_took: started.elapsed(),
                })
            }
            Err(Unplanned::Failed(e)) => {
                tracing::warn!(error = %e, "delivery reads failed; retrying");
                metrics::counter!("ferrochat_logic_fanout_read_retries_total").increment(1);
                tokio::select! {
                    _ = stop.cancelled() => return Err(Abandoned),
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
            }
            Err(Unplanned::Unsettled(wait)) => {
                tracing::debug!(?wait, "the route table is being restored; reading again");
                metrics::counter!("ferrochat_logic_fanout_unsettled_total").increment(1);
                tokio::select! {
                    _ = stop.cancelled() => return Err(Abandoned),
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

/// The records of one outbox unit, built in commit order.
#[derive(Default)]
struct Unit {
    /// Per gateway, its answers and deliveries in order.
    downstream: BTreeMap<GatewayId, Vec<DownstreamRecord>>,
    tasks: Vec<TaskRecord>,
}

impl Unit {
    fn answer(
        &mut self,
        origin: Origin,
        result: Result<Ack, ApiError>,
        trace: &Option<TraceContext>,
    ) {
        match origin {
            Origin::Bus(reply_to) => {
                let gateway = reply_to.gateway.clone();
                self.downstream
                    .entry(gateway)
                    .or_default()
                    .push(DownstreamRecord::Reply {
                        reply_to,
                        result,
                        trace: trace.clone(),
                    });
            }
            Origin::Local(tx) => {
                let _ = tx.send(result);
            }
        }
    }

    fn deliver(
        &mut self,
        message: Message,
        plan: Plan,
        exclude: Option<Route>,
        trace: &Option<TraceContext>,
    ) {
        match plan {
            Plan::Members { routes, offline } => {
                if !offline.is_empty() {
                    self.tasks
                        .extend(push_records(&Arc::new(message.clone()), &offline));
                }
                let event = Arc::new(Event::NewMessage(message));
                let mut by_gateway: BTreeMap<GatewayId, Vec<ConnId>> = BTreeMap::new();
                for r in routes {
                    if Some(&r) != exclude.as_ref() {
                        by_gateway.entry(r.gateway).or_default().push(r.conn);
                    }
                }
                for (gateway, conns) in by_gateway {
                    self.downstream
                        .entry(gateway)
                        .or_default()
                        .push(DownstreamRecord::Deliver {
                            conns,
                            event: event.clone(),
                            trace: trace.clone(),
                        });
                }
            }
            Plan::Large => {
                debug_assert!(
                    message.conversation_kind != ConversationKind::Single,
                    "single conversations have two members"
                );
                self.tasks.push(TaskRecord::Fanout {
                    message: Arc::new(message),
                    exclude,
                });
            }
        }
    }

    fn records(self) -> Vec<Outgoing> {
        self.downstream
            .into_iter()
            .map(|(g, items)| Outgoing::Downstream(g, items))
            .chain(self.tasks.into_iter().map(Outgoing::Task))
            .collect()
    }
}
