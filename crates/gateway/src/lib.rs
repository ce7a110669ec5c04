//! The gateway role: ferrochat's HTTP API and WebSocket edge.
//!
//! It decodes every request into validated domain commands (through
//! `ferrochat-wire`), calls the logic role through the API ports, and turns
//! every outcome, errors included, into the contract's envelope. It holds
//! no business rules and names no adapter.

mod config;
mod error;
mod extract;
mod http;
mod layers;
mod ratelimit;
mod reply;
mod serve;
mod state;

pub use config::{GatewayConfig, RateLimitConfig};
pub use serve::{router, run};
pub use state::{GatewayDeps, MetricsRender};
