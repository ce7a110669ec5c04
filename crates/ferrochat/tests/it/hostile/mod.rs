//! The hostile-client suite: each attack of a client with an account, run
//! against the built binary on 127.0.0.1, and the defence it meets.
//! Bounded in count and time; loopback only.

mod client;
mod edge;
mod expiry;
mod frames;
mod headers;
mod input;
mod memory;
mod protocol;
mod throttle;
