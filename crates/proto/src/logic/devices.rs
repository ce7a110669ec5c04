//! Push devices: `RegisterDevice`, `Devices`, `RemoveDevice`, and the
//! `PushDevice` record the repo's rpcs share.

use ferrochat_domain::push::{AppId, Device, Platform, PushToken, RegisterDevice};
use ferrochat_domain::{InvalidField, Principal, PushDeviceId, SessionId, UserId};
use ferrochat_ports::store::MAX_PUSH_DEVICES;

use super::accounts::required_caller;
use super::{id, time};
use crate::convert::DecodeError;
use crate::pb;

impl From<&Device> for pb::PushDevice {
    fn from(d: &Device) -> Self {
        Self {
            id: d.id.as_str().to_owned(),
            user_id: d.user_id.as_str().to_owned(),
            session_id: d.session_id.as_str().to_owned(),
            platform: d.platform.as_str().to_owned(),
            token: d.token.as_str().to_owned(),
            app_id: d.app_id.as_ref().map(|a| a.as_str().to_owned()),
            created_at_ms: d.created_at.millis(),
        }
    }
}

/// Every field through its type's `parse`: a device travels to the repo
/// (which stores it) and back (which pushes to it).
impl TryFrom<pb::PushDevice> for Device {
    type Error = DecodeError;
    fn try_from(d: pb::PushDevice) -> Result<Self, DecodeError> {
        let platform = Platform::parse(&d.platform)?;
        Ok(Self {
            id: id(&d.id, "device.id", PushDeviceId::parse)?,
            user_id: id(&d.user_id, "device.user_id", UserId::parse)?,
            session_id: id(&d.session_id, "device.session_id", SessionId::parse)?,
            platform,
            token: PushToken::parse(d.token, platform)?,
            app_id: d.app_id.map(AppId::parse).transpose()?,
            created_at: time(d.created_at_ms),
        })
    }
}

impl From<&[Device]> for pb::DevicesResponse {
    fn from(devices: &[Device]) -> Self {
        Self {
            devices: devices.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::DevicesResponse> for Vec<Device> {
    type Error = DecodeError;
    fn try_from(r: pb::DevicesResponse) -> Result<Self, DecodeError> {
        if r.devices.len() > MAX_PUSH_DEVICES as usize {
            return Err(DecodeError::field(
                "devices",
                format!("names more than {MAX_PUSH_DEVICES}"),
            ));
        }
        r.devices.into_iter().map(Device::try_from).collect()
    }
}

impl pb::RegisterDeviceRequest {
    pub fn new(who: &Principal, cmd: &RegisterDevice) -> Self {
        Self {
            caller: Some(who.into()),
            platform: cmd.platform.as_str().to_owned(),
            token: cmd.token.as_str().to_owned(),
            app_id: cmd.app_id.as_ref().map(|a| a.as_str().to_owned()),
        }
    }

    pub fn parse(self) -> Result<(Principal, RegisterDevice), InvalidField> {
        Ok((
            required_caller(self.caller)?,
            RegisterDevice::parse(&self.platform, self.token, self.app_id)?,
        ))
    }
}

impl pb::RemoveDeviceRequest {
    pub fn new(who: &Principal, device: &PushDeviceId) -> Self {
        Self {
            caller: Some(who.into()),
            device_id: device.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(Principal, PushDeviceId), InvalidField> {
        Ok((
            required_caller(self.caller)?,
            id(&self.device_id, "device_id", PushDeviceId::parse)?,
        ))
    }
}
