//! `[auth.external]`: access tokens your own app signs.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};

/// The algorithms a JWKS key may be used with. HMAC is not among them (a
/// shared secret is `hs256_secret`, never a published key), nor `none`.
pub(crate) const PUBLISHED_KEY_ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// The most leeway on `exp` and `nbf`: clocks a few seconds apart need
/// some, and more would keep a stolen token alive.
const MAX_LEEWAY: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalAuthConfig {
    /// The `iss` of your app's tokens. Unset: only ferrochat's own tokens
    /// are accepted.
    pub issuer: Option<String>,
    /// The `aud` they must name (required with `issuer`), so a token your
    /// app made for another service is refused here.
    pub audience: Option<String>,
    /// The HS256 secret your app signs with (at least 32 characters); or
    /// `jwks_url`, not both.
    #[serde(serialize_with = "super::super::config::redacted")]
    pub hs256_secret: Option<String>,
    /// Where your app publishes its public keys (a JSON Web Key Set, http
    /// or https).
    pub jwks_url: Option<String>,
    /// The algorithms accepted with the JWKS's keys; a key is used only
    /// with the one its type (and `alg`, if it has one) names.
    pub algorithms: Vec<String>,
    /// The claim naming the user; with the issuer, it is the account's
    /// key for good.
    pub subject_claim: String,
    /// The claim a new account's username is taken from, when it is a
    /// valid username no one has; otherwise one is generated.
    pub username_claim: String,
    /// Clock difference forgiven on `exp` and `nbf`.
    #[serde(with = "humantime_serde")]
    pub leeway: Duration,
    /// How often the JWKS is fetched again.
    #[serde(with = "humantime_serde")]
    pub jwks_refresh: Duration,
    /// The least time between two fetches, whatever unknown `kid`s
    /// tokens name (so a flood of them cannot hammer your app).
    #[serde(with = "humantime_serde")]
    pub jwks_min_interval: Duration,
    /// How long one fetch may take.
    #[serde(with = "humantime_serde")]
    pub jwks_timeout: Duration,
}

impl Default for ExternalAuthConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: None,
            hs256_secret: None,
            jwks_url: None,
            algorithms: vec!["RS256".to_owned(), "ES256".to_owned()],
            subject_claim: "sub".to_owned(),
            username_claim: "preferred_username".to_owned(),
            leeway: Duration::from_secs(30),
            jwks_refresh: Duration::from_secs(600),
            jwks_min_interval: Duration::from_secs(30),
            jwks_timeout: Duration::from_secs(5),
        }
    }
}

/// A setting that cannot work: its key (under `auth.external`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("auth.external.{key}: {why}")]
pub struct BadExternalConfig {
    pub key: &'static str,
    pub why: String,
}

fn bad(key: &'static str, why: impl Into<String>) -> BadExternalConfig {
    BadExternalConfig {
        key,
        why: why.into(),
    }
}

impl ExternalAuthConfig {
    /// Whether tokens from outside are accepted at all.
    pub fn enabled(&self) -> bool {
        self.issuer.is_some()
    }

    /// The algorithms `algorithms` names, each one a published key may
    /// have.
    pub fn published_algorithms(&self) -> Result<Vec<Algorithm>, BadExternalConfig> {
        self.algorithms
            .iter()
            .map(|name| {
                name.parse::<Algorithm>()
                    .ok()
                    .filter(|a| PUBLISHED_KEY_ALGORITHMS.contains(a))
                    .ok_or_else(|| {
                        bad(
                            "algorithms",
                            format!("{name:?} is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384"),
                        )
                    })
            })
            .collect()
    }

    /// Checked before anything starts (exit 64 when bad).
    pub fn check(&self) -> Result<(), BadExternalConfig> {
        let Some(issuer) = &self.issuer else {
            return Ok(());
        };
        if issuer.is_empty() {
            return Err(bad("issuer", "must not be empty"));
        }
        if self.audience.as_deref().is_none_or(str::is_empty) {
            return Err(bad("audience", "is required with issuer"));
        }
        if self.subject_claim.is_empty() {
            return Err(bad("subject_claim", "must not be empty"));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(bad("leeway", "must be at most 5m"));
        }
        match (&self.hs256_secret, &self.jwks_url) {
            (Some(_), Some(_)) => Err(bad(
                "jwks_url",
                "set either hs256_secret or jwks_url, not both",
            )),
            (None, None) => Err(bad(
                "hs256_secret",
                "set hs256_secret or jwks_url with issuer",
            )),
            (Some(secret), None) if secret.len() < 32 => {
                Err(bad("hs256_secret", "must be at least 32 characters"))
            }
            (Some(_), None) => Ok(()),
            (None, Some(url)) => {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|e| bad("jwks_url", format!("is not a URL: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(bad("jwks_url", "must be an http or https URL"));
                }
                if self.published_algorithms()?.is_empty() {
                    return Err(bad("algorithms", "must name at least one"));
                }
                if self.jwks_timeout.is_zero() {
                    return Err(bad("jwks_timeout", "must be more than 0s"));
                }
                if self.jwks_refresh < self.jwks_min_interval {
                    return Err(bad("jwks_refresh", "must be at least jwks_min_interval"));
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_secret() -> ExternalAuthConfig {
        ExternalAuthConfig {
            issuer: Some("https://app.example".into()),
            audience: Some("chat".into()),
            hs256_secret: Some("x".repeat(32)),
            ..ExternalAuthConfig::default()
        }
    }

    fn refused_key(cfg: &ExternalAuthConfig) -> &'static str {
        cfg.check().unwrap_err().key
    }

    #[test]
    fn off_by_default_and_checked_when_on() {
        assert!(!ExternalAuthConfig::default().enabled());
        assert_eq!(ExternalAuthConfig::default().check(), Ok(()));
        assert_eq!(with_secret().check(), Ok(()));

        let mut c = with_secret();
        c.audience = None;
        assert_eq!(refused_key(&c), "audience");
        c = with_secret();
        c.hs256_secret = Some("short".into());
        assert_eq!(refused_key(&c), "hs256_secret");
        c.hs256_secret = None;
        assert_eq!(refused_key(&c), "hs256_secret");
        c.jwks_url = Some("https://app.example/jwks".into());
        assert_eq!(c.check(), Ok(()));
        c.hs256_secret = Some("x".repeat(32));
        assert_eq!(refused_key(&c), "jwks_url");
        c.hs256_secret = None;
        c.jwks_url = Some("file:///etc/keys".into());
        assert_eq!(refused_key(&c), "jwks_url");
        c.jwks_url = Some("https://app.example/jwks".into());
        c.leeway = Duration::from_secs(301);
        assert_eq!(refused_key(&c), "leeway");
    }

    #[test]
    fn published_keys_never_verify_hmac_or_none() {
        let mut c = with_secret();
        c.hs256_secret = None;
        c.jwks_url = Some("https://app.example/jwks".into());
        for bad in ["HS256", "none", "EdDSA", "rs256"] {
            c.algorithms = vec![bad.into()];
            assert_eq!(refused_key(&c), "algorithms", "{bad}");
        }
        c.algorithms = vec![];
        assert_eq!(refused_key(&c), "algorithms");
        c.algorithms = vec!["ES384".into(), "PS256".into()];
        assert_eq!(
            c.published_algorithms(),
            Ok(vec![Algorithm::ES384, Algorithm::PS256])
        );
    }
}
