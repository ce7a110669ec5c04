//! `[push]` configuration: where and how hard the task role calls the
//! offline-push webhook.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::providers::{is_base_url, ApnsConfig, FcmConfig};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PushConfig {
    /// `http://` or `https://` URL the task role POSTs to for members who
    /// were offline when a message was delivered. Unset (the default):
    /// no push, and no push work is written to the bus. It may carry
    /// credentials (user info or a query token), so it prints redacted.
    #[serde(serialize_with = "redacted")]
    pub webhook_url: Option<String>,
    /// How long one call may take, connecting included.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Calls per push, the first included; then it is given up.
    pub max_attempts: u32,
    /// The first retry waits up to this long; each next one up to twice
    /// as long (full jitter), never more than `backoff_max`.
    #[serde(with = "humantime_serde")]
    pub backoff_initial: Duration,
    /// The longest wait between two calls, `Retry-After` included.
    #[serde(with = "humantime_serde")]
    pub backoff_max: Duration,
    /// Webhook calls in progress at once.
    pub concurrency: usize,
    /// Pushes waiting or calling at once; past that a new push is dropped
    /// (`ferrochat_push_dropped_total`), so the task role never waits for
    /// the webhook.
    pub queue: usize,
    /// Phones get a message's text (cut to `content_max_chars`), not just
    /// "New message": off by default, since the text then passes through
    /// Google's or Apple's servers.
    pub include_content: bool,
    /// The most characters of a message's text a phone gets.
    pub content_max_chars: usize,
    /// A message that mentions a member reaches their phones even in a
    /// conversation they muted.
    pub mentions_break_mute: bool,
    /// Send to Android (and web) devices through FCM; off when unset.
    pub fcm: Option<FcmConfig>,
    /// Send to Apple devices through APNs; off when unset.
    pub apns: Option<ApnsConfig>,
}

impl Default for PushConfig {
    fn default() -> Self {
        Self {
            webhook_url: None,
            timeout: Duration::from_secs(5),
            max_attempts: 5,
            backoff_initial: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            concurrency: 16,
            queue: 4096,
            include_content: false,
            content_max_chars: 100,
            mentions_break_mute: true,
            fcm: None,
            apns: None,
        }
    }
}

impl PushConfig {
    /// Whether push is on: to the webhook, or to phones.
    pub fn enabled(&self) -> bool {
        self.webhook_url.is_some() || self.phones()
    }

    /// Whether the task role sends to phones itself.
    pub fn phones(&self) -> bool {
        self.fcm.is_some() || self.apns.is_some()
    }

    /// Rules serde cannot express: the bad key (under `push.`) and why.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if let Some(url) = &self.webhook_url {
            let ok = reqwest::Url::parse(url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if !ok {
                return Err(("webhook_url", "must be an http:// or https:// URL"));
            }
        }
        if self.timeout.is_zero() {
            return Err(("timeout", "must be more than 0s"));
        }
        if self.max_attempts == 0 {
            return Err(("max_attempts", "must be at least 1"));
        }
        if self.backoff_initial > self.backoff_max {
            return Err(("backoff_initial", "must not be more than push.backoff_max"));
        }
        if self.concurrency == 0 {
            return Err(("concurrency", "must be at least 1"));
        }
        if self.queue < self.concurrency {
            return Err(("queue", "must be at least push.concurrency"));
        }
        if self.content_max_chars == 0 {
            return Err(("content_max_chars", "must be at least 1"));
        }
        if self.fcm.as_ref().is_some_and(|f| !is_base_url(&f.base_url)) {
            return Err(("fcm.base_url", "must be an http:// or https:// URL"));
        }
        if let Some(a) = &self.apns {
            if !is_base_url(&a.base_url) {
                return Err(("apns.base_url", "must be an http:// or https:// URL"));
            }
            if a.key_id.is_empty() || a.team_id.is_empty() {
                return Err(("apns.key_id", "key_id and team_id must be set"));
            }
        }
        Ok(())
    }
}

fn redacted<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_off_and_valid() {
        let c = PushConfig::default();
        assert!(!c.enabled());
        assert_eq!(c.check(), Ok(()));
    }

    #[test]
    fn bad_values_name_their_key() {
        let with = |f: fn(&mut PushConfig)| {
            let mut c = PushConfig {
                webhook_url: Some("https://push.example/hook".into()),
                ..PushConfig::default()
            };
            f(&mut c);
            c.check().err().map(|(key, _)| key)
        };
        assert_eq!(with(|_| {}), None);
        assert_eq!(
            with(|c| c.webhook_url = Some("ftp://x/".into())),
            Some("webhook_url")
        );
        assert_eq!(
            with(|c| c.webhook_url = Some("not a url".into())),
            Some("webhook_url")
        );
        assert_eq!(with(|c| c.timeout = Duration::ZERO), Some("timeout"));
        assert_eq!(with(|c| c.max_attempts = 0), Some("max_attempts"));
        assert_eq!(
            with(|c| c.backoff_initial = Duration::from_secs(60)),
            Some("backoff_initial")
        );
        assert_eq!(with(|c| c.concurrency = 0), Some("concurrency"));
        assert_eq!(with(|c| c.queue = 1), Some("queue"));
    }

    #[test]
    fn the_url_never_prints() {
        let c = PushConfig {
            webhook_url: Some("https://user:secret@push.example/hook?token=t".into()),
            ..PushConfig::default()
        };
        let printed = serde_json::to_string(&c).expect("serializes");
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("[redacted]"), "{printed}");
    }
}
