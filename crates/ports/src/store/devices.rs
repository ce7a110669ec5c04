//! Registered push tokens (`ferrochat_domain::push`): one per session,
//! pushed to while that session is live.

use async_trait::async_trait;
use ferrochat_domain::push::{Device, Platform, PushToken};
use ferrochat_domain::{PushDeviceId, Timestamp, UserId};

use super::StoreError;

/// The most devices `DeviceStore::push_devices` answers for one call's
/// users: a user has at most `auth.max_sessions` live sessions, so the
/// caller asks for few users at a time and this bounds the answer anyway.
pub const MAX_PUSH_DEVICES: u32 = 1000;

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Registers `device` for its session, replacing what that session had
    /// registered and taking the token from any other session that had it
    /// (a phone's token belongs to whoever logged in on it last).
    async fn put_device(&self, device: &Device) -> Result<(), StoreError>;
    /// `user`'s devices whose sessions are live at `now`, oldest first.
    async fn devices(&self, user: &UserId, now: Timestamp) -> Result<Vec<Device>, StoreError>;
    /// Removes `user`'s device `id`; false if they have none by that id.
    async fn delete_device(&self, user: &UserId, id: &PushDeviceId) -> Result<bool, StoreError>;
    /// Removes a token its provider called dead (uninstalled app, expired
    /// token), whoever registered it; false if it was not registered.
    async fn forget_token(&self, platform: Platform, token: &PushToken)
        -> Result<bool, StoreError>;
    /// The devices of `users` whose sessions are live at `now`, at most
    /// `MAX_PUSH_DEVICES`, in user order.
    async fn push_devices(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<Device>, StoreError>;
}
