//! The logic role over gRPC (`proto/ferrochat/v1/logic.proto`).
//!
//! - [`LogicServer`] wraps the four API ports (`AccountsApi`,
//!   `MessagingApi`, `GroupsApi`, `SocialApi`) as a tonic service, and
//!   [`serve`] runs it on a bound listener until a token is cancelled.
//! - [`LogicClient`] implements the same four traits over a tonic
//!   `Channel`, so the gateway cannot tell it from logic in process.
//! - `status.rs` is the one place an `ApiError` becomes a gRPC `Status`
//!   and back.
//!
//! Requests are parsed into validated domain types on the server (design
//! invariant 7), so a bad field is refused with its name, as over HTTP.

#![forbid(unsafe_code)]

mod client;
mod server;
mod status;

pub use client::LogicClient;
pub use server::{serve, LogicApis, LogicServer};
pub use status::{from_status, to_status};
