//! The outage breaker, as a pure state machine: the caller passes the time
//! in, so every transition is unit-tested without sleeping.
//!
//! Up: calls go. An unreachable backend (no connection, connection lost,
//! no answer in time) makes it Down since then; any answer makes it Up
//! again. Down for `after` with no answer in between: Open. Open: calls
//! are refused, but one per `probe_every` goes as a probe; an answer to
//! any call closes it.
//!
//! It counts time, not failures: many calls fail together when a backend
//! goes away, and a brief outage, however many calls it fails, must not
//! open it.

use std::time::Duration;

use tokio::time::Instant;

/// Where a breaker stands, as `Retrier::breaker` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
}

/// May a call go now?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    Call,
    /// The breaker is open; this call goes as its probe (one attempt).
    Probe,
    /// The breaker is open: the backend has been unreachable since then.
    Refuse {
        down_since: Instant,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Up,
    Down { since: Instant },
    Open { since: Instant, next_probe: Instant },
}

#[derive(Debug)]
pub(crate) struct Outage {
    after: Duration,
    probe_every: Duration,
    state: State,
}

impl Outage {
    pub(crate) fn new(after: Duration, probe_every: Duration) -> Self {
        Self {
            after,
            probe_every,
            state: State::Up,
        }
    }

    pub(crate) fn state(&self) -> BreakerState {
        match self.state {
            State::Open { .. } => BreakerState::Open,
            State::Up | State::Down { .. } => BreakerState::Closed,
        }
    }

    pub(crate) fn admit(&mut self, now: Instant) -> Admission {
        match self.state {
            State::Up | State::Down { .. } => Admission::Call,
            State::Open { since, next_probe } if now < next_probe => {
                Admission::Refuse { down_since: since }
            }
            State::Open { since, .. } => {
                self.state = State::Open {
                    since,
                    next_probe: now + self.probe_every,
                };
                Admission::Probe
            }
        }
    }

    /// The backend answered a call (an error answer too). Returns whether
    /// that closed the breaker.
    pub(crate) fn answered(&mut self) -> bool {
        let was_open = self.state() == BreakerState::Open;
        self.state = State::Up;
        was_open
    }

    /// An attempt found the backend unreachable. Returns whether that
    /// opened the breaker.
    pub(crate) fn unreachable(&mut self, now: Instant) -> bool {
        match self.state {
            State::Up => {
                self.state = State::Down { since: now };
                false
            }
            State::Down { since } if now.saturating_duration_since(since) >= self.after => {
                self.state = State::Open {
                    since,
                    next_probe: now + self.probe_every,
                };
                true
            }
            // Any attempt tries the backend: the next probe waits a
            // whole interval after the last one that failed.
            State::Open { since, next_probe } => {
                self.state = State::Open {
                    since,
                    next_probe: next_probe.max(now + self.probe_every),
                };
                false
            }
            State::Down { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AFTER: Duration = Duration::from_secs(20);
    const PROBE: Duration = Duration::from_secs(1);

    fn outage() -> (Outage, Instant) {
        (Outage::new(AFTER, PROBE), Instant::now())
    }

    #[test]
    fn a_brief_outage_never_opens_it_however_many_calls_fail() {
        let (mut o, t) = outage();
        for ms in 0..1000 {
            assert!(!o.unreachable(t + Duration::from_millis(ms * 10)));
        }
        assert_eq!(o.state(), BreakerState::Closed);
        assert!(!o.answered(), "it was never open");
        // The clock starts again after an answer.
        assert!(!o.unreachable(t + AFTER));
        assert_eq!(o.admit(t + AFTER), Admission::Call);
    }

    #[test]
    fn it_opens_once_unreachable_for_the_whole_window() {
        let (mut o, t) = outage();
        assert!(!o.unreachable(t));
        assert!(!o.unreachable(t + AFTER - Duration::from_millis(1)));
        assert!(o.unreachable(t + AFTER));
        assert_eq!(o.state(), BreakerState::Open);
        assert_eq!(
            o.admit(t + AFTER),
            Admission::Refuse { down_since: t },
            "no probe before probe_every"
        );
        assert!(!o.unreachable(t + AFTER), "already open");
    }

    #[test]
    fn open_it_lets_one_probe_through_per_interval() {
        let (mut o, t) = outage();
        o.unreachable(t);
        o.unreachable(t + AFTER);
        let first = t + AFTER + PROBE;
        assert_eq!(o.admit(first), Admission::Probe);
        assert_eq!(o.admit(first), Admission::Refuse { down_since: t });
        // A probe that never reports (its caller gave up) holds nothing.
        assert_eq!(o.admit(first + PROBE), Admission::Probe);
        // A failed attempt leaves it open, and the next probe a whole
        // interval away.
        let failed = first + PROBE + Duration::from_millis(300);
        assert!(!o.unreachable(failed));
        assert_eq!(o.state(), BreakerState::Open);
        assert_eq!(
            o.admit(failed + PROBE / 2),
            Admission::Refuse { down_since: t }
        );
        assert_eq!(o.admit(failed + PROBE), Admission::Probe);
    }

    #[test]
    fn any_answer_closes_it() {
        let (mut o, t) = outage();
        o.unreachable(t);
        o.unreachable(t + AFTER);
        assert!(o.answered());
        assert_eq!(o.state(), BreakerState::Closed);
        assert_eq!(o.admit(t + AFTER), Admission::Call);
        // And a new outage needs a whole window again.
        assert!(!o.unreachable(t + AFTER * 2));
        assert!(!o.unreachable(t + AFTER * 3 - Duration::from_millis(1)));
        assert!(o.unreachable(t + AFTER * 3));
    }
}
