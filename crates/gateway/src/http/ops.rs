//! Liveness, readiness, health and metrics. Unauthenticated, outside /api.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use ferrochat_ports::Readiness;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::Status;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(metrics))
}

#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    summary = "The process serves",
    description = "200 while the process serves. Not limited; answered past the connection cap.",
    responses((status = 200, description = "Serving", body = Status))
)]
async fn health() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

#[utoipa::path(
    get,
    path = "/live",
    tag = "operations",
    summary = "The process serves (as /health)",
    description = "200 while the process serves. Not limited; answered past the connection cap.",
    responses((status = 200, description = "Serving", body = Status))
)]
async fn live() -> impl IntoResponse {
    health().await
}

#[utoipa::path(
    get,
    path = "/ready",
    tag = "operations",
    summary = "Every required dependency answers",
    description = "`checks` names every dependency the process uses, each asked at once with \
        at most 2 s; `reason` is the first failing check's. Not limited; answered past the \
        connection cap.",
    responses(
        (status = 200, description = "Ready", body = crate::openapi::Readiness),
        (status = 503, description = "A required check fails", body = crate::openapi::Readiness),
    )
)]
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

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    summary = "Prometheus metrics",
    description = "Prometheus text format. Not limited; answered past the connection cap.",
    responses((status = 200, description = "The metrics", content_type = "text/plain", body = String))
)]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        (state.deps.metrics)(),
    )
}
