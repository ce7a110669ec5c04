//! The logic and repo roles over gRPC (`proto/ferrochat/v1/logic.proto`,
//! `repo.proto`).
//!
//! - [`LogicServer`] wraps the four API ports (`AccountsApi`,
//!   `MessagingApi`, `GroupsApi`, `SocialApi`) as a tonic service, and
//!   [`serve`] runs it on a bound listener until a token is cancelled.
//! - [`LogicClient`] implements the same four traits over a tonic
//!   `Channel`, so the gateway cannot tell it from logic in process; or,
//!   [`LogicClient::balanced`], over every logic instance discovery lists
//!   (`balance/`: power of two choices, a circuit breaker per instance,
//!   retries of idempotent calls in `retry.rs`).
//! - `status.rs` is the one place an `ApiError` becomes a gRPC `Status`
//!   and back.
//! - [`RepoServer`] wraps a `Store` as a tonic service, run by
//!   [`serve_repo`]; [`RepoClient`] implements `Store` over a `Channel`,
//!   so logic cannot tell a remote repo from a store in process.
//!   `store_status.rs` is the one place a `StoreError` becomes a `Status`
//!   and back.
//!
//! - `tls/`: mutual TLS between roles ([`InternalTls`]): a server
//!   ([`Listener::Tls`]) refuses in the handshake a caller whose
//!   certificate is not from the cluster's CA or names another role; a
//!   client ([`ClientTls`]) checks its peer's role the same way.
//!
//! Requests are parsed into validated domain types on the server (design
//! invariant 7), so a bad field is refused with its name, as over HTTP.

#![forbid(unsafe_code)]

mod balance;
mod client;
mod endpoint;
mod in_transit;
mod listen;
mod repo_client;
mod repo_retry;
mod repo_server;
mod retry;
mod server;
mod status;
mod store_status;
mod timed;
pub mod tls;

pub use balance::{BalanceConfig, BalanceConfigError, BreakerState};
pub use client::LogicClient;
pub use endpoint::endpoint;
pub use ferrochat_retry::{BreakerState as RepoBreakerState, RetryConfig};
pub use listen::Listener;
pub use repo_client::RepoClient;
pub use repo_server::{serve_repo, RepoServer};
pub use server::{serve, LogicApis, LogicServer};
pub use status::{from_status, to_status};
pub use store_status::{
    store_from_status, store_to_status, RepoCallError, UnreadableAnswer, REPO_ANSWER,
};
pub use tls::{ClientTls, InternalTls, PeerRole, ServerTls, TlsError};
