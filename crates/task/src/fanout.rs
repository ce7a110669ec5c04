//! A batch of `Fanout` records: find each audience's routes and build one
//! `Deliver` record per gateway naming every local recipient, all sharing
//! one event (encoded once per gateway, written as the same bytes to each
//! socket there); and the offline members' pushes.
//!
//! A group's members come from the in-memory index (`members.rs`), read
//! from the store in pages of `TaskConfig::batch` only when missing or
//! after a membership change; routes are read in chunks of the same size.
//! The world room pages the route table's online users.
//!
//! The routes of a conversation are read once per batch, at its first
//! record there ([`Audiences`]): every later record of the batch was
//! committed before that read, so it reaches everyone connected at its
//! commit, as a read of its own would. A `system` message (a membership
//! change) changes what the batch read of its conversation: the user it
//! names taken out, or put in with their routes read then; any other
//! change drops it, to be read again. So it and the records after it see
//! the new membership. Under load the batches grow,
//! and the route table is read once for many messages instead of once
//! for each.
//!
//! A read that fails (the store or the route table briefly away) is made
//! again until it answers: a committed message is never left undelivered
//! to an online member. Only a stop gives up, and then the record is not
//! committed and comes again after a restart.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{ConversationId, ConversationKind, Message, UserId};
use ferrochat_ports::bus::{unrouted_members, wants_push, DownstreamRecord, Event, Outgoing};
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

/// The most world-room bans a batch reads; more than this many users
/// banned at once is beyond what the room's moderation is for (the rest
/// still cannot read or write there, they only see its live messages).
const MAX_WORLD_BANS: u32 = 10_000;

/// Stopped while a read kept failing.
pub(crate) struct Stopped;

/// Who a conversation's messages reach, as read for one batch.
struct Audience {
    /// Every route of its online members (the world room: of everyone
    /// online).
    routes: Vec<(UserId, Route)>,
    /// Its members without a route, for push (the world room: none).
    unrouted: Vec<UserId>,
}

/// The audiences read for the batch at hand, by conversation.
#[derive(Default)]
pub(crate) struct Audiences(HashMap<ConversationId, Audience>);

/// The deliveries of a batch, per gateway in the batch's order.
#[derive(Default)]
pub(crate) struct Deliveries(BTreeMap<GatewayId, Vec<DownstreamRecord>>);

impl Deliveries {
    /// One record per gateway.
    pub(crate) fn into_outgoing(self) -> Vec<Outgoing> {
        self.0
            .into_iter()
            .map(|(gateway, items)| Outgoing::Downstream(gateway, items))
            .collect()
    }
}

/// Adds the deliveries of `message` to every online member (but
/// `exclude`) to `out`. With `pushes`, a group's members without a route
/// (but the sender) are pushed as part of the record at `position`. The
/// world room is never pushed: everyone is a member of it, so it would
/// name every offline user for every message.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn fan_out(
    deps: &TaskDeps,
    config: &TaskConfig,
    index: &mut MemberIndex,
    audiences: &mut Audiences,
    message: &Arc<Message>,
    exclude: Option<&Route>,
    pushes: Option<(&mut InFlight, u64)>,
    stop: &CancellationToken,
    out: &mut Deliveries,
) -> Result<(), Stopped> {
    let conv = &message.conversation_id;
    // The store holds the change a system message announces.
    if message.message_type.is_system() && message.conversation_kind != ConversationKind::World {
        follow_change(deps, index, audiences, message, stop).await?;
    }
    let audience = match audiences.0.entry(conv.clone()) {
        Entry::Occupied(read) => read.into_mut(),
        Entry::Vacant(unread) => {
            unread.insert(read_audience(deps, config, index, message, stop).await?)
        }
    };
    let mut by_gateway: BTreeMap<&GatewayId, Vec<ConnId>> = BTreeMap::new();
    for (_, r) in &audience.routes {
        if Some(r) != exclude {
            by_gateway.entry(&r.gateway).or_default().push(r.conn);
        }
    }
    let event = Arc::new(Event::NewMessage(Message::clone(message)));
    for (gateway, conns) in by_gateway {
        let items = out.0.entry(gateway.clone()).or_default();
        items.extend(
            conns
                .chunks(CONNS_PER_ITEM)
                .map(|conns| DownstreamRecord::Deliver {
                    conns: conns.to_vec(),
                    event: event.clone(),
                    trace: None,
                }),
        );
    }
    if let Some((inflight, position)) = pushes {
        if wants_push(message) && !audience.unrouted.is_empty() {
            let offline: Vec<UserId> = audience
                .unrouted
                .iter()
                .filter(|u| **u != message.from)
                .cloned()
                .collect();
            for recipients in offline.chunks(ferrochat_ports::bus::PUSH_BATCH) {
                inflight.start(position, message.clone(), recipients.to_vec());
            }
        }
    }
    Ok(())
}

