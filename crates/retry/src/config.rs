//! How long a call keeps trying, how it pauses, and when the breaker
//! opens.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryConfig {
    /// A call, all its attempts and pauses included, gives up after this
    /// long. The default rides out a restart of a few seconds.
    #[serde(with = "humantime_serde")]
    pub deadline: Duration,
    /// The pause before the first retry; each next one doubles, up to
    /// `max_backoff`, and each gets a random part of up to as much again.
    #[serde(with = "humantime_serde")]
    pub backoff: Duration,
    #[serde(with = "humantime_serde")]
    pub max_backoff: Duration,
    /// The backend unreachable for this long, with no answer in between:
    /// the breaker opens and calls fail at once. Longer than `deadline`,
    /// so a brief outage never opens it.
    #[serde(with = "humantime_serde")]
    pub breaker_after: Duration,
    /// While the breaker is open, one call per this long tries the
    /// backend (one attempt); an answer closes the breaker.
    #[serde(with = "humantime_serde")]
    pub probe_every: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(500),
            breaker_after: Duration::from_secs(20),
            probe_every: Duration::from_secs(1),
        }
    }
}

/// A setting that cannot work, by name (relative to the section).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct RetryConfigError {
    pub field: &'static str,
    pub why: &'static str,
}

impl RetryConfig {
    pub fn validate(&self) -> Result<(), RetryConfigError> {
        let zero = [
            ("deadline", self.deadline),
            ("backoff", self.backoff),
            ("max_backoff", self.max_backoff),
            ("breaker_after", self.breaker_after),
            ("probe_every", self.probe_every),
        ];
        if let Some((field, _)) = zero.iter().find(|(_, d)| d.is_zero()) {
            return Err(RetryConfigError {
                field,
                why: "must be more than 0s",
            });
        }
        if self.max_backoff < self.backoff {
            return Err(RetryConfigError {
                field: "max_backoff",
                why: "must not be less than backoff",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ride_out_a_three_second_restart() {
        let c = RetryConfig::default();
        assert_eq!(c.validate(), Ok(()));
        assert!(c.deadline > Duration::from_secs(3) + 2 * c.max_backoff);
        assert!(c.breaker_after > c.deadline);
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        let c = RetryConfig {
            probe_every: Duration::ZERO,
            ..RetryConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "probe_every");
        let c = RetryConfig {
            max_backoff: Duration::from_millis(1),
            ..RetryConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "max_backoff");
    }

    #[test]
    fn durations_read_as_humantime_and_missing_fields_default() {
        let c: RetryConfig = serde_json::from_str(r#"{"deadline": "3s"}"#).unwrap();
        assert_eq!(c.deadline, Duration::from_secs(3));
        assert_eq!(c.backoff, RetryConfig::default().backoff);
        assert!(serde_json::from_str::<RetryConfig>(r#"{"dedline": "3s"}"#).is_err());
    }
}
