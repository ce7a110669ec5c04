//! The presence conformance suite and RedisPresence's own tests, against a
//! real Redis: the shared test server from `FERROCHAT_TEST_REDIS_URL`
//! (which `scripts/services up` starts and `scripts/services env` prints),
//! each test under a key prefix of its own, so they run in parallel; and a
//! private `redis-server` that `restart.rs` kills and starts again.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod auth;
mod cache;
mod lifecycle;
mod ratelimit;
mod restart;
mod support;

ferrochat_test_support::presence_conformance_tests!(crate::support::fresh_presence);
