//! `LogicServer` and `LogicClient` over real loopback sockets: errors keep
//! their kind and message, bad requests are refused with the field named,
//! and a logic that is down or silent fails a call within its timeout.
//! `repo/`: the same for `RepoServer` and `RepoClient`, plus the store
//! conformance suite through them. `tls.rs`: internal TLS, who is served
//! and who is refused.
//! a logic that is down or silent fails a call within its timeout, and a
//! balanced client spreads calls over instances and goes around dead ones.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod bad_requests;
mod balance;
mod down;
mod errors;
mod fake;
mod h2_peer;
mod repo;
mod scrape;
mod tls;
