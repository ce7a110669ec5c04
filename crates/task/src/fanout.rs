//! One `Fanout` record: page through the audience, and build each page's
//! deliveries (one record per gateway) and its offline members' pushes.
//!
//! A page whose reads fail (the store or the route table briefly away) is
//! read again until it answers: a committed message is never left
//! undelivered to an online member. Only a stop gives up, and then the
//! record is not committed and comes again after a restart.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{ConversationKind, Message, UserId};
use ferrochat_ports::bus::{
    offline_members, wants_push, DownstreamRecord, Event, Outgoing, PUSH_BATCH,
};
use ferrochat_ports::presence::Settled;
use tokio_util::sync::CancellationToken;

use crate::inflight::InFlight;
use crate::{TaskConfig, TaskDeps};

/// The longest a failed page read waits before it is tried again.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(1);

/// Stopped while a read kept failing.
pub(crate) struct Stopped;

/// The deliveries of `message` to every online member, `batch` members a
/// page, as records in page order. With `pushes`, a group's members
/// without a route (but the sender) are pushed page by page as part of
/// the record at `position`. The world room is never pushed: everyone is
/// a member of it, so it would name every offline user for every message.
pub(crate) async fn fan_out(
    deps: &TaskDeps,
    config: &TaskConfig,
    message: &Arc<Message>,
    exclude: Option<&Route>,
    mut pushes: Option<(&mut InFlight, u64)>,
    stop: &CancellationToken,
) -> Result<Vec<Outgoing>, Stopped> {
    let event = Arc::new(Event::NewMessage(Message::clone(message)));
    // A page never yields more than PUSH_BATCH offline members.
    let batch = config
        .batch
        .clamp(1, u32::try_from(PUSH_BATCH).unwrap_or(100));
    let push = wants_push(message)
        && message.conversation_kind != ConversationKind::World
        && pushes.is_some();
    let mut records = Vec::new();
    let mut after: Option<UserId> = None;
    loop {
        let page = read_page(deps, message, after.as_ref(), batch, push, stop).await?;
        let Some(last) = page.last else {
            break;
        };
        after = Some(last);
        let mut by_gateway: BTreeMap<GatewayId, Vec<ConnId>> = BTreeMap::new();
        for (_, r) in page.routes {
            if Some(&r) != exclude {
                by_gateway.entry(r.gateway).or_default().push(r.conn);
            }
        }
        records.extend(by_gateway.into_iter().map(|(gateway, conns)| {
            Outgoing::Downstream(
                gateway,
                vec![DownstreamRecord::Deliver {
                    conns,
                    event: event.clone(),
                }],
            )
        }));
        if !page.offline.is_empty() {
            if let Some((inflight, position)) = pushes.as_mut() {
                inflight.start(*position, message.clone(), page.offline);
            }
        }
        metrics::counter!("ferrochat_task_batches_total").increment(1);
    }
    Ok(records)
}

/// One page of the audience: its routes, its offline members, and the
/// last user read (`None` past the end).
struct Page {
    routes: Vec<(UserId, Route)>,
    offline: Vec<UserId>,
    last: Option<UserId>,
}

async fn read_page(
    deps: &TaskDeps,
    message: &Message,
    after: Option<&UserId>,
    batch: u32,
    push: bool,
    stop: &CancellationToken,
) -> Result<Page, Stopped> {
    let mut pause = Duration::from_millis(10);
    loop {
        match try_read_page(deps, message, after, batch, push).await {
            Ok(page) => return Ok(page),
            Err(Unread::Unsettled(wait)) => {
                metrics::counter!("ferrochat_task_unsettled_total").increment(1);
                tokio::select! {
                    _ = stop.cancelled() => return Err(Stopped),
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            Err(Unread::Failed(e)) => {
                tracing::warn!(error = %e, conv.id = %message.conversation_id, "fan-out reads failed; retrying");
                metrics::counter!("ferrochat_task_read_retries_total").increment(1);
                tokio::select! {
                    _ = stop.cancelled() => return Err(Stopped),
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
            }
        }
    }
}

/// Why a page could not be read now.
enum Unread {
    Failed(String),
    /// The route table is putting back routes it lost: read again after
    /// this long.
    Unsettled(Duration),
}

async fn try_read_page(
    deps: &TaskDeps,
    message: &Message,
    after: Option<&UserId>,
    batch: u32,
    push: bool,
) -> Result<Page, Unread> {
    let failed = |e: &dyn std::fmt::Display| Unread::Failed(e.to_string());
    if message.conversation_kind == ConversationKind::World {
        let limit = usize::try_from(batch).unwrap_or(100);
        let routes = deps
            .presence
            .online_page(after, limit)
            .await
            .map_err(|e| failed(&e))?;
        settled(deps).await?;
        let last = routes.last().map(|(u, _)| u.clone());
        return Ok(Page {
            routes,
            offline: Vec::new(),
            last,
        });
    }
    let members = deps
        .store
        .member_ids(&message.conversation_id, after, batch)
        .await
        .map_err(|e| failed(&e))?;
    let routes = deps
        .presence
        .routes(&members)
        .await
        .map_err(|e| failed(&e))?;
    settled(deps).await?;
    let offline = if push {
        offline_members(&members, &routes, &message.from)
    } else {
        Vec::new()
    };
    Ok(Page {
        routes,
        offline,
        last: members.last().cloned(),
    })
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
