//! Logic driven through its ports: an in-process bus, in-memory presence
//! and SQLite in a temp dir, with the test playing gateway and task role
//! (it publishes sends and reads what logic writes to the bus).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod offline_push;
