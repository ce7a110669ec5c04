//! Offline push: members who had no connection when a message was
//! delivered are named to a webhook (`[push] webhook_url`), which may
//! wake their devices, and their registered phones are told through FCM
//! and APNs (`[push.fcm]`, `[push.apns]`, `phones.rs`). Logic hands over the offline members of the
//! conversations it delivers itself as `TaskRecord::Push`; the task role
//! pushes group pages it fans out directly.
//!
//! A push is one POST of the message and at most 100 recipients. 2xx is
//! done; 4xx other than 408/429 is refused for good (not retried);
//! anything else is retried with backoff up to `max_attempts`, then given
//! up. Either way the push ends. Pushes wait in a bounded queue beside
//! the task role's record loop, which never waits for the webhook: when
//! the queue is full a push is dropped and counted, so a slow or broken
//! webhook never holds up fan-out. Delivery is otherwise at least
//! once: the body carries the message id and the `Idempotency-Key`
//! header, for the receiver to drop repeats.

mod apns;
mod backoff;
mod body;
mod config;
#[cfg(feature = "test-receiver")]
pub mod fakes;
mod fcm;
pub(crate) mod meter;
mod notice;
mod pem;
mod phones;
mod providers;
#[cfg(feature = "test-receiver")]
pub mod receiver;
mod sent;
mod webhook;

use std::time::Instant;

use ferrochat_domain::push::Device;
use ferrochat_domain::{Message, UserId};

use self::backoff::Backoff;
pub use self::webhook::PushSetupError;
use self::webhook::{Attempt, Webhook};
pub use config::PushConfig;
pub use phones::Phones;
pub use providers::{ApnsConfig, FcmConfig};
pub use sent::SendOutcome;

/// Reads and parses the phone providers' credentials (`[push.fcm]`,
/// `[push.apns]`), so a node that runs the task role refuses to start
/// with ones it could not push with, rather than starting without it.
pub fn check_providers(config: &PushConfig) -> Result<(), PushSetupError> {
    Phones::check(config)
}

/// The HTTP client every push provider starts from: bounded calls, no
/// redirects (one could carry a body, and its recipients, to another
/// host), our name.
pub(crate) fn client_builder(timeout: std::time::Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ferrochat/", env!("CARGO_PKG_VERSION")))
}

/// A push the task role had no room for (`push.queue` full): logged and
/// counted, not retried; the message is in history for `sync`.
pub(crate) fn dropped(message: &Message, recipients: usize) {
    meter::dropped();
    tracing::debug!(msg.id = %message.id, recipients, "push queue full; push dropped");
}

/// How a push ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// The webhook answered 2xx.
    Delivered,
    /// The webhook refused it (4xx other than 408/429): not retried.
    Refused,
    /// Every attempt failed, or the body could not be encoded.
    GaveUp,
}

/// Calls the webhook for one push at a time; shared by the task role's
/// concurrent pushes.
pub struct Pusher {
    webhook: Webhook,
    max_attempts: u32,
    backoff: Backoff,
}

impl Pusher {
    /// `None` when push is off (no `webhook_url`).
    pub fn build(config: &PushConfig) -> Result<Option<Self>, PushSetupError> {
        let Some(url) = &config.webhook_url else {
            return Ok(None);
        };
        Ok(Some(Self {
            webhook: Webhook::new(url, config.timeout)?,
            max_attempts: config.max_attempts.max(1),
            backoff: Backoff {
                initial: config.backoff_initial,
                max: config.backoff_max,
            },
        }))
    }

    /// Tells the webhook `recipients` missed `message`; retries until done,
    /// refused or out of attempts.
    pub async fn push(&self, message: &Message, recipients: &[UserId]) -> PushOutcome {
        self.push_with(message, recipients, &[]).await
    }

    /// `push`, naming the recipients' `webhook` devices in the body.
    pub async fn push_with(
        &self,
        message: &Message,
        recipients: &[UserId],
        devices: &[Device],
    ) -> PushOutcome {
        let started = Instant::now();
        let outcome = self.attempts(message, recipients, devices).await;
        meter::finished(outcome, started.elapsed());
        outcome
    }

    async fn attempts(
        &self,
        message: &Message,
        recipients: &[UserId],
        devices: &[Device],
    ) -> PushOutcome {
        let body = match body::encode(message, recipients, devices) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, msg.id = %message.id, "push body cannot be encoded");
                return PushOutcome::GaveUp;
            }
        };
        let key = body::idempotency_key(message, recipients);
        let mut failed = 0;
        loop {
            meter::attempt();
            match self.webhook.call(body.clone(), &key).await {
                Attempt::Delivered => return PushOutcome::Delivered,
                Attempt::Refused(status) => {
                    tracing::warn!(
                        msg.id = %message.id,
                        http.status = status.as_u16(),
                        "push webhook refused a push; not retried"
                    );
                    return PushOutcome::Refused;
                }
                Attempt::Retry { why, after } => {
                    failed += 1;
                    if failed >= self.max_attempts {
                        tracing::warn!(
                            msg.id = %message.id,
                            attempts = failed,
                            last_error = %why,
                            "push webhook failed every attempt; giving up"
                        );
                        return PushOutcome::GaveUp;
                    }
                    let wait = self.backoff.delay(failed, after);
                    tracing::debug!(msg.id = %message.id, %why, ?wait, "push failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}
