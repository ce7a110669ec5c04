//! Apple Push Notification service over HTTP/2 with a provider token: an
//! ES256 JWT from the team's `.p8` key (`kid` the key id, `iss` the team,
//! renewed every 50 minutes: Apple refuses one older than an hour and
//! one renewed more often than every 20 minutes), sent as
//! `authorization: bearer`, one `POST /3/device/{token}` per device.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::notice::Notice;
use super::providers::ApnsConfig;
use super::sent::{retry_after, transport, Sent};
use super::PushSetupError;

const RENEW_AFTER: Duration = Duration::from_secs(50 * 60);

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: u64,
}

pub(crate) struct Apns {
    http: reqwest::Client,
    base: String,
    key: EncodingKey,
    key_id: String,
    team_id: String,
    expiration: Duration,
    /// The provider token and when it was made.
    token: Mutex<Option<(String, Instant)>>,
}

impl Apns {
    pub(crate) fn new(config: &ApnsConfig, timeout: Duration) -> Result<Self, PushSetupError> {
        let path = &config.key_file;
        let pem = std::fs::read_to_string(path).map_err(|e| PushSetupError::File {
            key: "apns.key_file",
            path: path.clone(),
            error: e,
        })?;
        let key = super::pem::ec_key(&pem).map_err(|e| PushSetupError::Credentials("apns", e))?;
        // HTTP/2 only: APNs speaks nothing else (ALPN offers just h2).
        let mut builder = super::client_builder(timeout).http2_prior_knowledge();
        if let Some(ca) = &config.ca_file {
            let pem = std::fs::read(ca).map_err(|e| PushSetupError::File {
                key: "apns.ca_file",
                path: ca.clone(),
                error: e,
            })?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| PushSetupError::Credentials("apns", format!("ca_file: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        Ok(Self {
            http: builder.build().map_err(PushSetupError::Client)?,
            base: config.base_url.trim_end_matches('/').to_owned(),
            key,
            key_id: config.key_id.clone(),
            team_id: config.team_id.clone(),
            expiration: config.expiration,
            token: Mutex::new(None),
        })
    }

    /// `topic` is the app's bundle id (the device's `app_id`).
    pub(crate) async fn send(&self, device: &str, topic: &str, notice: &Notice) -> Sent {
        let bearer = match self.provider_token().await {
            Ok(t) => t,
            Err(why) => return why,
        };
        let expires = unix_secs() + self.expiration.as_secs();
        let response = self
            .http
            .post(format!("{}/3/device/{device}", self.base))
            .bearer_auth(&bearer)
            .header("apns-topic", topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", "10")
            .header("apns-collapse-id", &notice.conversation_id)
            .header("apns-expiration", expires.to_string())
            .json(&notice.apns())
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => return transport(e),
        };
        let status = response.status();
        let after = retry_after(response.headers());
        if status.is_success() {
            return Sent::Delivered;
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let reason = body.get("reason").and_then(Value::as_str).unwrap_or("");
        if reason == "ExpiredProviderToken" {
            *self.token.lock().await = None;
        }
        classify(status, reason, after)
    }

    async fn provider_token(&self) -> Result<String, Sent> {
        let mut cached = self.token.lock().await;
        if let Some((token, made)) = cached.as_ref() {
            if made.elapsed() < RENEW_AFTER {
                return Ok(token.clone());
            }
        }
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            iss: &self.team_id,
            iat: unix_secs(),
        };
        let token = jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| Sent::Refused(format!("apns provider token: {e}")))?;
        *cached = Some((token.clone(), Instant::now()));
        Ok(token)
    }
}

fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// APNs' status and `reason` as one of ours.
fn classify(status: StatusCode, reason: &str, after: Option<Duration>) -> Sent {
    match (status.as_u16(), reason) {
        (410, _) | (400, "BadDeviceToken") => Sent::Dead,
        (403, "ExpiredProviderToken") | (429, _) | (500..=599, _) => Sent::Retry {
            why: format!("status {} {reason}", status.as_u16()),
            after,
        },
        _ => Sent::Refused(format!("status {} {reason}", status.as_u16())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, reason: &str) -> &'static str {
        match classify(
            StatusCode::from_u16(status).expect("a status"),
            reason,
            None,
        ) {
            Sent::Delivered => "delivered",
            Sent::Dead => "dead",
            Sent::Refused(_) => "refused",
            Sent::Retry { .. } => "retry",
        }
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(kind(410, "Unregistered"), "dead");
        assert_eq!(kind(400, "BadDeviceToken"), "dead");
        assert_eq!(kind(400, "DeviceTokenNotForTopic"), "refused");
        assert_eq!(kind(403, "ExpiredProviderToken"), "retry");
        assert_eq!(kind(403, "InvalidProviderToken"), "refused");
        assert_eq!(kind(429, "TooManyRequests"), "retry");
        assert_eq!(kind(503, "ServiceUnavailable"), "retry");
    }
}
