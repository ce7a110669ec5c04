//! Uploads never sent (and resumable uploads never finished, with their
//! chunks) are deleted after `storage.orphan_after`: every
//! `storage.orphan_sweep_interval` the gateway asks logic for them, a
//! page at a time, deletes their bytes, then their metadata (in that
//! order: metadata left behind is found again next time, bytes left
//! behind would never be). Several gateways sweeping at once only repeat
//! each other's deletes.

use ferrochat_domain::Timestamp;
use ferrochat_ports::clock;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// Uploads deleted per page.
const PAGE: u32 = 100;

pub(crate) async fn run(state: AppState, stop: CancellationToken) {
    let config = state.config.attachments.clone();
    let mut tick = tokio::time::interval(config.orphan_sweep_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        sweep_due(&state, &stop).await;
    }
}

/// One pass now, in the background: an account was deleted, and the store
/// dated its unsent files to the epoch, so they are due at once.
pub(crate) fn soon(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        sweep_due(&state, &CancellationToken::new()).await;
    });
}

async fn sweep_due(state: &AppState, stop: &CancellationToken) {
    let age = i64::try_from(state.config.attachments.orphan_after.as_millis()).unwrap_or(i64::MAX);
    let before = Timestamp::from_millis(clock::now().millis().saturating_sub(age));
    let deleted = sweep_once(state, before, stop).await;
    if deleted > 0 {
        tracing::info!(deleted, "unsent uploads deleted");
        metrics::counter!("ferrochat_gateway_attachments_expired_total").increment(deleted);
    }
}

/// Deletes the uploads unsent since before `before`; answers how many.
async fn sweep_once(state: &AppState, before: Timestamp, stop: &CancellationToken) -> u64 {
    let mut deleted = 0;
    loop {
        let page = match state
            .deps
            .attachments
            .unsent_attachments(before, PAGE)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "listing unsent uploads failed; next sweep retries");
                return deleted;
            }
        };
        let full = page.len() >= PAGE as usize;
        let mut progress = false;
        for id in page {
            if stop.is_cancelled() {
                return deleted;
            }
            if let Err(e) = state.deps.objects.delete(&id).await {
                tracing::warn!(error = %e, attachment.id = %id, "deleting an upload failed");
                continue;
            }
            match state.deps.attachments.forget_unsent_attachment(&id).await {
                Ok(true) => {
                    deleted += 1;
                    progress = true;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "forgetting an upload failed"),
            }
        }
        // A page that changed nothing would come back the same: stop.
        if !full || !progress {
            return deleted;
        }
    }
}
