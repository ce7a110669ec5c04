//! A message of type `image`, `file`, `voice` or `video` carries an
//! attachment id as its content. Before it is published, the attachment is
//! bound to the conversation (logic checks it is the sender's, unsent or
//! sent there already, of a type that fits), which is what lets the
//! conversation's members download it.

use ferrochat_domain::attachments::AttachmentKind;
use ferrochat_domain::commands::SendMessage;
use ferrochat_domain::{AttachmentId, ConversationId, InvalidField, Principal, SendTarget};
use ferrochat_ports::{clock, ApiError};

use crate::state::AppState;

/// How much sooner than the sweep a send refuses an unsent upload, so an
/// upload a send has just bound is never one the sweep is deleting (the
/// margin also covers clocks apart between gateways): a minute, or a tenth
/// of `storage.orphan_after` if that is shorter.
const SWEEP_MARGIN_MS: i64 = 60_000;

/// Checks and binds the attachment of `cmd` if its type takes one.
pub(crate) async fn check(
    state: &AppState,
    who: &Principal,
    cmd: &SendMessage,
    conversation: &ConversationId,
) -> Result<(), ApiError> {
    let Some(kind) = AttachmentKind::of_message_type(cmd.message_type.as_str()) else {
        return Ok(());
    };
    // An edit keeps the type it changes: only new messages carry one.
    if cmd.reference.is_some_and(|r| r.is_change()) {
        return Ok(());
    }
    let id = AttachmentId::parse(cmd.content.as_str().trim()).map_err(|_| {
        InvalidField::new(
            "content",
            format!("a message of type {kind:?} carries an attachment_id"),
        )
    })?;
    let me = &who.user_id;
    // A conversation named by id has not been checked yet: binding an
    // upload to a conversation the sender may not write to would strand it.
    if let SendTarget::Conversation(_) = &cmd.target {
        state.deps.messaging.resolve_target(me, &cmd.target).await?;
    }
    let attachment = state.deps.attachments.attachment(me, &id).await?;
    if attachment.is_unsent() {
        let orphan_ms =
            i64::try_from(state.config.attachments.orphan_after.as_millis()).unwrap_or(i64::MAX);
        let margin = SWEEP_MARGIN_MS.min(orphan_ms / 10);
        let expires = attachment
            .created_at
            .millis()
            .saturating_add(orphan_ms.saturating_sub(margin));
        if clock::now().millis() >= expires {
            return Err(ApiError::not_found(
                "this upload expired unsent; upload the file again",
            ));
        }
    }
    state
        .deps
        .attachments
        .bind_attachment(me, &id, conversation, kind)
        .await?;
    Ok(())
}
