//! Users known from outside: an issuer the deployment trusts (its own app,
//! an OpenID provider) names a user by a subject, and ferrochat keeps one
//! account per (issuer, subject) (docs/protocol.md, "Tokens from your own
//! app").

use crate::error::InvalidField;

/// The longest issuer or subject kept: both are stored whole in a unique
/// key (MariaDB's index bound), and providers' are far shorter (OpenID
/// Connect caps `sub` at 255 ASCII characters).
pub const MAX_EXTERNAL_ID_BYTES: usize = 255;

/// Who an outside issuer says a user is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalSubject {
    issuer: String,
    subject: String,
}

impl ExternalSubject {
    /// Each non-empty, at most `MAX_EXTERNAL_ID_BYTES`, no control
    /// characters.
    pub fn parse(issuer: String, subject: String) -> Result<Self, InvalidField> {
        check("issuer", &issuer)?;
        check("subject", &subject)?;
        Ok(Self { issuer, subject })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }
}

fn check(field: &'static str, raw: &str) -> Result<(), InvalidField> {
    if raw.is_empty() || raw.len() > MAX_EXTERNAL_ID_BYTES {
        return Err(InvalidField::new(
            field,
            format!("must be 1 to {MAX_EXTERNAL_ID_BYTES} bytes"),
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(InvalidField::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_and_subject_are_bounded_and_printable() {
        let ok = ExternalSubject::parse("https://app.example".into(), "42".into()).unwrap();
        assert_eq!((ok.issuer(), ok.subject()), ("https://app.example", "42"));
        assert!(ExternalSubject::parse(String::new(), "42".into()).is_err());
        assert!(ExternalSubject::parse("i".into(), String::new()).is_err());
        assert!(ExternalSubject::parse("i".into(), "a\nb".into()).is_err());
        assert!(ExternalSubject::parse("i".into(), "x".repeat(255)).is_ok());
        assert!(ExternalSubject::parse("i".into(), "x".repeat(256)).is_err());
    }
}
