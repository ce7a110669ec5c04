//! Attachments' metadata (`AttachmentStore`).

use async_trait::async_trait;
use ferrochat_domain::attachments::Attachment;
use ferrochat_domain::{AttachmentId, ConversationId, Timestamp, UserId};

use super::StoreError;

/// What `bind_attachment` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The attachment now belongs to the conversation (or already did).
    Bound,
    /// Not `owner`'s, sent in another conversation, or gone.
    Refused,
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// `Conflict` if the id exists. An upload of the same id (the chunked
    /// upload this attachment finishes) is deleted in the same transaction.
    async fn insert_attachment(&self, attachment: &Attachment) -> Result<(), StoreError>;
    async fn attachment(&self, id: &AttachmentId) -> Result<Option<Attachment>, StoreError>;
    /// Sets the conversation of `owner`'s attachment `id` if it has none
    /// (or already is `conversation`), in one statement, so two sends
    /// cannot bind it to two conversations.
    async fn bind_attachment(
        &self,
        id: &AttachmentId,
        owner: &UserId,
        conversation: &ConversationId,
    ) -> Result<Bound, StoreError>;
    /// The bytes `owner`'s attachments take, for the quota, with the sizes
    /// declared by their uploads under way.
    async fn attachment_usage(&self, owner: &UserId) -> Result<u64, StoreError>;
    /// Attachments never sent and uploads never finished, created before
    /// `before`, oldest first, at most `limit`.
    async fn unsent_attachments(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttachmentId>, StoreError>;
    /// Deletes the metadata of `id` if it is still unsent (or the upload
    /// `id` under way); false if it was sent meanwhile (or is gone).
    async fn delete_unsent_attachment(&self, id: &AttachmentId) -> Result<bool, StoreError>;
    /// `owner`'s attachments, sent or not, in id order after `after`, at
    /// most `limit`.
    async fn attachments_of(
        &self,
        owner: &UserId,
        after: Option<&AttachmentId>,
        limit: u32,
    ) -> Result<Vec<Attachment>, StoreError>;
}
