//! Which failed calls `LogicClient` tries again, and after what pause.
//!
//! Any call that surely never ran: its instance could not be reached, or
//! refused the call's stream or went away before it (a logic shutting
//! down gracefully names the last call it will answer; `in_transit.rs`),
//! so a rolling restart fails no call that another instance could take.
//! Idempotent calls (reads, and writes that set a value, such as
//! `mark_read` or `set_block`) also when the call got no logic's answer
//! for another reason of the instance (UNAVAILABLE without the details a
//! `LogicServer` puts in every error), since it may have run. An
//! application error is an answer and is never retried; neither is a call
//! that ran out of time, nor one that is not idempotent (`login`, and
//! `refresh`, which rotates its token) and may have run.

use std::time::Duration;

use tokio::time::Instant;
use tonic::{Code, Status};

use crate::in_transit::never_ran;

/// Whether an rpc may run twice with the effect of once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotence {
    Idempotent,
    Once,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    retries: u32,
    backoff: Duration,
}

impl RetryPolicy {
    /// One attempt per call: a client of one logic has nowhere else to go.
    pub(crate) const NONE: Self = Self {
        retries: 0,
        backoff: Duration::ZERO,
    };

    pub(crate) fn new(retries: u32, backoff: Duration) -> Self {
        Self { retries, backoff }
    }

    /// The pause before another attempt, after attempt `attempt` (from 0)
    /// failed with `status`; `None` to give up. No retry starts that could
    /// not begin before `deadline`.
    pub(crate) fn pause(
        &self,
        call: Idempotence,
        status: &Status,
        attempt: u32,
        now: Instant,
        deadline: Instant,
    ) -> Option<Duration> {
        let again = match call {
            Idempotence::Once => never_ran(status),
            Idempotence::Idempotent => never_ran(status) || unreachable(status),
        };
        if !again || attempt >= self.retries {
            return None;
        }
        let pause = self
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt.min(16)));
        (now + pause < deadline).then_some(pause)
    }
}

/// The call got no logic's answer (and may have run).
fn unreachable(status: &Status) -> bool {
    status.code() == Code::Unavailable && status.details().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::to_status;
    use ferrochat_domain::ErrorKind;
    use ferrochat_ports::ApiError;

    const BACKOFF: Duration = Duration::from_millis(10);

    fn pause(call: Idempotence, status: &Status, attempt: u32) -> Option<Duration> {
        let now = Instant::now();
        RetryPolicy::new(2, BACKOFF).pause(call, status, attempt, now, now + Duration::from_secs(5))
    }

    #[test]
    fn an_unreachable_instance_is_retried_for_idempotent_calls_with_growing_pauses() {
        let down = Status::unavailable("connection refused");
        assert_eq!(pause(Idempotence::Idempotent, &down, 0), Some(BACKOFF));
        assert_eq!(pause(Idempotence::Idempotent, &down, 1), Some(BACKOFF * 2));
        assert_eq!(
            pause(Idempotence::Idempotent, &down, 2),
            None,
            "retries spent"
        );
    }

    #[test]
    fn calls_that_may_not_run_twice_are_not_retried_once_they_may_have_run() {
        let down = Status::unavailable("connection refused");
        assert_eq!(pause(Idempotence::Once, &down, 0), None);
    }

    #[test]
    fn answers_and_timeouts_are_never_retried() {
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::InvalidParams,
            ErrorKind::Conflict,
            ErrorKind::Internal,
        ] {
            let answer = to_status(&ApiError::new(kind, "no"));
            assert_eq!(pause(Idempotence::Idempotent, &answer, 0), None, "{kind:?}");
        }
        let late = Status::deadline_exceeded("no answer");
        assert_eq!(pause(Idempotence::Idempotent, &late, 0), None);
    }

    #[test]
    fn no_retry_starts_past_the_deadline() {
        let down = Status::unavailable("connection refused");
        let now = Instant::now();
        let policy = RetryPolicy::new(5, BACKOFF);
        let call = Idempotence::Idempotent;
        assert_eq!(policy.pause(call, &down, 0, now, now + BACKOFF), None);
        assert_eq!(
            policy.pause(call, &down, 0, now, now + BACKOFF * 2),
            Some(BACKOFF)
        );
        assert_eq!(
            RetryPolicy::NONE.pause(call, &down, 0, now, now + BACKOFF * 9),
            None
        );
    }
}
