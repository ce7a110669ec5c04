//! The task role: fan-out of committed messages to the world room and to
//! groups over the fan-out threshold. It pages through the audience in
//! batches (`TaskConfig::batch`, 100 by default), so no loop over users is
//! unbounded, and sends one `Deliver` record per gateway per batch.
//!
//! Records are handled one at a time in bus order, so a conversation's
//! messages reach each gateway in seq order. A record is committed once
//! fully delivered; after a crash it is redelivered and clients drop what
//! they already have by seq.

use std::sync::Arc;

use ferrochat_domain::routing::Route;
use ferrochat_domain::{ConversationKind, Message, UserId};
use ferrochat_ports::bus::{deliver, Consumer, Event, TaskRecord};
use ferrochat_ports::{Bus, Presence, Store};
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
pub struct TaskDeps {
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
}

#[derive(Debug, Clone, Copy)]
pub struct TaskConfig {
    /// Members expanded per step.
    pub batch: u32,
}

impl Default for TaskConfig {
    fn default() -> Self {
        Self { batch: 100 }
    }
}

/// Consumes the `task` topic until `cancel`.
pub async fn run(
    deps: TaskDeps,
    config: TaskConfig,
    cancel: CancellationToken,
) -> Result<(), String> {
    let mut consumer: Box<dyn Consumer<TaskRecord>> =
        deps.bus.consume_task().await.map_err(|e| e.to_string())?;
    loop {
        let record = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            r = consumer.next() => match r {
                Some(r) => r,
                None => break,
            },
        };
        match record {
            TaskRecord::Fanout { message, exclude } => {
                if let Err(e) = fan_out(&deps, config, &message, exclude.as_ref()).await {
                    tracing::warn!(error = %e, conv.id = %message.conversation_id, "task fan-out failed");
                }
            }
        }
        if let Err(e) = consumer.commit().await {
            tracing::warn!(error = %e, "task commit failed");
        }
    }
    tracing::debug!("task role stopped");
    Ok(())
}

async fn fan_out(
    deps: &TaskDeps,
    config: TaskConfig,
    message: &Arc<Message>,
    exclude: Option<&Route>,
) -> Result<(), String> {
    let event = Arc::new(Event::NewMessage(Message::clone(message)));
    let batch = config.batch.max(1);
    let mut after: Option<UserId> = None;
    loop {
        // One page of the audience: its routes, and the last user read.
        let (routes, last) = if message.conversation_kind == ConversationKind::World {
            let limit = usize::try_from(batch).unwrap_or(100);
            let routes = deps
                .presence
                .online_page(after.as_ref(), limit)
                .await
                .map_err(|e| e.to_string())?;
            let last = routes.last().map(|(u, _)| u.clone());
            (routes, last)
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
            (routes, members.last().cloned())
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
        metrics::counter!("ferrochat_task_batches_total").increment(1);
    }
    Ok(())
}
