//! The send pipeline's metrics, all named here:
//!
//! - `ferrochat_logic_check_seconds`: one send's check (access reads);
//! - `ferrochat_logic_commit_seconds` and `ferrochat_logic_commit_batch_size`:
//!   one group commit and how many messages it held;
//! - `ferrochat_logic_fanout_seconds`: one stored message's delivery after
//!   its answer (audience, routes, handing the records to the bus);
//! - `ferrochat_logic_answer_seconds`: from a send entering logic (read off
//!   upstream, or a system message handed to the committer) to its answer
//!   going out: the check, the queues, the commit and the fan-out of the
//!   messages ahead of it.

use std::time::Duration;

pub(super) fn checked(took: Duration) {
    metrics::histogram!("ferrochat_logic_check_seconds").record(took.as_secs_f64());
}

pub(super) fn committed(took: Duration, messages: usize) {
    metrics::histogram!("ferrochat_logic_commit_seconds").record(took.as_secs_f64());
    metrics::histogram!("ferrochat_logic_commit_batch_size").record(messages as f64);
}

pub(super) fn delivered(took: Duration) {
    metrics::histogram!("ferrochat_logic_fanout_seconds").record(took.as_secs_f64());
}

pub(super) fn answered(took: Duration) {
    metrics::histogram!("ferrochat_logic_answer_seconds").record(took.as_secs_f64());
}
