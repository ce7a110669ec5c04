//! Store calls that ride out a brief outage of what serves them (the repo
//! role, a SQL server), shared by `RepoClient` and the SQL stores.
//!
//! - [`Retrier::run`] runs one call: attempts, with pauses that double
//!   from `backoff` up to `max_backoff` (each plus a random part of up to
//!   as much again, so callers that failed together do not retry
//!   together), until it succeeds, gets an answer, or its `deadline`
//!   passes. Whether a failed attempt may run again is decided by how it
//!   failed ([`Failure`]) and by whether the call may run twice
//!   ([`Rerun`]): a call that may have taken effect runs again only if
//!   running it twice has the effect of once.
//! - `breaker.rs`: the outage breaker. It opens only once the backend has
//!   been unreachable for `breaker_after`, with no answer in between;
//!   while it is open calls fail at once, and one call per `probe_every`
//!   tries the backend (one attempt). Any answer closes it.
//! - `config.rs`: [`RetryConfig`]; `metrics.rs`: what is counted.
//!
//! The adapters say how their failures fail and map [`GaveUp`] to their
//! port's error; nothing here knows a store.

#![forbid(unsafe_code)]

mod breaker;
mod config;
mod metrics;
mod run;

pub use breaker::BreakerState;
pub use config::{RetryConfig, RetryConfigError};
pub use run::{Failure, GaveUp, Rerun, Retrier};
