//! Black-box tests of ferrochat through its real interfaces: HTTP (and
//! later WebSocket) against a real server on 127.0.0.1 port 0, and the
//! built binary as a child process. One binary, one link step.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod accounts;
mod bad_input;
mod binary;
mod conversations;
mod crash;
mod groups_basic;
mod messaging;
mod ops;
mod read_sync;
mod support;
mod ws;
mod ws_limits;
