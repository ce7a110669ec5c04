//! Building the router and serving it until cancelled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::GatewayConfig;
use crate::layers;
use crate::ratelimit::IpLimiter;
use crate::state::{AppState, GatewayDeps};

/// How often idle rate-limit buckets are forgotten.
const LIMITER_SWEEP: Duration = Duration::from_secs(60);

/// The complete HTTP app, for serving or for `oneshot` tests.
pub fn router(deps: GatewayDeps, config: &GatewayConfig) -> Router {
    router_with_state(AppState {
        deps,
        auth_limiter: Arc::new(IpLimiter::new(config.auth_rate_limit)),
        config: Arc::new(config.clone()),
    })
}

fn router_with_state(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    layers::apply(crate::http::routes().with_state(state), max_body, timeout)
}

/// Serves on an already-bound listener until `cancel` fires, then stops
/// accepting, lets in-flight requests finish and returns.
pub async fn run(
    listener: TcpListener,
    deps: GatewayDeps,
    config: GatewayConfig,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let state = AppState {
        deps,
        auth_limiter: Arc::new(IpLimiter::new(config.auth_rate_limit)),
        config: Arc::new(config),
    };
    let tasks = TaskTracker::new();
    let limiter = state.auth_limiter.clone();
    let sweep_cancel = cancel.clone();
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(LIMITER_SWEEP);
        loop {
            tokio::select! {
                _ = sweep_cancel.cancelled() => return,
                _ = tick.tick() => limiter.forget_idle(),
            }
        }
    });
    let app = router_with_state(state);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(cancel.clone().cancelled_owned())
    .await;
    cancel.cancel();
    tasks.close();
    tasks.wait().await;
    served
}
