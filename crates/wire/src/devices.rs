//! Push devices: bodies and answers of `/api/v1/devices`.

use ferrochat_domain::push::{Device, RegisterDevice};
use ferrochat_domain::{InvalidField, SessionId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::required;
use crate::time::rfc3339;

/// `POST /api/v1/devices`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RegisterDeviceBody {
    /// `fcm`, `apns` or `webhook`.
    #[schema(value_type = String)]
    pub platform: Option<String>,
    /// The provider's token for this app on this phone (hex for `apns`),
    /// 1 to 512 printable ASCII characters.
    #[schema(value_type = String)]
    pub token: Option<String>,
    /// The app: for `apns` its topic (bundle id), required; otherwise
    /// informative.
    pub app_id: Option<String>,
}

impl TryFrom<RegisterDeviceBody> for RegisterDevice {
    type Error = InvalidField;
    fn try_from(b: RegisterDeviceBody) -> Result<Self, InvalidField> {
        let platform = required(b.platform, "platform")?;
        RegisterDevice::parse(&platform, required(b.token, "token")?, b.app_id)
    }
}

/// A registered device; `current` marks the asking session's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviceDto {
    pub id: String,
    pub platform: String,
    pub token: String,
    pub app_id: Option<String>,
    pub session_id: String,
    pub current: bool,
    pub created_at: String,
}

impl DeviceDto {
    pub fn new(d: &Device, current: &SessionId) -> Self {
        Self {
            id: d.id.to_string(),
            platform: d.platform.as_str().to_owned(),
            token: d.token.as_str().to_owned(),
            app_id: d.app_id.as_ref().map(|a| a.as_str().to_owned()),
            session_id: d.session_id.to_string(),
            current: &d.session_id == current,
            created_at: rfc3339(d.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DevicesDto {
    pub devices: Vec<DeviceDto>,
}

impl DevicesDto {
    pub fn new(devices: &[Device], current: &SessionId) -> Self {
        Self {
            devices: devices.iter().map(|d| DeviceDto::new(d, current)).collect(),
        }
    }
}
