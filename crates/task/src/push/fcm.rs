//! Firebase Cloud Messaging, HTTP v1: a service account signs an OAuth2
//! JWT-bearer assertion (RS256), exchanges it at its `token_uri` for an
//! access token (kept until a minute before it expires), and each push is
//! one `POST /v1/projects/{project}/messages:send` per device.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;

use super::notice::Notice;
use super::providers::FcmConfig;
use super::sent::{retry_after, transport, Sent};
use super::PushSetupError;

const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// An access token is renewed this long before Google says it expires.
const RENEW_EARLY: Duration = Duration::from_secs(60);
/// The assertion's own lifetime (Google accepts at most an hour).
const ASSERTION_SECS: u64 = 3600;

#[derive(Deserialize)]
struct ServiceAccount {
    project_id: String,
    client_email: String,
    private_key: String,
    token_uri: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

pub(crate) struct Fcm {
    http: reqwest::Client,
    send_url: reqwest::Url,
    token_uri: reqwest::Url,
    client_email: String,
    key: EncodingKey,
    /// The access token and when to renew it; a lock, so that many pushes
    /// needing one at once make one exchange.
    access: Mutex<Option<(String, Instant)>>,
}

impl Fcm {
    pub(crate) fn new(config: &FcmConfig, http: reqwest::Client) -> Result<Self, PushSetupError> {
        let path = &config.service_account_file;
        let raw = std::fs::read(path).map_err(|e| PushSetupError::File {
            key: "fcm.service_account_file",
            path: path.clone(),
            error: e,
        })?;
        let account: ServiceAccount = serde_json::from_slice(&raw)
            .map_err(|e| PushSetupError::Credentials("fcm", e.to_string()))?;
        let key = super::pem::rsa_key(&account.private_key)
            .map_err(|e| PushSetupError::Credentials("fcm", e))?;
        let token_uri = reqwest::Url::parse(&account.token_uri)
            .map_err(|e| PushSetupError::Credentials("fcm", format!("token_uri: {e}")))?;
        let base = config.base_url.trim_end_matches('/');
        let send_url = reqwest::Url::parse(&format!(
            "{base}/v1/projects/{}/messages:send",
            account.project_id
        ))
        .map_err(|_| PushSetupError::NotAUrl)?;
        Ok(Self {
            http,
            send_url,
            token_uri,
            client_email: account.client_email,
            key,
            access: Mutex::new(None),
        })
    }

    pub(crate) async fn send(&self, token: &str, notice: &Notice) -> Sent {
        let access = match self.access_token().await {
            Ok(a) => a,
            Err(why) => return why,
        };
        let response = self
            .http
            .post(self.send_url.clone())
            .bearer_auth(&access)
            .json(&notice.fcm(token))
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
        if status == StatusCode::UNAUTHORIZED {
            // Revoked or expired early: exchange again on the retry.
            *self.access.lock().await = None;
        }
        classify(status, &body, after)
    }

    /// The cached access token, or a new one.
    async fn access_token(&self) -> Result<String, Sent> {
        let mut cached = self.access.lock().await;
        if let Some((token, renew_at)) = cached.as_ref() {
            if Instant::now() < *renew_at {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = self.exchange().await?;
        let renew_at = Instant::now() + lifetime.saturating_sub(RENEW_EARLY);
        *cached = Some((token.clone(), renew_at));
        Ok(token)
    }

    async fn exchange(&self) -> Result<(String, Duration), Sent> {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let claims = Claims {
            iss: &self.client_email,
            scope: SCOPE,
            aud: self.token_uri.as_str(),
            iat,
            exp: iat + ASSERTION_SECS,
        };
        let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| Sent::Refused(format!("fcm assertion: {e}")))?;
        let response = self
            .http
            .post(self.token_uri.clone())
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            let why = format!("fcm token exchange: status {}", status.as_u16());
            return Err(
                if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                    Sent::Retry {
                        why,
                        after: retry_after(response.headers()),
                    }
                } else {
                    Sent::Refused(why)
                },
            );
        }
        let answer: TokenAnswer = response.json().await.map_err(|e| Sent::Retry {
            why: format!("fcm token exchange: {}", e.without_url()),
            after: None,
        })?;
        Ok((answer.access_token, Duration::from_secs(answer.expires_in)))
    }
}

/// FCM's answer (`error.status`, and the `errorCode` of its
/// `FcmError` detail) as one of ours.
fn classify(status: StatusCode, body: &Value, after: Option<Duration>) -> Sent {
    let error = body.get("error");
    let field = |name: &str| error.and_then(|e| e.get(name));
    let code = field("details")
        .and_then(Value::as_array)
        .and_then(|d| {
            d.iter()
                .find_map(|x| x.get("errorCode").and_then(Value::as_str))
        })
        .or_else(|| field("status").and_then(Value::as_str))
        .unwrap_or("");
    let message = field("message").and_then(Value::as_str).unwrap_or("");
    match (status.as_u16(), code) {
        // Only FCM's own word for it: a bare 404 is as likely a wrong
        // project, which must not cost every device its token.
        (_, "UNREGISTERED") => Sent::Dead,
        // INVALID_ARGUMENT is also a bad payload: only one that names
        // the token condemns it.
        (400, "INVALID_ARGUMENT") if message.to_ascii_lowercase().contains("token") => Sent::Dead,
        (401, _) | (429, _) | (500..=599, _) => Sent::Retry {
            why: format!("status {} {code}", status.as_u16()),
            after,
        },
        _ => Sent::Refused(format!("status {} {code} {message}", status.as_u16())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kind(status: u16, body: Value) -> &'static str {
        match classify(StatusCode::from_u16(status).expect("a status"), &body, None) {
            Sent::Delivered => "delivered",
            Sent::Dead => "dead",
            Sent::Refused(_) => "refused",
            Sent::Retry { .. } => "retry",
        }
    }

    #[test]
    fn answers_are_classified() {
        let unregistered = json!({"error": {"status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}});
        assert_eq!(kind(404, unregistered), "dead");
        let no_project =
            json!({"error": {"status": "NOT_FOUND", "message": "Requested entity was not found."}});
        assert_eq!(kind(404, no_project), "refused");
        let bad_token = json!({"error": {"status": "INVALID_ARGUMENT",
            "message": "The registration token is not a valid FCM registration token"}});
        assert_eq!(kind(400, bad_token), "dead");
        let bad_payload =
            json!({"error": {"status": "INVALID_ARGUMENT", "message": "Invalid JSON payload"}});
        assert_eq!(kind(400, bad_payload), "refused");
        assert_eq!(
            kind(403, json!({"error": {"status": "PERMISSION_DENIED"}})),
            "refused"
        );
        assert_eq!(kind(429, Value::Null), "retry");
        assert_eq!(kind(503, Value::Null), "retry");
        assert_eq!(kind(401, Value::Null), "retry");
    }
}
