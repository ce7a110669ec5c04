//! Logging in through an OpenID Connect provider (authorization code with
//! PKCE): what the gateway hands the accounts service at the start of a
//! login and at its end (docs/protocol.md, "Logging in with an OpenID
//! provider").

use std::time::Duration;

use crate::error::InvalidField;
use crate::DeviceId;

/// The longest `auth.oidc.timeout`, one request to the provider.
pub const MAX_PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one step of a login (its start, its callback) may spend at
/// the provider, at most: up to three requests (the discovery document,
/// the code's redemption, the signing keys) of `MAX_PROVIDER_TIMEOUT`
/// each. A caller of logic's login calls waits this long for them, so it
/// never gives up on a code logic may already have redeemed.
pub const MAX_PROVIDER_STEP: Duration = Duration::from_secs(3 * MAX_PROVIDER_TIMEOUT.as_secs());

/// The longest authorization code taken from a provider: theirs are opaque
/// strings of some tens of bytes, a few hundred at most.
pub const MAX_OIDC_CODE_BYTES: usize = 2048;

/// The start of a login: the values the browser keeps (in a cookie) until
/// the provider sends it back.
#[derive(Debug, Clone)]
pub struct OidcStart {
    /// Sent to the provider and back; binds its answer to this browser.
    pub state: OidcSecret,
    /// Put in the ID token by the provider; binds the token to this login.
    pub nonce: OidcSecret,
    /// The PKCE challenge: BASE64URL(SHA-256(verifier)).
    pub code_challenge: OidcSecret,
}

/// The end of one: the provider's code, and what the browser kept.
#[derive(Debug, Clone)]
pub struct OidcFinish {
    pub code: OidcCode,
    pub code_verifier: OidcSecret,
    pub nonce: OidcSecret,
    /// The browser's name for itself, as at a password login.
    pub device_id: Option<DeviceId>,
}

/// A state, nonce, PKCE verifier or challenge: 43 to 128 of the characters
/// RFC 7636 allows a verifier (`A-Z a-z 0-9 - . _ ~`), so at least 256 bits
/// when random and base64url-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcSecret(String);

impl OidcSecret {
    pub fn parse(field: &'static str, raw: String) -> Result<Self, InvalidField> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(43..=128).contains(&raw.len()) || !raw.bytes().all(allowed) {
            return Err(InvalidField::new(
                field,
                "must be 43 to 128 of A-Z a-z 0-9 - . _ ~",
            ));
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Never logged: with its partner it completes a login.
impl std::fmt::Debug for OidcSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OidcSecret(..)")
    }
}

/// A provider's authorization code: 1 to `MAX_OIDC_CODE_BYTES` printable
/// ASCII characters.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcCode(String);

impl OidcCode {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        if raw.is_empty()
            || raw.len() > MAX_OIDC_CODE_BYTES
            || !raw.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InvalidField::new(
                "code",
                format!("must be 1 to {MAX_OIDC_CODE_BYTES} printable ASCII characters"),
            ));
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OidcCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OidcCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_unreserved_characters_and_codes_printable() {
        let ok = "a".repeat(43);
        assert_eq!(OidcSecret::parse("state", ok.clone()).unwrap().as_str(), ok);
        assert!(OidcSecret::parse("state", "-._~Az09".repeat(16)).is_ok());
        assert!(OidcSecret::parse("state", "a".repeat(42)).is_err());
        assert!(OidcSecret::parse("state", "a".repeat(129)).is_err());
        assert!(OidcSecret::parse("nonce", format!("{}+", "a".repeat(43))).is_err());
        assert_eq!(
            format!("{:?}", OidcSecret::parse("s", ok).unwrap()),
            "OidcSecret(..)"
        );
        assert!(OidcCode::parse("abc-DEF_123".into()).is_ok());
        assert!(OidcCode::parse(String::new()).is_err());
        assert!(OidcCode::parse("a b".into()).is_err());
        assert!(OidcCode::parse("x".repeat(MAX_OIDC_CODE_BYTES + 1)).is_err());
    }
}