/// Applies the membership change a `system` message announces to the
/// member index and to what this batch read of the conversation: a user
/// added or removed changes only that user's entries (their routes read
/// now, after the commit), so a group being filled one member at a time
/// is not read whole for each; anything else is read again whole.
async fn follow_change(
    deps: &TaskDeps,
    index: &mut MemberIndex,
    audiences: &mut Audiences,
    message: &Message,
    stop: &CancellationToken,
) -> Result<(), Stopped> {
    let conv = &message.conversation_id;
    let user = match members::change(message) {
        Change::None => return Ok(()),
        Change::All => {
            index.forget(conv);
            audiences.0.remove(conv);
            return Ok(());
        }
        Change::User(user) => user,
    };
    if index.get(conv).is_none() {
        // Read whole at the next use, with the change in it.
        audiences.0.remove(conv);
        return Ok(());
    }
    let member = retried(stop, || async {
        deps.store
            .member(conv, &user)
            .await
            .map_err(|e| Unread::Failed(e.to_string()))
    })
    .await?
    .is_some();
    index.set_member(conv, &user, member);
    if index.get(conv).is_none() {
        audiences.0.remove(conv);
        return Ok(());
    }
    let Some(audience) = audiences.0.get_mut(conv) else {
        return Ok(());
    };
    audience.routes.retain(|(u, _)| *u != user);
    audience.unrouted.retain(|u| *u != user);
    if member {
        let found = read_routes(deps, std::slice::from_ref(&user), stop).await?;
        if found.is_empty() {
            audience.unrouted.push(user);
        } else {
            audience.routes.extend(found);
        }
    }
    Ok(())
}

/// The routes of `users`, once the route table is settled.
async fn read_routes(
    deps: &TaskDeps,
    users: &[UserId],
    stop: &CancellationToken,
) -> Result<Vec<(UserId, Route)>, Stopped> {
    retried(stop, || async {
        let routes = deps
            .presence
            .routes(users)
            .await
            .map_err(|e| Unread::Failed(e.to_string()))?;
        settled(deps).await?;
        Ok(routes)
    })
    .await
}

/// The routes of `message`'s audience, and (for a group) its members
/// without one.
async fn read_audience(
    deps: &TaskDeps,
    config: &TaskConfig,
    index: &mut MemberIndex,
    message: &Message,
    stop: &CancellationToken,
) -> Result<Audience, Stopped> {
    let batch = config.batch.max(1);
    let chunk = usize::try_from(batch).unwrap_or(1000);
    let mut routes = Vec::new();
    let mut unrouted = Vec::new();
    if message.conversation_kind == ConversationKind::World {
        // Users an administrator banned from the room are left out; the
        // bans in force are few, read once per batch like the routes.
        let banned: HashSet<UserId> = retried(stop, || async {
            deps.store
                .banned_from_world(message.created_at, MAX_WORLD_BANS)
                .await
                .map_err(|e| Unread::Failed(e.to_string()))
        })
        .await?
        .into_iter()
        .collect();
        let mut after: Option<UserId> = None;
        loop {
            let page = retried(stop, || async {
                let page = deps
                    .presence
                    .online_page(after.as_ref(), chunk)
                    .await
                    .map_err(|e| Unread::Failed(e.to_string()))?;
                settled(deps).await?;
                Ok(page)
            })
            .await?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            routes.extend(page.into_iter().filter(|(u, _)| !banned.contains(u)));
            metrics::counter!("ferrochat_task_batches_total").increment(1);
        }
        return Ok(Audience { routes, unrouted });
    }
    let conv = &message.conversation_id;
    let members = match index.get(conv) {
        Some(list) => list,
        None => {
            let list = load_members(deps, message, batch, stop).await?;
            index.keep(conv.clone(), list.clone());
            list
        }
    };
    for users in members.chunks(chunk) {
        let found = read_routes(deps, users, stop).await?;
        unrouted.extend(unrouted_members(users, &found));
        routes.extend(found);
        metrics::counter!("ferrochat_task_batches_total").increment(1);
    }
    Ok(Audience { routes, unrouted })
}

/// A group's members, every page of them, read from the store.
async fn load_members(
    deps: &TaskDeps,
    message: &Message,
    batch: u32,
    stop: &CancellationToken,
) -> Result<Arc<Vec<UserId>>, Stopped> {
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
    Ok(Arc::new(all))
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
