//! Push to phones: a session's registered push token (docs/protocol.md,
//! "Devices"). One per session: a phone that logs in registers its token
//! once, and the token goes when the session ends.

use crate::error::InvalidField;
use crate::ids::{SessionId, UserId};
use crate::time::Timestamp;

/// The longest token accepted: FCM registration tokens are about 160
/// characters, APNs device tokens 64 hex digits; the room above that is
/// for providers changing their format, not for payloads.
pub const MAX_TOKEN_LEN: usize = 512;
/// The longest app id (an APNs topic is a bundle id, reverse DNS).
pub const MAX_APP_ID_LEN: usize = 255;

/// Who delivers to the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    /// Firebase Cloud Messaging, HTTP v1.
    Fcm,
    /// Apple Push Notification service, HTTP/2 with a token.
    Apns,
    /// The deployer's own service, reached through `push.webhook_url`.
    Webhook,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Fcm, Platform::Apns, Platform::Webhook];

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        match raw {
            "fcm" => Ok(Self::Fcm),
            "apns" => Ok(Self::Apns),
            "webhook" => Ok(Self::Webhook),
            _ => Err(InvalidField::new(
                "platform",
                "must be one of fcm, apns, webhook",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fcm => "fcm",
            Self::Apns => "apns",
            Self::Webhook => "webhook",
        }
    }
}

/// A provider's address for one app on one phone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PushToken(String);

impl PushToken {
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PushToken {
    /// APNs tokens are hex (Apple hands them out as bytes; clients send
    /// them hex-encoded); others are 1 to 512 printable ASCII characters.
    pub fn parse(raw: String, platform: Platform) -> Result<Self, InvalidField> {
        if raw.is_empty() || raw.len() > MAX_TOKEN_LEN || !raw.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InvalidField::new(
                "token",
                "must be 1 to 512 printable ASCII characters",
            ));
        }
        if platform == Platform::Apns && !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(InvalidField::new("token", "must be hex for apns"));
        }
        Ok(Self(raw))
    }
}

/// The app the token belongs to: for APNs the topic (bundle id), which
/// `apns-topic` must name; for FCM and webhook informative.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppId(String);

impl AppId {
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AppId {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        if raw.is_empty()
            || raw.len() > MAX_APP_ID_LEN
            || !raw.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InvalidField::new(
                "app_id",
                "must be 1 to 255 printable ASCII characters",
            ));
        }
        Ok(Self(raw))
    }
}

/// `POST /api/v1/devices`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterDevice {
    pub platform: Platform,
    pub token: PushToken,
    pub app_id: Option<AppId>,
}

impl RegisterDevice {
    /// APNs needs its topic: without one no push could be addressed.
    pub fn parse(
        platform: &str,
        token: String,
        app_id: Option<String>,
    ) -> Result<Self, InvalidField> {
        let platform = Platform::parse(platform)?;
        let token = PushToken::parse(token, platform)?;
        let app_id = app_id.map(AppId::parse).transpose()?;
        if platform == Platform::Apns && app_id.is_none() {
            return Err(InvalidField::new(
                "app_id",
                "is required for apns (the topic)",
            ));
        }
        Ok(Self {
            platform,
            token,
            app_id,
        })
    }
}

/// A registered push token: whose, for which session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: crate::ids::PushDeviceId,
    pub user_id: UserId,
    pub session_id: SessionId,
    pub platform: Platform,
    pub token: PushToken,
    pub app_id: Option<AppId>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_round_trip_and_others_are_refused() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Ok(p));
        }
        for bad in ["", "FCM", "gcm", "apns "] {
            assert_eq!(Platform::parse(bad).unwrap_err().field, "platform");
        }
    }

    #[test]
    fn tokens_are_bounded_printable_and_hex_for_apns() {
        assert!(PushToken::parse("abc:DEF-1_2".into(), Platform::Fcm).is_ok());
        assert!(PushToken::parse("".into(), Platform::Fcm).is_err());
        assert!(PushToken::parse("a b".into(), Platform::Webhook).is_err());
        assert!(PushToken::parse("x".repeat(513), Platform::Fcm).is_err());
        assert!(PushToken::parse("x".repeat(512), Platform::Fcm).is_ok());
        assert!(PushToken::parse("0a1B".into(), Platform::Apns).is_ok());
        assert!(PushToken::parse("0a1g".into(), Platform::Apns).is_err());
    }

    #[test]
    fn apns_needs_its_topic() {
        let err = RegisterDevice::parse("apns", "00ff".into(), None).unwrap_err();
        assert_eq!(err.field, "app_id");
        assert!(RegisterDevice::parse("apns", "00ff".into(), Some("com.x".into())).is_ok());
        assert!(RegisterDevice::parse("fcm", "t".into(), None).is_ok());
        assert!(RegisterDevice::parse("fcm", "t".into(), Some(String::new())).is_err());
    }
}
