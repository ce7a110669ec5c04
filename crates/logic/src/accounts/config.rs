//! `[auth]` configuration.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::external::ExternalAuthConfig;
use super::oidc::OidcConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// HS256 key for access tokens (at least 32 characters). Unset: the
    /// binary generates one and keeps it in the data dir. Every logic
    /// instance of a cluster must share it.
    #[serde(serialize_with = "redacted")]
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token (JWT).
    #[serde(with = "humantime_serde")]
    pub access_ttl: Duration,
    /// Lifetime of a session without a refresh.
    #[serde(with = "humantime_serde")]
    pub refresh_ttl: Duration,
    /// Live sessions a user may hold: a login past it ends the one seen
    /// least recently, so logging in in a loop cannot grow one account's
    /// sessions without bound.
    pub max_sessions: u32,
    pub password_hash: PasswordHashConfig,
    /// Access tokens signed by your own app (`[auth.external]`).
    pub external: ExternalAuthConfig,
    /// Logging in through an OpenID Connect provider (`[auth.oidc]`).
    pub oidc: OidcConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            max_sessions: 100,
            password_hash: PasswordHashConfig::default(),
            external: ExternalAuthConfig::default(),
            oidc: OidcConfig::default(),
        }
    }
}

/// argon2id parameters. The defaults are OWASP's minimum for argon2id
/// (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordHashConfig {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once; more wait their turn. 0 = one per CPU.
    pub max_concurrent: usize,
}

impl Default for PasswordHashConfig {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
            max_concurrent: 0,
        }
    }
}

/// Config printing shows that a secret is set, never its value.
pub(super) fn redacted<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}
