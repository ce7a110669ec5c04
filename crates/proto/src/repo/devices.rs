//! Push devices (`DeviceStore`). The `PushDevice` record and its list are
//! logic.proto's (`crate::logic::devices`).

use ferrochat_domain::push::{Device, Platform, PushToken};
use ferrochat_domain::{PushDeviceId, Timestamp, UserId};
use ferrochat_ports::store::MAX_PUSH_DEVICES;

use super::{id, ids, strings, time, user_id};
use crate::convert::DecodeError;
use crate::pb;

impl pb::PushDevice {
    pub fn parse(self) -> Result<Device, DecodeError> {
        Device::try_from(self)
    }
}

impl pb::DevicesRequest {
    pub fn new(user: &UserId, now: Timestamp) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, Timestamp), DecodeError> {
        Ok((user_id(&self.user_id, "user_id")?, time(self.now_ms)))
    }
}

impl pb::DeleteDeviceRequest {
    pub fn new(user: &UserId, device: &PushDeviceId) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            device_id: device.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, PushDeviceId), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            id(&self.device_id, "device_id", PushDeviceId::parse)?,
        ))
    }
}

impl pb::ForgetTokenRequest {
    pub fn new(platform: Platform, token: &PushToken) -> Self {
        Self {
            platform: platform.as_str().to_owned(),
            token: token.as_str().to_owned(),
        }
    }

    /// The token is only bounded (webhook's rules): forgetting one that
    /// no device could have is a harmless no-op.
    pub fn parse(self) -> Result<(Platform, PushToken), DecodeError> {
        let platform = Platform::parse(&self.platform)?;
        Ok((platform, PushToken::parse(self.token, Platform::Webhook)?))
    }
}

impl pb::PushDevicesRequest {
    pub fn new(users: &[UserId], now: Timestamp) -> Self {
        Self {
            user_ids: strings(users, UserId::as_str),
            now_ms: now.millis(),
        }
    }

    /// At most `MAX_PUSH_DEVICES` users: the answer is bounded by as many
    /// devices anyway, and a peer's list is not trusted to be short.
    pub fn parse(self) -> Result<(Vec<UserId>, Timestamp), DecodeError> {
        if self.user_ids.len() > MAX_PUSH_DEVICES as usize {
            return Err(DecodeError::field(
                "user_ids",
                format!("names more than {MAX_PUSH_DEVICES}"),
            ));
        }
        Ok((
            ids(&self.user_ids, "user_ids", UserId::parse)?,
            time(self.now_ms),
        ))
    }
}
