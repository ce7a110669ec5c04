//! Liveness, readiness, health and metrics. Unauthenticated, outside /api.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferrochat_ports::Readiness;
use serde_json::{json, Value};

use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/live", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

async fn health() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    ready_answer(state.deps.readiness.as_ref()).await
}

/// `/ready`'s answer, on a gateway's port and on every role's operations
/// port alike: 200 while every required check holds, else 503 with
/// `reason`, the first failure (what the answer held before it named each
/// check, kept for those who read it), and in both cases `checks`, each
/// dependency by name with its state.
pub async fn ready_answer(readiness: &dyn Readiness) -> (StatusCode, Json<Value>) {
    let checks = readiness.checks().await;
    let listed: Vec<Value> = checks
        .iter()
        .map(|c| match &c.state {
            Ok(()) => json!({"name": c.name, "status": "ok", "required": c.required}),
            Err(why) => json!({
                "name": c.name,
                "status": "unavailable",
                "reason": why,
                "required": c.required,
            }),
        })
        .collect();
    match ferrochat_ports::Check::verdict(&checks) {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "checks": listed})),
        ),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": why, "checks": listed})),
        ),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        (state.deps.metrics)(),
    )
}
