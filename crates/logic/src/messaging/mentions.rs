//! Who may mention everyone: in a group its owner and admins (a mention of
//! all reaches every member's conversation list and phone, so it is not
//! every member's to make); in a single conversation either user (it names
//! the one other); in the world room nobody. Mentions by name need no
//! permission: they flag only members of the conversation.

use ferrochat_domain::{ConversationId, ConversationKind, UserId};
use ferrochat_ports::{ApiError, Store};

use crate::messaging::changes::leaders_only;

pub(crate) async fn may_mention_all(
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
            "only a group's owner or admins can mention everyone",
            "nobody can mention everyone in the world room",
        ],
    )
    .await
}
