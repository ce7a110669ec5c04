//! How long to wait before the next call: exponential backoff with full
//! jitter (a uniform pick below the exponential cap), so many pushes that
//! failed together do not retry together; a receiver's `Retry-After` wins,
//! capped like the rest.

use std::time::Duration;

use rand::Rng as _;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
}

impl Backoff {
    /// The wait after the `failed`-th failed call (1 for the first).
    pub(crate) fn delay(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max);
        }
        let cap = self.cap(failed);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }

    /// `initial * 2^(failed-1)`, at most `max`.
    fn cap(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(31);
        self.initial
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff {
        initial: Duration::from_millis(200),
        max: Duration::from_secs(10),
    };

    #[test]
    fn the_cap_doubles_up_to_the_max() {
        assert_eq!(B.cap(1), Duration::from_millis(200));
        assert_eq!(B.cap(2), Duration::from_millis(400));
        assert_eq!(B.cap(6), Duration::from_millis(6400));
        assert_eq!(B.cap(7), Duration::from_secs(10));
        assert_eq!(B.cap(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn delays_stay_under_the_cap() {
        for failed in 1..10 {
            for _ in 0..100 {
                assert!(B.delay(failed, None) <= B.cap(failed));
            }
        }
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        assert_eq!(
            B.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            B.delay(1, Some(Duration::from_secs(3600))),
            Duration::from_secs(10)
        );
    }
}
