//! In a cluster the route table outlives any one gateway, so a gateway
//! keeps its routes alive with heartbeats: if it dies, its routes vanish
//! once the TTL lapses, and nobody is told to deliver to it any more.
//! When a heartbeat finds the table forgot this gateway (a Redis restart,
//! or beats missed for a whole TTL), the gateway puts back every
//! connection it holds. Beats come often (`presence.heartbeat_interval`,
//! 1 s), because until the gateway has put its routes back, whoever
//! delivers waits (`Presence::settled`).

use std::time::Duration;

use ferrochat_ports::presence::Heartbeat;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// Before the first connection: routes left by an earlier run of this
/// gateway (same id, crashed) are dropped, and the gateway counts as alive.
pub(crate) async fn start(state: &AppState, ttl: Duration) -> std::io::Result<()> {
    let presence = &state.deps.presence;
    let id = &state.deps.id;
    let failed = |e| std::io::Error::other(format!("route table: {e}"));
    presence.forget_gateway(id).await.map_err(failed)?;
    presence.heartbeat(id, ttl).await.map_err(failed)?;
    // Nothing to put back yet; this says so.
    presence.restore(id, &[]).await.map_err(failed)?;
    Ok(())
}

/// Renews every `every` until `stop`.
pub(crate) async fn keep_alive(
    state: AppState,
    ttl: Duration,
    every: Duration,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is immediate: `start` just beat
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let id = &state.deps.id;
        match state.deps.presence.heartbeat(id, ttl).await {
            Ok(Heartbeat::Renewed) => {}
            Ok(Heartbeat::Reset) => {
                let conns = state.registry.snapshot();
                tracing::warn!(
                    conns = conns.len(),
                    "the route table had forgotten this gateway; restoring its routes"
                );
                if let Err(e) = state.deps.presence.restore(id, &conns).await {
                    tracing::warn!(error = %e, "restoring routes failed; next beat retries");
                }
            }
            Err(e) => tracing::warn!(error = %e, "route table heartbeat failed"),
        }
    }
}

/// A clean stop: this gateway's routes go at once.
pub(crate) async fn stop(state: &AppState) {
    if let Err(e) = state.deps.presence.forget_gateway(&state.deps.id).await {
        tracing::warn!(error = %e, "could not take this gateway out of the route table");
    }
}
