//! Black-box tests of ferrochat through its real interfaces: HTTP (and
//! later WebSocket) against a real server on 127.0.0.1 port 0, and the
//! built binary as a child process. One binary, one link step.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod accounts;
mod administration;
mod attachments;
mod attachments_refused;
mod authorization;
mod backpressure;
mod bad_input;
mod bench_cluster;
mod binary;
mod blocks;
mod bus_env;
mod chaos;
mod chat;
mod cluster;
mod cluster_cache;
mod cluster_sessions;
mod conversations;
mod cors;
mod crash;
mod deletion;
mod dep_tls;
mod devices;
mod differential;
mod directory;
mod durability;
mod export;
mod external;
mod friends;
mod groups_admin;
mod groups_basic;
mod groups_moderation;
mod hostile;
mod large_groups;
mod logic_env;
mod messaging;
mod openapi;
mod ops;
mod pins_mentions;
mod presence;
mod presence_env;
mod procs;
mod push;
mod push_phones;
mod read_sync;
mod ready;
mod repo_outage;
mod resumable_refused;
mod resumable_uploads;
mod rich_messages;
mod roles;
mod search;
mod secure;
mod served;
mod sessions;
mod storage_env;
mod store_env;
mod support;
mod system_messages;
mod tls;
mod ws;
mod ws_limits;
