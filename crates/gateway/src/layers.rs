//! The whole HTTP middleware stack, built in one place: body limit, panic
//! catcher, sensitive headers, response headers that keep answers out of
//! caches, sniffers and frames, and per-route observation (span, timeout,
//! metrics). Unknown paths and methods get the contract's 1003, or what
//! the caller's `unmatched` says (a full server's operations-only app
//! answers 1009, `edge.rs`).

use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use ferrochat_domain::ErrorKind;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::Instrument;

use crate::error::error_response;

/// What an API answer may load or be framed by: nothing.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// How long a request may take: `gateway.request_timeout`, but an
/// upload `storage.upload_timeout` (a 100 MiB file on a slow link).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    request: Duration,
    upload: Duration,
}

impl Timeouts {
    pub(crate) fn of(config: &crate::config::GatewayConfig) -> Self {
        Self {
            request: config.request_timeout,
            // The upload's own deadline fires first and says why (408);
            // this one is for what follows it (thumbnail, metadata).
            upload: config
                .attachments
                .upload_timeout
                .saturating_add(config.request_timeout),
        }
    }

    fn of_route(&self, method: &str, route: &str) -> Duration {
        let upload = (method == "POST" && route == crate::attach::UPLOAD_ROUTE)
            || (method == "PATCH" && route == crate::attach::CHUNK_ROUTE);
        if upload {
            self.upload
        } else {
            self.request
        }
    }
}

pub(crate) fn apply<H, T>(
    router: Router,
    unmatched: H,
    max_body_bytes: usize,
    timeout: Timeouts,
) -> Router
where
    H: Handler<T, ()>,
    T: 'static,
{
    router
        .route_layer(middleware::from_fn_with_state(timeout, observe))
        .fallback(unmatched.clone())
        .method_not_allowed_fallback(unmatched)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
        ]))
        // API answers carry tokens and messages: never stored by a cache.
        // The web client's files set their own (`http/web.rs`).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // An API answer is data, never a page: a browser that is tricked
        // into showing one runs nothing in it, frames it nowhere and sends
        // no address on from it. The web client's files set their own.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            error_response(ErrorKind::Internal, "internal error".to_owned())
        }))
}

pub(crate) async fn not_found() -> Response {
    error_response(ErrorKind::NotFound, "no such endpoint".to_owned())
}

/// One span per request named by its route template (never the raw URI:
/// `/ws?token=` carries a secret), a deadline, and the HTTP metrics.
async fn observe(State(timeouts): State<Timeouts>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let timeout = timeouts.of_route(&method, &route);
    let span = tracing::debug_span!("http", http.method = %method, http.route = %route);
    let started = Instant::now();
    let response = match tokio::time::timeout(timeout, next.run(req).instrument(span.clone())).await
    {
        Ok(r) => r,
        Err(_) => {
            span.in_scope(|| tracing::warn!("request timed out"));
            error_response(ErrorKind::Internal, "request timed out".to_owned())
        }
    };
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("ferrochat_http_requests_total", &labels).increment(1);
    metrics::histogram!("ferrochat_http_request_duration_seconds", &labels).record(elapsed);
    span.in_scope(|| tracing::debug!(http.status = response.status().as_u16(), elapsed, "done"));
    response.into_response()
}
