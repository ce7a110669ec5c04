//! "Delete for me": the seqs named leave the caller's own history and
//! sync, on every device (the other members keep them). A member's cursor
//! update carries them (`UpdateConversation::hide`), so the cluster needs
//! no call of its own; a seq past the conversation's last is 1003.

use ferrochat_domain::Principal;
use ferrochat_ports::ApiError;
use ferrochat_wire::messaging::{DeleteMessagesBody, DeletedDto};

use crate::state::AppState;

pub(crate) async fn hide(
    state: &AppState,
    who: &Principal,
    body: DeleteMessagesBody,
) -> Result<DeletedDto, ApiError> {
    let (conversation, update) = body.decode()?;
    let seqs = update.hide.iter().map(|s| s.get()).collect();
    state
        .deps
        .messaging
        .update_conversation(&who.user_id, &conversation, update)
        .await?;
    Ok(DeletedDto {
        conversation_id: conversation.to_string(),
        seqs,
    })
}
