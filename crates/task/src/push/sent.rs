//! What one send to a phone provider came to, and the retry loop every
//! provider shares.

use std::future::Future;
use std::time::Duration;

use super::backoff::Backoff;

/// One provider's answer about one device.
#[derive(Debug)]
pub(crate) enum Sent {
    /// Accepted for delivery.
    Delivered,
    /// The token is dead (app uninstalled, token expired or never valid):
    /// the device is forgotten.
    Dead,
    /// Refused for another reason: calling again would get the same.
    Refused(String),
    /// 429, 5xx, a timeout or a broken connection; `after` is the
    /// provider's `Retry-After` in seconds.
    Retry {
        why: String,
        after: Option<Duration>,
    },
}

/// How a send ended, after its retries: the metrics' `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    Delivered,
    DeadToken,
    Refused,
    GaveUp,
}

impl SendOutcome {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::DeadToken => "dead_token",
            Self::Refused => "refused",
            Self::GaveUp => "gave_up",
        }
    }
}

/// Calls `send` until it is delivered, dead, refused or has failed
/// `max_attempts` times, waiting `backoff` (or the provider's
/// `Retry-After`, capped) between calls.
pub(crate) async fn with_retries<F, Fut>(
    max_attempts: u32,
    backoff: Backoff,
    provider: &'static str,
    mut send: F,
) -> SendOutcome
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Sent>,
{
    let mut failed = 0;
    loop {
        match send().await {
            Sent::Delivered => return SendOutcome::Delivered,
            Sent::Dead => return SendOutcome::DeadToken,
            Sent::Refused(why) => {
                tracing::warn!(provider, %why, "push refused; not retried");
                return SendOutcome::Refused;
            }
            Sent::Retry { why, after } => {
                failed += 1;
                if failed >= max_attempts {
                    tracing::warn!(provider, attempts = failed, last_error = %why, "push failed every attempt; giving up");
                    return SendOutcome::GaveUp;
                }
                let wait = backoff.delay(failed, after);
                tracing::debug!(provider, %why, ?wait, "push failed; retrying");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// `Retry-After` in delay-seconds. The HTTP-date form is not read: the
/// jittered backoff applies instead.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let raw = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    raw.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A transport failure, worded without its URL.
pub(crate) fn transport(e: reqwest::Error) -> Sent {
    Sent::Retry {
        why: describe(e),
        after: None,
    }
}

/// What a transport failure was, without its URL (which may carry a
/// token).
pub(crate) fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        e.without_url().to_string()
    }
}
