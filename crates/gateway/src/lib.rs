//! The gateway role: ferrochat's HTTP API and WebSocket edge.
//!
//! It decodes every request into validated domain commands (through
//! `ferrochat-wire`), calls the logic role through the API ports, and turns
//! every outcome, errors included, into the contract's envelope. It holds
//! no business rules and names no adapter.

mod attach;
mod config;
mod cors;
mod delete;
mod edge;
mod error;
mod extract;
mod fallback;
mod forward;
mod heartbeat;
mod http;
mod lag;
mod layers;
mod login_guard;
mod openapi;
mod pending;
mod ratelimit;
mod reply;
mod send;
mod serve;
mod state;
mod targets;
pub(crate) mod tls;
mod ws;

pub use attach::AttachmentsConfig;
pub use config::{GatewayConfig, LoginThrottleConfig, RateLimitConfig, WsConfig};
pub use cors::check_origin;
pub use fallback::FallbackRateLimiter;
pub use http::ready_answer;
pub use ratelimit::LocalRateLimiter;
pub use serve::{router, run};
pub use state::{GatewayDeps, MetricsRender};
pub use tls::{check_tls, ListenerTls, TlsError};
