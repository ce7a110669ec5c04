//! Reactions: an emoji a member puts on a message, at most once per emoji
//! and member, and at most `MAX_DISTINCT` different emoji per message.

use unicode_segmentation::UnicodeSegmentation as _;

use crate::error::InvalidField;

/// Different emoji one message may carry.
pub const MAX_DISTINCT: usize = 20;

/// A reaction: one grapheme cluster (an emoji with its modifiers and
/// joiners), at most 32 bytes, starting with a symbol (not a letter, a
/// digit, ASCII or an invisible character), without whitespace or control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Emoji(String);

impl Emoji {
    pub const MAX_BYTES: usize = 32;

    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let bad = |why: &str| Err(InvalidField::new("emoji", why.to_owned()));
        if raw.is_empty() || raw.len() > Self::MAX_BYTES {
            return bad("must be 1 to 32 bytes");
        }
        if raw.graphemes(true).count() != 1 {
            return bad("must be one emoji");
        }
        let symbol = raw
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii() && !c.is_alphanumeric() && !invisible(c));
        if !symbol || raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return bad("must be an emoji");
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

/// Characters that show nothing on their own: zero-width spaces, joiners,
/// marks and other format characters.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// One emoji on one message, as a member sees it: how many put it there,
/// and whether they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    pub emoji: Emoji,
    pub count: u32,
    pub mine: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emoji_is_one_non_ascii_grapheme() {
        for ok in ["👍", "❤️", "👍🏽", "👩‍👩‍👧", "🇫🇷", "✔"] {
            assert!(Emoji::parse(ok.to_owned()).is_ok(), "{ok}");
        }
        for bad in ["", "a", "é", "+1", ":)", "👍👍", "👍 ", "\u{200b}", "\u{7}"] {
            assert!(Emoji::parse(bad.to_owned()).is_err(), "{bad:?}");
        }
        assert!(Emoji::parse("👍".repeat(9)).is_err(), "too long");
    }
}
