//! How a balanced `LogicClient` finds, chooses and gives up on logic
//! instances.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BalanceConfig {
    /// How often discovery is asked for the logic instances. An instance
    /// whose lease expired leaves within this much of its expiry.
    #[serde(with = "humantime_serde")]
    pub refresh: Duration,
    /// Dialling one instance may take this long.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// A whole call, retries included, may take this long.
    #[serde(with = "humantime_serde")]
    pub call_timeout: Duration,
    /// Instance failures in a row that open its breaker.
    pub failure_threshold: u32,
    /// How long an open breaker keeps its instance out before one probe.
    #[serde(with = "humantime_serde")]
    pub open_for: Duration,
    /// Extra attempts of an idempotent call whose instance failed.
    pub retries: u32,
    /// The pause before the first retry; it doubles for each next one.
    #[serde(with = "humantime_serde")]
    pub retry_backoff: Duration,
    /// Calls waiting for an instance; beyond it callers wait to queue.
    pub buffer: usize,
}

impl Default for BalanceConfig {
    fn default() -> Self {
        Self {
            refresh: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            call_timeout: Duration::from_secs(5),
            failure_threshold: 3,
            open_for: Duration::from_secs(5),
            retries: 2,
            retry_backoff: Duration::from_millis(20),
            buffer: 1024,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("logic balance config: {0} must be more than zero")]
pub struct BalanceConfigError(pub &'static str);

impl BalanceConfig {
    pub fn validate(&self) -> Result<(), BalanceConfigError> {
        let zero = [
            ("refresh", self.refresh.is_zero()),
            ("connect_timeout", self.connect_timeout.is_zero()),
            ("call_timeout", self.call_timeout.is_zero()),
            ("failure_threshold", self.failure_threshold == 0),
            ("open_for", self.open_for.is_zero()),
            ("buffer", self.buffer == 0),
        ];
        match zero.into_iter().find(|(_, is_zero)| *is_zero) {
            Some((field, _)) => Err(BalanceConfigError(field)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(BalanceConfig::default().validate(), Ok(()));
    }

    #[test]
    fn zeroes_are_refused_by_name() {
        let config = BalanceConfig {
            failure_threshold: 0,
            ..BalanceConfig::default()
        };
        assert_eq!(
            config.validate(),
            Err(BalanceConfigError("failure_threshold"))
        );
        let config = BalanceConfig {
            buffer: 0,
            ..BalanceConfig::default()
        };
        assert_eq!(config.validate(), Err(BalanceConfigError("buffer")));
    }

    #[test]
    fn durations_read_as_humantime_and_missing_fields_default() {
        let config: BalanceConfig =
            serde_json::from_str(r#"{"refresh": "500ms", "retries": 1}"#).unwrap();
        assert_eq!(config.refresh, Duration::from_millis(500));
        assert_eq!(config.retries, 1);
        assert_eq!(config.open_for, BalanceConfig::default().open_for);
        assert!(serde_json::from_str::<BalanceConfig>(r#"{"refesh": "1s"}"#).is_err());
    }
}
