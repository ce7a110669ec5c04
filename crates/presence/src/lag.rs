//! `MemoryLag`: fan-out lag reports in process, for `ferrochat serve`,
//! where logic and the task role share one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ferrochat_ports::{FanoutLag, PresenceError};

#[derive(Default)]
pub struct MemoryLag {
    /// Reporter to (lag, when it lapses).
    reports: Mutex<HashMap<String, (Duration, Instant)>>,
}

impl MemoryLag {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl FanoutLag for MemoryLag {
    async fn report(
        &self,
        reporter: &str,
        lag: Duration,
        ttl: Duration,
    ) -> Result<(), PresenceError> {
        let mut reports = self
            .reports
            .lock()
            .map_err(|_| PresenceError::Unavailable("lag lock poisoned".into()))?;
        let lapses = Instant::now() + ttl;
        match reports.get_mut(reporter) {
            Some(entry) => *entry = (lag, lapses),
            None => {
                reports.insert(reporter.to_owned(), (lag, lapses));
            }
        }
        Ok(())
    }

    async fn current(&self) -> Result<Duration, PresenceError> {
        let mut reports = self
            .reports
            .lock()
            .map_err(|_| PresenceError::Unavailable("lag lock poisoned".into()))?;
        let now = Instant::now();
        // Lapsed reporters go, so the map holds only live ones.
        reports.retain(|_, (_, lapses)| *lapses > now);
        Ok(reports
            .values()
            .map(|(lag, _)| *lag)
            .max()
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_largest_live_report_wins_and_a_lapsed_one_is_forgotten() {
        let lag = MemoryLag::new();
        assert_eq!(lag.current().await.ok(), Some(Duration::ZERO));
        let long = Duration::from_secs(60);
        assert!(lag
            .report("a", Duration::from_millis(300), long)
            .await
            .is_ok());
        assert!(lag
            .report("b", Duration::from_millis(900), Duration::ZERO)
            .await
            .is_ok());
        // b lapsed at once: a's report is the one that counts.
        assert_eq!(lag.current().await.ok(), Some(Duration::from_millis(300)));
        assert!(lag
            .report("a", Duration::from_millis(50), long)
            .await
            .is_ok());
        assert_eq!(lag.current().await.ok(), Some(Duration::from_millis(50)));
    }
}
