//! Checking a token your app signed: its signature with the configured
//! key (HS256 secret, or the JWKS key its `kid` names, with that key's one
//! algorithm), `iss`, `aud`, `exp` and `nbf` within the leeway; then the
//! claims that name the user.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::Timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::config::ExternalAuthConfig;
use super::jwks::Jwks;

/// Why a token was refused (logged at debug; the client hears 1002).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    #[error("unreadable header: {0}")]
    Header(jsonwebtoken::errors::Error),
    #[error("no published key for kid {0:?}")]
    UnknownKey(Option<String>),
    #[error("{0}")]
    Invalid(jsonwebtoken::errors::Error),
    #[error("the {0} claim is missing or not a string")]
    Claim(String),
    #[error("{0}")]
    Subject(ferrochat_domain::InvalidField),
}

/// What a valid token says.
pub(crate) struct Vouched {
    pub(crate) who: ExternalSubject,
    /// The username it proposes for a new account, if any.
    pub(crate) username: Option<String>,
    pub(crate) expires_at: Timestamp,
    /// `exp` plus the leeway: until then the token passes.
    pub(crate) passes_until: Timestamp,
}

enum Keys {
    Shared(DecodingKey),
    Published(Jwks),
}

pub(crate) struct ExternalTokens {
    issuer: String,
    /// `iss`, `aud`, `exp`, `nbf` and the leeway; the algorithm is set per
    /// key.
    validation: Validation,
    keys: Keys,
    subject_claim: String,
    username_claim: String,
    leeway_ms: i64,
}

impl ExternalTokens {
    /// `None` when `[auth.external]` is off. The config was checked at
    /// start (`ExternalAuthConfig::check`).
    pub(crate) fn new(cfg: &ExternalAuthConfig) -> Result<Option<Self>, String> {
        let Some(issuer) = cfg.issuer.clone() else {
            return Ok(None);
        };
        cfg.check().map_err(|e| e.to_string())?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = cfg.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[cfg.audience.as_deref().unwrap_or_default()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let keys = match (&cfg.hs256_secret, &cfg.jwks_url) {
            (Some(secret), _) => Keys::Shared(DecodingKey::from_secret(secret.as_bytes())),
            (None, Some(url)) => Keys::Published(
                Jwks::new(
                    url.clone(),
                    cfg.published_algorithms().map_err(|e| e.to_string())?,
                    cfg.jwks_refresh,
                    cfg.jwks_min_interval,
                    cfg.jwks_timeout,
                )
                .map_err(|e| format!("auth.external.jwks_url: {e}"))?,
            ),
            (None, None) => return Err("auth.external: no key".to_owned()),
        };
        Ok(Some(Self {
            issuer,
            validation,
            keys,
            subject_claim: cfg.subject_claim.clone(),
            username_claim: cfg.username_claim.clone(),
            leeway_ms: i64::try_from(cfg.leeway.as_millis()).unwrap_or(i64::MAX),
        }))
    }

    /// Whether `token` says it is from this issuer: which check it gets,
    /// nothing more (its payload is read unverified).
    pub(crate) fn claims_to_be_ours(&self, token: &str) -> bool {
        #[derive(serde::Deserialize)]
        struct Iss {
            iss: Option<String>,
        }
        let Some(payload) = token.split('.').nth(1) else {
            return false;
        };
        URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|raw| serde_json::from_slice::<Iss>(&raw).ok())
            .and_then(|c| c.iss)
            .is_some_and(|iss| iss == self.issuer)
    }

    pub(crate) async fn verify(&self, token: &str) -> Result<Vouched, Refused> {
        let header = jsonwebtoken::decode_header(token).map_err(Refused::Header)?;
        let (algorithm, key) = match &self.keys {
            Keys::Shared(key) => (Algorithm::HS256, key.clone()),
            Keys::Published(jwks) => {
                let found = jwks
                    .key(header.kid.as_deref())
                    .await
                    .ok_or_else(|| Refused::UnknownKey(header.kid.clone()))?;
                (found.algorithm, found.key)
            }
        };
        let mut validation = self.validation.clone();
        // The key's algorithm, whatever the header says: a header naming
        // another is refused by `decode`.
        validation.algorithms = vec![algorithm];
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(Refused::Invalid)?;
        let claims = data.claims;
        let subject = match claims.get(&self.subject_claim) {
            Some(Value::String(s)) => s.clone(),
            // Some apps number their users.
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(Refused::Claim(self.subject_claim.clone())),
        };
        let who = ExternalSubject::parse(self.issuer.clone(), subject).map_err(Refused::Subject)?;
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or_else(|| Refused::Claim("exp".to_owned()))?;
        let expires_at = Timestamp::from_millis(exp.saturating_mul(1000));
        Ok(Vouched {
            who,
            username: claims
                .get(&self.username_claim)
                .and_then(Value::as_str)
                .map(str::to_owned),
            expires_at,
            passes_until: expires_at.plus_millis(self.leeway_ms),
        })
    }
}
