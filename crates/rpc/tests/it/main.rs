//! `LogicServer` and `LogicClient` over real loopback sockets: errors keep
//! their kind and message, bad requests are refused with the field named,
//! and a logic that is down or silent fails a call within its timeout.
//! `repo/`: the same for `RepoServer` and `RepoClient`, plus the store
//! conformance suite through them.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod bad_requests;
mod down;
mod errors;
mod fake;
mod repo;
