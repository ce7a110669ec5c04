//! Push devices (docs/protocol.md, "Devices"): a session registers the
//! token its phone's push provider gave it. Nothing is kept here: the
//! store holds each device beside its session, and a device whose session
//! ended is never read again (`DeviceStore`), so logout and revocation
//! need no step of their own.

use ferrochat_domain::push::{Device, RegisterDevice};
use ferrochat_domain::{Principal, PushDeviceId};
use ferrochat_ports::ApiError;

use super::Accounts;
use crate::clock;
use crate::error::store;

impl Accounts {
    pub(super) async fn put_device(
        &self,
        who: &Principal,
        cmd: RegisterDevice,
    ) -> Result<Device, ApiError> {
        let device = Device {
            id: PushDeviceId::generate(),
            user_id: who.user_id.clone(),
            session_id: who.session_id.clone(),
            platform: cmd.platform,
            token: cmd.token,
            app_id: cmd.app_id,
            created_at: clock::now(),
        };
        self.store
            .put_device(&device)
            .await
            .map_err(|e| store("registering a device", e))?;
        Ok(device)
    }

    pub(super) async fn list_devices(&self, who: &Principal) -> Result<Vec<Device>, ApiError> {
        self.store
            .devices(&who.user_id, clock::now())
            .await
            .map_err(|e| store("listing devices", e))
    }

    pub(super) async fn delete_device(
        &self,
        who: &Principal,
        id: &PushDeviceId,
    ) -> Result<(), ApiError> {
        let deleted = self
            .store
            .delete_device(&who.user_id, id)
            .await
            .map_err(|e| store("removing a device", e))?;
        if deleted {
            Ok(())
        } else {
            Err(ApiError::not_found("no such device"))
        }
    }
}
