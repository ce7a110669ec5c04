//! Each role's operations port: `/metrics` (Prometheus), `/live`,
//! `/ready` and `/health`, the same paths a gateway answers on its main
//! port.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferrochat_ports::Readiness;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::telemetry;

pub(super) struct MetricsServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    readiness: Arc<dyn Readiness>,
}

impl MetricsServer {
    pub(super) fn new(
        listener: TcpListener,
        readiness: Arc<dyn Readiness>,
    ) -> anyhow::Result<Self> {
        let local_addr = listener.local_addr()?;
        Ok(Self {
            listener,
            local_addr,
            readiness,
        })
    }

    pub(super) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub(super) async fn serve(self, cancel: CancellationToken) {
        let render = telemetry::metrics_render();
        let router = Router::new()
            .route("/health", get(live))
            .route("/live", get(live))
            .route("/ready", get(ready))
            .with_state(self.readiness)
            .route(
                "/metrics",
                get(move || {
                    let body = render();
                    async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body) }
                }),
            );
        let served = axum::serve(self.listener, router)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "metrics listener failed");
        }
    }
}

async fn live() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// The same answer as a gateway's `/ready`.
async fn ready(State(readiness): State<Arc<dyn Readiness>>) -> impl IntoResponse {
    ferrochat_gateway::ready_answer(readiness.as_ref()).await
}

/// Drains histogram buffers until `cancel`.
pub(super) async fn upkeep(cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => telemetry::metrics_upkeep(),
        }
    }
}
