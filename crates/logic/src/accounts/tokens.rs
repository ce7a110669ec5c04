//! Access tokens (HS256 JWTs naming user and session) and refresh tokens
//! (opaque random strings, stored only as SHA-256).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ferrochat_domain::{Authenticated, Principal, SessionId, Timestamp, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    iat: i64,
    exp: i64,
}

pub(crate) struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub(crate) fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub(crate) fn issue(
        &self,
        who: &Principal,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: who.user_id.to_string(),
            sid: who.session_id.to_string(),
            iat: now.seconds(),
            exp: expires.seconds(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Signature and expiry only; the caller checks the session is live.
    pub(crate) fn verify(&self, token: &str) -> Option<Authenticated> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some(Authenticated {
            who: Principal {
                user_id: UserId::parse(&data.claims.sub).ok()?,
                session_id: SessionId::parse(&data.claims.sid).ok()?,
            },
            expires_at: Timestamp::from_millis(data.claims.exp.saturating_mul(1000)),
        })
    }
}

/// A new refresh token: 256 random bits, URL-safe.
pub(crate) fn new_refresh_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
