//! Where each fact lives in the shared cache: one key per unit a change
//! forgets, one field per fact under it.

use ferrochat_domain::{ConversationId, SessionId, UserId};

/// A conversation: its meta (`META`), each member's state
/// (`member_field`) and its member list (`AUDIENCE`). Every group change
/// forgets them together.
pub(crate) fn conversation(id: &ConversationId) -> String {
    format!("conv:{}", id.as_str())
}

pub(crate) const META: &str = "meta";
pub(crate) const AUDIENCE: &str = "audience";

pub(crate) fn member_field(user: &UserId) -> String {
    format!("m:{}", user.as_str())
}

/// Two users, in id order: whether each blocks the other
/// (`blocks_field`) and whether they are friends (`FRIENDS`). Any change
/// between them forgets all three.
pub(crate) fn pair(a: &UserId, b: &UserId) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("pair:{}:{}", lo.as_str(), hi.as_str())
}

pub(crate) const FRIENDS: &str = "friends";

pub(crate) fn blocks_field(blocker: &UserId) -> String {
    format!("blocks:{}", blocker.as_str())
}

/// A user's public profile (`PROFILE`) and sanctions (`SANCTIONS`).
pub(crate) fn user(id: &UserId) -> String {
    format!("user:{}", id.as_str())
}

pub(crate) const PROFILE: &str = "profile";
/// What a send checks of its sender (`Sanctions`), forgotten with the
/// profile: every change of either forgets the user's key.
pub(crate) const SANCTIONS: &str = "sanctions";

/// A login session (`SESSION`): forgotten by its revocation (logout,
/// refresh-token reuse) and its rotation.
pub(crate) fn session(id: &SessionId) -> String {
    format!("session:{}", id.as_str())
}

pub(crate) const SESSION: &str = "session";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_one_key_whichever_way_it_is_named() {
        let (a, b) = (
            UserId::from_stored("a".into()),
            UserId::from_stored("b".into()),
        );
        assert_eq!(pair(&a, &b), pair(&b, &a));
        assert_ne!(blocks_field(&a), blocks_field(&b));
    }
}
