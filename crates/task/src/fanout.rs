//! One `Fanout` record: find the audience's routes and build one
//! `Deliver` record per gateway naming every local recipient, all sharing
//! one event (encoded once per gateway, written as the same bytes to each
//! socket there); and the offline members' pushes.
//!
//! A group's members come from the in-memory index (`members.rs`), read
//! from the store in pages of `TaskConfig::batch` only when missing or
//! after a membership change; routes are read in chunks of the same size.
//! The world room pages the route table's online users.
//!
//! A read that fails (the store or the route table briefly away) is made
//! again until it answers: a committed message is never left undelivered
//! to an online member. Only a stop gives up, and then the record is not
//! committed and comes again after a restart.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{ConversationKind, Message, UserId};
use ferrochat_ports::bus::{offline_members, wants_push, DownstreamRecord, Event, Outgoing};
use ferrochat_ports::presence::Settled;
use tokio_util::sync::CancellationToken;

use crate::inflight::InFlight;
use crate::members::{self, Change, MemberIndex};
use crate::{TaskConfig, TaskDeps};

/// The longest a failed read waits before it is tried again.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(1);

/// Connections named by one `Deliver` item: a bus whose records have a
/// size limit splits a gateway's items over several records, but never
/// one item (20,000 conn ids are about 200 KB).
const CONNS_PER_ITEM: usize = 20_000;

/// Stopped while a read kept failing.
pub(crate) struct Stopped;

/// The deliveries of `message` to every online member (but `exclude`),
/// one record per gateway. With `pushes`, a group's members without a
/// route (but the sender) are pushed as part of the record at
/// `position`. The world room is never pushed: everyone is a member of
/// it, so it would name every offline user for every message.
pub(crate) async fn fan_out(
    deps: &TaskDeps,
    config: &TaskConfig,
    index: &mut MemberIndex,
    message: &Arc<Message>,
    exclude: Option<&Route>,
    pushes: Option<(&mut InFlight, u64)>,
    stop: &CancellationToken,
) -> Result<Vec<Outgoing>, Stopped> {
    let batch = config.batch.max(1);
    let mut by_gateway: BTreeMap<GatewayId, Vec<ConnId>> = BTreeMap::new();
    let mut add = |routes: Vec<(UserId, Route)>| {
        for (_, r) in routes {
            if Some(&r) != exclude {
                by_gateway.entry(r.gateway).or_default().push(r.conn);
            }
        }
    };
    if message.conversation_kind == ConversationKind::World {
        let limit = usize::try_from(batch).unwrap_or(1000);
        let mut after: Option<UserId> = None;
        loop {
            let page = retried(stop, || async {
                let page = deps
                    .presence
                    .online_page(after.as_ref(), limit)
                    .await
                    .map_err(|e| Unread::Failed(e.to_string()))?;
                settled(deps).await?;
                Ok(page)
            })
            .await?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            add(page);
            metrics::counter!("ferrochat_task_batches_total").increment(1);
        }
    } else {
        let conv = &message.conversation_id;
        // The store holds the change a system message announces.
        if message.message_type.is_system() {
            match members::change(message) {
                Change::None => {}
                Change::All => index.forget(conv),
                Change::User(user) => {
                    if index.get(conv).is_some() {
                        let member = retried(stop, || async {
                            deps.store
                                .member(conv, &user)
                                .await
                                .map_err(|e| Unread::Failed(e.to_string()))
                        })
                        .await?
                        .is_some();
                        index.set_member(conv, &user, member);
                    }
                }
            }
        }
        let members = match index.get(conv) {
            Some(list) => list,
            None => {
                let list = load_members(deps, message, batch, stop).await?;
                index.keep(conv.clone(), list.clone());
                list
            }
        };
        let chunk = usize::try_from(batch).unwrap_or(1000);
        let push = wants_push(message) && pushes.is_some();
        let mut offline = Vec::new();
        for users in members.chunks(chunk) {
            let routes = retried(stop, || async {
                let routes = deps
                    .presence
                    .routes(users)
                    .await
                    .map_err(|e| Unread::Failed(e.to_string()))?;
                settled(deps).await?;
                Ok(routes)
            })
            .await?;
            if push {
                offline.extend(offline_members(users, &routes, &message.from));
            }
            add(routes);
            metrics::counter!("ferrochat_task_batches_total").increment(1);
        }
        if let Some((inflight, position)) = pushes {
            for recipients in offline.chunks(ferrochat_ports::bus::PUSH_BATCH) {
                inflight.start(position, message.clone(), recipients.to_vec());
            }
        }
    }
    let event = Arc::new(Event::NewMessage(Message::clone(message)));
    Ok(by_gateway
        .into_iter()
        .map(|(gateway, conns)| {
            let items = conns
                .chunks(CONNS_PER_ITEM)
                .map(|conns| DownstreamRecord::Deliver {
                    conns: conns.to_vec(),
                    event: event.clone(),
                })
                .collect();
            Outgoing::Downstream(gateway, items)
        })
        .collect())
}

/// A group's members, every page of them, read from the store.
async fn load_members(
    deps: &TaskDeps,
    message: &Message,
    batch: u32,
    stop: &CancellationToken,
) -> Result<Arc<[UserId]>, Stopped> {
    let mut all = Vec::new();
    let mut after: Option<UserId> = None;
    loop {
        let page = retried(stop, || async {
            deps.store
                .member_ids(&message.conversation_id, after.as_ref(), batch)
                .await
                .map_err(|e| Unread::Failed(e.to_string()))
        })
        .await?;
        let full = page.len() >= usize::try_from(batch).unwrap_or(usize::MAX);
        after = page.last().cloned();
        all.extend(page);
        if !full {
            break;
        }
    }
    metrics::counter!("ferrochat_task_member_loads_total").increment(1);
    Ok(all.into())
}

/// Why a read could not be made now.
enum Unread {
    Failed(String),
    /// The route table is putting back routes it lost: read again after
    /// this long.
    Unsettled(Duration),
}

/// `read` until it answers, pausing between failures; `Stopped` if
/// `stop` fires meanwhile.
async fn retried<T, F, Fut>(stop: &CancellationToken, read: F) -> Result<T, Stopped>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, Unread>>,
{
    let mut pause = Duration::from_millis(10);
    loop {
        let wait = match read().await {
            Ok(v) => return Ok(v),
            Err(Unread::Unsettled(wait)) => {
                metrics::counter!("ferrochat_task_unsettled_total").increment(1);
                wait
            }
            Err(Unread::Failed(e)) => {
                tracing::warn!(error = %e, "fan-out reads failed; retrying");
                metrics::counter!("ferrochat_task_read_retries_total").increment(1);
                let wait = pause;
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
                wait
            }
        };
        tokio::select! {
            _ = stop.cancelled() => return Err(Stopped),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Whether the routes just read are complete (asked after the read, so a
/// loss before or during it shows).
async fn settled(deps: &TaskDeps) -> Result<(), Unread> {
    match deps.presence.settled().await {
        Ok(Settled::Yes) => Ok(()),
        Ok(Settled::Wait(wait)) => Err(Unread::Unsettled(wait)),
        Err(e) => Err(Unread::Failed(e.to_string())),
    }
}
