//! The gateway's way to many logic instances: a tower stack that
//! `LogicClient::balanced` sends its calls through.
//!
//! ```text
//! Buffer (bounded; makes it Clone)
//!   Balance (power of two choices over the set discovery lists)
//!     per instance: Breaking (circuit breaker)
//!                     PeakEwma (latency x calls in flight)
//!                       Deadlined (tonic Channel, gives up at the call's deadline)
//! ```
//!
//! - `discover.rs`: the set, polled from discovery;
//! - `instance.rs`: one instance's stack;
//! - `breaker.rs`: the breaker's state machine; `breaking.rs` drives it;
//! - `registry.rs`: the breakers as the client reads them;
//! - `metrics.rs`: every metric's name;
//! - `config.rs`: `BalanceConfig`.
//!
//! Retries (idempotent calls only) and the overall deadline are the
//! client's: see `client.rs` and `retry.rs`.

mod breaker;
mod breaking;
mod config;
mod discover;
mod instance;
pub(crate) mod metrics;
mod registry;

use std::sync::Arc;

use ferrochat_ports::discovery::Discovery;
use tokio::time::Instant;
use tonic::Status;
use tower::balance::p2c::Balance;
use tower::buffer::Buffer;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt as _;

use crate::tls::ClientTls;
pub use breaker::BreakerState;
pub use config::{BalanceConfig, BalanceConfigError};
pub(crate) use registry::Registry;

/// What `LogicClient` sends its calls through: one `Channel`, or the
/// balanced stack. Failures are already `Status`es (as tonic would make
/// them): with a boxed error, rustc cannot prove the client's futures
/// `Send` (its higher-ranked lifetime limitation, rust-lang/rust#102211).
pub(crate) type LogicChannel = BoxCloneSyncService<
    http::Request<tonic::body::Body>,
    http::Response<tonic::body::Body>,
    Status,
>;

/// When a whole call (retries included) gives up; the client puts it in
/// each request so the instance it reaches gives up then too.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallDeadline(pub(crate) Instant);

/// The balanced stack over the logic instances `discovery` lists, each
/// dialled over internal TLS when `tls` is given. Spawns
/// the discovery task and the buffer's worker: call inside a Tokio
/// runtime. Both end when the last clone of the channel is dropped.
pub(crate) fn balanced(
    discovery: Arc<dyn Discovery>,
    config: &BalanceConfig,
    tls: Option<ClientTls>,
) -> (LogicChannel, Arc<Registry>) {
    let registry = Arc::new(Registry::default());
    let changes = discover::spawn(discovery, config.clone(), tls, registry.clone());
    let balance = Balance::new(changes);
    let buffer = Buffer::new(balance, config.buffer.max(1));
    // The instances' failures are `Status`es already; the buffer's own
    // (its worker gone) become UNKNOWN.
    let channel = buffer.map_err(Status::from_error);
    (BoxCloneSyncService::new(channel), registry)
}
