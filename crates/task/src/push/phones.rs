//! Push to phones: the devices registered by the offline recipients of a
//! message (`POST /api/v1/devices`), each told through its provider (FCM
//! or APNs) with retries, and forgotten when the provider calls its token
//! dead. A recipient who muted the conversation gets nothing, unless the
//! message mentions them and `push.mentions_break_mute` is on; the badge
//! is their unread messages over every conversation.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrochat_domain::push::{Device, Platform};
use ferrochat_domain::{Message, UserId};
use ferrochat_ports::Store;

use super::apns::Apns;
use super::backoff::Backoff;
use super::fcm::Fcm;
use super::notice::Notice;
use super::sent::{with_retries, SendOutcome};
use super::{meter, PushConfig, PushSetupError};

pub struct Phones {
    store: Arc<dyn Store>,
    fcm: Option<Fcm>,
    apns: Option<Apns>,
    max_attempts: u32,
    backoff: Backoff,
    /// The most characters of text sent, when text is sent at all.
    content: Option<usize>,
    mentions_break_mute: bool,
}

impl Phones {
    /// Builds each configured provider and drops it (`check_providers`).
    pub(crate) fn check(config: &PushConfig) -> Result<(), PushSetupError> {
        Self::providers(config).map(drop)
    }

    fn providers(config: &PushConfig) -> Result<(Option<Fcm>, Option<Apns>), PushSetupError> {
        let fcm = match &config.fcm {
            Some(f) => {
                let http = super::client_builder(config.timeout)
                    .build()
                    .map_err(PushSetupError::Client)?;
                Some(Fcm::new(f, http)?)
            }
            None => None,
        };
        let apns = config
            .apns
            .as_ref()
            .map(|a| Apns::new(a, config.timeout))
            .transpose()?;
        Ok((fcm, apns))
    }

    /// `None` when neither FCM nor APNs is configured.
    pub fn build(
        config: &PushConfig,
        store: Arc<dyn Store>,
    ) -> Result<Option<Self>, PushSetupError> {
        if !config.phones() {
            return Ok(None);
        }
        let (fcm, apns) = Self::providers(config)?;
        Ok(Some(Self {
            store,
            fcm,
            apns,
            max_attempts: config.max_attempts.max(1),
            backoff: Backoff {
                initial: config.backoff_initial,
                max: config.backoff_max,
            },
            content: config.include_content.then_some(config.content_max_chars),
            mentions_break_mute: config.mentions_break_mute,
        }))
    }

    /// Tells `devices` (the recipients', `DeviceStore::push_devices`)
    /// about `message`; ends when every device's send has ended.
    pub async fn push(&self, message: &Message, devices: &[Device]) {
        let mut by_user: BTreeMap<&UserId, Vec<&Device>> = BTreeMap::new();
        for d in devices.iter().filter(|d| self.serves(d.platform)) {
            by_user.entry(&d.user_id).or_default().push(d);
        }
        for (user, devices) in by_user {
            let Some(notice) = self.notice(message, user).await else {
                continue;
            };
            for device in devices {
                self.send(device, &notice).await;
            }
        }
    }

    /// Webhook devices are the webhook's (it gets every recipient).
    fn serves(&self, platform: Platform) -> bool {
        match platform {
            Platform::Fcm => self.fcm.is_some(),
            Platform::Apns => self.apns.is_some(),
            Platform::Webhook => false,
        }
    }

    /// `user`'s notice, or `None` if they muted the conversation (and
    /// are not mentioned past it) or are no longer in it.
    async fn notice(&self, message: &Message, user: &UserId) -> Option<Notice> {
        let views = match self.store.conversations_of(user).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "push: conversations not read; user skipped");
                meter::store_error();
                return None;
            }
        };
        let this = views.iter().find(|v| v.id == message.conversation_id)?;
        let mentioned = message.marks.mentions(user);
        if this.muted && !(mentioned && self.mentions_break_mute) {
            meter::muted();
            return None;
        }
        let badge = views.iter().map(|v| v.unread()).sum();
        Some(Notice::new(message, badge, mentioned, self.content))
    }

    async fn send(&self, device: &Device, notice: &Notice) {
        let provider = device.platform.as_str();
        let token = device.token.as_str();
        let outcome = match device.platform {
            Platform::Fcm => match &self.fcm {
                Some(fcm) => {
                    with_retries(self.max_attempts, self.backoff, provider, || {
                        fcm.send(token, notice)
                    })
                    .await
                }
                None => return,
            },
            Platform::Apns => match (&self.apns, &device.app_id) {
                (Some(apns), Some(topic)) => {
                    with_retries(self.max_attempts, self.backoff, provider, || {
                        apns.send(token, topic.as_str(), notice)
                    })
                    .await
                }
                _ => return,
            },
            Platform::Webhook => return,
        };
        meter::sent(provider, outcome);
        if outcome == SendOutcome::DeadToken {
            if let Err(e) = self
                .store
                .forget_token(device.platform, &device.token)
                .await
            {
                tracing::warn!(error = %e, provider, "push: a dead token could not be forgotten");
            }
        }
    }
}
