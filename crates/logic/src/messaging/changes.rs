//! Who may edit, recall or pin a message, and until when: judged in the
//! pipeline's check stage from what never changes about the message (its
//! sender, its time, its type) and the caller's role. Whether it still
//! exists as written (not recalled) is the store's to judge, under the
//! conversation's lock at commit (`Refusal`, answered by `refused`).

use std::time::Duration;

use ferrochat_domain::groups::Role;
use ferrochat_domain::messaging::MAX_PINS;
use ferrochat_domain::reactions;
use ferrochat_domain::{
    ConversationId, ConversationKind, Message, Reference, Seq, Timestamp, UserId,
};
use ferrochat_ports::store::{HistoryQuery, Refusal};
use ferrochat_ports::{ApiError, Store};

use crate::error::store as store_err;

/// How long a sender may change their own messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows {
    pub(crate) edit: Duration,
    pub(crate) recall: Duration,
}

/// Whether `who` may make `reference` in the conversation, as of `at`. A
/// reply needs nothing here (the store checks that its seq exists).
pub(crate) async fn may_refer(
    store: &dyn Store,
    windows: Windows,
    who: &UserId,
    conversation: &ConversationId,
    kind: ConversationKind,
    reference: Reference,
    at: Timestamp,
) -> Result<(), ApiError> {
    let (target, window) = match reference {
        // Any member may reply and react (the store checks the message
        // can take it).
        Reference::Reply(_) | Reference::React(_) | Reference::Unreact(_) => return Ok(()),
        Reference::Pin(_) | Reference::Unpin(_) => {
            return may_pin(store, who, conversation, kind).await
        }
        Reference::Edit(s) => (s, windows.edit),
        Reference::Recall(s) => (s, windows.recall),
    };
    let message = message_at(store, conversation, target).await?;
    if !message.is_changeable() {
        return Err(refused(Refusal::NotChangeable));
    }
    let own_in_time = message.from == *who && !past(message.created_at, window, at);
    match reference {
        Reference::Edit(_) if message.from != *who => {
            Err(ApiError::forbidden("only its sender can edit a message"))
        }
        Reference::Edit(_) if !own_in_time => Err(ApiError::forbidden(format!(
            "a message can be edited for {} after it was sent",
            humantime_serde::re::humantime::format_duration(window)
        ))),
        Reference::Recall(_) if !own_in_time => {
            if kind == ConversationKind::Group && moderates(store, conversation, who).await? {
                Ok(())
            } else if kind == ConversationKind::World && administers(store, who).await? {
                // Administrators are the world room's owners.
                Ok(())
            } else if message.from == *who {
                Err(ApiError::forbidden(format!(
                    "a message can be recalled for {} after it was sent",
                    humantime_serde::re::humantime::format_duration(window)
                )))
            } else {
                Err(ApiError::forbidden(
                    "only its sender, a group's owner or admin, or in the world room an \
                     administrator, can recall a message",
                ))
            }
        }
        _ => Ok(()),
    }
}

/// Pins are a group's owner's and admins' to set, both users' in a single
/// conversation; the world room has none.
async fn may_pin(
    store: &dyn Store,
    who: &UserId,
    conversation: &ConversationId,
    kind: ConversationKind,
) -> Result<(), ApiError> {
    leaders_only(
        store,
        who,
        (conversation, kind),
        [
            "only a group's owner or admins can pin or unpin messages",
            "messages of the world room cannot be pinned",
        ],
    )
    .await
}

/// Allows what a group leaves to its owner and admins: either user of a
/// single conversation may do it too, nobody in the world room. Refused
/// with `refusals` (in a group, in the world room).
pub(crate) async fn leaders_only(
    store: &dyn Store,
    who: &UserId,
    (conversation, kind): (&ConversationId, ConversationKind),
    [in_group, in_world]: [&'static str; 2],
) -> Result<(), ApiError> {
    match kind {
        ConversationKind::Single => Ok(()),
        ConversationKind::Group if moderates(store, conversation, who).await? => Ok(()),
        ConversationKind::Group => Err(ApiError::forbidden(in_group)),
        ConversationKind::World => Err(ApiError::forbidden(in_world)),
    }
}

/// What a client is told when a change cannot be made: the store's
/// refusals at commit, and the same facts found by the check.
pub(crate) fn refused(r: Refusal) -> ApiError {
    match r {
        Refusal::UnknownTarget => {
            ApiError::not_found("no message of this conversation has that seq")
        }
        Refusal::TargetRecalled => ApiError::not_found("that message was recalled"),
        Refusal::NotChangeable => {
            ApiError::forbidden("only a message a user wrote can be changed or reacted to")
        }
        Refusal::TooManyReactions => ApiError::conflict(format!(
            "a message takes at most {} different reactions",
            reactions::MAX_DISTINCT
        )),
        Refusal::TooManyPins => ApiError::conflict(format!(
            "a conversation keeps at most {MAX_PINS} pinned messages; unpin one first"
        )),
    }
}

/// The message at `seq`, or 1003.
pub(crate) async fn message_at(
    store: &dyn Store,
    conversation: &ConversationId,
    seq: Seq,
) -> Result<Message, ApiError> {
    let not_found = || refused(Refusal::UnknownTarget);
    let Some(before) = seq.get().checked_sub(1) else {
        return Err(not_found());
    };
    let query = HistoryQuery {
        pinned: false,
        after: Some(Seq::new(before)),
        before: None,
        limit: 1,
        viewer: None,
    };
    let (page, _) = store
        .history(conversation, query)
        .await
        .map_err(|e| store_err("reading a message", e))?;
    page.into_iter()
        .find(|m| m.seq == seq)
        .ok_or_else(not_found)
}

/// Whether `window` after `sent` had passed by `at`.
fn past(sent: Timestamp, window: Duration, at: Timestamp) -> bool {
    let window = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    at.millis().saturating_sub(sent.millis()) > window
}

/// Whether `who` is the group's owner or an admin.
async fn moderates(
    store: &dyn Store,
    conversation: &ConversationId,
    who: &UserId,
) -> Result<bool, ApiError> {
    let member = store
        .member(conversation, who)
        .await
        .map_err(|e| store_err("reading a membership", e))?;
    Ok(member.is_some_and(|m| matches!(m.role, Role::Owner | Role::Admin)))
}

/// Whether `who` holds the admin role (read from the store: a recall of
/// another's message is rare, and a role taken back must hold at once).
async fn administers(store: &dyn Store, who: &UserId) -> Result<bool, ApiError> {
    let user = store
        .user(who)
        .await
        .map_err(|e| store_err("reading a user", e))?;
    Ok(user.is_some_and(|u| u.administers_at(crate::clock::now())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_ends_after_its_length() {
        let sent = Timestamp::from_millis(1_000);
        let w = Duration::from_secs(120);
        assert!(!past(sent, w, Timestamp::from_millis(121_000)));
        assert!(past(sent, w, Timestamp::from_millis(121_001)));
    }
}
