//! The circuit breaker of one logic instance, as a pure state machine: the
//! caller passes the time in, so every transition is unit-tested without
//! sleeping. `breaking.rs` drives it from a tower service.
//!
//! Closed: calls go through; `threshold` instance failures in a row (no
//! answer, UNAVAILABLE, DEADLINE_EXCEEDED; never an application error)
//! open it. Open: no call goes for `open_for`, so the balancer skips the
//! instance. Half-open: one probe call goes; its success closes the
//! breaker, its failure (or its caller giving up) opens it again.

use std::time::Duration;

use tokio::time::Instant;

/// Where a breaker stands, as the metrics and `LogicClient::breakers` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    /// The label of a transition metric.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// The value of the state gauge: higher is worse.
    pub(crate) fn gauge(self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::HalfOpen => 1.0,
            BreakerState::Open => 2.0,
        }
    }
}

/// May a call go to the instance now?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    Admit,
    /// Open: ask again at this instant.
    WaitUntil(Instant),
    /// Half-open with its probe in flight: ask again when it ends.
    WaitForProbe,
}

/// How a call ended, as far as the instance's health goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer, an application error included.
    Success,
    /// No answer, UNAVAILABLE or DEADLINE_EXCEEDED.
    Failure,
    /// The caller dropped the call before it ended.
    Abandoned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    open_for: Duration,
    state: State,
    last_failure: Option<Instant>,
}

