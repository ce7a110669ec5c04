//! `[auth.oidc]`: logging in through an OpenID Connect provider.

use std::time::Duration;

use ferrochat_domain::oidc::MAX_PROVIDER_TIMEOUT;
use serde::{Deserialize, Serialize};

/// The most leeway on an ID token's `exp`, `nbf` and `iat`.
const MAX_LEEWAY: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcConfig {
    /// The provider's issuer, exactly as its discovery document
    /// (`{issuer}/.well-known/openid-configuration`) names it. Unset: no
    /// OIDC login.
    pub issuer: Option<String>,
    /// This server's client id at the provider.
    pub client_id: Option<String>,
    /// Its client secret (sent with HTTP Basic, `client_secret_basic`).
    #[serde(serialize_with = "super::super::config::redacted")]
    pub client_secret: Option<String>,
    /// The callback as browsers reach it, registered at the provider:
    /// `https://chat.example.com/api/v1/auth/oidc/callback`.
    pub redirect_url: Option<String>,
    /// The provider as the login button names it: "Log in with {name}".
    pub name: String,
    /// Asked of the provider; `openid` is required.
    pub scopes: Vec<String>,
    /// The ID token's claim a new account's username is taken from, when
    /// it is a valid username no one has; otherwise one is generated.
    pub username_claim: String,
    /// Clock difference forgiven on the ID token's times.
    #[serde(with = "humantime_serde")]
    pub leeway: Duration,
    /// How long one request to the provider may take (at most 10 s: a
    /// gateway waits `MAX_PROVIDER_STEP` for a login step's three).
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            client_id: None,
            client_secret: None,
            redirect_url: None,
            name: "single sign-on".to_owned(),
            scopes: vec!["openid".to_owned(), "profile".to_owned()],
            username_claim: "preferred_username".to_owned(),
            leeway: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A setting that cannot work: its key (under `auth.oidc`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("auth.oidc.{key}: {why}")]
pub struct BadOidcConfig {
    pub key: &'static str,
    pub why: String,
}

fn bad(key: &'static str, why: impl Into<String>) -> BadOidcConfig {
    BadOidcConfig {
        key,
        why: why.into(),
    }
}

/// `raw` as an http or https URL.
fn web_url(key: &'static str, raw: &str) -> Result<reqwest::Url, BadOidcConfig> {
    let url = reqwest::Url::parse(raw).map_err(|e| bad(key, format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(key, "must be an http or https URL"));
    }
    Ok(url)
}

impl OidcConfig {
    pub fn enabled(&self) -> bool {
        self.issuer.is_some()
    }

    /// Checked before anything starts (exit 64 when bad).
    pub fn check(&self) -> Result<(), BadOidcConfig> {
        let Some(issuer) = &self.issuer else {
            return Ok(());
        };
        web_url("issuer", issuer)?;
        if self.client_id.as_deref().is_none_or(str::is_empty) {
            return Err(bad("client_id", "is required with issuer"));
        }
        if self.client_secret.as_deref().is_none_or(str::is_empty) {
            return Err(bad("client_secret", "is required with issuer"));
        }
        let Some(redirect) = &self.redirect_url else {
            return Err(bad("redirect_url", "is required with issuer"));
        };
        if web_url("redirect_url", redirect)?.fragment().is_some() {
            return Err(bad("redirect_url", "must not have a fragment"));
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(bad("scopes", "must include openid"));
        }
        if let Some(s) = self
            .scopes
            .iter()
            .find(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(bad("scopes", format!("{s:?} is not a scope")));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 64 {
            return Err(bad("name", "must be 1 to 64 characters"));
        }
        if self.username_claim.is_empty() {
            return Err(bad("username_claim", "must not be empty"));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(bad("leeway", "must be at most 5m"));
        }
        if self.timeout.is_zero() {
            return Err(bad("timeout", "must be more than 0s"));
        }
        if self.timeout > MAX_PROVIDER_TIMEOUT {
            return Err(bad("timeout", "must be at most 10s"));
        }
        Ok(())
    }

    /// The parts a login needs, once `check` passed.
    pub(super) fn redirect_url(&self) -> &str {
        self.redirect_url.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured() -> OidcConfig {
        OidcConfig {
            issuer: Some("https://id.example".into()),
            client_id: Some("chat".into()),
            client_secret: Some("s3cret".into()),
            redirect_url: Some("https://chat.example/api/v1/auth/oidc/callback".into()),
            ..OidcConfig::default()
        }
    }

    fn refused_key(cfg: &OidcConfig) -> &'static str {
        cfg.check().unwrap_err().key
    }

    #[test]
    fn off_by_default_and_checked_when_on() {
        assert!(!OidcConfig::default().enabled());
        assert_eq!(OidcConfig::default().check(), Ok(()));
        assert_eq!(configured().check(), Ok(()));

        let mut c = configured();
        c.issuer = Some("ftp://id.example".into());
        assert_eq!(refused_key(&c), "issuer");
        c = configured();
        c.client_id = None;
        assert_eq!(refused_key(&c), "client_id");
        c = configured();
        c.client_secret = Some(String::new());
        assert_eq!(refused_key(&c), "client_secret");
        c = configured();
        c.redirect_url = Some("/api/v1/auth/oidc/callback".into());
        assert_eq!(refused_key(&c), "redirect_url");
        c.redirect_url = Some("https://chat.example/cb#x".into());
        assert_eq!(refused_key(&c), "redirect_url");
        c = configured();
        c.scopes = vec!["profile".into()];
        assert_eq!(refused_key(&c), "scopes");
        c.scopes = vec!["openid".into(), "a b".into()];
        assert_eq!(refused_key(&c), "scopes");
        c = configured();
        c.name = " ".into();
        assert_eq!(refused_key(&c), "name");
        c = configured();
        c.leeway = Duration::from_secs(301);
        assert_eq!(refused_key(&c), "leeway");
        c = configured();
        c.timeout = Duration::ZERO;
        assert_eq!(refused_key(&c), "timeout");
        c.timeout = Duration::from_secs(11);
        assert_eq!(refused_key(&c), "timeout");
    }

    #[test]
    fn the_secret_is_never_printed() {
        let shown = serde_json::to_string(&configured()).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
