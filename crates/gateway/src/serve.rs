//! Building the router and serving it until cancelled.

use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::GatewayConfig;
use crate::layers;
use crate::state::{AppState, GatewayDeps};

/// How often idle rate-limit buckets are forgotten.
const LIMITER_SWEEP: Duration = Duration::from_secs(60);
/// How often sends past `gateway.send_timeout` are answered.
const PENDING_SWEEP: Duration = Duration::from_millis(500);

/// The complete HTTP app, for serving or for `oneshot` tests.
pub fn router(deps: GatewayDeps, config: &GatewayConfig) -> Router {
    router_with_state(AppState::new(deps, config.clone()))
}

fn router_with_state(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let timeout = layers::Timeouts::of(&state.config);
    let cors = crate::cors::layer(&state.config.cors_origins);
    let routes = crate::http::routes(&state).with_state(state);
    let app = layers::apply(routes, layers::not_found, max_body, timeout);
    match cors {
        Some(cors) => app.layer(cors),
        None => app,
    }
}

/// What a connection past `gateway.max_connections` is served: the
/// operations routes, and 1009 for anything else (`edge.rs`).
fn ops_router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let timeout = layers::Timeouts::of(&state.config);
    let routes = crate::http::ops_routes().with_state(state);
    layers::apply(routes, crate::http::at_capacity, max_body, timeout)
}

/// Serves on an already-bound listener until `cancel` fires. Then: stop
/// accepting, close every WebSocket with 1001, let in-flight requests
/// finish (their sends still get answered), stop the dispatcher, return.
pub async fn run(
    listener: TcpListener,
    deps: GatewayDeps,
    config: GatewayConfig,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let mut state = AppState::new(deps, config);
    state.shutdown = cancel.child_token();
    let tasks = TaskTracker::new();
    let background = CancellationToken::new();
    // Reading downstream starts before the first request is served: with
    // Kafka a gateway reads from the end as of this call, so no answer to
    // a request of ours can come before it.
    let downstream = state
        .deps
        .bus
        .consume_downstream(&state.deps.id)
        .await
        .map_err(|e| std::io::Error::other(format!("gateway downstream: {e}")))?;
    if let Some(ttl) = state.deps.route_ttl {
        crate::heartbeat::start(&state, ttl).await?;
        let every = state.deps.heartbeat_interval.min(ttl / 3);
        tasks.spawn(crate::heartbeat::keep_alive(
            state.clone(),
            ttl,
            every,
            background.clone(),
        ));
    }
    if let Some(lag) = state.deps.lag.clone() {
        tasks.spawn(crate::lag::report(
            state.dispatch_lag.clone(),
            lag,
            format!("gateway:{}", state.deps.id.as_str()),
            background.clone(),
        ));
    }
    tasks.spawn(sweep_limiters(state.clone(), background.clone()));
    tasks.spawn(sweep_pending(state.clone(), background.clone()));
    tasks.spawn(crate::attach::sweep(state.clone(), background.clone()));
    tasks.spawn(crate::ws::dispatch(
        state.clone(),
        downstream,
        background.clone(),
    ));
    let tls = match &state.config.tls {
        Some(files) => {
            let tls = crate::tls::Tls::load(files)
                .map_err(|e| std::io::Error::other(format!("tls: {e}")))?;
            tasks.spawn(tls.clone().reload_on_hangup(background.clone()));
            Some(tls)
        }
        None => None,
    };
    let apps = crate::edge::Apps {
        full: router_with_state(state.clone()),
        ops_only: ops_router(state.clone()),
    };
    let served = crate::edge::serve(listener, apps, &state.config, tls, cancel.clone()).await;
    state.shutdown.cancel();
    state.sessions.close();
    state.sessions.wait().await;
    if state.deps.route_ttl.is_some() {
        crate::heartbeat::stop(&state).await;
    }
    background.cancel();
    tasks.close();
    tasks.wait().await;
    served
}

/// Answers sends that waited past `gateway.send_timeout` with 1009.
async fn sweep_pending(state: AppState, stop: CancellationToken) {
    let mut tick = tokio::time::interval(PENDING_SWEEP);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let overdue = state.pending.overdue();
        if !overdue.is_empty() {
            tracing::warn!(sends = overdue.len(), "sends not answered in time");
            metrics::counter!("ferrochat_gateway_send_timeouts_total")
                .increment(overdue.len() as u64);
        }
        for waiter in overdue {
            crate::send::deliver(&state, waiter, Err(crate::send::unconfirmed()));
        }
        metrics::gauge!("ferrochat_gateway_sends_waiting").set(state.pending.len() as f64);
    }
}

async fn sweep_limiters(state: AppState, stop: CancellationToken) {
    let mut tick = tokio::time::interval(LIMITER_SWEEP);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {
                state.auth_limiter.forget_idle();
                state.http_limiter.forget_idle();
                state.send_limiter.forget_idle();
                state.frame_limiter.forget_idle();
                state.sync_limiter.forget_idle();
            }
        }
    }
}