impl Breaker {
    /// `threshold` is at least 1 (`BalanceConfig::validate`); 0 is read as 1.
    pub(crate) fn new(threshold: u32, open_for: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            open_for,
            state: State::Closed { failures: 0 },
            last_failure: None,
        }
    }

    pub(crate) fn state(&self) -> BreakerState {
        match self.state {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Whether a call may go now. An open breaker whose cool-down has
    /// passed turns half-open here; the transition is returned.
    pub(crate) fn admit(&mut self, now: Instant) -> (Admission, Option<BreakerState>) {
        match self.state {
            State::Closed { .. } | State::HalfOpen { probing: false } => (Admission::Admit, None),
            State::HalfOpen { probing: true } => (Admission::WaitForProbe, None),
            State::Open { until } if now < until => (Admission::WaitUntil(until), None),
            State::Open { .. } => {
                self.state = State::HalfOpen { probing: false };
                (Admission::Admit, Some(BreakerState::HalfOpen))
            }
        }
    }

    /// A call is sent. Returns whether it is the half-open probe, whose
    /// outcome alone decides what a half-open breaker does next.
    pub(crate) fn on_call(&mut self) -> bool {
        if self.state == (State::HalfOpen { probing: false }) {
            self.state = State::HalfOpen { probing: true };
            return true;
        }
        false
    }

    /// A call ended. Returns the transition it caused, if any. Outcomes of
    /// calls sent before the breaker opened are stale and change nothing
    /// while it is open or half-open.
    pub(crate) fn on_outcome(
        &mut self,
        probe: bool,
        outcome: Outcome,
        now: Instant,
    ) -> Option<BreakerState> {
        if outcome == Outcome::Failure || (probe && outcome == Outcome::Abandoned) {
            self.last_failure = Some(now);
        }
        match (self.state, outcome) {
            (State::Closed { .. }, Outcome::Success) => {
                self.state = State::Closed { failures: 0 };
                None
            }
            (State::Closed { failures }, Outcome::Failure) => {
                let failures = failures.saturating_add(1);
                if failures >= self.threshold {
                    self.open(now)
                } else {
                    self.state = State::Closed { failures };
                    None
                }
            }
            (State::Closed { .. }, Outcome::Abandoned) => None,
            (State::HalfOpen { .. }, Outcome::Success) if probe => {
                self.state = State::Closed { failures: 0 };
                Some(BreakerState::Closed)
            }
            (State::HalfOpen { .. }, Outcome::Failure | Outcome::Abandoned) if probe => {
                self.open(now)
            }
            _ => None,
        }
    }

    /// Open, its cool-down not over: no call may go now. (Once it is
    /// over the breaker is still open until the balancer asks `admit`,
    /// which only a call makes it do.)
    pub(crate) fn refusing(&self, now: Instant) -> bool {
        matches!(self.state, State::Open { until } if now < until)
    }

    /// Whether the instance failed lately (within `open_for`) while its
    /// breaker stayed closed. The balancer then prefers any instance that
    /// did not: a dead instance fails fast, and on latency alone it would
    /// look like the best one until its breaker opens.
    pub(crate) fn penalised(&self, now: Instant) -> bool {
        match (self.state, self.last_failure) {
            (State::Closed { failures }, Some(at)) => failures > 0 && now < at + self.open_for,
            _ => false,
        }
    }

    fn open(&mut self, now: Instant) -> Option<BreakerState> {
        self.state = State::Open {
            until: now + self.open_for,
        };
        Some(BreakerState::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_FOR: Duration = Duration::from_secs(5);

    fn breaker(threshold: u32) -> (Breaker, Instant) {
        (Breaker::new(threshold, OPEN_FOR), Instant::now())
    }

    /// Sends one call and ends it with `outcome`.
    fn call(b: &mut Breaker, outcome: Outcome, now: Instant) -> Option<BreakerState> {
        assert_eq!(b.admit(now).0, Admission::Admit);
        let probe = b.on_call();
        b.on_outcome(probe, outcome, now)
    }

    #[test]
    fn opens_after_threshold_failures_in_a_row() {
        let (mut b, t) = breaker(3);
        assert_eq!(call(&mut b, Outcome::Failure, t), None);
        assert_eq!(call(&mut b, Outcome::Failure, t), None);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(call(&mut b, Outcome::Failure, t), Some(BreakerState::Open));
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.admit(t).0, Admission::WaitUntil(t + OPEN_FOR));
    }

    #[test]
    fn a_success_resets_the_count() {
        let (mut b, t) = breaker(2);
        call(&mut b, Outcome::Failure, t);
        call(&mut b, Outcome::Success, t);
        assert_eq!(call(&mut b, Outcome::Failure, t), None);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(call(&mut b, Outcome::Failure, t), Some(BreakerState::Open));
    }

    #[test]
    fn abandoned_calls_in_closed_state_count_for_nothing() {
        let (mut b, t) = breaker(1);
        assert_eq!(call(&mut b, Outcome::Abandoned, t), None);
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(!b.penalised(t));
    }

    #[test]
    fn a_threshold_of_zero_means_one() {
        let (mut b, t) = breaker(0);
        assert_eq!(call(&mut b, Outcome::Failure, t), Some(BreakerState::Open));
    }

    #[test]
    fn half_open_after_the_cool_down_admits_one_probe() {
        let (mut b, t) = breaker(1);
        call(&mut b, Outcome::Failure, t);
        let almost = t + OPEN_FOR - Duration::from_millis(1);
        assert_eq!(b.admit(almost), (Admission::WaitUntil(t + OPEN_FOR), None));

        let later = t + OPEN_FOR;
        assert_eq!(
            b.admit(later),
            (Admission::Admit, Some(BreakerState::HalfOpen))
        );
        // Asking again before a call changes nothing.
        assert_eq!(b.admit(later), (Admission::Admit, None));
        assert!(b.on_call(), "the first call is the probe");
        assert_eq!(b.admit(later).0, Admission::WaitForProbe);
        assert!(!b.on_call(), "only one probe");
    }

    #[test]
    fn a_successful_probe_closes() {
        let (mut b, t) = breaker(1);
        call(&mut b, Outcome::Failure, t);
        let later = t + OPEN_FOR;
        b.admit(later);
        let probe = b.on_call();
        assert_eq!(
            b.on_outcome(probe, Outcome::Success, later),
            Some(BreakerState::Closed)
        );
        assert_eq!(b.admit(later).0, Admission::Admit);
        assert!(!b.penalised(later));
    }

    #[test]
    fn a_failed_or_abandoned_probe_opens_again_for_a_full_cool_down() {
        for outcome in [Outcome::Failure, Outcome::Abandoned] {
            let (mut b, t) = breaker(1);
            call(&mut b, Outcome::Failure, t);
            let later = t + OPEN_FOR + Duration::from_secs(1);
            b.admit(later);
            let probe = b.on_call();
            assert_eq!(
                b.on_outcome(probe, outcome, later),
                Some(BreakerState::Open),
                "{outcome:?}"
            );
            assert_eq!(b.admit(later).0, Admission::WaitUntil(later + OPEN_FOR));
        }
    }

    #[test]
    fn stale_outcomes_do_not_move_an_open_or_half_open_breaker() {
        let (mut b, t) = breaker(1);
        call(&mut b, Outcome::Failure, t);
        // Calls sent while closed end after it opened.
        assert_eq!(b.on_outcome(false, Outcome::Success, t), None);
        assert_eq!(b.on_outcome(false, Outcome::Failure, t), None);
        assert_eq!(b.state(), BreakerState::Open);

        let later = t + OPEN_FOR;
        b.admit(later);
        assert!(b.on_call());
        assert_eq!(b.on_outcome(false, Outcome::Success, later), None);
        assert_eq!(b.on_outcome(false, Outcome::Failure, later), None);
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert_eq!(b.admit(later).0, Admission::WaitForProbe);
    }

    #[test]
    fn a_recent_failure_penalises_until_the_cool_down_passes() {
        let (mut b, t) = breaker(3);
        assert!(!b.penalised(t));
        call(&mut b, Outcome::Failure, t);
        assert!(b.penalised(t));
        assert!(b.penalised(t + OPEN_FOR - Duration::from_millis(1)));
        assert!(!b.penalised(t + OPEN_FOR));
        // A success clears it at once.
        call(&mut b, Outcome::Failure, t);
        call(&mut b, Outcome::Success, t);
        assert!(!b.penalised(t));
    }

    #[test]
    fn an_open_breaker_refuses_until_its_cool_down_is_over() {
        let (mut b, t) = breaker(1);
        assert!(!b.refusing(t));
        call(&mut b, Outcome::Failure, t);
        assert!(b.refusing(t));
        assert!(b.refusing(t + OPEN_FOR - Duration::from_millis(1)));
        assert!(!b.refusing(t + OPEN_FOR), "still open, but a call may go");
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn state_labels_and_gauge_values() {
        assert_eq!(BreakerState::Closed.as_str(), "closed");
        assert_eq!(BreakerState::Open.as_str(), "open");
        assert_eq!(BreakerState::HalfOpen.as_str(), "half_open");
        assert!(BreakerState::Closed.gauge() < BreakerState::HalfOpen.gauge());
        assert!(BreakerState::HalfOpen.gauge() < BreakerState::Open.gauge());
    }
}
