//! Validated value types. Each wraps a private field and can only be built
//! through `parse`, so holding one proves the contract's rule was checked.
//! Values read back from our own store use `from_stored`, which skips the
//! checks: a rule tightened later must not make old rows unreadable.

use crate::error::InvalidField;

/// Counts characters (not bytes), as a user would.
fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Unicode's bidirectional formatting characters: marks, embeddings,
/// overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that take no visible space: zero-width spaces and joiners,
/// the word joiner, the byte order mark, the soft hyphen, and the Hangul
/// and Mongolian fillers.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

macro_rules! string_type {
    ($name:ident) => {
        impl $name {
            pub fn from_stored(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }
    };
}

/// A free text of at most `$most` characters (`$field` names it in the
/// error): the type, its `parse` and its accessors.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $most:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: String) -> Result<Self, $crate::InvalidField> {
                if raw.chars().count() > $most {
                    return Err($crate::InvalidField::new(
                        $field,
                        concat!("must be at most ", stringify!($most), " characters"),
                    ));
                }
                Ok(Self(raw))
            }

            pub fn from_stored(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use bounded_text;

/// 3-32 characters of `A-Za-z0-9_.-`. Unique without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);
string_type!(Username);

impl Username {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let len = raw.len();
        if !(3..=32).contains(&len) {
            return Err(InvalidField::new("username", "must be 3 to 32 characters"));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            return Err(InvalidField::new(
                "username",
                "may contain only letters, digits, '_', '.' and '-'",
            ));
        }
        Ok(Self(raw))
    }

    /// The form uniqueness and login look-ups use: "Alice" and "alice" are
    /// the same account.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// 8-128 characters, not only whitespace, no control characters (a
/// password of eight spaces or NULs guards nothing). Its `Debug` never
/// prints the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let len = char_len(&raw);
        if !(8..=128).contains(&len) {
            return Err(InvalidField::new("password", "must be 8 to 128 characters"));
        }
        if raw.trim().is_empty() {
            return Err(InvalidField::new("password", "must not be only whitespace"));
        }
        if has_control(&raw) {
            return Err(InvalidField::new(
                "password",
                "must not contain control characters",
            ));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// A display name: 1-64 characters after trimming, no control characters,
/// no bidirectional controls (U+202E would show "evil" as "live"), and
/// something visible: zero-width characters may join an emoji sequence,
/// but not make up a name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);
string_type!(Nickname);

impl Nickname {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let trimmed = raw.trim();
        let len = char_len(trimmed);
        if !(1..=64).contains(&len) {
            return Err(InvalidField::new("nickname", "must be 1 to 64 characters"));
        }
        if has_control(trimmed) {
            return Err(InvalidField::new(
                "nickname",
                "must not contain control characters",
            ));
        }
        if trimmed.chars().any(is_bidi_control) {
            return Err(InvalidField::new(
                "nickname",
                "must not contain bidirectional control characters",
            ));
        }
        if trimmed
            .chars()
            .all(|c| c.is_whitespace() || is_invisible(c))
        {
            return Err(InvalidField::new(
                "nickname",
                "must contain a visible character",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// A new account's nickname when none is given.
    pub fn from_username(u: &Username) -> Self {
        Self(u.as_str().to_owned())
    }
}

/// An avatar reference (usually a URL): at most 512 characters, no control
/// characters. Empty means "no avatar".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Avatar(String);
string_type!(Avatar);

impl Avatar {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        if char_len(&raw) > 512 {
            return Err(InvalidField::new(
                "avatar",
                "must be at most 512 characters",
            ));
        }
        if has_control(&raw) {
            return Err(InvalidField::new(
                "avatar",
                "must not contain control characters",
            ));
        }
        Ok(Self(raw))
    }
}

/// A short line about oneself ("in a meeting", "on holiday"), shown
/// beside the name: at most 140 characters once trimmed, no control or
/// bidirectional control characters. Empty means none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusText(String);
string_type!(StatusText);

impl StatusText {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let trimmed = raw.trim();
        if char_len(trimmed) > 140 {
            return Err(InvalidField::new(
                "status_text",
                "must be at most 140 characters",
            ));
        }
        if has_control(trimmed) || trimmed.chars().any(is_bidi_control) {
            return Err(InvalidField::new(
                "status_text",
                "must not contain control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }
}

/// An email address, optional on a profile and unique without regard to
/// case: at most 254 characters, one `@` between a local part (at most
/// 64) and a domain with a dot, no spaces or control characters. Checked
/// for shape only: with no mail server, nothing proves it is the user's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);
string_type!(Email);

impl Email {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let trimmed = raw.trim();
        let bad = |why: &str| Err(InvalidField::new("email", why));
        if char_len(trimmed) > 254 {
            return bad("must be at most 254 characters");
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("must not contain spaces or control characters");
        }
        let Some((local, domain)) = trimmed.split_once('@') else {
            return bad("is not an email address");
        };
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || char_len(local) > 64 || !domain_ok {
            return bad("is not an email address");
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// Compared without regard to case: one address, one account.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A client's name for one of its devices: 1-64 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId(String);
string_type!(DeviceId);

impl DeviceId {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        if raw.is_empty() || raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidField::new(
                "device_id",
                "must be 1 to 64 printable ASCII characters",
            ));
        }
        Ok(Self(raw))
    }
}

/// The sender's idempotency key for one message: 1-64 printable ASCII
/// characters. (sender, client_msg_id) is unique (design invariant 3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientMsgId(String);
string_type!(ClientMsgId);

impl ClientMsgId {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        if raw.is_empty() || raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidField::new(
                "client_msg_id",
                "must be 1 to 64 printable ASCII characters",
            ));
        }
        Ok(Self(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn username_edges() {
        assert!(Username::parse("abc".into()).is_ok());
        assert!(Username::parse("a".repeat(32)).is_ok());
        assert!(Username::parse("A_b.c-9".into()).is_ok());
        for bad in ["ab", "", "has space", "émile", "semi;colon"] {
            assert_eq!(Username::parse(bad.into()).unwrap_err().field, "username");
        }
        assert!(Username::parse("a".repeat(33)).is_err());
        assert_eq!(Username::parse("Alice".into()).unwrap().key(), "alice");
    }

    #[test]
    fn password_counts_characters_and_hides_itself() {
        assert!(Password::parse("1234567".into()).is_err());
        assert!(Password::parse("12345678".into()).is_ok());
        assert!(Password::parse("é".repeat(128)).is_ok());
        assert!(Password::parse("é".repeat(129)).is_err());
        let p = Password::parse("hunter2hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn password_of_only_whitespace_or_with_control_characters_is_refused() {
        for bad in [
            " ".repeat(8),
            "\0".repeat(8),
            "\t".repeat(10),
            "good pass\0word".into(),
        ] {
            assert_eq!(Password::parse(bad).unwrap_err().field, "password");
        }
        assert!(Password::parse("correct horse battery".into()).is_ok());
    }

    #[test]
    fn nickname_refuses_bidi_controls_and_invisible_only_names() {
        for bad in [
            "\u{202E}evil",
            "a\u{2066}b",
            "\u{200B}",
            "\u{200B}\u{200D} \u{FEFF}",
            "\u{3164}",
        ] {
            assert_eq!(
                Nickname::parse(bad.into()).unwrap_err().field,
                "nickname",
                "{bad:?}"
            );
        }
        // A zero-width joiner inside an emoji sequence is fine.
        assert!(Nickname::parse("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}".into()).is_ok());
        assert!(Nickname::parse("Zoë".into()).is_ok());
    }

    #[test]
    fn nickname_is_trimmed_and_bounded() {
        assert_eq!(Nickname::parse("  Bob  ".into()).unwrap().as_str(), "Bob");
        assert!(Nickname::parse("   ".into()).is_err());
        assert!(Nickname::parse("a\u{7}b".into()).is_err());
        assert!(Nickname::parse("ü".repeat(64)).is_ok());
        assert!(Nickname::parse("ü".repeat(65)).is_err());
    }

    #[test]
    fn avatar_and_ids_bounds() {
        assert!(Avatar::parse(String::new()).is_ok());
        assert!(Avatar::parse("x".repeat(513)).is_err());
        assert!(ClientMsgId::parse(String::new()).is_err());
        assert!(ClientMsgId::parse("m-1".into()).is_ok());
        assert!(ClientMsgId::parse("with space".into()).is_err());
        assert!(DeviceId::parse("phone-1".into()).is_ok());
        assert!(DeviceId::parse("x".repeat(65)).is_err());
    }

    #[test]
    fn emails_are_checked_for_shape_and_compared_without_case() {
        let e = Email::parse("  Ana.Lopez+chat@Example.COM ".into()).unwrap();
        assert_eq!(e.as_str(), "Ana.Lopez+chat@Example.COM");
        assert_eq!(e.key(), "ana.lopez+chat@example.com");
        assert!(Email::parse("名前@例え.jp".into()).is_ok());
        for bad in [
            "",
            "no-at.example.com",
            "@example.com",
            "a@localhost",
            "a@b@c.com",
            "a b@c.com",
            "a@.com",
            "a@c.com.",
            "a@c..com",
            "a\u{7}@c.com",
        ] {
            let e = Email::parse(bad.to_owned()).unwrap_err();
            assert_eq!(e.field, "email", "{bad}");
        }
        assert!(Email::parse(format!("{}@c.com", "x".repeat(65))).is_err());
        assert!(Email::parse(format!("a@{}.com", "x".repeat(250))).is_err());
    }

    #[test]
    fn status_text_is_a_short_clean_line() {
        assert_eq!(
            StatusText::parse("  busy  ".into()).unwrap().as_str(),
            "busy"
        );
        assert_eq!(StatusText::parse(String::new()).unwrap().as_str(), "");
        assert!(StatusText::parse("é".repeat(140)).is_ok());
        assert!(StatusText::parse("é".repeat(141)).is_err());
        assert!(StatusText::parse("a\nb".into()).is_err());
        assert!(StatusText::parse("evil\u{202E}txt".into()).is_err());
    }

    proptest! {
        #[test]
        fn username_accepts_exactly_the_rule(s in "\\PC{0,40}") {
            let ok = (3..=32).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            prop_assert_eq!(Username::parse(s).is_ok(), ok);
        }

        #[test]
        fn nickname_never_keeps_outer_whitespace(s in "\\PC{0,80}") {
            if let Ok(n) = Nickname::parse(s) {
                prop_assert_eq!(n.as_str().trim(), n.as_str());
            }
        }
    }
}
