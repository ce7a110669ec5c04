//! `[push.fcm]` and `[push.apns]`: the phone providers the task role
//! sends to directly, each off unless its table is set.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Firebase Cloud Messaging, HTTP v1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FcmConfig {
    /// The service account's JSON key file (Firebase console, "Service
    /// accounts"): its `project_id`, `client_email`, `private_key` and
    /// `token_uri` are used.
    pub service_account_file: PathBuf,
    /// Where `/v1/projects/{project}/messages:send` is.
    #[serde(default = "fcm_base")]
    pub base_url: String,
}

/// Apple Push Notification service, HTTP/2 with a provider token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApnsConfig {
    /// The `.p8` signing key (Apple developer account, "Keys").
    pub key_file: PathBuf,
    /// That key's id (10 characters), the token's `kid`.
    pub key_id: String,
    /// The developer team id, the token's `iss`.
    pub team_id: String,
    /// `https://api.push.apple.com` (the default) or
    /// `https://api.sandbox.push.apple.com` for development builds.
    #[serde(default = "apns_base")]
    pub base_url: String,
    /// A PEM CA to trust for `base_url` besides the system's roots (a
    /// proxy's, a test's); Apple's own certificates need none.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// How long APNs keeps trying a phone that is off (`apns-expiration`).
    #[serde(default = "apns_expiration", with = "humantime_serde")]
    pub expiration: Duration,
}

fn fcm_base() -> String {
    "https://fcm.googleapis.com".to_owned()
}

fn apns_base() -> String {
    "https://api.push.apple.com".to_owned()
}

fn apns_expiration() -> Duration {
    Duration::from_secs(24 * 3600)
}

/// An `http(s)://` URL with a host.
pub(crate) fn is_base_url(raw: &str) -> bool {
    reqwest::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}
