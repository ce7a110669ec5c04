//! One `Fanout` record: page through the audience, deliver each page to
//! its online members, and push each group page's offline members.

use std::sync::Arc;

use ferrochat_domain::routing::Route;
use ferrochat_domain::{ConversationKind, Message, UserId};
use ferrochat_ports::bus::{deliver, offline_members, wants_push, Event, PUSH_BATCH};

use crate::inflight::InFlight;
use crate::{TaskConfig, TaskDeps};

/// Delivers `message` to every online member, `batch` members at a time.
/// With `pushes`, a group's members without a route (but the sender) are
/// pushed page by page as part of the record at `position`. The world
/// room is never pushed: everyone is a member of it, so it would name
/// every offline user for every message.
pub(crate) async fn fan_out(
    deps: &TaskDeps,
    config: &TaskConfig,
    message: &Arc<Message>,
    exclude: Option<&Route>,
    mut pushes: Option<(&mut InFlight, u64)>,
) -> Result<(), String> {
    let event = Arc::new(Event::NewMessage(Message::clone(message)));
    // A page never yields more than PUSH_BATCH offline members.
    let batch = config
        .batch
        .clamp(1, u32::try_from(PUSH_BATCH).unwrap_or(100));
    let push = wants_push(message) && message.conversation_kind != ConversationKind::World;
    let mut after: Option<UserId> = None;
    loop {
        // One page of the audience: its routes, its offline members, and
        // the last user read.
        let (routes, offline, last) = if message.conversation_kind == ConversationKind::World {
            let limit = usize::try_from(batch).unwrap_or(100);
            let routes = deps
                .presence
                .online_page(after.as_ref(), limit)
                .await
                .map_err(|e| e.to_string())?;
            let last = routes.last().map(|(u, _)| u.clone());
            (routes, Vec::new(), last)
        } else {
            let members = deps
                .store
                .member_ids(&message.conversation_id, after.as_ref(), batch)
                .await
                .map_err(|e| e.to_string())?;
            let routes = deps
                .presence
                .routes(&members)
                .await
                .map_err(|e| e.to_string())?;
            let offline = if push && pushes.is_some() {
                offline_members(&members, &routes, &message.from)
            } else {
                Vec::new()
            };
            (routes, offline, members.last().cloned())
        };
        let Some(last) = last else {
            break;
        };
        after = Some(last);
        deliver(
            &*deps.bus,
            routes.into_iter().map(|(_, r)| r),
            exclude,
            &event,
        )
        .await
        .map_err(|e| e.to_string())?;
        if !offline.is_empty() {
            if let Some((inflight, position)) = pushes.as_mut() {
                inflight.start(*position, message.clone(), offline);
            }
        }
        metrics::counter!("ferrochat_task_batches_total").increment(1);
    }
    Ok(())
}
