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

/// What a password-reset token is for: its audience, so that neither kind
/// of token passes for the other (an access token has no audience and no
/// `fp`; a reset token has no `sid`, and an audience access checks refuse).
const RESET_AUDIENCE: &str = "ferrochat-password-reset";

/// A password-reset token: the user, and a fingerprint of the password
/// hash it may replace. Setting any new password changes the hash, so a
/// token works once (and not after the user changed the password
/// themself), with no table of used tokens.
#[derive(Debug, Serialize, Deserialize)]
struct ResetClaims {
    sub: String,
    aud: String,
    fp: String,
    iat: i64,
    exp: i64,
}

/// The fingerprint of a password hash a reset token names: short, and no
/// use for guessing the password.
pub(crate) fn hash_fingerprint(password_hash: &str) -> String {
    let digest = Sha256::digest(password_hash.as_bytes());
    hex::encode(digest.iter().take(12).copied().collect::<Vec<u8>>())
}

/// A verified reset token: whose, and which hash it may replace.
pub(crate) struct ResetGrant {
    pub(crate) user: UserId,
    pub(crate) fingerprint: String,
}

impl TokenKeys {
    /// Signs a reset token for `user`, whose password hash is now
    /// `password_hash`, valid until `expires`.
    pub(crate) fn issue_reset(
        &self,
        user: &UserId,
        password_hash: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = ResetClaims {
            sub: user.to_string(),
            aud: RESET_AUDIENCE.to_owned(),
            fp: hash_fingerprint(password_hash),
            iat: now.seconds(),
            exp: expires.seconds(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Signature, audience and expiry; the caller compares the fingerprint
    /// with the hash stored now.
    pub(crate) fn verify_reset(&self, token: &str) -> Option<ResetGrant> {
        let mut validation = self.validation.clone();
        validation.set_audience(&[RESET_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        let data = jsonwebtoken::decode::<ResetClaims>(token, &self.decoding, &validation).ok()?;
        Some(ResetGrant {
            user: UserId::parse(&data.claims.sub).ok()?,
            fingerprint: data.claims.fp,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"a test secret of some thirty-two bytes")
    }

    #[test]
    fn a_reset_token_names_its_user_and_hash_and_is_no_access_token() {
        let k = keys();
        let user = UserId::generate();
        let now = Timestamp::from_millis(1_700_000_000_000);
        // Far in the future: the signature is checked against the clock.
        let later = Timestamp::from_millis(4_000_000_000_000);
        let token = k.issue_reset(&user, "hash-1", now, later).unwrap();
        let grant = k.verify_reset(&token).expect("valid");
        assert_eq!(grant.user, user);
        assert_eq!(grant.fingerprint, hash_fingerprint("hash-1"));
        assert_ne!(grant.fingerprint, hash_fingerprint("hash-2"));
        assert!(k.verify(&token).is_none(), "not an access token");

        let who = Principal {
            user_id: user.clone(),
            session_id: SessionId::generate(),
        };
        let access = k.issue(&who, now, later).unwrap();
        assert!(k.verify_reset(&access).is_none(), "not a reset token");
        let other = TokenKeys::new(b"another secret, another deployment!!");
        assert!(
            other.verify_reset(&token).is_none(),
            "signed by this server only"
        );
        let expired = k.issue_reset(&user, "hash-1", now, now).unwrap();
        assert!(k.verify_reset(&expired).is_none(), "expired");
    }
}
