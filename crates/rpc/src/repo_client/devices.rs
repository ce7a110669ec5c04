//! `DeviceStore` over gRPC (repo.proto, "push devices").

use async_trait::async_trait;
use ferrochat_domain::push::{Device, Platform, PushToken};
use ferrochat_domain::{PushDeviceId, Timestamp, UserId};
use ferrochat_ports::{DeviceStore, StoreError};
use ferrochat_proto::pb;
use ferrochat_retry::Rerun;

use super::RepoClient;

#[async_trait]
impl DeviceStore for RepoClient {
    // Deletes the session's row and inserts the same one again.
    async fn put_device(&self, device: &Device) -> Result<(), StoreError> {
        call!(self, put_device, Safe, pb::PushDevice::from(device))
    }

    async fn devices(&self, user: &UserId, now: Timestamp) -> Result<Vec<Device>, StoreError> {
        call!(self, devices, Safe, pb::DevicesRequest::new(user, now))
    }

    // A second run would find nothing to delete and answer false.
    async fn delete_device(&self, user: &UserId, id: &PushDeviceId) -> Result<bool, StoreError> {
        call!(
            self,
            delete_device,
            IfUndone,
            pb::DeleteDeviceRequest::new(user, id)
        )
    }

    // Whether it was there only informs metrics: a second run is harmless.
    async fn forget_token(
        &self,
        platform: Platform,
        token: &PushToken,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            forget_token,
            Safe,
            pb::ForgetTokenRequest::new(platform, token)
        )
    }

    async fn push_devices(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<Device>, StoreError> {
        call!(
            self,
            push_devices,
            Safe,
            pb::PushDevicesRequest::new(users, now)
        )
    }
}
