//! Fake phone providers for tests (feature `test-receiver`), on
//! 127.0.0.1:0, that speak each real protocol:
//! FCM HTTP v1 with its OAuth2 token exchange (`fcm.rs`), APNs over
//! HTTP/2 and TLS (`apns.rs`). Each records what it was sent and
//! answers a token by its name: `dead…` is dead, `busy…` is 503 with
//! `Retry-After: 0` on its first send, `hang…` (FCM) never answered on
//! its first.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod apns;
pub mod fcm;
mod rsa_key;
